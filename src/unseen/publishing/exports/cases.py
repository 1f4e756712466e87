"""The tables of an HTCDS export: cases (testimonies), their journey events and indicators.

At `full` every event goes out as stored (real ids, notes, passages), so the file reads back to
the same journeys (journeys/importing.py). At the controlled levels each testimony is a case
under a fresh pseudonym, and the cases are made k-anonymous on everything a recipient can join
to that pseudonym: the case row and every one of its events (dates, places, sector, recruitment
channel, vetting, exit, indicators), with the least generalisation that leaves every group of
cases at least k strong, and the small groups left suppressed and reported. Free text (notes,
places typed by hand, routes, passages) and references to other records never leave below full.
The public level takes k = max(k, 11), the Counter Trafficking Data Collaborative's practice
(docs/facts/htcds.md).
"""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unseen.core.privacy import generalise as gen
from unseen.core.privacy.kanonymity import (
    Dimension,
    anonymise_joined,
    drop,
    generalise_joined,
    hide,
    joined_as_released,
    keep,
)
from unseen.documentation.models import Finding, Testimony
from unseen.journeys.models import FIELDS_BY_STAGE, STAGE_FIELDS, JourneyEvent
from unseen.registry.models import Person

from .keys import Pseudonymiser
from .results import ExportRefused, ExportResult
from .selection import RELEASED_ACCESS
from .tables import Table

CTDC_K = 11
# As for persons (disclosure.py): above this share of cases suppressed, refuse.
MAX_SUPPRESSED_SHARE = 0.10
BRIBE_BAND = "100"  # USD

CASES, EVENTS, INDICATORS = "htcds_cases", "htcds_events", "htcds_indicators"
TABLES = (CASES, EVENTS, INDICATORS)

CASE_COLUMNS = ["case_id", "is_synthetic", "codings"]
EVENT_COLUMNS = [
    "case_id",
    "event_id",
    "position",
    "stage",
    "date_start",
    "date_start_precision",
    "date_end",
    "date_end_precision",
    "country",
    "place",
    "latitude",
    "longitude",
    "place_precision",
    "site_id",
    "organisation_id",
    "organisation_role",
    *("deployment_id" if name == "deployment" else name for name in STAGE_FIELDS),
    "documents_held_by",
    "notes",
    "indicators",
]
INDICATOR_COLUMNS = ["case_id", "event_id", "indicator", "passage"]


def _year_of(value: str) -> str:
    return value[:4] if value and value != "*" else value


# What a recipient joins to a case's pseudonym, and how each column coarsens. Stage and position
# (the shape of the journey) and the synthetic flag are released as they are, so count as they
# are.
DIMENSIONS = (
    Dimension(
        "period",
        {
            ("event", "date_start"): (keep, _year_of, hide),
            ("event", "date_end"): (keep, _year_of, hide),
        },
    ),
    Dimension(
        "place",
        {("event", "country"): (keep, keep, hide), ("event", "cell"): (keep, drop, drop)},
    ),
    Dimension("sector", {("event", "sector"): (keep, hide)}),
    Dimension(
        "recruitment",
        {("event", "channel"): (keep, hide), ("event", "organisation_role"): (keep, drop)},
    ),
    Dimension(
        "vetting",
        {
            ("event", "health_check"): (keep, hide),
            ("event", "loyalty_check"): (keep, hide),
            ("event", "bribe_paid"): (keep, hide),
            ("event", "bribe_amount_usd"): (keep, drop),
            ("event", "months_waited"): (keep, drop),
        },
    ),
    Dimension(
        "transit",
        {("event", "border_crossings"): (keep, drop), ("event", "documents_held_by"): (keep, hide)},
    ),
    Dimension("exit", {("event", "exit_kind"): (keep, hide)}),
    Dimension(
        "indicators",
        {("event", "indicators"): (keep, drop), ("case", "codings"): (keep, drop)},
    ),
)


@dataclass(frozen=True)
class CaseTables:
    tables: dict[str, Table]
    result: ExportResult


def _events() -> Any:
    return JourneyEvent.objects.in_order().prefetch_related("indicators")


def _present(testimony: Testimony) -> list[str]:
    return sorted(c.indicator for c in testimony.codings.all() if c.finding == Finding.PRESENT)


def _readable(reader: Any) -> Any:
    """The testimonies the export may draw on: all for the operator (no reader), else those the
    reader may read, as a journey is exactly as readable as its testimony."""
    return Testimony.objects.all() if reader is None else Testimony.objects.visible_to(reader)


