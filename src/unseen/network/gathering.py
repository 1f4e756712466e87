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

Everything is read with `values_list()` queries, a fixed number per graph whatever its size, and
kept (per process, per reader's levels) until the audit log records a change, as the map is: a
request then only filters, takes the neighbourhood and joins each node's and edge's prepared JSON.
The page asks for 10,000 nodes and 30,000 edges in under half a second
(benchmarks/bench_network.py).
"""

import datetime as dt
import json
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Aggregate, CharField, Min, Model
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel, UserLike, visible_access_levels
from unseen.audit.log import last_change_id
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
class _Prepared:
    """Everything one reader's levels see, merged but not yet filtered, kept while no record
    changes: the filters, the neighbourhood and the answer are all that a request then does."""

    nodes: list[Node]
    edges: list[Edge]
    ids: dict[str, dict[int, str]]
    details: dict[str, dict[str, str]]
    _fragments: dict[str, str] | None = None

    def survivor_id(self, node_id: str) -> str:
        """The node drawn for `node_id`: its survivor's when merged; unknown ids unchanged (the
        neighbourhood then ignores them, as it does ids the reader may not see)."""
        kind, _colon, pk = node_id.partition(":")
        if kind in self.ids and pk.isdigit():
            return self.ids[kind].get(int(pk), node_id)
        return node_id

    def fragments(self) -> dict[str, str]:
        """Each node's and edge's JSON text, by id, as `network.to_json` writes it: made once,
        then joined for every answer (serialising 40,000 objects anew took most of one)."""
        if self._fragments is None:
            whole = network.to_json(self.nodes, self.edges)
            texts = {}
            for item in (*whole["nodes"], *whole["edges"]):
                texts[item["id"]] = json.dumps(item, ensure_ascii=False)
            self._fragments = texts
        return self._fragments


@dataclass
class Graph:
    """The gathered graph: nodes, edges and whether the node limit cut it short."""

    nodes: list[Node]
    edges: list[Edge]
    truncated: bool = False
    view: View = field(default_factory=View)
    # What the FtM export says beyond the JSON, by node or edge id: an organisation's kind, a
    # relation's share (per cent) and role as recorded.
    details: dict[str, dict[str, str]] = field(default_factory=dict)
    # The focus as drawn: a merged record's survivor, ids the reader may not see left out.
    focus: list[str] = field(default_factory=list)
    prepared: _Prepared | None = None

    def as_json(self) -> dict[str, Any]:
        return network.to_json(
            self.nodes,
            self.edges,
            as_of=self.view.as_of,
            min_grade=self.view.min_grade,
            truncated=self.truncated,
        )

    def json_text(self) -> str:
        """`as_json()` as JSON text, joined from the prepared graph's fragments."""
        if self.prepared is None:
            return json.dumps(self.as_json(), ensure_ascii=False)
        texts = self.prepared.fragments()
        head = network.to_json([], [], as_of=self.view.as_of, min_grade=self.view.min_grade)
        counts = {"nodes": len(self.nodes), "edges": len(self.edges)}
        return "".join(
            (
                '{"as_of": ',
                json.dumps(head["as_of"]),
                ', "min_grade": ',
                json.dumps(head["min_grade"]),
                ', "nodes": [',
                ", ".join(texts[node.id] for node in self.nodes),
                '], "edges": [',
                ", ".join(texts[edge.id] for edge in self.edges),
                '], "truncated": ',
                json.dumps(self.truncated),
                ', "counts": ',
                json.dumps(counts),
                "}",
            )
        )


def gather(user: UserLike, view: View | None = None, *, limit: int = MAX_NODES) -> Graph:
    """The graph `user` may see, filtered and cut to `view`."""
    view = view or View()
    prepared = _prepared(visible_access_levels(user))
    edges = network.as_of(prepared.edges, view.as_of)
    edges = network.min_grade(edges, view.min_grade)
    focus = [prepared.survivor_id(node_id) for node_id in view.focus]
    kept = network.neighbourhood(prepared.nodes, edges, focus, view.depth, limit)
    drawn = {node.id for node in kept.nodes}
    return Graph(
        kept.nodes,
        kept.edges,
        kept.truncated,
        view,
        prepared.details,
        focus=[node_id for node_id in focus if node_id in drawn],
        prepared=prepared,
    )


