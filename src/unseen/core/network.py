"""The network graph on plain data: who dispatches, owns, directs or employs whom, and when.

Nodes are organisations, public figures, persons (by pseudonym), sites and host countries; edges
are typed, dated relations and the dispatcher→employer links derived from deployments. Everything
here is linear in the number of nodes and edges, because the graph page asks for 10,000 nodes and
30,000 edges within half a second. The caller (the network app) decides what a reader may see and
passes only that: this module then keeps the rule that an edge with a missing end is missing too.

The JSON shape (`to_json`) and the GEXF file (`to_gexf`) are described in
docs/reference/network-graph.md.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from .dates import Precision

NODE_KINDS = ("organisation", "public_figure", "person", "site", "country")
GRADE_LETTERS = "ABCDEF"
_GRADE = re.compile(r"^[A-F][1-6]?$")
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Node:
    """One thing drawn: an organisation, public figure, person, site or host country.

    `id` is "<kind>:<database id>" (a country's is "country:RU"); `url` is its page, or None when
    it has none the reader may open; `country` an ISO 3166 alpha-2 code or "".
    """

    id: str
    kind: str
    label: str
    designated: bool = False
    url: str | None = None
    country: str = ""


@dataclass(frozen=True, slots=True)
class Edge:
    """One typed, dated link from `source` to `target` (node ids), told by `sources`.

    `start` and `end` are stored as partial dates are (2019 is 2019-01-01 with precision "year");
    None is open. `sources` holds the ids of the evidence sources behind the link, so that two
    claims from the same report count once. `best_grade` is the best Admiralty grade among them
    ("B2"), or "" when none is graded. `members` lists the ids of the edges `aggregate` merged into
    this one (empty for an edge that was not merged).
    """

    id: str
    source: str
    target: str
    kind: str
    label: str
    start: dt.date | None = None
    end: dt.date | None = None
    start_precision: str = Precision.DAY
    end_precision: str = Precision.DAY
    sources: frozenset[int] = frozenset()
    best_grade: str = ""
    url: str | None = None
    members: tuple[str, ...] = ()


class Subgraph(NamedTuple):
    """What `neighbourhood` keeps, and whether it stopped at the limit before the whole depth."""

    nodes: list[Node]
    edges: list[Edge]
    truncated: bool


def last_day(edge: Edge) -> dt.date | None:
    """The last day the edge may have held: 31 December for an end known to the year; None if open."""
    end = edge.end
    if end is None or edge.end_precision == Precision.DAY:
        return end
    # PartialDate.last_day's rule, inline: this runs once per edge on every page load.
    if edge.end_precision == Precision.YEAR:
        return dt.date(end.year, 12, 31)
    return dt.date(end.year + end.month // 12, end.month % 12 + 1, 1) - _ONE_DAY


def valid_on(edge: Edge, day: dt.date) -> bool:
    """Whether the edge may have held on `day`.

    A start is its first possible day (2016 → 1 January 2016) and an end its last (2019 → 31
    December 2019): a link told only to the year is kept for the whole year, as
    `documentation.Relation.valid_on` does.
    """
    if edge.start is not None and edge.start > day:
        return False
    end = last_day(edge)
    return end is None or end >= day


def as_of(edges: Iterable[Edge], day: dt.date | None) -> list[Edge]:
    """The edges valid on `day` (all of them when `day` is None)."""
    if day is None:
        return list(edges)
    return [edge for edge in edges if valid_on(edge, day)]


def grade_letter(grade: str) -> str:
    """The reliability letter of a grade ("B2" → "B"), checked.

    Raises:
        ValueError: if `grade` is not a letter A–F, optionally followed by a digit 1–6.
    """
    cleaned = grade.strip().upper()
    if not _GRADE.match(cleaned):
        raise ValueError(f"{grade!r} is not an Admiralty grade (A–F, optionally with 1–6)")
    return cleaned[0]


def best_grade(grades: Iterable[str]) -> str:
    """The best of some grades ("B2" beats "B3" beats "C1"); "" when none is given.

    Reliability of the source comes first, then credibility of the claim, which is the order of
    the grade's two characters.
    """
    return min((grade for grade in grades if grade), default="")


def min_grade(edges: Iterable[Edge], grade: str | None) -> list[Edge]:
    """The edges whose best source is at least as reliable as `grade`'s letter.

    With a minimum, an edge no graded source tells is dropped: nothing shows it meets the bar.
    None keeps every edge.

    Raises:
        ValueError: if `grade` is not an Admiralty grade.
    """
    if not grade:
        return list(edges)
    letter = grade_letter(grade)
    return [edge for edge in edges if edge.best_grade and edge.best_grade[0] <= letter]


def drop_dangling(nodes: Iterable[Node], edges: Iterable[Edge]) -> list[Edge]:
    """The edges whose two ends are both among `nodes`.

    An edge to something the reader may not see is not shown as a stub: it is absent, so neither
    its existence nor its far end leaks.
    """
    present = {node.id for node in nodes}
    return [edge for edge in edges if edge.source in present and edge.target in present]


def aggregate(
    edges: Iterable[Edge], *, mergeable: Callable[[Edge], bool] | None = None
) -> list[Edge]:
    """Merge edges of the same kind between the same two nodes whose periods overlap or touch.

    Made for the dispatcher→employer edges derived from deployments: ten deployments of the same
    pair are one link told by the union of their sources (so a report cited by all ten counts
    once). Periods that neither overlap nor touch stay separate edges, so that a link told for
    2010–2012 and again for 2018 is not drawn in 2015. A merged edge takes the id, label and url
    of its earliest member, the earliest start and the latest end (open if any member's is), the
    best grade, and lists its members' ids in `members`.

    Args:
        edges: the edges, in the order they are wanted back.
        mergeable: which edges may be merged (e.g. only derived ones, since two relations are two
            records with pages of their own); all of them when None.

    Returns:
        The edges in their original order, each merged run at the place of its first member.
    """
    listed = list(edges)
    groups: dict[tuple[str, str, str], list[Edge]] = defaultdict(list)
    for edge in listed:
        if mergeable is None or mergeable(edge):
            groups[(edge.source, edge.target, edge.kind)].append(edge)
    merged_at: dict[str, Edge] = {}
    absorbed: set[str] = set()
    for group in groups.values():
        if len(group) == 1:
            continue
        group.sort(key=lambda e: (e.start or dt.date.min, e.id))
        run = [group[0]]
        latest, run_end = group[0], _end_or_max(group[0])
        for edge in group[1:]:
            if (
                edge.start is not None
                and run_end != dt.date.max
                and edge.start > run_end + _ONE_DAY
            ):
                _merge(run, latest, merged_at, absorbed)
                run, latest, run_end = [edge], edge, _end_or_max(edge)
                continue
            run.append(edge)
            end = _end_or_max(edge)
            if end > run_end:
                latest, run_end = edge, end
        _merge(run, latest, merged_at, absorbed)
    result = []
    for edge in listed:
        if edge.id in merged_at:
            result.append(merged_at.pop(edge.id))
        elif edge.id not in absorbed:
            result.append(edge)
    return result


def _end_or_max(edge: Edge) -> dt.date:
    end = last_day(edge)
    return dt.date.max if end is None else end


def _merge(run: list[Edge], latest: Edge, merged_at: dict[str, Edge], absorbed: set[str]) -> None:
    if len(run) == 1:
        return
    first = run[0]
    merged = Edge(
        first.id,
        first.source,
        first.target,
        first.kind,
        first.label,
        start=first.start,
        end=latest.end,
        start_precision=first.start_precision,
        end_precision=latest.end_precision,
        sources=frozenset().union(*(edge.sources for edge in run)),
        best_grade=best_grade(edge.best_grade for edge in run),
        url=first.url,
        members=tuple(edge.id for edge in run),
    )
    # The run's first member is where the merged edge goes; the others disappear.
    absorbed.update(edge.id for edge in run)
    merged_at[first.id] = merged


def degree(edges: Iterable[Edge]) -> dict[str, int]:
    """How many edges touch each node (both directions count)."""
    counts: dict[str, int] = defaultdict(int)
    for edge in edges:
        counts[edge.source] += 1
        counts[edge.target] += 1
    return dict(counts)


def neighbourhood(
    nodes: Iterable[Node],
    edges: Iterable[Edge],
    focus_ids: Collection[str] = (),
    depth: int = 1,
    limit: int | None = None,
) -> Subgraph:
    """The nodes within `depth` links of the focus (either direction), and the edges among them.

    Breadth first, so that when `limit` nodes are reached the nearest ones are those kept. Focus
    ids that are not among `nodes` (absent, or not visible to the reader) are ignored. With no
    focus the whole graph is the neighbourhood; past `limit`, its most connected nodes are kept.

    Args:
        nodes: every node the reader may see.
        edges: the edges among them (dangling ones are dropped).
        focus_ids: node ids to start from; empty for the whole graph.
        depth: how many links away from the focus to go (0: the focus only).
        limit: the most nodes to return; None for no limit.

    Returns:
        The kept nodes (focus first, then by distance), the edges whose two ends are kept, and
        whether the limit cut the neighbourhood short.
    """
    by_id = {node.id: node for node in nodes}
    listed = [edge for edge in edges if edge.source in by_id and edge.target in by_id]
    cap = len(by_id) if limit is None else max(limit, 0)
    if not focus_ids:
        if len(by_id) <= cap:
            kept_ids: dict[str, None] = dict.fromkeys(by_id)
            truncated = False
        else:
            counts = degree(listed)
            ranked = sorted(by_id, key=lambda node_id: -counts.get(node_id, 0))
            kept_ids = dict.fromkeys(ranked[:cap])
            truncated = True
    else:
        kept_ids, truncated = _breadth_first(by_id, listed, focus_ids, depth, cap)
    kept_edges = [edge for edge in listed if edge.source in kept_ids and edge.target in kept_ids]
    return Subgraph([by_id[node_id] for node_id in kept_ids], kept_edges, truncated)


def _breadth_first(
    by_id: dict[str, Node],
    edges: Sequence[Edge],
    focus_ids: Collection[str],
    depth: int,
    cap: int,
) -> tuple[dict[str, None], bool]:
    adjacency: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        adjacency[edge.source].append(edge.target)
        adjacency[edge.target].append(edge.source)
    kept: dict[str, None] = {}
    frontier: list[str] = []
    for node_id in focus_ids:
        if node_id in by_id and node_id not in kept:
            if len(kept) >= cap:
                return kept, True
            kept[node_id] = None
            frontier.append(node_id)
    for _level in range(depth):
        following: list[str] = []
        for node_id in frontier:
            for neighbour in adjacency.get(node_id, ()):
                if neighbour in kept:
                    continue
                if len(kept) >= cap:
                    return kept, True
                kept[neighbour] = None
                following.append(neighbour)
        if not following:
            break
        frontier = following
    return kept, False


def to_json(
    nodes: Iterable[Node],
    edges: Iterable[Edge],
    *,
    as_of: dt.date | None = None,
    min_grade: str | None = None,
    truncated: bool = False,
) -> dict[str, Any]:
    """The graph as the network page's JSON (see docs/reference/network-graph.md).

    Dates are ISO days: `start` the first day the edge may have held, `end` the last (an end told
    to the year is sent as 31 December), so the browser filters by comparing strings. `sources`
    is the number of distinct sources. Edges with a missing end are left out.
    """
    node_list = [
        {
            "id": node.id,
            "kind": node.kind,
            "label": node.label,
            "designated": node.designated,
            "url": node.url,
            "country": node.country,
        }
        for node in nodes
    ]
    present = {node["id"] for node in node_list}
    edge_list = []
    for edge in edges:
        if edge.source not in present or edge.target not in present:
            continue
        end = last_day(edge)
        edge_list.append(
            {
                "id": edge.id,
                "source": edge.source,
                "target": edge.target,
                "kind": edge.kind,
                "label": edge.label,
                "start": edge.start.isoformat() if edge.start else None,
                "end": end.isoformat() if end else None,
                "sources": len(edge.sources),
                "best_grade": edge.best_grade,
                "url": edge.url,
            }
        )
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "min_grade": grade_letter(min_grade) if min_grade else None,
        "nodes": node_list,
        "edges": edge_list,
        "truncated": truncated,
        "counts": {"nodes": len(node_list), "edges": len(edge_list)},
    }


GEXF_NAMESPACE = "http://gexf.net/1.3"
# Characters XML 1.0 cannot carry at all (control characters a pasted name may hold).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Quotes, and the whitespace an attribute value would otherwise lose to normalisation.
_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_NODE_COLUMNS = (
    ("kind", "string"),
    ("designated", "boolean"),
    ("country", "string"),
    ("url", "anyURI"),
)
_EDGE_COLUMNS = (
    ("relation", "string"),
    ("sources", "integer"),
    ("best_grade", "string"),
    ("url", "anyURI"),
)


def _quoted(value: str) -> str:
    return '"' + escape(_NOT_XML.sub("", value), _ATTRIBUTE_ENTITIES) + '"'


def to_gexf(
    nodes: Iterable[Node],
    edges: Iterable[Edge],
    *,
    description: str = "",
    modified: dt.date | None = None,
) -> bytes:
    """The graph as a GEXF 1.3 file for Gephi, with each edge's period as a dynamic interval.

    The graph is `mode="dynamic"` with `timeformat="date"`: an edge's `start` and `end` are its
    first and last possible days (an open end is left out, as GEXF reads it), so Gephi's timeline
    plays the graph as the date slider does. Node kind, designation, country and page are node
    attributes; relation kind, number of sources, best grade and page are edge attributes, and
    the number of sources is also the edge's weight (at least 1). Edges with a missing end are
    left out.

    Written as text, not through xml.etree, which takes seconds on the largest graphs; every
    value passes through `_quoted`, which escapes it and drops what XML cannot hold.

    Args:
        nodes: the nodes to write.
        edges: the edges to write.
        description: the meta description (e.g. the filters the view was drawn with).
        modified: the meta `lastmodifieddate`; left out when None, so output is reproducible.

    Returns:
        The UTF-8 encoded XML document.
    """
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<gexf xmlns="{GEXF_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:schemaLocation="{GEXF_NAMESPACE} {GEXF_NAMESPACE}/gexf.xsd" version="1.3">\n',
        f"<meta lastmodifieddate={_quoted(modified.isoformat())}>" if modified else "<meta>",
        "<creator>Unseen</creator>",
    ]
    if description:
        out.append(f"<description>{escape(_NOT_XML.sub('', description))}</description>")
    out.append("</meta>\n")
    out.append(
        '<graph defaultedgetype="directed" mode="dynamic" timeformat="date"'
        ' timerepresentation="interval">\n'
    )
    for kind, columns in (("node", _NODE_COLUMNS), ("edge", _EDGE_COLUMNS)):
        out.append(f'<attributes class="{kind}" mode="static">')
        out.extend(
            f'<attribute id="{name}" title="{name}" type="{type_}"/>' for name, type_ in columns
        )
        out.append("</attributes>\n")
    out.append("<nodes>\n")
    present = set()
    for node in nodes:
        present.add(node.id)
        values = _values(
            kind=node.kind,
            designated="true" if node.designated else "false",
            country=node.country,
            url=node.url or "",
        )
        out.append(f"<node id={_quoted(node.id)} label={_quoted(node.label)}>{values}</node>\n")
    out.append("</nodes>\n<edges>\n")
    for edge in edges:
        if edge.source not in present or edge.target not in present:
            continue
        period = f' start="{edge.start.isoformat()}"' if edge.start else ""
        end = last_day(edge)
        if end is not None:
            period += f' end="{end.isoformat()}"'
        values = _values(
            relation=edge.kind,
            sources=str(len(edge.sources)),
            best_grade=edge.best_grade,
            url=edge.url or "",
        )
        out.append(
            f"<edge id={_quoted(edge.id)} source={_quoted(edge.source)}"
            f" target={_quoted(edge.target)} label={_quoted(edge.label)}"
            f' kind={_quoted(edge.kind)} weight="{max(len(edge.sources), 1)}"{period}>'
            f"{values}</edge>\n"
        )
    out.append("</edges>\n</graph>\n</gexf>\n")
    return "".join(out).encode("utf-8")


def _values(**values: str) -> str:
    return (
        "<attvalues>"
        + "".join(
            f'<attvalue for="{name}" value={_quoted(value)}/>'
            for name, value in values.items()
            if value
        )
        + "</attvalues>"
    )
