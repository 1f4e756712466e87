"""FollowTheMoney JSON lines: our schemata (schemata.yaml) on top of the library's model.

`load_model` builds a `followthemoney.model.Model` from the library's schema folder plus ours,
through the public `Model(path)` constructor (a temporary folder holding both). Every entity
written is validated against that model before it is written; an invalid one stops the export.

Mapping: persons -> UnseenPerson (extends Person), organisations -> Organization, sites ->
UnseenWorkSite, deployments -> UnseenDeployment, testimonies (with their indicator codings) ->
UnseenTestimony, sightings -> UnseenSighting, incidents -> Event. Sources and claims stay in the
CSV export.

followthemoney is an optional extra and takes about a second to import: it is imported
only when an FtM export is written, so that every other command starts without it.
"""

import functools
import importlib.util
import json
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .tables import Progress, Table, Writer

if TYPE_CHECKING:
    from followthemoney.model import Model
    from followthemoney.proxy import EntityProxy

SCHEMATA = Path(__file__).parent / "schemata.yaml"
GENDERS = {"m": "male", "f": "female", "x": "other"}


def _released(value: object) -> object:
    """A country withheld by k-anonymity ("*") is left out: it is not a country code."""
    return "" if value == "*" else value


@functools.cache
def load_model() -> "Model":
    from followthemoney.model import Model

    library = Path(Model.instance().path)
    with tempfile.TemporaryDirectory(prefix="unseen-ftm-") as folder:
        for path in library.glob("*.yaml"):
            shutil.copy(path, folder)
        shutil.copy(SCHEMATA, Path(folder) / "unseen_schemata.yaml")
        return Model(folder)


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
    for row in tables["organisations"].rows:
        yield _entity(
            "Organization",
            _ref("organisation", row["id"]),
            name=row["name"],
            country=_released(row.get("country")),
            alias=aliases.get(str(row["id"]), []),
        )
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
            outcome=row.get("outcome"),
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
