"""FollowTheMoney JSON lines: our schemata (core/ftm_schemata.yaml) on top of the library's model.

`load_model` is `unseen.core.ftm_reading.unseen_model`: the library's model plus ours, which
the FtM import reads with too. Every entity written is validated against that model before it
is written; an invalid one stops the export.

Mapping (docs/reference/export.md): persons -> UnseenPerson (extends Person), organisations ->
Organization, Company or PublicBody, public figures -> Person, their identifiers ->
Identification (company registers: registrationNumber), addresses in their notes -> Address,
relations -> Ownership, Directorship, Employment, Membership, Succession or UnknownLink
(core.ftm_mapping), designations -> Sanction, sites -> UnseenWorkSite, deployments ->
UnseenDeployment, testimonies (with their indicator codings) -> UnseenTestimony, sightings ->
UnseenSighting, incidents -> Event. A record's claims give it sourceUrl and publisher (the
sources') and, in a full export, summary (the claims' statements); sources and claims
themselves stay in the CSV export.

followthemoney is an optional extra and takes about a second to import: it is imported
only when an FtM export is written, so that every other command starts without it.
"""

import datetime as dt
import importlib.util
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unseen.core.ftm_mapping import (
    IDENTIFIER_AUTHORITIES,
    KIND_ROLES,
    ORGANISATION_SCHEMATA,
    RELATION_SCHEMATA,
    address_lines,
)
from unseen.core.ftm_reading import unseen_model

from .tables import Progress, Table, Writer

if TYPE_CHECKING:
    from followthemoney.model import Model
    from followthemoney.proxy import EntityProxy

GENDERS = {"m": "male", "f": "female", "x": "other"}


def _released(value: object) -> object:
    """A country withheld by k-anonymity ("*") is left out: it is not a country code."""
    return "" if value == "*" else value


def load_model() -> "Model":
    return unseen_model()


def validate_entity(model: "Model", data: dict[str, Any]) -> "EntityProxy":
    """Parse and validate one entity as written; raises InvalidData when it does not conform."""
    from followthemoney.exc import InvalidData
    from followthemoney.proxy import EntityProxy

    schema = model.get(data.get("schema", ""))
    if schema is None:
        raise InvalidData(f"no schema {data.get('schema')!r}")
    try:
        schema.validate(data)  # type: ignore[arg-type]
    except InvalidData as invalid:
        raise InvalidData(
            f"{schema.name} {data.get('id')}: {getattr(invalid, 'errors', invalid)}"
        ) from invalid
    proxy = EntityProxy(schema, data, cleaned=False)
    for name, values in data.get("properties", {}).items():
        if name not in schema.properties:
            raise InvalidData(f"{schema.name} has no property {name!r}")
        if len(proxy.get(name)) != len(set(values)):
            raise InvalidData(f"{schema.name}.{name}: invalid value in {values!r}")
    return proxy


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _date(value: Any) -> str:
    """FTM dates are ISO prefixes: keep 2014, 2014-03, 2014-03-01; drop bands and '*'."""
    text = _text(value)
    if len(text) in (4, 7, 10) and text[:4].isdigit() and (len(text) == 4 or text[4] == "-"):
        return text
    return ""


def _ref(kind: str, value: Any) -> Any:
    """Ids as written: pseudonyms already name their kind; a full export's numbers get it."""
    if isinstance(value, list):
        return [_ref(kind, v) for v in value]
    if value is None or value == "":
        return ""
    return value if isinstance(value, str) else f"{kind}-{value}"


def _entity(schema: str, entity_id: Any, **properties: Any) -> dict[str, Any]:
    props: dict[str, list[str]] = {}
    for name, value in properties.items():
        values = value if isinstance(value, list) else [value]
        texts = [_text(v) for v in values if _text(v)]
        if texts:
            props[name] = texts
    return {"id": entity_id, "schema": schema, "properties": props}


def _period(row: dict[str, Any]) -> tuple[str, str, str]:
    """(startDate, endDate, period) from a deployment row, generalised or not."""
    start, end = _text(row.get("period_start")), _text(row.get("period_end"))
    if start == end and len(start) == 9 and start[4] == "-":  # '2010-2014'
        return start[:4], start[5:], start
    if _date(start) == start and _date(end) == end:
        return start, end, ""
    return "", "", start


