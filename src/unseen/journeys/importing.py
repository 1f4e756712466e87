"""Coded testimonies' journeys from CSV or XLSX, in the layout the HTCDS export writes.

Column names are read in lower case, as every import reads them (hte_Country is hte_country).
The events file is `historic_trafficking_events.csv` (or an XLSX with the same header), the
indicators file `indicators.csv`: an export at the full level reads back to the same journeys
(docs/reference/htcds.md). Each event names its testimony by `case_id` (the testimony's id, as a
full export writes it); the indicators name their event by the events file's `event_id`.

All or nothing, like every import (documentation/importing.py): every cell of both files is
checked first and every bad one reported by file, row and column; only files without errors are
written, in one transaction, so a failure part-way leaves the database as it was.
"""

import datetime as dt
import decimal
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel, User, UserLike, visible_access_levels
from unseen.accounts.roles import Capability
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core import htcds
from unseen.core.cells import FORMULA_STARTS
from unseen.core.tables import CellError, Column, Limits, Schema, TableError, read_table, validate
from unseen.documentation.models import (
    Deployment,
    Finding,
    Indicator,
    RecruitmentChannel,
    Testimony,
)
from unseen.evidence.models import DatePrecision, Source, SourceKind
from unseen.evidence.revisions import record_created_since
from unseen.registry.models import CoordinatePrecision, Organisation, Site

from .models import (
    FIELDS_BY_STAGE,
    STAGE_FIELDS,
    DocumentHolder,
    ExitKind,
    IsicSection,
    JourneyEvent,
    JourneyIndicator,
    Stage,
    _raw,
)

Progress = Callable[[int], object]
Row = dict[str, Any]


class JourneyImportError(Exception):
    """The files cannot be imported; `errors` lists every bad cell as (file, CellError)."""

    def __init__(self, errors: Sequence[tuple[str, CellError]]):
        self.errors = sorted(errors, key=lambda e: (e[0], e[1]))
        super().__init__(f"{len(self.errors)} error(s)")

    def lines(self) -> list[str]:
        """Every error as `file:row:column: reason`."""
        return [error.format(name) for name, error in self.errors]


@dataclass
class JourneyImportResult:
    testimonies: int = 0
    events: int = 0
    indicators: int = 0
    replaced: int = 0  # events deleted first (--replace)
    new_testimonies: dict[str, int] = field(default_factory=dict)  # case id → new testimony id
    dry_run: bool = False
    created: dict[str, int] = field(default_factory=dict)


