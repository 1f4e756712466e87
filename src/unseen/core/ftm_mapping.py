"""How Unseen's records map to FollowTheMoney's stock schemata, one table read both ways.

The FtM export (``publishing.exports.ftm``) writes by it and the FtM import
(``documentation.importing_ftm``) reads by it, so that a file Unseen writes imports back into the
same organisations, public figures, relations and designations.

Relations: FtM's interval schemata where one fits (Ownership, Directorship, Employment,
Membership, Succession, UnknownLink). FtM has no schema for "contracts with", "dispatches
workers to" or "operates the site": they are UnknownLinks whose first ``role`` is the kind's
phrase (``KIND_ROLES``), and "parent of" is an Ownership whose first role is "parent company".
A custom schema would make the file unreadable to Aleph and yente without our model; a role
phrase is read by anyone and turned back into the kind here.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class RelationSchema:
    """The FtM schema of a relation kind, and which of its properties hold the two ends."""

    schema: str
    subject: str
    object: str


RELATION_SCHEMATA: dict[str, RelationSchema] = {
    "parent_of": RelationSchema("Ownership", "owner", "asset"),
    "owns": RelationSchema("Ownership", "owner", "asset"),
    "director_of": RelationSchema("Directorship", "director", "organization"),
    "employs": RelationSchema("Employment", "employer", "employee"),
    "member_of": RelationSchema("Membership", "member", "organization"),
    "renamed_to": RelationSchema("Succession", "predecessor", "successor"),
    "contracts_with": RelationSchema("UnknownLink", "subject", "object"),
    "dispatches_workers_to": RelationSchema("UnknownLink", "subject", "object"),
    "operates_site": RelationSchema("UnknownLink", "subject", "object"),
    "unknown_link": RelationSchema("UnknownLink", "subject", "object"),
}
"""Relation kind -> FtM schema with its (subject, object) properties: "subject kind object"."""

KIND_ROLES = {
    "parent_of": "parent company",
    "contracts_with": "contracts with",
    "dispatches_workers_to": "dispatches workers to",
    "operates_site": "operates the site",
}
"""The first ``role`` value that tells a kind sharing its schema with another."""

# The kind a schema means when no role phrase says otherwise.
_PLAIN_KINDS = {
    "Ownership": "owns",
    "Directorship": "director_of",
    "Employment": "employs",
    "Membership": "member_of",
    "Succession": "renamed_to",
    "UnknownLink": "unknown_link",
}
RELATION_SCHEMA_NAMES = frozenset(_PLAIN_KINDS)
"""The FtM schemata read as relations."""


def relation_kind(schema: str, roles: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """The relation kind an FtM interval entity means, and its roles other than the kind's phrase.

    Args:
        schema: one of ``RELATION_SCHEMA_NAMES``.
        roles: the entity's ``role`` values.

    Returns:
        (kind, remaining roles). An Ownership with the role "parent company" is ``parent_of``;
        an UnknownLink with a role of ``KIND_ROLES`` is that kind (compared without case).

    Raises:
        KeyError: for a schema that is not a relation.
    """
    plain = _PLAIN_KINDS[schema]
    roles = tuple(roles)
    for kind, phrase in KIND_ROLES.items():
        if RELATION_SCHEMATA[kind].schema != schema:
            continue
        if any(role.casefold() == phrase for role in roles):
            return kind, tuple(role for role in roles if role.casefold() != phrase)
    return plain, roles


ORGANISATION_SCHEMATA = {
    "state_organ": "PublicBody",
    "trading_company": "Company",
    "front_company": "Company",
    "host_employer": "Company",
    "broker": "Company",
    "other": "Organization",
}
"""Organisation kind -> FtM schema. The kind itself goes out as ``classification``."""


def organisation_kind(schema: str, classifications: Iterable[str], kinds: Iterable[str]) -> str:
    """The organisation kind of an imported entity.

    Its classification when that is one of ``kinds`` (as Unseen writes it), else "state_organ"
    for a PublicBody, else "other".
    """
    known = set(kinds)
    for value in classifications:
        if value in known:
            return value
    return "state_organ" if schema == "PublicBody" else "other"


ADDRESS_LINE = "Address: "
"""Organisations and public figures keep published addresses in their notes, one line each."""


def address_lines(notes: str) -> list[str]:
    """The addresses kept in ``notes`` (lines that start with ``ADDRESS_LINE``)."""
    return [
        line.removeprefix(ADDRESS_LINE).strip()
        for line in notes.splitlines()
        if line.startswith(ADDRESS_LINE) and line.removeprefix(ADDRESS_LINE).strip()
    ]


def with_addresses(notes: str, addresses: Iterable[str]) -> str:
    """``notes`` with a line for each address it does not hold yet."""
    held = set(address_lines(notes))
    lines = [notes] if notes else []
    for address in addresses:
        text = " ".join(address.split())
        if text and text not in held:
            lines.append(ADDRESS_LINE + text)
            held.add(text)
    return "\n".join(lines)


IDENTIFIER_AUTHORITIES = {
    "un_1718": "UN Security Council 1718 Committee",
    "ofac_sdn": "US Treasury OFAC",
    "opensanctions": "OpenSanctions",
    "company_register": "Company register",
}
"""An external identifier's scheme -> the ``authority`` of its FtM Identification."""

REGISTER_PROPERTY = "registrationNumber"
"""Company-register identifiers go out as this property of the holder, not as Identifications."""
