"""Synthetic testimonies with journeys, for the flows tests (labelled synthetic)."""

import datetime as dt

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Testimony
from unseen.journeys.models import JourneyEvent, JourneyIndicator


def told(
    n,
    *,
    channel="state_assignment",
    host="RU",
    sector="F",
    exit_kind="contract_end",
    level=AccessLevel.PUBLIC,
    indicator="",
    start=2015,
    more=(),
    consent=True,
):
    """n synthetic testimonies, each with a recruitment, vetting, deployment and exit."""
    made = []
    for i in range(n):
        source = factories.source(
            f"Synthetic interview {channel} {i}", kind="interview", access_level=level
        )
        t = Testimony.objects.create(
            source=source,
            access_level=level,
            is_synthetic=True,
            consent_to_use=consent,
            consent_to_publish=consent,
        )
        JourneyEvent.objects.create(
            testimony=t, position=0, stage="recruitment", channel=channel, country="KP"
        )
        JourneyEvent.objects.create(
            testimony=t,
            position=1,
            stage="vetting",
            health_check="present",
            months_waited=6 + i % 5,
        )
        deployed = JourneyEvent.objects.create(
            testimony=t,
            position=2,
            stage="deployment",
            country=host,
            sector=sector,
            date_start=dt.date(start, 3, 1),
            date_start_precision="month",
            date_end=dt.date(start + 2, 3, 1),
            date_end_precision="month",
        )
        for position, (country, section) in enumerate(more, start=10):
            JourneyEvent.objects.create(
                testimony=t, position=position, stage="deployment", country=country, sector=section
            )
        JourneyEvent.objects.create(
            testimony=t,
            position=20,
            stage="exit",
            exit_kind=exit_kind,
            date_start=dt.date(start + 2, 4, 1),
            date_start_precision="month",
        )
        if indicator:
            JourneyIndicator.objects.create(
                event=deployed, indicator=indicator, passage="p. 3 (synthetic)"
            )
        made.append(t)
    return made
