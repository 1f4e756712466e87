"""Exporting the graph a reader sees, as GEXF (Gephi) or FollowTheMoney JSON lines, audited.

The export is the view on the page, nothing more: the same `gathering.gather` at the reader's
levels and with the same filters, so it cannot hold a node or edge the page would not draw. Each
export is an `export` entry in the audit log (format, filters, counts), as `unseen export` writes
one; a view is no file on the server, so nothing else is kept.

FtM uses the library's stock schemata wherever one fits, through publishing's model and its
validation (every entity is checked before it is written):

- organisation → PublicBody (state organ), Company (trading, front, employer, broker, or anything
  owned: an Ownership's asset must be an Asset) or Organization, its kind as classification;
  public figure → Person; person → UnseenPerson (pseudonym only); site → UnseenWorkSite; host
  country → Address (FtM has no country entity; an Address with only a country names a place);
- as the FtM export of records does (core.ftm_mapping): owns → Ownership (percentage), parent_of
  → Ownership (role "parent company"), director_of → Directorship, employs → Employment,
  member_of → Membership, renamed_to → Succession; every other kind (and ownership of a site,
  which is no Asset) → UnknownLink whose first role is the kind's phrase ("dispatches workers
  to", "located in"); the relation's own role follows.

An interval's dates are written at their precision (2016, 2016-03, 2016-03-01). Each link's
`summary` states its number of independent sources and best grade, and designated entities carry
the topic "sanction". followthemoney is imported only when an FtM export is written.
"""

import json
from collections.abc import Iterator
from dataclasses import astuple
from typing import Any

from unseen import build
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core import ftm_mapping, network
from unseen.core.network import Edge, Node

from .gathering import Graph, date_text

GEXF = "gexf"
FTM = "ftm"

# The FtM export and import of records' own tables (core.ftm_mapping), so that a view exported
# here reads back as the same relations. `located_in` is derived from deployments and is no
# relation kind: an UnknownLink with its phrase as first role, as the kinds FtM has no schema for.
KIND_ROLES = {**ftm_mapping.KIND_ROLES, "located_in": "located in"}
UNKNOWN_LINK = ftm_mapping.RelationSchema("UnknownLink", "subject", "object")


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


def _node_entity(
    node: Node, assets: set[str], details: dict[str, dict[str, str]]
) -> dict[str, Any]:
    topics = "sanction" if node.designated else ""
    country = node.country.lower()
    entity_id = _id(node.id)
    if node.kind == "organisation":
        kind = details.get(node.id, {}).get("kind", "")
        schema = ftm_mapping.ORGANISATION_SCHEMATA.get(kind, "Organization")
        if node.id in assets:
            schema = "Company"  # an Ownership's asset must be an Asset: a company is one
        return _entity(
            schema,
            entity_id,
            name=node.label,
            country=country,
            topics=topics,
            classification=kind,
        )
    if node.kind == "public_figure":
        return _entity("Person", entity_id, name=node.label, nationality=country, topics=topics)
    if node.kind == "person":
        return _entity("UnseenPerson", entity_id, name=node.label, nationality=country)
    if node.kind == "site":
        return _entity("UnseenWorkSite", entity_id, name=node.label, country=country)
    return _entity("Address", entity_id, full=node.label, country=country)


def _edge_entity(
    edge: Edge, kinds: dict[str, str], details: dict[str, dict[str, str]]
) -> dict[str, Any]:
    detail = details.get(edge.id, {})
    roles = [KIND_ROLES[edge.kind]] if edge.kind in KIND_ROLES else []
    if detail.get("role"):
        roles.append(detail["role"])
    properties: dict[str, Any] = {
        "startDate": date_text(edge.start, edge.start_precision),
        "endDate": date_text(edge.end, edge.end_precision),
        "summary": f"{len(edge.sources)} sources, best grade {edge.best_grade or 'none'}",
        "role": roles,
    }
    schema, subject, object_ = astuple(ftm_mapping.RELATION_SCHEMATA.get(edge.kind, UNKNOWN_LINK))
    if schema == "Ownership" and kinds.get(edge.target) != "organisation":
        # Ownership of a site: FtM's asset must be an Asset, which a work site is not.
        schema, subject, object_ = "UnknownLink", "subject", "object"
        roles.insert(0, "owns")
    if schema == "Ownership" and "share" in detail:
        properties["percentage"] = detail["share"]
    properties[subject] = _id(edge.source)
    properties[object_] = _id(edge.target)
    return _entity(schema, _id(edge.id), **properties)


def entities(graph: Graph) -> Iterator[dict[str, Any]]:
    """The view's nodes, then its links, as FtM entity dicts (not yet validated)."""
    kinds = {node.id: node.kind for node in graph.nodes}
    assets = {
        edge.target
        for edge in graph.edges
        if edge.kind in ("owns", "parent_of") and kinds.get(edge.target) == "organisation"
    }
    for node in graph.nodes:
        yield _node_entity(node, assets, graph.details)
    for edge in graph.edges:
        if edge.source in kinds and edge.target in kinds:
            yield _edge_entity(edge, kinds, graph.details)