def _choice(values: Sequence[str], what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in values:
            raise ValueError(f"not a {what}; use one of {', '.join(values)}")
        return text

    return parse


def _integer(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError("not a whole number") from None
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "yes", "1"):
        return True
    if value in ("false", "no", "0"):
        return False
    raise ValueError("not true or false")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError("not a number") from None


def _amount(text: str) -> decimal.Decimal:
    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise ValueError("not an amount") from None
    if not value.is_finite() or value < 0:
        raise ValueError("must be a positive amount")
    return value


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError("not a date (YYYY-MM-DD)") from None


def _country(text: str) -> str:
    if len(text) != 2 or not text.isascii() or not text.isalpha() or not text.isupper():
        raise ValueError("not an ISO 3166-1 alpha-2 code (two capital letters)")
    return text


def _role(text: str) -> str:
    if text not in htcds.ROLE_FROM_HTCDS:
        raise ValueError(f"not a role we record; use one of {', '.join(htcds.ROLE_FROM_HTCDS)}")
    return htcds.ROLE_FROM_HTCDS[text]


def _indicators(text: str) -> list[str]:
    values = htcds.split(text)
    for value in values:
        if value not in Indicator.values:
            raise ValueError(
                f"{value!r} is not an ILO indicator; use {', '.join(Indicator.values)}"
            )
    return values


def _text(text: str) -> str:
    """A cell as written, without the apostrophe an export puts before a formula-like text."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _hte_type(row: Row) -> list[tuple[str, str]]:
    stage, given = row.get("stage"), row.get("hte_type")
    if stage and given and htcds.HTE_TYPE.get(stage) != given:
        expected = htcds.HTE_TYPE.get(stage) or _("blank")
        return [("hte_type", _("does not match the stage (%(expected)s)") % {"expected": expected})]
    return []


def _dates_ordered(row: Row) -> list[tuple[str, str]]:
    if row.get("hte_date") and row.get("date_end") and row["hte_date"] > row["date_end"]:
        return [("date_end", "is before hte_date")]
    return []


def _both_coordinates(row: Row) -> list[tuple[str, str]]:
    if (row.get("hte_latitude") is None) != (row.get("hte_longitude") is None):
        return [("hte_longitude", "give both hte_latitude and hte_longitude, or neither")]
    errors = []
    if row.get("hte_latitude") is not None and not -90 <= row["hte_latitude"] <= 90:
        errors.append(("hte_latitude", "must lie within -90..90"))
    if row.get("hte_longitude") is not None and not -180 <= row["hte_longitude"] <= 180:
        errors.append(("hte_longitude", "must lie within -180..180"))
    return errors


# The column of the file that holds each field of JourneyEvent.
FIELD_COLUMN = {
    "date_start": "hte_date",
    "country": "hte_country",
    "place": "hte_city",
    "latitude": "hte_latitude",
    "longitude": "hte_longitude",
    "notes": "hte_description",
    "organisation_role": "per_roleinprocess",
    "deployment": "deployment_id",
}


def _stage_fields(row: Row) -> list[tuple[str, str]]:
    """Values in fields that do not belong to the row's stage, each named."""
    keep = FIELDS_BY_STAGE.get(row.get("stage") or "", frozenset())
    errors = []
    for name, empty in STAGE_FIELDS.items():
        column = FIELD_COLUMN.get(name, name)
        value = row.get(column)
        if name not in keep and value is not None and value != _raw(empty):
            errors.append((column, _("not part of the stage %(stage)s") % {"stage": row["stage"]}))
    return errors


def _precision(what: str) -> Callable[[str], str]:
    return _choice(DatePrecision.values, what)


EVENTS = Schema(
    "journey events",
    (
        Column("case_id", _integer, required=True, help="the testimony's id"),
        Column("event_id", str, help="names the event for the indicators file"),
        Column("position", _integer),
        Column("stage", _choice(Stage.values, "stage"), required=True),
        Column("hte_type", _choice(sorted(set(htcds.HTE_TYPE.values()) - {""}), "HTCDS type")),
        Column("hte_date", _day),
        Column("date_start_precision", _precision("date precision")),
        Column("date_end", _day),
        Column("date_end_precision", _precision("date precision")),
        Column("hte_country", _country),
        Column("hte_city", _text),
        Column("hte_state", _text),
        Column("hte_latitude", _number),
        Column("hte_longitude", _number),
        Column("place_precision", _choice(CoordinatePrecision.values, "place precision")),
        Column("hte_description", _text),
        Column("site_id", _integer),
        Column("organisation_id", _integer),
        Column("per_roleinprocess", _role),
        Column("channel", _choice(RecruitmentChannel.values, "recruitment channel")),
        Column("health_check", _choice(Finding.values, "finding")),
        Column("loyalty_check", _choice(Finding.values, "finding")),
        Column("bribe_paid", _choice(Finding.values, "finding")),
        Column("bribe_amount_usd", _amount),
        Column("months_waited", _integer),
        Column("route", _text),
        Column("border_crossings", _integer),
        Column("documents_held_by", _choice(DocumentHolder.values, "document holder")),
        Column("sector", _choice(IsicSection.values, "ISIC section")),
        Column("deployment_id", _integer),
        Column("exit_kind", _choice(ExitKind.values, "kind of exit")),
        Column("indicators", _indicators),
    ),
    row_checks=(_hte_type, _dates_ordered, _both_coordinates, _stage_fields),
)

INDICATORS = Schema(
    "indicators",
    (
        Column("case_id", _integer),
        Column("event_id", str, required=True),
        Column("indicator", _choice(Indicator.values, "ILO indicator"), required=True),
        Column("passage", _text, required=True),
    ),
)


def _publish_needs_use(row: Row) -> list[tuple[str, str]]:
    if row.get("consent_to_publish") and not row.get("consent_to_use"):
        return [("consent_to_publish", _("consent to publish needs consent to use"))]
    return []


def _case_id(text: str) -> str:
    return _text(text).strip()


# The cases file of --new-testimonies (`cases.csv`): one row per new testimony. The HTCDS
# export's summary columns (vic_…, events, codings) are taken and left unread: the journeys and
# codings come from the events and indicators files.
CASES = Schema(
    "cases",
    (
        Column("case_id", _case_id, required=True, help="the partner's own case id"),
        Column("is_synthetic", _boolean),
        Column("interview_date", _day),
        Column("interview_date_precision", _precision("date precision")),
        Column("interview_country", _country),
        Column("interview_language", _text),
        Column("consent_to_use", _boolean),
        Column("consent_to_publish", _boolean),
        Column("summary", _text),
        *(Column(name.lower(), str) for name in htcds.CASE_COLUMNS[2:]),
        Column("codings", str),
    ),
    row_checks=(_publish_needs_use,),
)


def _with_case_ids(schema: Schema, required: bool) -> Schema:
    """The schema with `case_id` naming a row of the cases file rather than a testimony's id."""
    columns = tuple(
        Column("case_id", _case_id, required=required, help="the case id of the cases file")
        if column.name == "case_id"
        else column
        for column in schema.columns
    )
    return Schema(schema.kind, columns, schema.row_checks)


NEW_EVENTS = _with_case_ids(EVENTS, required=True)
NEW_INDICATORS = _with_case_ids(INDICATORS, required=False)


def _references(
    rows: Sequence[tuple[int, Row]], user: UserLike | None, *, testimonies: bool = True
) -> list[CellError]:
    """Testimonies, sites, organisations and deployments the rows name must exist (and be
    readable by `user`, when one imports through a page)."""
    errors = []
    readable = Testimony.objects.all() if user is None else Testimony.objects.visible_to(user)
    for column, queryset in (
        *((("case_id", readable),) if testimonies else ()),
        ("site_id", Site.objects.all()),
        ("organisation_id", Organisation.objects.all()),
        ("deployment_id", Deployment.objects.all()),
    ):
        wanted = {row[column] for _n, row in rows if row.get(column) is not None}
        found = set(queryset.filter(pk__in=wanted).values_list("pk", flat=True))
        for number, row in rows:
            if row.get(column) is not None and row[column] not in found:
                errors.append(CellError(number, column, f"no record with id {row[column]}"))
    return errors


def import_journeys(
    events_path: Path,
    indicators_path: Path | None = None,
    *,
    replace: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    limits: Limits | None = None,
    user: UserLike | None = None,
    cases_path: Path | None = None,
    level: str = AccessLevel.CONFIDENTIAL,
) -> JourneyImportResult:
    """Import the journeys in `events_path` (and their indicators in `indicators_path`).

    A testimony that already has a journey is refused unless `replace`, which deletes its events
    first. Records the files name are found among those `user` may read (no user: the command
    line, which may name any).

    With `cases_path` (--new-testimonies) every case of that file becomes a new testimony, with
    its own interview source, at `level`; the events and indicators name their case by the cases
    file's `case_id` (any text, such as a partner's own case ids), and every indicator found at
    an event codes the new testimony as telling of it.

    Raises:
        JourneyImportError: listing every bad cell of the files; nothing has been written.
    """
    errors: list[tuple[str, CellError]] = []
    new = cases_path is not None
    cases_rows: list[tuple[int, Row]] = []
    if cases_path is not None:
        if replace:
            raise ValueError("new testimonies have no journey to replace")
        cases_rows, case_errors = _read_cases(cases_path, level, user, limits)
        errors += case_errors
    try:
        events_table = read_table(events_path, limits)
    except TableError as failure:
        raise JourneyImportError(errors + [(events_path.name, e) for e in failure.errors]) from None
    events, bad = validate(events_table, NEW_EVENTS if new else EVENTS)
    errors += [(events_path.name, e) for e in bad]
    checked = {e.row for e in bad}
    clean = [(n, row) for n, row in events if n not in checked]
    if clean and not bad:
        errors += [(events_path.name, e) for e in _references(clean, user, testimonies=not new)]
    if cases_path is not None:
        errors += _cases_told(cases_path.name, cases_rows, events_path.name, events)
    named: dict[str, int] = {}
    for number, row in events:
        if row["event_id"] is None:
            continue
        if row["event_id"] in named:
            errors.append(
                (
                    events_path.name,
                    CellError(number, "event_id", f"also on row {named[row['event_id']]}"),
                )
            )
        named[row["event_id"]] = number
    cases = {row["case_id"] for _n, row in events if row.get("case_id") is not None}
    if not replace and not new and cases:
        told = set(
            JourneyEvent.objects.filter(testimony_id__in=cases).values_list(
                "testimony_id", flat=True
            )
        )
        for number, row in events:
            if row["case_id"] in told:
                errors.append(
                    (
                        events_path.name,
                        CellError(
                            number,
                            "case_id",
                            "this testimony already has a journey (import with --replace to "
                            "replace it)",
                        ),
                    )
                )
                told.discard(row["case_id"])

    passages: dict[str, dict[str, str]] = defaultdict(dict)
    if indicators_path is not None:
        try:
            indicator_table = read_table(indicators_path, limits)
        except TableError as failure:
            raise JourneyImportError(
                errors + [(indicators_path.name, e) for e in failure.errors]
            ) from None
        indicator_rows, bad = validate(indicator_table, NEW_INDICATORS if new else INDICATORS)
        errors += [(indicators_path.name, e) for e in bad]
        for number, row in indicator_rows:
            event_id = row["event_id"]
            if event_id is None:
                continue
            if event_id not in named:
                errors.append(
                    (
                        indicators_path.name,
                        CellError(number, "event_id", "no such event_id in the events file"),
                    )
                )
            elif row["indicator"] in passages[event_id]:
                errors.append(
                    (
                        indicators_path.name,
                        CellError(number, "indicator", "given twice for this event"),
                    )
                )
            elif row["indicator"] is not None and row["passage"] is not None:
                passages[event_id][row["indicator"]] = row["passage"]
    for number, row in events:
        for indicator in row.get("indicators") or []:
            if indicator not in passages.get(row["event_id"] or "", {}):
                errors.append(
                    (
                        events_path.name,
                        CellError(
                            number,
                            "indicators",
                            f"{indicator} has no passage: give it in the indicators file, with "
                            "this row's event_id",
                        ),
                    )
                )
    prepared: list[tuple[JourneyEvent, dict[str, str], Any]] = []
    positions: dict[Any, int] = defaultdict(int)
    if not errors:
        for number, row in events:
            event = JourneyEvent(**_event_fields(row, positions, new=new))
            try:
                event.full_clean(exclude=["testimony"] if new else None, validate_unique=False)
            except ValidationError as failure:
                for name, messages in failure.message_dict.items():
                    column = FIELD_COLUMN.get(name, name if name in EVENTS.names else "")
                    errors += [(events_path.name, CellError(number, column, m)) for m in messages]
            prepared.append((event, passages.get(row["event_id"] or "", {}), row["case_id"]))
    if errors:
        raise JourneyImportError(errors)

    result = JourneyImportResult(testimonies=len(cases), dry_run=dry_run)
    try:
        with transaction.atomic():
            started = timezone.now()
            if replace:
                _total, deleted = JourneyEvent.objects.filter(testimony_id__in=cases).delete()
                result.replaced = deleted.get(JourneyEvent._meta.label, 0)
            if cases_path is not None:
                made = _create_testimonies(cases_path.name, cases_rows, level)
                result.new_testimonies = {case: t.pk for case, t in made.items()}
            for event, found, case in prepared:
                if cases_path is not None:
                    event.testimony = made[case]
                event.save()
                result.events += 1
                for indicator, passage in sorted(found.items()):
                    found_here = JourneyIndicator.objects.create(
                        event=event, indicator=indicator, passage=passage
                    )
                    result.indicators += 1
                    if cases_path is not None:
                        found_here.code_testimony()
                if progress:
                    progress(1)
            result.created = {"journey events": result.events, "indicators": result.indicators}
            if cases_path is not None:
                result.created = {"testimonies": len(made), **result.created}
            if not dry_run:
                record_created_since(started, _("Import of %(file)s") % {"file": events_path.name})
            record(
                Action.IMPORT,
                target_type="journeys",
                detail={
                    "rows": len(events),
                    "created": result.created,
                    "replaced": result.replaced,
                    "new_testimonies": sorted(result.new_testimonies.values()),
                    "level": level if cases_path is not None else None,
                    "dry_run": dry_run,
                },
            )
            if dry_run:
                transaction.set_rollback(True)
    except (IntegrityError, DatabaseError) as error:
        raise JourneyImportError(
            [
                (
                    events_path.name,
                    CellError(
                        0, "", f"the database refused the rows, nothing was written ({error})"
                    ),
                )
            ]
        ) from None
    return result


def _event_fields(row: Row, positions: dict[Any, int], *, new: bool = False) -> dict[str, Any]:
    """A row of the events file as the fields of a JourneyEvent (`new`: its testimony is still
    to be made, and set before the save)."""
    case = row["case_id"]
    position = row["position"] if row["position"] is not None else positions[case]
    positions[case] = max(positions[case], position + 1)
    fields: dict[str, Any] = {
        "testimony_id": None if new else case,
        "position": position,
        "stage": row["stage"],
        "date_start": row["hte_date"],
        "date_start_precision": row["date_start_precision"] or ("day" if row["hte_date"] else ""),
        "date_end": row["date_end"],
        "date_end_precision": row["date_end_precision"] or ("day" if row["date_end"] else ""),
        "country": row["hte_country"] or "",
        "place": row["hte_city"] or "",
        "latitude": row["hte_latitude"],
        "longitude": row["hte_longitude"],
        "place_precision": row["place_precision"] or "",
        "site_id": row["site_id"],
        "organisation_id": row["organisation_id"],
        "organisation_role": row["per_roleinprocess"] or "",
        "documents_held_by": row["documents_held_by"] or "",
        "notes": row["hte_description"] or "",
        "deployment_id": row["deployment_id"],
    }
    for name, empty in STAGE_FIELDS.items():
        if name == "deployment":
            continue
        value = row.get(name)
        fields[name] = _raw(empty) if value is None else value
    return fields


def _read_cases(
    path: Path, level: str, user: UserLike | None, limits: Limits | None
) -> tuple[list[tuple[int, Row]], list[tuple[str, CellError]]]:
    """The rows of the cases file, checked, and every bad cell in it."""
    if level not in AccessLevel.values:
        raise ValueError(f"not an access level: {level}")
    try:
        table = read_table(path, limits)
    except TableError as failure:
        return [], [(path.name, e) for e in failure.errors]
    rows, bad = validate(table, CASES)
    errors = [(path.name, e) for e in bad]
    if user is not None and not (
        isinstance(user, User)
        and user.can(Capability.IMPORT_RECORDS)
        and level in visible_access_levels(user)
    ):
        errors.append(
            (path.name, CellError(0, "", f"you may not create testimonies at the level {level}"))
        )
    named: dict[str, int] = {}
    for number, row in rows:
        case = row["case_id"]
        if case is None:
            continue
        if case in named:
            errors.append((path.name, CellError(number, "case_id", f"also on row {named[case]}")))
        else:
            named[case] = number
        if row.get("interview_date_precision") and row.get("interview_date") is None:
            errors.append(
                (path.name, CellError(number, "interview_date_precision", "no interview_date"))
            )
    if not errors:
        for number, row in rows:
            source, testimony = _new_testimony(path.name, row, level)
            for record, skip in ((source, []), (testimony, ["source"])):
                try:
                    record.full_clean(exclude=skip, validate_unique=False)
                except ValidationError as failure:
                    for name, messages in failure.message_dict.items():
                        column = "--level" if name == "access_level" else name
                        column = column if column in (*CASES.names, "--level") else ""
                        for message in messages:
                            error = (path.name, CellError(number, column, message))
                            if error not in errors:  # the source and the testimony agree
                                errors.append(error)
    return rows, errors


def _cases_told(
    cases_name: str,
    cases_rows: Sequence[tuple[int, Row]],
    events_name: str,
    events: Sequence[tuple[int, Row]],
) -> list[tuple[str, CellError]]:
    """Every event's case must be in the cases file, and every case must have an event."""
    errors = []
    known = {row["case_id"] for _n, row in cases_rows if row["case_id"] is not None}
    told = {row["case_id"] for _n, row in events if row.get("case_id") is not None}
    for number, row in events:
        if row.get("case_id") is not None and row["case_id"] not in known:
            errors.append(
                (
                    events_name,
                    CellError(number, "case_id", f"no case {row['case_id']} in {cases_name}"),
                )
            )
    for number, row in cases_rows:
        if row["case_id"] is not None and row["case_id"] not in told:
            errors.append(
                (
                    cases_name,
                    CellError(number, "case_id", f"this case has no events in {events_name}"),
                )
            )
    return errors


def _new_testimony(file_name: str, row: Row, level: str) -> tuple[Source, Testimony]:
    """The (unsaved) interview source and testimony a row of the cases file describes."""
    synthetic = bool(row.get("is_synthetic"))
    date = row.get("interview_date")
    source = Source(
        kind=SourceKind.INTERVIEW,
        title=f"Imported case {row['case_id']} ({file_name})",
        date=date,
        date_precision=(row.get("interview_date_precision") or "day") if date else "",
        language=row.get("interview_language") or "",
        access_level=level,
        is_synthetic=synthetic,
    )
    testimony = Testimony(
        access_level=level,
        is_synthetic=synthetic,
        interview_date=date,
        interview_date_precision=(row.get("interview_date_precision") or "day") if date else "",
        interview_country=row.get("interview_country") or "",
        consent_to_use=bool(row.get("consent_to_use")),
        consent_to_publish=bool(row.get("consent_to_publish")),
        summary=row.get("summary") or "",
    )
    if row.get("interview_language"):
        testimony.interview_language = row["interview_language"]
    return source, testimony


def _create_testimonies(
    file_name: str, rows: Sequence[tuple[int, Row]], level: str
) -> dict[str, Testimony]:
    """A new source and testimony for every case, by case id."""
    made = {}
    for _number, row in rows:
        source, testimony = _new_testimony(file_name, row, level)
        source.save()
        testimony.source = source
        testimony.save()
        made[row["case_id"]] = testimony
    return made
