"""Gathering the graph a reader may see: its nodes, its relations and what deployments tell.

Nodes are the organisations, public figures, sites and host countries the reader may open, and the
persons (by pseudonym only) at an end of a relation they may open. Edges are every
`documentation.Relation` the reader may open and the links derived from each deployment they may
open (docs/decisions/0032-relations-and-deployments.md): the dispatcher sends workers to the
employer (or, without one, to the site, or to the host country), the employer works them at the
site, and the site lies in its country. Derived edges of one pair and kind whose periods meet are
merged into one, told by the union of their sources.

What the reader may not open is absent, exactly as if it did not exist: a node, every edge touching
it, an edge whose record they may not open, and the claims (and so the sources counted) they may
not read. A record merged into another that the reader may open is drawn as that survivor.

Everything is read with `values()` queries, a fixed number per graph whatever its size: the page
asks for 10,000 nodes and 30,000 edges in under half a second (benchmarks/bench_network.py).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel, UserLike, visible_access_levels
from unseen.core import network
from unseen.core.network import Edge, Node
from unseen.core.places import country_name
from unseen.documentation.models import Deployment, Relation, RelationKind
from unseen.evidence.models import Claim
from unseen.registry.models import Designation, Organisation, Person, PublicFigure, Site

# Node kinds, as the JSON names them, and the researcher app's page slug of each.
PAGE_SLUGS = {
    "organisation": "organisations",
    "public_figure": "public-figures",
    "person": "persons",
    "site": "sites",
}
# The most nodes one answer carries: beyond it the neighbourhood stops (nearest kept) and says so.
MAX_NODES = 10_000
MAX_DEPTH = 6
DERIVED_PREFIX = "deployment:"
# Kinds of the edges derived from deployments that relations do not have.
LOCATED_IN = "located_in"


@dataclass(frozen=True)
class View:
    """What the reader asked to see: the graph as of a day, from a grade up, around some nodes."""

    as_of: dt.date | None = None
    min_grade: str | None = None
    focus: tuple[str, ...] = ()
    depth: int = 1

    def describe(self) -> str:
        """The filters in words, for an export's metadata and the audit log."""
        parts = [
            f"as of {self.as_of.isoformat()}" if self.as_of else "all dates",
            f"grade {self.min_grade} or better" if self.min_grade else "any grade",
        ]
        if self.focus:
            parts.append(f"within {self.depth} of {', '.join(self.focus)}")
        return "; ".join(parts)


@dataclass
class Graph:
    """The gathered graph: nodes, edges and whether the node limit cut it short."""

    nodes: list[Node]
    edges: list[Edge]
    truncated: bool = False
    view: View = field(default_factory=View)
    # Ownership shares in per cent, by edge id, for the FtM export's Ownership.percentage.
    shares: dict[str, str] = field(default_factory=dict)
    # The focus as drawn: a merged record's survivor, ids the reader may not see left out.
    focus: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return network.to_json(
            self.nodes,
            self.edges,
            as_of=self.view.as_of,
            min_grade=self.view.min_grade,
            truncated=self.truncated,
        )


def gather(user: UserLike, view: View | None = None, *, limit: int = MAX_NODES) -> Graph:
    """The graph `user` may see, filtered and cut to `view`."""
    view = view or View()
    levels = visible_access_levels(user)
    reader = _Reader(levels)
    nodes = reader.nodes()
    edges = [*reader.relation_edges(), *reader.derived_edges()]
    nodes.extend(reader.country_nodes())
    edges = reader.merged(edges)
    edges = network.as_of(edges, view.as_of)
    edges = network.min_grade(edges, view.min_grade)
    focus = [reader.survivor_id(node_id) for node_id in view.focus]
    kept = network.neighbourhood(nodes, edges, focus, view.depth, limit)
    shares = {edge.id: reader.shares[edge.id] for edge in kept.edges if edge.id in reader.shares}
    drawn = {node.id for node in kept.nodes}
    return Graph(
        kept.nodes,
        kept.edges,
        kept.truncated,
        view,
        shares,
        focus=[node_id for node_id in focus if node_id in drawn],
    )


def node_id(record: Model) -> str:
    """The node id of a record of a kind the graph draws ("organisation:12")."""
    kinds: dict[type[Model], str] = {
        Organisation: "organisation",
        PublicFigure: "public_figure",
        Person: "person",
        Site: "site",
    }
    kind = kinds[type(record)]
    return f"{kind}:{record.pk}"