def entities(tables: Mapping[str, Table]) -> Iterator[dict[str, Any]]:
    codings: dict[str, list[str]] = {}
    for row in tables["indicator_codings"].rows:
        codings.setdefault(str(row["testimony_id"]), []).append(
            f"{row['indicator']}:{row['finding']}"
        )
    aliases: dict[str, list[str]] = {}
    for row in tables["organisation_aliases"].rows:
        aliases.setdefault(str(row["organisation_id"]), []).append(row["name"])
    for row in tables["persons"].rows:
        yield _entity(
            "UnseenPerson",
            _ref("person", row["id"]),
            name=row.get("pseudonym") or _ref("person", row["id"]),
            gender=GENDERS.get(_text(row.get("sex")), ""),
            nationality=_released(row.get("nationality")),
            birthYearBand=row.get("birth_year"),
            homeProvince=row.get("home_province"),
        )
    yield from _organisations(tables, aliases)
    for row in tables["sites"].rows:
        yield _entity(
            "UnseenWorkSite",
            _ref("site", row["id"]),
            name=row.get("name") or f"{row['kind']} in {row.get('city') or row['country']}",
            siteKind=row["kind"],
            country=_released(row.get("country")),
            city=row.get("city"),
            latitude=row.get("latitude"),
            longitude=row.get("longitude"),
            coordinatePrecision=row.get("coordinate_precision"),
        )
    for row in tables["deployments"].rows:
        start, end, period = _period(row)
        yield _entity(
            "UnseenDeployment",
            _ref("deployment", row["id"]),
            worker=_ref("person", row.get("person_id")),
            site=_ref("site", row.get("site_id")),
            dispatcher=_ref("organisation", row.get("dispatcher_id")),
            employer=_ref("organisation", row.get("employer_id")),
            hostCountry=_released(row.get("host_country")),
            siteCountry=_released(row.get("site_country")),
            hostRegion=row.get("host_region"),
            sector=row.get("sector"),
            startDate=start,
            endDate=end,
            period=period,
            workersLow=row.get("workers_low"),
            workersHigh=row.get("workers_high"),
            monthlyWageUsdLow=row.get("monthly_wage_usd_low"),
            monthlyWageUsdHigh=row.get("monthly_wage_usd_high"),
            stateShareLow=row.get("state_share_low"),
            stateShareHigh=row.get("state_share_high"),
            hoursPerDay=row.get("hours_per_day"),
        )
    for row in tables["testimonies"].rows:
        yield _entity(
            "UnseenTestimony",
            _ref("testimony", row["id"]),
            interviewee=_ref("person", row.get("interviewee_id")),
            date=_date(row.get("interview_date")),
            interviewLanguage=row.get("interview_language"),
            interviewCountry=_released(row.get("interview_country")),
            consentToPublish=row.get("consent_to_publish"),
            recruitmentChannel=row.get("recruitment_channel"),
            exitKind=row.get("exit_kind"),
            indicator=codings.get(str(row["id"]), []),
            summary=row.get("summary"),
        )
    for row in tables["sightings"].rows:
        yield _entity(
            "UnseenSighting",
            _ref("sighting", row["id"]),
            site=_ref("site", row.get("site_id")),
            country=_released(row.get("country")),
            latitude=row.get("latitude"),
            longitude=row.get("longitude"),
            startDate=_date(row.get("observed_from")),
            endDate=_date(row.get("observed_to")),
            workersLow=row.get("workers_low"),
            workersHigh=row.get("workers_high"),
            workKind=row.get("work_kind"),
            # What a moderator wrote for the public; the reporter's own words only in a full
            # export, which an administrator approved.
            description=row.get("public_description") or row.get("description"),
        )
    for row in tables["incidents"].rows:
        yield _entity(
            "Event",
            _ref("incident", row["id"]),
            name=row["act"],
            date=_date(row.get("date")),
            country=_released(row.get("country")),
            involved=_ref("person", row.get("victims", [])),
            description=row.get("description"),
        )


def _table(tables: Mapping[str, Table], name: str) -> list[dict[str, Any]]:
    """A table's rows, none when it is not given (a writer of part of the records)."""
    table = tables.get(name)
    return table.rows if table is not None else []