# Prepared graphs of this process, newest last: a few readers' levels (each tens of megabytes at
# 10,000 nodes), in memory rather than in Django's cache, which would pickle and unpickle every
# node and edge on each request.
_PREPARED: "OrderedDict[tuple[Any, ...], _Prepared]" = OrderedDict()
_KEEP = 4
_LOCK = threading.Lock()
# A token in Django's cache: clearing the cache (tests do, between tests whose rolled-back
# databases reuse audit ids) forgets every prepared graph too.
_GENERATION = "unseen:network:generation"


def _prepared(levels: list[str]) -> _Prepared:
    """The reader's whole graph, as fresh as the records: the key carries the audit log's last
    change id, as the map's does (publishing.freshness), so any write or import rebuilds it."""
    generation = cache.get_or_set(_GENERATION, lambda: secrets.token_hex(8), timeout=None)
    key = (tuple(sorted(levels)), get_language() or "en", last_change_id(), generation)
    with _LOCK:
        found = _PREPARED.get(key)
        if found is not None:
            _PREPARED.move_to_end(key)
            return found
    reader = _Reader(levels)
    nodes = reader.nodes()
    edges = [*reader.relation_edges(), *reader.derived_edges()]
    nodes.extend(reader.country_nodes())
    found = _Prepared(nodes, reader.merged(edges), reader.ids, reader.details)
    with _LOCK:
        _PREPARED[key] = found
        while len(_PREPARED) > _KEEP:
            _PREPARED.popitem(last=False)
    return found


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


class _SourceIds(Aggregate):
    """The distinct source ids of a group of claims, comma-separated, counted and unioned in
    Python: one row per record instead of one per claim (GROUP_CONCAT; STRING_AGG on PostgreSQL).
    """

    function = "GROUP_CONCAT"
    template = "%(function)s(%(distinct)s%(expressions)s)"
    allow_distinct = True
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(distinct)s(%(expressions)s)::text, ',')",
            **extra,
        )


# A record's evidence as the reader may read it: source ids, best reliability, best credibility.
Evidence = tuple[frozenset[int], str, int]


