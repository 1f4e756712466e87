"""FollowTheMoney JSON lines read and checked, every bad line reported by its number.

The format is one entity per line, ``{"id", "schema", "properties": {name: [values]}}``, as
OpenSanctions publishes ``entities.ftm.json`` (which adds ``caption``, ``datasets``,
``first_seen``, ``last_seen`` and ``last_change``) and as Aleph and ``ftm`` export. Each entity
is checked against a FollowTheMoney model (the library's stock model unless one is given, e.g.
the publishing exports' model with Unseen's own schemata): the schema must exist and not be
abstract, every property must belong to it, and every value must be valid for the property's
type (a date an ISO prefix of a real day, a country a known code, an entity reference an id).
Values are kept in FtM's cleaned form (``KP`` -> ``kp``).

Reading is all-or-nothing, like the CSV import: ``read_entities`` either returns every entity
or raises ``FtmErrors`` listing the bad lines (up to ``MAX_ERRORS``), never a part of the file.
Fragments of one entity on several lines (as ``ftm`` streams may hold) are merged into one, on
the line where the entity first appears, when their schemata are compatible.

followthemoney takes about a second to import: it is imported inside the functions, so that
importing this module costs nothing.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from followthemoney.model import Model
    from followthemoney.schema import Schema

MAX_ERRORS = 100

NAME_PROPERTIES = ("name", "alias", "weakAlias", "previousName")
"""The properties that name a thing, the primary name first."""

IDENTIFIER_PROPERTIES = (
    "registrationNumber",
    "innCode",
    "ogrnCode",
    "okpoCode",
    "kppCode",
    "leiCode",
    "dunsCode",
    "swiftBic",
    "taxNumber",
    "vatCode",
    "idNumber",
    "passportNumber",
    "imoNumber",
    "uniqueEntityId",
    "unscId",
    "authorityId",
    "wikidataId",
)
"""Properties whose values identify the entity in a register or list, in the order reported.