def _partial(row: dict[str, Any], name: str) -> str:
    """A date at its precision: a full export's date and precision, or a released prefix."""
    value = row.get(name)
    if isinstance(value, dt.date):
        precision = row.get(f"{name}_precision", "")
        if precision == "year":
            return f"{value.year:04d}"
        if precision == "month":
            return f"{value.year:04d}-{value.month:02d}"
        return value.isoformat()
    return _date(value)


def _valid_url(value: str) -> bool:
    from followthemoney import registry

    return bool(value) and registry.url.validate(value)


class _Provenance:
    """The sources of the claims about each record: FtM's sourceUrl, publisher and summary."""

    def __init__(self, tables: Mapping[str, Table]) -> None:
        sources = {_ref("source", row["id"]): row for row in _table(tables, "sources")}
        self.claims: dict[tuple[str, Any], list[tuple[dict[str, Any], dict[str, Any]]]] = {}
        for claim in _table(tables, "claims"):
            kind, subject = claim.get("subject_kind"), claim.get("subject_id")
            if not kind or subject in (None, ""):
                continue
            source = sources.get(_ref("source", claim.get("source_id")), {})
            self.claims.setdefault((kind, _ref(kind, subject)), []).append((claim, source))

    def of(self, kind: str, entity_id: Any) -> dict[str, list[str]]:
        urls, publishers, summaries = [], [], []
        for claim, source in self.claims.get((kind, entity_id), []):
            url, title = _text(source.get("url")), _text(source.get("title"))
            if _valid_url(url):
                urls.append(url)
            if title:
                publishers.append(title)
            # Claim statements are free text: only a full export's tables still hold them.
            if statement := _text(claim.get("statement")):
                summaries.append(statement)
        return {
            "sourceUrl": list(dict.fromkeys(urls)),
            "publisher": list(dict.fromkeys(publishers)),
            "summary": list(dict.fromkeys(summaries)),
        }


def _addresses(entity_id: Any, notes: str) -> tuple[list[str], list[str]]:
    """The addresses kept in a record's notes, and the ids of their Address entities."""
    texts = address_lines(notes)
    return texts, [f"{entity_id}-address-{n}" for n in range(1, len(texts) + 1)]


def _organisations(
    tables: Mapping[str, Table], aliases: dict[str, list[str]]
) -> Iterator[dict[str, Any]]:
    """Organisations, public figures (by name, ADR 0031), their identifiers and addresses,
    relations and designations, in stock schemata (core.ftm_mapping)."""
    provenance = _Provenance(tables)
    registers: dict[Any, list[str]] = {}
    identifications = []
    for row in _table(tables, "external_identifiers"):
        holder = _ref("organisation", row.get("organisation_id")) or _ref(
            "publicfigure", row.get("public_figure_id")
        )
        if not holder:
            continue
        if row["scheme"] == "company_register":
            registers.setdefault(holder, []).append(row["value"])
        else:
            identifications.append(
                _entity(
                    "Identification",
                    _ref("externalidentifier", row["id"]),
                    holder=holder,
                    type=row["scheme"],
                    number=row["value"],
                    authority=IDENTIFIER_AUTHORITIES.get(row["scheme"], ""),
                )
            )
    relations = _table(tables, "relations")
    # An Ownership's asset must be an Asset: an organisation owned is written as a Company.
    assets = {
        _ref("organisation", row.get("object_organisation_id"))
        for row in relations
        if row["kind"] in ("owns", "parent_of")
    }
    for row in _table(tables, "organisations"):
        entity_id = _ref("organisation", row["id"])
        schema = ORGANISATION_SCHEMATA.get(row.get("kind", ""), "Organization")
        notes = _text(row.get("notes"))
        texts, address_ids = _addresses(entity_id, notes)
        yield _entity(
            "Company" if entity_id in assets else schema,
            entity_id,
            name=row["name"],
            country=_released(row.get("country")),
            alias=aliases.get(str(row["id"]), []),
            classification=row.get("kind"),
            registrationNumber=registers.get(entity_id, []),
            notes=notes,
            address=texts,
            addressEntity=address_ids,
            **provenance.of("organisation", entity_id),
        )
        for address_id, text in zip(address_ids, texts, strict=True):
            yield _entity("Address", address_id, full=text)
    figure_aliases: dict[str, list[str]] = {}
    for row in _table(tables, "public_figure_aliases"):
        figure_aliases.setdefault(str(row["figure_id"]), []).append(row["name"])
    for row in _table(tables, "public_figures"):
        entity_id = _ref("publicfigure", row["id"])
        notes = _text(row.get("notes"))
        texts, address_ids = _addresses(entity_id, notes)
        yield _entity(
            "Person",
            entity_id,
            # The name in Hangul as a second name, not an alias, so that it reads back as such.
            name=[row["name"], row.get("name_hangul")],
            alias=figure_aliases.get(str(row["id"]), []),
            position=row.get("position"),
            nationality=_released(row.get("nationality")),
            birthDate=row.get("birth_year"),
            registrationNumber=registers.get(entity_id, []),
            notes=notes,
            address=texts,
            addressEntity=address_ids,
            **provenance.of("publicfigure", entity_id),
        )
        for address_id, text in zip(address_ids, texts, strict=True):
            yield _entity("Address", address_id, full=text)
    yield from identifications
    for row in relations:
        yield from _relation(row, provenance)
    for row in _table(tables, "designations"):
        holder = _ref("organisation", row.get("organisation_id")) or _ref(
            "publicfigure", row.get("public_figure_id")
        )
        if not holder:
            continue
        entity_id = _ref("designation", row["id"])
        reference = _text(row.get("reference"))
        yield _entity(
            "Sanction",
            entity_id,
            entity=holder,
            authority=row.get("authority"),
            program=row.get("programme"),
            authorityId=reference,
            unscId=reference if UN_REFERENCE.fullmatch(reference) else "",
            listingDate=_partial(row, "listed_on"),
            endDate=_partial(row, "ended_on"),
            reason=row.get("reason"),
            **provenance.of("designation", entity_id),
        )


