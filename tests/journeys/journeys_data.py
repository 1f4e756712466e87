"""Synthetic testimonies with journeys, shared by the HTCDS export and import tests."""

import datetime as dt
from decimal import Decimal

from unseen.documentation.models import Testimony
from unseen.evidence.models import Source
from unseen.journeys.models import JourneyEvent, JourneyIndicator

_made = [0]


def make_testimony(access_level: str = "internal") -> Testimony:
    _made[0] += 1
    source = Source.objects.create(
        kind="interview",
        title=f"Synthetic interview {_made[0]}",
        access_level=access_level,
        is_synthetic=True,
    )
    return Testimony.objects.create(source=source, access_level=access_level, is_synthetic=True)


def journey(
    testimony: Testimony,
    *,
    month: int = 3,
    host: str = "RU",
    channel: str = "state_assignment",
    exit_kind: str = "escape",
) -> list[JourneyEvent]:
    """Recruitment, vetting, departure, transit, deployment, exploitation and exit (synthetic)."""
    event = JourneyEvent.objects.create
    events = [
        event(
            testimony=testimony,
            position=0,
            stage="recruitment",
            channel=channel,
            date_start=dt.date(2016, month, 1),
            date_start_precision="month",
            country="KP",
            place="Pyongyang",
            place_precision="city",
            organisation_role="recruiter",
            notes="Chosen through the workplace (synthetic).",
        ),
        event(
            testimony=testimony,
            position=1,
            stage="vetting",
            health_check="present",
            loyalty_check="present",
            bribe_paid="present",
            bribe_amount_usd=Decimal("300.00"),
            months_waited=8,
        ),
        event(testimony=testimony, position=2, stage="departure", route="By train (synthetic)"),
        event(
            testimony=testimony,
            position=3,
            stage="transit",
            border_crossings=1,
            documents_held_by="manager",
            country="CN",
        ),
        event(
            testimony=testimony,
            position=4,
            stage="deployment",
            sector="F",
            country=host,
            place="A port city",
            latitude=43.1,
            longitude=131.9,
            place_precision="city",
            date_start=dt.date(2016, 11, 1),
            date_start_precision="month",
            date_end=dt.date(2018, 1, 1),
            date_end_precision="year",
        ),
        event(testimony=testimony, position=5, stage="exploitation", country=host),
        event(
            testimony=testimony,
            position=7,
            stage="exit",
            exit_kind=exit_kind,
            date_start=dt.date(2018, 6, 12),
            date_start_precision="day",
        ),
    ]
    JourneyIndicator.objects.create(
        event=events[5],
        indicator="retention_of_documents",
        passage="=The manager kept our passports (synthetic), p. 4",
    )
    JourneyIndicator.objects.create(
        event=events[5], indicator="excessive_overtime", passage="We worked 14 hours (synthetic)."
    )
    return events


def snapshot(testimony_ids) -> list[tuple]:
    """Every event and indicator of these testimonies, without database ids."""
    skip = {"id", "testimony"}
    out = []
    for event in JourneyEvent.objects.filter(testimony_id__in=testimony_ids).in_order():
        values = tuple(
            (f.attname, getattr(event, f.attname))
            for f in JourneyEvent._meta.concrete_fields
            if f.name not in skip
        )
        indicators = tuple((i.indicator, i.passage) for i in event.indicators.all())
        out.append((event.testimony_id, values, indicators))
    return out