def full_case_tables(reader: Any = None) -> dict[str, Table]:
    """Every journey as stored, confidential ones included (a full export was approved)."""
    cases: dict[int, dict[str, Any]] = {}
    events, indicators = [], []
    testimonies = {
        t.pk: t
        for t in _readable(reader)
        .filter(journey_events__isnull=False)
        .distinct()
        .prefetch_related("codings")
    }
    for event in _events().filter(testimony_id__in=testimonies):
        testimony = testimonies[event.testimony_id]
        cases.setdefault(
            testimony.pk,
            {
                "case_id": testimony.pk,
                "is_synthetic": testimony.is_synthetic,
                "codings": _present(testimony),
            },
        )
        row = {column: getattr(event, column, None) for column in EVENT_COLUMNS}
        row.update(
            case_id=event.testimony_id,
            event_id=event.pk,
            site_id=event.site_id,
            organisation_id=event.organisation_id,
            deployment_id=event.deployment_id,
            indicators=sorted(i.indicator for i in event.indicators.all()),
        )
        events.append(row)
        for indicator in event.indicators.all():
            indicators.append(
                {
                    "case_id": event.testimony_id,
                    "event_id": event.pk,
                    "indicator": indicator.indicator,
                    "passage": indicator.passage,
                }
            )
    return {
        CASES: Table(CASE_COLUMNS, [cases[pk] for pk in sorted(cases)]),
        EVENTS: Table(EVENT_COLUMNS, events),
        INDICATORS: Table(INDICATOR_COLUMNS, indicators),
    }


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _event_record(event: JourneyEvent, rank: int) -> dict[str, str]:
    """An event's values as a recipient may learn them at the finest level allowed."""
    applies = FIELDS_BY_STAGE.get(event.stage, frozenset())
    point = gen.snap(event.latitude, event.longitude)
    record = {
        "position": str(rank),
        "stage": event.stage,
        "date_start": gen.month(event.date_start, event.date_start_precision),
        "date_end": gen.month(event.date_end, event.date_end_precision),
        "country": event.country,
        "cell": f"{point[0]},{point[1]}" if point else "",
        "organisation_role": event.organisation_role,
        "documents_held_by": event.documents_held_by,
        "indicators": ";".join(sorted(i.indicator for i in event.indicators.all())),
    }
    for name in STAGE_FIELDS:
        if name in ("deployment", "route"):
            # A record of its own and free text: neither leaves below full.
            continue
        value = getattr(event, name)
        if name not in applies:
            value = ""
        elif name == "bribe_amount_usd" and value is not None:
            value = gen.band(str(value), BRIBE_BAND)
        record[name] = _text(value)
    return record


def controlled_case_tables(
    level: str, recipient: str, k: int, override_by: Any, directory: Path, reader: Any = None
) -> CaseTables:
    """The cases of a public or pseudonymised HTCDS export, k-anonymous, and what was done."""
    if level == "public":
        k = max(k, CTDC_K)
    access = RELEASED_ACCESS[level]
    pid = Pseudonymiser(recipient, linkable=False)
    at_level = set(Person.objects.filter(access_level__in=access).values_list("pk", flat=True))
    testimonies = [
        t
        for t in _readable(reader)
        .filter(access_level__in=access, journey_events__isnull=False)
        .distinct()
        .order_by("pk")
        .prefetch_related("codings")
        if t.interviewee_id is None or t.interviewee_id in at_level
    ]
    chosen = {t.pk for t in testimonies}
    journeys: dict[int, list[JourneyEvent]] = {pk: [] for pk in chosen}
    for event in _events().filter(testimony_id__in=chosen):
        journeys[event.testimony_id].append(event)
    individuals = []
    for testimony in testimonies:
        rows: list[tuple[str, dict[str, str]]] = [
            (
                "case",
                {
                    "is_synthetic": "true" if testimony.is_synthetic else "false",
                    "codings": ";".join(_present(testimony)),
                },
            )
        ]
        rows += [
            ("event", _event_record(event, rank))
            for rank, event in enumerate(journeys[testimony.pk])
        ]
        individuals.append(rows)

    overridden = False
    if override_by is not None:
        release = joined_as_released(individuals, DIMENSIONS)
        overridden = release.k < k
    else:
        limit = math.floor(MAX_SUPPRESSED_SHARE * len(individuals))
        release = anonymise_joined(individuals, DIMENSIONS, k, limit)
        if release.refused:
            raise ExportRefused(
                f"k-anonymity not met: even at the coarsest generalisation "
                f"{len(release.suppressed)} of {len(individuals)} testimonies sit in groups "
                f"smaller than k={k} (at most {limit} may be suppressed); nothing written. An "
                "administrator may override with --override-k --approved-by USERNAME, which is "
                "audited"
            )

    cases: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    for index in release.released:
        testimony = testimonies[index]
        generalised = generalise_joined(individuals[index], DIMENSIONS, release.levels)
        case_id = pid("testimony", testimony.pk)
        case, *described = generalised
        cases.append(
            {
                "case_id": case_id,
                "is_synthetic": testimony.is_synthetic,
                "codings": [c for c in case["codings"].split(";") if c],
            }
        )
        for event, values in zip(journeys[testimony.pk], described, strict=True):
            event_id = pid("journeyevent", event.pk)
            row: dict[str, Any] = {column: "" for column in EVENT_COLUMNS}
            row.update({c: v for c, v in values.items() if c in row})
            row.update(case_id=case_id, event_id=event_id, position=int(values["position"]))
            for name in ("date_start", "date_end"):
                row[f"{name}_precision"] = gen.precision_of(values[name])
            if values["cell"]:
                latitude, longitude = values["cell"].split(",")
                row.update(latitude=float(latitude), longitude=float(longitude))
                row["place_precision"] = "grid"
            elif values["country"] and values["country"] != "*":
                row["place_precision"] = "country"
            listed = [i for i in values["indicators"].split(";") if i]
            row["indicators"] = listed
            events.append(row)
            indicators += [
                {"case_id": case_id, "event_id": event_id, "indicator": i, "passage": ""}
                for i in listed
            ]
    cases.sort(key=lambda row: row["case_id"])
    events.sort(key=lambda row: (row["case_id"], row["position"]))
    order = {row["event_id"]: n for n, row in enumerate(events)}
    indicators.sort(key=lambda row: (order[row["event_id"]], row["indicator"]))
    result = ExportResult(
        directory,
        {},
        k=release.k,
        persons=len(individuals),
        suppressed=len(release.suppressed),
        generalisation=release.levels,
        overridden=overridden,
        unit="testimonies",
        k_required=k,
    )
    return CaseTables(
        {
            CASES: Table(CASE_COLUMNS, cases),
            EVENTS: Table(EVENT_COLUMNS, events),
            INDICATORS: Table(INDICATOR_COLUMNS, indicators),
        },
        result,
    )