# --- reading ---------------------------------------------------------------------------------


class _Reader:
    """The queries of one graph, at one reader's levels, and what they found so far."""

    def __init__(self, levels: list[str]) -> None:
        self.levels = levels
        self.everything = set(levels) >= set(AccessLevel.values)
        self.base = reverse("documentation:dashboard")  # "/app/": one reverse, not one per row
        self.language = get_language() or "en"
        # Node id of each visible record, by kind and database id (merged ones: their survivor).
        self.ids: dict[str, dict[int, str]] = {}
        self.persons_wanted: set[int] = set()
        self.site_country: dict[int, str] = {}
        self.countries: set[str] = set()
        self.grades: dict[str, tuple[str, int]] = {}
        self._relation_rows: list[dict[str, Any]] | None = None
        self.shares: dict[str, str] = {}

    def _visible(self, model: type[Model]) -> Any:
        manager = model._default_manager
        return manager.all() if self.everything else manager.filter(access_level__in=self.levels)

    def _survivors(self, kind: str, rows: list[dict[str, Any]]) -> dict[int, str]:
        """Node id per visible record of `kind`: its own, or that of the visible record it was
        merged into (however deep). Merged into a record the reader may not open, a record stands
        for itself, as the lists show it: the merge is as absent as the survivor."""
        merged_into = {row["id"]: row["merged_into_id"] for row in rows}
        ids: dict[int, str] = {}
        for pk in merged_into:
            survivor, seen = pk, {pk}
            while (above := merged_into.get(survivor)) in merged_into and above not in seen:
                survivor = above
                seen.add(above)
            ids[pk] = f"{kind}:{survivor}"
        self.ids[kind] = ids
        return ids

    def _url(self, kind: str, pk: int) -> str:
        return f"{self.base}{PAGE_SLUGS[kind]}/{pk}/"

    def nodes(self) -> list[Node]:
        held = list(self._visible(Designation).values_list("organisation_id", "public_figure_id"))
        nodes: list[Node] = []
        organisations = list(
            self._visible(Organisation).values("id", "name", "country", "merged_into_id")
        )
        ids = self._survivors("organisation", organisations)
        designated = {ids[pk] for pk, _figure in held if pk in ids}
        nodes.extend(
            Node(
                f"organisation:{row['id']}",
                "organisation",
                row["name"],
                designated=f"organisation:{row['id']}" in designated,
                url=self._url("organisation", row["id"]),
                country=row["country"],
            )
            for row in organisations
            if ids[row["id"]] == f"organisation:{row['id']}"
        )
        figures = list(
            self._visible(PublicFigure).values("id", "name", "nationality", "merged_into_id")
        )
        ids = self._survivors("public_figure", figures)
        designated |= {ids[pk] for _organisation, pk in held if pk in ids}
        nodes.extend(
            Node(
                f"public_figure:{row['id']}",
                "public_figure",
                row["name"],
                designated=f"public_figure:{row['id']}" in designated,
                url=self._url("public_figure", row["id"]),
                country=row["nationality"],
            )
            for row in figures
            if ids[row["id"]] == f"public_figure:{row['id']}"
        )
        sites = list(self._visible(Site).values("id", "name", "country", "merged_into_id"))
        ids = self._survivors("site", sites)
        for row in sites:
            self.site_country[row["id"]] = row["country"]
            if ids[row["id"]] == f"site:{row['id']}":
                nodes.append(
                    Node(
                        f"site:{row['id']}",
                        "site",
                        row["name"],
                        url=self._url("site", row["id"]),
                        country=row["country"],
                    )
                )
        # Persons (witnesses, workers) only where a relation names them, and by pseudonym only:
        # the graph is about who runs the system, not a roll of everyone interviewed.
        relations = self._relations()
        wanted = {
            pk
            for row in relations
            for pk in (row["subject_person_id"], row["object_person_id"])
            if pk is not None
        }
        # Every visible person's merge (two small columns), so that a relation naming a merged
        # record finds its survivor; the pseudonym only of those drawn.
        persons = list(self._visible(Person).values("id", "merged_into_id"))
        ids = self._survivors("person", persons)
        shown = {int(ids[pk].partition(":")[2]) for pk in wanted if pk in ids}
        drawn = self._visible(Person).values("id", "pseudonym", "nationality")
        # A short list by id; a long one (past what SQLite takes as parameters) by reading all.
        drawn = drawn.filter(pk__in=sorted(shown)) if len(shown) <= 500 else drawn
        nodes.extend(
            Node(
                f"person:{row['id']}",
                "person",
                row["pseudonym"],
                url=self._url("person", row["id"]),
                country=row["nationality"],
            )
            for row in (drawn if shown else [])
            if row["id"] in shown
        )
        return nodes

    def _relations(self) -> list[dict[str, Any]]:
        if self._relation_rows is None:
            self._relation_rows = list(
                self._visible(Relation).values(
                    "id",
                    "kind",
                    "subject_organisation_id",
                    "subject_figure_id",
                    "subject_person_id",
                    "object_organisation_id",
                    "object_figure_id",
                    "object_person_id",
                    "object_site_id",
                    "start",
                    "start_precision",
                    "end",
                    "end_precision",
                    "share_percent",
                    "role",
                )
            )
        return self._relation_rows

    def _end(self, row: dict[str, Any], ends: Iterable[tuple[str, str]]) -> str | None:
        """The node id at one end of a relation, or None when the reader may not see it."""
        for column, kind in ends:
            pk = row[column]
            if pk is not None:
                return self.ids[kind].get(pk)
        return None

    def _evidence(self, model: type[Model]) -> dict[int, tuple[frozenset[int], str, int]]:
        """Per record of `model`: the distinct sources of the claims the reader may read, the best
        reliability letter and the best credibility among them.

        The records' own level is checked by the caller (only visible ones are looked up); here
        only the source's, which `ClaimQuerySet.visible_to` would check as well.
        """
        claims = Claim.objects.filter(content_type=ContentType.objects.get_for_model(model))
        if not self.everything:
            claims = claims.filter(source__access_level__in=self.levels)
        sources: dict[int, set[int]] = defaultdict(set)
        letters: dict[int, str] = {}
        digits: dict[int, int] = {}
        for object_id, source_id, reliability, credibility in claims.values_list(
            "object_id", "source_id", "source__reliability", "credibility"
        ):
            sources[object_id].add(source_id)
            if reliability < letters.get(object_id, "Z"):
                letters[object_id] = reliability
            if credibility < digits.get(object_id, 99):
                digits[object_id] = credibility
        return {pk: (frozenset(found), letters[pk], digits[pk]) for pk, found in sources.items()}

    def _grade(self, edge_id: str, evidence: tuple[frozenset[int], str, int] | None) -> str:
        if evidence is None:
            return ""
        self.grades[edge_id] = (evidence[1], evidence[2])
        return f"{evidence[1]}{evidence[2]}"

    def relation_edges(self) -> Iterator[Edge]:
        labels = {kind.value: str(kind.label) for kind in RelationKind}
        evidence = self._evidence(Relation)
        subjects = (
            ("subject_organisation_id", "organisation"),
            ("subject_figure_id", "public_figure"),
            ("subject_person_id", "person"),
        )
        objects = (
            ("object_organisation_id", "organisation"),
            ("object_figure_id", "public_figure"),
            ("object_person_id", "person"),
            ("object_site_id", "site"),
        )
        for row in self._relations():
            source, target = self._end(row, subjects), self._end(row, objects)
            if source is None or target is None or source == target:
                continue
            edge_id = f"relation:{row['id']}"
            found = evidence.get(row["id"])
            if row["share_percent"] is not None:
                self.shares[edge_id] = _percent(row["share_percent"])
            yield Edge(
                edge_id,
                source,
                target,
                row["kind"],
                _relation_label(labels.get(row["kind"], row["kind"]), row),
                start=row["start"],
                end=row["end"],
                start_precision=row["start_precision"] or "day",
                end_precision=row["end_precision"] or "day",
                sources=found[0] if found else frozenset(),
                best_grade=self._grade(edge_id, found),
                url=f"{self.base}relations/{row['id']}/",
            )

    def derived_edges(self) -> Iterator[Edge]:
        """What each deployment tells of who sends workers where (ADR 0032)."""
        evidence = self._evidence(Deployment)
        organisations, sites = self.ids["organisation"], self.ids["site"]
        dispatches = str(RelationKind.DISPATCHES_WORKERS_TO.label)
        operates = _("employs workers at")
        located = _("is located in")
        for row in self._visible(Deployment).values(
            "id",
            "dispatcher_id",
            "employer_id",
            "site_id",
            "host_country",
            "period_start",
            "period_start_precision",
            "period_end",
            "period_end_precision",
        ):
            pk = row["id"]
            dispatcher = organisations.get(row["dispatcher_id"]) if row["dispatcher_id"] else None
            employer = organisations.get(row["employer_id"]) if row["employer_id"] else None
            site = sites.get(row["site_id"]) if row["site_id"] else None
            country = (self.site_country.get(row["site_id"]) if site else "") or row["host_country"]
            found = evidence.get(pk)
            sources = found[0] if found else frozenset()
            period = {
                "start": row["period_start"],
                "end": row["period_end"],
                "start_precision": row["period_start_precision"] or "day",
                "end_precision": row["period_end_precision"] or "day",
            }
            url = f"{self.base}deployments/{pk}/"
            if dispatcher is not None:
                target = employer or site or (f"country:{country}" if country else None)
                if target is not None and target != dispatcher:
                    edge_id = f"{DERIVED_PREFIX}{pk}"
                    if target.startswith("country:"):
                        self.countries.add(country)
                    yield Edge(
                        edge_id,
                        dispatcher,
                        target,
                        RelationKind.DISPATCHES_WORKERS_TO.value,
                        dispatches,
                        **period,
                        sources=sources,
                        best_grade=self._grade(edge_id, found),
                        url=url,
                    )
            if employer is not None and site is not None:
                edge_id = f"{DERIVED_PREFIX}{pk}:employer"
                yield Edge(
                    edge_id,
                    employer,
                    site,
                    RelationKind.OPERATES_SITE.value,
                    operates,
                    **period,
                    sources=sources,
                    best_grade=self._grade(edge_id, found),
                    url=url,
                )
            if site is not None and country:
                # Undated: a site stays where it is; the deployments at it are what tell it.
                edge_id = f"{DERIVED_PREFIX}{pk}:site"
                self.countries.add(country)
                yield Edge(
                    edge_id,
                    site,
                    f"country:{country}",
                    LOCATED_IN,
                    located,
                    sources=sources,
                    best_grade=self._grade(edge_id, found),
                    url=url,
                )

    def country_nodes(self) -> list[Node]:
        """A node per host country an edge goes to; its link lists the deployments there."""
        return [
            Node(
                f"country:{code}",
                "country",
                country_name(code, self.language),
                url=f"{self.base}deployments/?country={code}",
                country=code,
            )
            for code in sorted(self.countries)
        ]

    def merged(self, edges: list[Edge]) -> list[Edge]:
        """Derived edges of one pair and kind whose periods meet, as one; best grade recomputed
        as the best letter and the best digit of the union (as for a single deployment)."""
        merged = network.aggregate(edges, mergeable=lambda edge: edge.id.startswith(DERIVED_PREFIX))
        result = []
        for edge in merged:
            if edge.members:
                parts = [self.grades[member] for member in edge.members if member in self.grades]
                if parts:
                    best = f"{min(p[0] for p in parts)}{min(p[1] for p in parts)}"
                    edge = replace(edge, best_grade=best)
            result.append(edge)
        return result

    def survivor_id(self, node_id: str) -> str:
        """The node drawn for `node_id`: its survivor's when merged; unknown ids unchanged (the
        neighbourhood then ignores them, as it does ids the reader may not see)."""
        kind, _, pk = node_id.partition(":")
        if kind in self.ids and pk.isdigit():
            return self.ids[kind].get(int(pk), node_id)
        return node_id


def date_text(day: dt.date | None, precision: str) -> str:
    """A partial date as far as it is known: 2016, 2016-03 or 2016-03-01 ("" when unknown)."""
    if day is None:
        return ""
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _relation_label(kind_label: str, row: dict[str, Any]) -> str:
    """ "owns (51%)", "is a director of (general director)"."""
    details = []
    share = row["share_percent"]
    if share is not None:
        details.append(f"{_percent(share)}%")
    if row["role"]:
        details.append(row["role"])
    return f"{kind_label} ({', '.join(details)})" if details else kind_label


def _percent(share: Decimal) -> str:
    text = f"{share:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