# The UN 1718 Committee's references: KPe.033 (an entity), KPi.001 (an individual).
UN_REFERENCE = re.compile(r"[A-Z]{2}[ei]\.\d{3}")


def _relation(row: dict[str, Any], provenance: _Provenance) -> Iterator[dict[str, Any]]:
    kind = row["kind"]
    mapping = RELATION_SCHEMATA.get(kind)
    subject = (
        _ref("organisation", row.get("subject_organisation_id"))
        or _ref("publicfigure", row.get("subject_figure_id"))
        or _ref("person", row.get("subject_person_id"))
    )
    target = (
        _ref("organisation", row.get("object_organisation_id"))
        or _ref("publicfigure", row.get("object_figure_id"))
        or _ref("person", row.get("object_person_id"))
        or _ref("site", row.get("object_site_id"))
    )
    if mapping is None or not subject or not target:
        return  # an end this export does not release: the relation does not go out
    entity_id = _ref("relation", row["id"])
    yield _entity(
        mapping.schema,
        entity_id,
        **{mapping.subject: subject, mapping.object: target},
        role=[KIND_ROLES.get(kind, ""), row.get("role")],
        startDate=_partial(row, "start"),
        endDate=_partial(row, "end"),
        percentage=row.get("share_percent") if kind == "owns" else "",
        description=row.get("description"),
        **provenance.of("relation", entity_id),
    )


def write_entities(path: Path, tables: Mapping[str, Table]) -> int:
    """Write every entity as one JSON line, each validated first; returns how many."""
    model = load_model()
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for data in entities(tables):
            validate_entity(model, data)
            handle.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


class FtmWriter(Writer):
    format = "ftm"
    suffix = ".ftm.json"

    def unavailable(self) -> str:
        if importlib.util.find_spec("followthemoney") is None:
            return (
                "--format ftm needs the FollowTheMoney extra: pip install 'unseen[ftm]' "
                "(it builds PyICU, which needs Debian's libicu-dev and pkg-config)"
            )
        return ""

    def write(
        self, tables: Mapping[str, Table], out: Path, progress: Progress | None = None
    ) -> dict[str, int]:
        out.mkdir(parents=True, exist_ok=True)
        count = write_entities(out / f"entities{self.suffix}", tables)
        if progress:
            progress(len(tables))
        return {"entities": count}