class _Reader:
    """The queries of one graph, at one reader's levels, and what they found so far."""

    def __init__(self, levels: list[str]) -> None:
        self.levels = levels
        self.everything = set(levels) >= set(AccessLevel.values)
        self.base = reverse("documentation:dashboard")  # "/app/": one reverse, not one per row
        self.language = get_language() or "en"
        # Node id of each visible record, by kind and database id (merged ones: their survivor).
        self.ids: dict[str, dict[int, str]] = {}
        self.site_country: dict[int, str] = {}
        self.countries: set[str] = set()
        self.grades: dict[str, tuple[str, int]] = {}
        self.details: dict[str, dict[str, str]] = {}
        self._relation_rows: list[tuple[Any, ...]] | None = None

    def _visible(self, model: type[Model]) -> Any:
        manager = model._default_manager
        return manager.all() if self.everything else manager.filter(access_level__in=self.levels)

    def _survivors(self, kind: str, rows: list[tuple[Any, ...]]) -> dict[int, str]:
        """Node id per visible record of `kind` (rows start with id, merged_into_id): its own,
        or that of the visible record it was merged into (however deep). Merged into a record
        the reader may not open, a record stands for itself, as the lists show it: the merge is
        as absent as the survivor."""
        merged_into = {row[0]: row[1] for row in rows}
        ids: dict[int, str] = {}
        for pk, above in merged_into.items():
            survivor = pk
            if above is not None:
                seen = {pk}
                while above in merged_into and above not in seen:
                    survivor = above
                    seen.add(above)
                    above = merged_into[above]
            ids[pk] = f"{kind}:{survivor}"
        self.ids[kind] = ids
        return ids

    def _drawn(self, kind: str, rows: list[tuple[Any, ...]], held: set[int]) -> list[Node]:
        """Nodes of the rows (id, merged_into_id, label, country) that stand for themselves."""
        ids = self._survivors(kind, rows)
        designated = {ids[pk] for pk in held if pk in ids}
        prefix = f"{self.base}{PAGE_SLUGS[kind]}/"
        nodes = []
        for pk, _merged, label, country in rows:
            own = f"{kind}:{pk}"
            if ids[pk] == own:
                nodes.append(
                    Node(own, kind, label, own in designated, f"{prefix}{pk}/", country or "")
                )
        return nodes

    def nodes(self) -> list[Node]:
        held = list(self._visible(Designation).values_list("organisation_id", "public_figure_id"))
        organisations = list(
            self._visible(Organisation).values_list(
                "id", "merged_into_id", "name", "country", "kind"
            )
        )
        self.details.update((f"organisation:{row[0]}", {"kind": row[4]}) for row in organisations)
        nodes = self._drawn(
            "organisation",
            [row[:4] for row in organisations],
            {organisation for organisation, _figure in held if organisation},
        )
        nodes += self._drawn(
            "public_figure",
            list(
                self._visible(PublicFigure).values_list(
                    "id", "merged_into_id", "name", "nationality"
                )
            ),
            {figure for _organisation, figure in held if figure},
        )
        sites = list(self._visible(Site).values_list("id", "merged_into_id", "name", "country"))
        self.site_country = {row[0]: row[3] for row in sites}
        nodes += self._drawn("site", sites, set())
        # Persons (witnesses, workers) only where a relation names them, and by pseudonym only:
        # the graph is about who runs the system, not a roll of everyone interviewed. Every
        # visible person's merge (two small columns) is read, so that a relation naming a merged
        # record finds its survivor; the pseudonym only of those drawn.
        wanted = {pk for row in self._relations() for pk in (row[4], row[7]) if pk is not None}
        persons = list(self._visible(Person).values_list("id", "merged_into_id"))
        ids = self._survivors("person", persons)
        shown = {int(ids[pk].partition(":")[2]) for pk in wanted if pk in ids}
        if shown:
            drawn = self._visible(Person).values_list("id", "pseudonym", "nationality")
            # A short list by id; a long one (past what SQLite takes as parameters) by reading all.
            drawn = drawn.filter(pk__in=sorted(shown)) if len(shown) <= 500 else drawn
            prefix = f"{self.base}{PAGE_SLUGS['person']}/"
            nodes += [
                Node(f"person:{pk}", "person", pseudonym, False, f"{prefix}{pk}/", country or "")
                for pk, pseudonym, country in drawn
                if pk in shown
            ]
        return nodes

    def _relations(self) -> list[tuple[Any, ...]]:
        if self._relation_rows is None:
            self._relation_rows = list(
                self._visible(Relation)
                .order_by()
                .values_list(
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

    def _evidence(self, model: type[Model]) -> dict[int, Evidence]:
        """Per record of `model`: the distinct sources of the claims the reader may read, the best
        reliability letter and the best credibility among them.

        The records' own level is checked by the caller (only visible ones are looked up); here
        only the source's, which `ClaimQuerySet.visible_to` would check as well.
        """
        claims = Claim.objects.filter(content_type=ContentType.objects.get_for_model(model))
        if not self.everything:
            claims = claims.filter(source__access_level__in=self.levels)
        # order_by(): the claims' default ordering would split the groups.
        rows = (
            claims.order_by()
            .values("object_id")
            .annotate(
                ids=_SourceIds("source_id", distinct=True),
                letter=Min("source__reliability"),
                digit=Min("credibility"),
            )
            .values_list("object_id", "ids", "letter", "digit")
        )
        return {
            pk: (frozenset(map(int, ids.split(","))), letter, digit)
            for pk, ids, letter, digit in rows
        }

    def relation_edges(self) -> list[Edge]:
        labels = {kind.value: str(kind.label) for kind in RelationKind}
        evidence = self._evidence(Relation)
        organisations = self.ids["organisation"]
        figures, persons, sites = self.ids["public_figure"], self.ids["person"], self.ids["site"]
        empty: frozenset[int] = frozenset()
        grades = self.grades
        url = f"{self.base}relations/"
        edges = []
        for row in self._relations():
            (pk, kind, s_org, s_fig, s_per, o_org, o_fig, o_per, o_site) = row[:9]
            # The end the relation names, or None when the reader may not see it.
            if s_org is not None:
                source = organisations.get(s_org)
            elif s_fig is not None:
                source = figures.get(s_fig)
            else:
                source = persons.get(s_per)
            if o_org is not None:
                target = organisations.get(o_org)
            elif o_fig is not None:
                target = figures.get(o_fig)
            elif o_per is not None:
                target = persons.get(o_per)
            else:
                target = sites.get(o_site)
            if source is None or target is None or source == target:
                continue
            start, start_precision, end, end_precision, share, role = row[9:]
            edge_id = f"relation:{pk}"
            label = labels.get(kind, kind)
            if share is not None or role:
                label = _relation_label(label, share, role)
                self.details[edge_id] = {"role": role}
                if share is not None:
                    self.details[edge_id]["share"] = _percent(share)
            found = evidence.get(pk)
            if found is not None:
                grades[edge_id] = (found[1], found[2])
            edges.append(
                Edge(
                    edge_id,
                    source,
                    target,
                    kind,
                    label,
                    start,
                    end,
                    start_precision or "day",
                    end_precision or "day",
                    found[0] if found else empty,
                    f"{found[1]}{found[2]}" if found else "",
                    f"{url}{pk}/",
                )
            )
        return edges

    def derived_edges(self) -> list[Edge]:
        """What each deployment tells of who sends workers where (ADR 0032)."""
        evidence = self._evidence(Deployment)
        organisations, sites = self.ids["organisation"], self.ids["site"]
        dispatches = str(RelationKind.DISPATCHES_WORKERS_TO.label)
        operates = _("employs workers at")
        located = _("is located in")
        empty: frozenset[int] = frozenset()
        grades = self.grades
        url = f"{self.base}deployments/"
        edges = []
        for (
            pk,
            dispatcher_id,
            employer_id,
            site_id,
            host_country,
            start,
            start_precision,
            end,
            end_precision,
        ) in (
            self._visible(Deployment)
            .order_by()
            .values_list(
                "id",
                "dispatcher_id",
                "employer_id",
                "site_id",
                "host_country",
                "period_start",
                "period_start_precision",
                "period_end",
                "period_end_precision",
            )
        ):
            dispatcher = organisations.get(dispatcher_id) if dispatcher_id else None
            employer = organisations.get(employer_id) if employer_id else None
            site = sites.get(site_id) if site_id else None
            if dispatcher is None and site is None:
                continue  # nothing this reader may see to join
            country = (self.site_country.get(site_id) if site else "") or host_country
            found = evidence.get(pk)
            sources = found[0] if found else empty
            grade = f"{found[1]}{found[2]}" if found else ""
            page = f"{url}{pk}/"
            start_precision = start_precision or "day"
            end_precision = end_precision or "day"
            if dispatcher is not None:
                target = employer or site or (f"country:{country}" if country else None)
                if target is not None and target != dispatcher:
                    edge_id = f"{DERIVED_PREFIX}{pk}"
                    if target.startswith("country:"):
                        self.countries.add(country)
                    if found is not None:
                        grades[edge_id] = (found[1], found[2])
                    edges.append(
                        Edge(
                            edge_id,
                            dispatcher,
                            target,
                            "dispatches_workers_to",
                            dispatches,
                            start,
                            end,
                            start_precision,
                            end_precision,
                            sources,
                            grade,
                            page,
                        )
                    )
            if employer is not None and site is not None:
                edge_id = f"{DERIVED_PREFIX}{pk}:employer"
                if found is not None:
                    grades[edge_id] = (found[1], found[2])
                edges.append(
                    Edge(
                        edge_id,
                        employer,
                        site,
                        "operates_site",
                        operates,
                        start,
                        end,
                        start_precision,
                        end_precision,
                        sources,
                        grade,
                        page,
                    )
                )
            if site is not None and country:
                # Undated: a site stays where it is; the deployments at it are what tell it.
                edge_id = f"{DERIVED_PREFIX}{pk}:site"
                self.countries.add(country)
                if found is not None:
                    grades[edge_id] = (found[1], found[2])
                edges.append(
                    Edge(
                        edge_id,
                        site,
                        f"country:{country}",
                        LOCATED_IN,
                        located,
                        sources=sources,
                        best_grade=grade,
                        url=page,
                    )
                )
        return edges

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


def date_text(day: dt.date | None, precision: str) -> str:
    """A partial date as far as it is known: 2016, 2016-03 or 2016-03-01 ("" when unknown)."""
    if day is None:
        return ""
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _relation_label(kind_label: str, share: Decimal | None, role: str) -> str:
    """The kind with its detail: "owns (51%)", "is a director of (general director)"."""
    details = []
    if share is not None:
        details.append(f"{_percent(share)}%")
    if role:
        details.append(role)
    return f"{kind_label} ({', '.join(details)})" if details else kind_label


def _percent(share: Decimal) -> str:
    text = f"{share:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