``programId`` is left out: it names the sanctions programme, not the entity.
"""


class FtmLineError(ValueError):
    """One bad line of a FollowTheMoney file: its number (from 1) and what is wrong with it."""

    def __init__(self, line_number: int, reason: str) -> None:
        super().__init__(f"line {line_number}: {reason}")
        self.line_number = line_number
        self.reason = reason


class FtmErrors(ValueError):
    """Every bad line of a file (at most ``MAX_ERRORS``; ``truncated`` when there were more)."""

    def __init__(self, errors: Iterable[FtmLineError], truncated: bool = False) -> None:
        self.errors = tuple(errors)
        self.truncated = truncated
        more = "; more errors not shown" if truncated else ""
        super().__init__("; ".join(str(error) for error in self.errors) + more)


@dataclass(frozen=True)
class FtmEntity:
    """One entity as read: cleaned values, each property's values in the file's order.

    ``line`` is the line it (first) appeared on. OpenSanctions' dates (``first_seen``,
    ``last_seen``, ``last_change``) are kept as written, "" when absent.
    """

    id: str
    schema: str
    caption: str
    properties: Mapping[str, tuple[str, ...]] = field(hash=False)
    datasets: tuple[str, ...] = ()
    first_seen: str = ""
    last_seen: str = ""
    last_change: str = ""
    line: int = 0

    def get(self, prop: str) -> tuple[str, ...]:
        """The values of one property, () when it has none."""
        return self.properties.get(prop, ())

    def first(self, prop: str) -> str:
        """The first value of one property, "" when it has none."""
        values = self.get(prop)
        return values[0] if values else ""

    def names(self) -> tuple[str, ...]:
        """Name, aliases, weak aliases and previous names, without repeats, the name first."""
        return _unique(value for prop in NAME_PROPERTIES for value in self.get(prop))

    def countries(self) -> tuple[str, ...]:
        """Country codes (lowercase, as FtM cleans them) from every country-like property."""
        props = ("country", "jurisdiction", "mainCountry", "nationality", "citizenship")
        return _unique(value for prop in props for value in self.get(prop))

    def address_entities(self) -> tuple[str, ...]:
        """Ids of the Address entities the entity points to (``addressEntity``)."""
        return self.get("addressEntity")

    def addresses(self, resolved: Mapping[str, "FtmEntity"] | None = None) -> tuple[str, ...]:
        """Addresses as text: the ``address`` values, then each ``addressEntity``'s full text.

        An addressEntity is turned into text only through ``resolved`` (entities by id, e.g.
        the file's); without it, or when the Address is not in it, only ``address`` counts.
        """
        texts = list(self.get("address"))
        for entity_id in self.address_entities():
            address = (resolved or {}).get(entity_id)
            if address is not None:
                texts.append(address.first("full") or address.caption)
        return _unique(text for text in texts if text)

    def identifiers(self) -> tuple[tuple[str, str], ...]:
        """(property, value) pairs of the entity's register and list identifiers."""
        return tuple((prop, value) for prop in IDENTIFIER_PROPERTIES for value in self.get(prop))


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def read_entities(lines: Iterable[str | bytes], model: "Model | None" = None) -> list[FtmEntity]:
    """Read FtM JSON lines into entities, checked against ``model`` (FtM's stock model if None).

    Args:
        lines: the file's lines, text or UTF-8 bytes (an open file will do); blank lines are
            skipped, a byte order mark on the first line is ignored.
        model: a ``followthemoney.model.Model``; the stock one when None.

    Returns:
        The entities in the order they first appear, fragments of one id merged.

    Raises:
        FtmErrors: when any line is bad, listing each (up to ``MAX_ERRORS``) with its number.
    """
    if model is None:
        from followthemoney import model as stock

        model = stock
    errors: list[FtmLineError] = []
    read: dict[str, FtmEntity] = {}
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as bad:
            errors.append(FtmLineError(number, f"not UTF-8 text ({bad.reason})"))
        else:
            if number == 1:
                text = text.removeprefix("\ufeff")
            if text.strip():
                try:
                    entity = _entity(model, text, number)
                    earlier = read.get(entity.id)
                    read[entity.id] = entity if earlier is None else _merge(model, earlier, entity)
                except FtmLineError as error:
                    errors.append(error)
        if len(errors) >= MAX_ERRORS:
            raise FtmErrors(errors, truncated=True)
    if errors:
        raise FtmErrors(errors)
    return list(read.values())


def _entity(model: "Model", text: str, number: int) -> FtmEntity:
    """One line's entity, or FtmLineError saying the first thing wrong with it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as bad:
        raise FtmLineError(number, f"not JSON ({bad.msg} at column {bad.colno})") from bad
    if not isinstance(data, dict):
        raise FtmLineError(number, "not a JSON object")
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise FtmLineError(number, "the entity has no id")
    schema = _schema(model, data.get("schema"), number)
    properties = _properties(schema, data.get("properties", {}), number)
    caption = data.get("caption")
    if not isinstance(caption, str) or not caption:
        caption = _caption(model, schema, entity_id, properties)
    datasets = data.get("datasets", [])
    if not isinstance(datasets, list) or not all(isinstance(d, str) for d in datasets):
        raise FtmLineError(number, "datasets must be a list of names")
    seen: dict[str, str] = {}
    for key in ("first_seen", "last_seen", "last_change"):
        value = data.get(key) or ""
        if not isinstance(value, str):
            raise FtmLineError(number, f"{key} must be a date and time as text")
        seen[key] = value
    return FtmEntity(
        id=entity_id,
        schema=schema.name,
        caption=caption,
        properties=properties,
        datasets=tuple(datasets),
        first_seen=seen["first_seen"],
        last_seen=seen["last_seen"],
        last_change=seen["last_change"],
        line=number,
    )


def _schema(model: "Model", name: object, number: int) -> "Schema":
    if not isinstance(name, str) or not name:
        raise FtmLineError(number, "the entity has no schema")
    schema = model.get(name)
    if schema is None:
        raise FtmLineError(number, f"unknown schema {name!r}")
    if schema.abstract:
        raise FtmLineError(number, f"schema {name!r} is abstract: no entity can have it")
    return schema


def _properties(schema: "Schema", given: object, number: int) -> dict[str, tuple[str, ...]]:
    if not isinstance(given, dict):
        raise FtmLineError(number, "properties must be a JSON object")
    properties: dict[str, tuple[str, ...]] = {}
    for name, values in given.items():
        prop = schema.properties.get(name)
        if prop is None:
            raise FtmLineError(number, f"{schema.name} has no property {name!r}")
        listed = [values] if isinstance(values, str) else values
        if not isinstance(listed, list) or not all(isinstance(v, str) for v in listed):
            raise FtmLineError(number, f"{schema.name}.{name}: values must be a list of text")
        cleaned: list[str] = []
        for value in listed:
            if not value.strip():
                continue
            clean = prop.type.clean(value) if prop.type.validate(value) else None
            if clean is None:
                raise FtmLineError(
                    number, f"{schema.name}.{name}: {value!r} is not a valid {prop.type.name}"
                )
            cleaned.append(clean)
        if cleaned:
            properties[name] = _unique(cleaned)
    return properties


def _caption(
    model: "Model", schema: "Schema", entity_id: str, properties: Mapping[str, tuple[str, ...]]
) -> str:
    """FtM's own caption (the name, or what the schema captions by), for files without one."""
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for name, values in properties.items():
        proxy.add(name, list(values), cleaned=True)
    return str(proxy.caption)


def _merge(model: "Model", earlier: FtmEntity, fragment: FtmEntity) -> FtmEntity:
    """Two fragments of one entity as one, on the line of the first; refused if they cannot be."""
    from followthemoney.exc import InvalidData

    try:
        schema = model.common_schema(earlier.schema, fragment.schema)
    except InvalidData as clash:
        raise FtmLineError(
            fragment.line,
            f"entity {fragment.id!r} is a {fragment.schema} here but a {earlier.schema} on line "
            f"{earlier.line}",
        ) from clash
    properties = dict(earlier.properties)
    for name, values in fragment.properties.items():
        properties[name] = _unique((*properties.get(name, ()), *values))
    return FtmEntity(
        id=earlier.id,
        schema=schema.name,
        caption=earlier.caption,
        properties=properties,
        datasets=_unique((*earlier.datasets, *fragment.datasets)),
        first_seen=min(filter(None, (earlier.first_seen, fragment.first_seen)), default=""),
        last_seen=max(earlier.last_seen, fragment.last_seen),
        last_change=max(earlier.last_change, fragment.last_change),
        line=earlier.line,
    )
