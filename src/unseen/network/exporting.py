"""Exporting the graph a reader sees, as GEXF (Gephi) or FollowTheMoney JSON lines, audited.

The export is the view on the page, nothing more: the same `gathering.gather` at the reader's
levels and with the same filters, so it cannot hold a node or edge the page would not draw. Each
export is an `export` entry in the audit log (format, filters, counts), as `unseen export` writes
one; a view is no file on the server, so nothing else is kept.

FtM uses the library's stock schemata wherever one fits, through publishing's model and its
validation (every entity is checked before it is written):

- organisation → Organization, or Company when something owns it (Ownership's asset must be an
  Asset, which Organization is not); public figure → Person; person → UnseenPerson (pseudonym
  only); site → UnseenWorkSite; host country → Address (FtM has no country entity; an Address with
  only a country is how it names a place);
- owns → Ownership (percentage), parent_of → Ownership (role "parent company"), director_of →
  Directorship, employs → Employment, member_of → Membership, renamed_to → Succession; every
  other kind (and ownership of a site, which is no Asset) → UnknownLink with the kind as role.

An interval's dates are written at their precision (2016, 2016-03, 2016-03-01). Each link's
`summary` states its number of independent sources and best grade, and designated entities carry
the topic "sanction". followthemoney is imported only when an FtM export is written.
"""

import json
from collections.abc import Iterator
from typing import Any

from unseen import build
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core import network
from unseen.core.network import Edge, Node

from .gathering import Graph, date_text

GEXF = "gexf"
FTM = "ftm"

# Relation kinds with a stock FtM interval: schema, property of the subject, of the object.
STOCK_LINKS = {
    "owns": ("Ownership", "owner", "asset"),
    "parent_of": ("Ownership", "owner", "asset"),
    "director_of": ("Directorship", "director", "organization"),
    "employs": ("Employment", "employer", "employee"),
    "member_of": ("Membership", "member", "organization"),
    "renamed_to": ("Succession", "predecessor", "successor"),
}


def ftm_unavailable() -> str:
    """Why FtM cannot be written here ("" when it can): the library is an optional extra."""
    from unseen.publishing.exports.ftm import FtmWriter

    return FtmWriter().unavailable()


def gexf(graph: Graph) -> bytes:
    """The view as a GEXF 1.3 document, audited."""
    document = network.to_gexf(graph.nodes, graph.edges, description=graph.view.describe())
    audit(graph, GEXF)
    return document


def ftm(graph: Graph) -> bytes:
    """The view as FtM JSON lines (each entity validated first), audited."""
    from unseen.publishing.exports.ftm import load_model, validate_entity

    model = load_model()
    lines = []
    for entity in entities(graph):
        validate_entity(model, entity)
        lines.append(json.dumps(entity, ensure_ascii=False, sort_keys=True))
    audit(graph, FTM)
    return ("\n".join(lines) + "\n" if lines else "").encode("utf-8")


def audit(graph: Graph, format: str) -> None:
    """One `export` entry: what was exported and how much, never a name."""
    view = graph.view
    record(
        Action.EXPORT,
        target_type="network",
        detail={
            "format": format,
            "view": {
                "as_of": view.as_of.isoformat() if view.as_of else None,
                "min_grade": view.min_grade,
                "focus": list(view.focus),
                "depth": view.depth,
            },
            "nodes": len(graph.nodes),
            "edges": len(graph.edges),
            "truncated": graph.truncated,
            "software": {"unseen": build.version(), "revision": build.revision()},
        },
    )


# --- FollowTheMoney --------------------------------------------------------------------------


def _id(node_or_edge_id: str) -> str:
    """FtM ids take letters, digits, dots and dashes: "organisation:12" → "organisation-12"."""
    return node_or_edge_id.replace(":", "-").replace("_", "-")


def _entity(schema: str, entity_id: str, **properties: Any) -> dict[str, Any]:
    props: dict[str, list[str]] = {}
    for name, value in properties.items():
        values = value if isinstance(value, list) else [value]
        texts = [str(v) for v in values if v not in (None, "")]
        if texts:
            props[name] = texts
    return {"id": entity_id, "schema": schema, "properties": props}


def _node_entity(node: Node, assets: set[str]) -> dict[str, Any]:
    topics = "sanction" if node.designated else ""
    country = node.country.lower()
    entity_id = _id(node.id)
    if node.kind == "organisation":
        schema = "Company" if node.id in assets else "Organization"
        return _entity(schema, entity_id, name=node.label, country=country, topics=topics)
    if node.kind == "public_figure":
        return _entity("Person", entity_id, name=node.label, nationality=country, topics=topics)
    if node.kind == "person":
        return _entity("UnseenPerson", entity_id, name=node.label, nationality=country)
    if node.kind == "site":
        return _entity("UnseenWorkSite", entity_id, name=node.label, country=country)
    return _entity("Address", entity_id, full=node.label, country=country)


def _edge_entity(edge: Edge, kinds: dict[str, str], shares: dict[str, str]) -> dict[str, Any]:
    subject, object_ = _id(edge.source), _id(edge.target)
    common = {
        "startDate": date_text(edge.start, edge.start_precision),
        "endDate": date_text(edge.end, edge.end_precision),
        "summary": f"{len(edge.sources)} sources, best grade {edge.best_grade or 'none'}",
    }
    stock = STOCK_LINKS.get(edge.kind)
    if edge.kind == "owns" and kinds.get(edge.target) != "organisation":
        stock = None
    if stock is None:
        return _entity(
            "UnknownLink",
            _id(edge.id),
            subject=subject,
            object=object_,
            role=edge.label,
            **common,
        )
    schema, subject_property, object_property = stock
    extra: dict[str, Any] = {"role": edge.label}
    if edge.kind == "parent_of":
        extra["role"] = "parent company"
    if edge.id in shares:
        extra["percentage"] = shares[edge.id]
    return _entity(
        schema,
        _id(edge.id),
        **{subject_property: subject, object_property: object_},
        **extra,
        **common,
    )


def entities(graph: Graph) -> Iterator[dict[str, Any]]:
    """The view's nodes, then its links, as FtM entity dicts (not yet validated)."""
    kinds = {node.id: node.kind for node in graph.nodes}
    assets = {
        edge.target
        for edge in graph.edges
        if edge.kind in ("owns", "parent_of") and kinds.get(edge.target) == "organisation"
    }
    for node in graph.nodes:
        yield _node_entity(node, assets)
    for edge in graph.edges:
        if edge.source in kinds and edge.target in kinds:
            yield _edge_entity(edge, kinds, graph.shares)
