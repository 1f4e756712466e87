"""The demo's synthetic testimonies have whole, varied, synthetic journeys (issue 23, ADR 0045)."""

import itertools
import re
from collections import Counter
from pathlib import Path

import pytest

from unseen.documentation.models import (
    Deployment,
    Finding,
    Incident,
    IndicatorCoding,
    Sighting,
    Testimony,
)
from unseen.evidence.models import Claim
from unseen.journeys.models import ExitKind, JourneyEvent, JourneyIndicator, OrganisationRole, Stage

OLD_FIELDS = [
    "recruitment_channel",
    "recruitment_notes",
    "vetting_health_check",
    "vetting_loyalty_check",
    "vetting_notes",
    "bribe_paid",
    "bribe_amount_usd",
    "deployment_notes",
    "control_abroad_notes",
    "outcome",
    "outcome_notes",
]
DEMO = Path(__file__).parents[2] / "src" / "unseen" / "demo"


@pytest.fixture
def journeys(db):
    from unseen.demo import synthetic

    synthetic.generate()
    return {
        testimony: list(testimony.journey_events.order_by("position"))
        for testimony in Testimony.objects.order_by("pk")
    }


def _coarse(event: JourneyEvent, other: JourneyEvent) -> tuple[int, ...]:
    """The start of `event` at the coarser precision of the two: 2019 and May 2019 compare equal."""
    year = "year" in (event.date_start_precision, other.date_start_precision)
    start = event.date_start
    return (start.year,) if year else (start.year, start.month)


def test_every_testimony_has_a_whole_journey_in_order(journeys):
    assert len(journeys) == 20
    for testimony, events in journeys.items():
        stages = [event.stage for event in events]
        assert stages[:4] == [Stage.RECRUITMENT, Stage.VETTING, Stage.DEPARTURE, Stage.TRANSIT]
        assert stages[-1] == Stage.EXIT and events[-1].exit_kind, testimony
        assert 1 <= stages.count(Stage.DEPLOYMENT) <= 3
        assert [event.position for event in events] == list(range(len(events)))
        dated = [event for event in events if event.date_start]
        for before, after in itertools.pairwise(dated):
            assert _coarse(before, after) <= _coarse(after, before), (testimony, after.stage)
        recruitment, vetting, departure, transit = events[:4]
        assert recruitment.channel and recruitment.organisation is not None
        assert recruitment.organisation_role == OrganisationRole.RECRUITER
        assert vetting.months_waited is not None and 3 <= vetting.months_waited <= 18
        if vetting.bribe_paid == Finding.PRESENT:
            assert 100 <= vetting.bribe_amount_usd <= 200  # docs/facts/nk-facts.md §4.1
        else:
            assert vetting.bribe_amount_usd is None
        assert departure.place == "Pyongyang"
        assert transit.route and transit.border_crossings and transit.documents_held_by
        for event in events:
            assert not event.misplaced_fields(), (event.stage, event.misplaced_fields())
            event.full_clean()
            assert "synthetic" in event.notes.lower()
        for deployment in (e for e in events if e.stage == Stage.DEPLOYMENT):
            assert deployment.sector and deployment.country and deployment.date_start_precision
        if events[-1].exit_kind == ExitKind.STILL_ABROAD:
            assert events[-1].date_start is None
        else:
            assert testimony.interview_date > events[-1].date_start  # told after it ended


def test_journeys_are_varied_enough_for_flows_with_k_5(journeys):
    deployments = Counter(
        sum(e.stage == Stage.DEPLOYMENT for e in events) for events in journeys.values()
    )
    assert deployments[3] >= 1 and deployments[2] >= 1 and deployments[1] >= 1
    exits = Counter(events[-1].exit_kind for events in journeys.values())
    assert {
        ExitKind.CONTRACT_END,
        ExitKind.RECALLED,
        ExitKind.ESCAPE,
        ExitKind.DEFECTION,
        ExitKind.STILL_ABROAD,
    } <= set(exits)
    placed = JourneyEvent.objects.filter(stage=Stage.DEPLOYMENT)
    assert len(set(placed.values_list("country", flat=True))) >= 5
    assert {"A", "C", "F", "I"} <= set(placed.values_list("sector", flat=True))
    assert set(placed.values_list("date_start_precision", flat=True)) == {"month", "year"}
    # Channel -> first host country, as a flow: some links rest on 5 testimonies, some on fewer.
    links = Counter(
        (events[0].channel, next(e.country for e in events if e.stage == Stage.DEPLOYMENT))
        for events in journeys.values()
    )
    assert sum(1 for n in links.values() if n >= 5) >= 2
    assert sum(1 for n in links.values() if n < 5) >= 3
    routes = set(JourneyEvent.objects.filter(stage=Stage.TRANSIT).values_list("route", flat=True))
    assert any("via Beijing" in r for r in routes) and any("Vladivostok" in r for r in routes)


def test_indicators_cite_synthetic_passages_and_agree_with_the_coding(journeys):
    indicators = JourneyIndicator.objects.select_related("event__testimony")
    assert indicators.count() >= 40
    assert len(set(indicators.values_list("event__stage", flat=True))) >= 3
    for found in indicators:
        testimony = found.event.testimony
        assert found.passage and "synthetic" in found.passage.lower()
        quote = re.fullmatch(r'Synthetic summary \(demo data\): "(.+)"', found.passage)
        if quote:
            assert quote.group(1) in testimony.summary
        else:
            number = testimony.source.title.split("T-")[1][:2]
            assert f"interview T-{number}, p. " in found.passage
        coding = IndicatorCoding.objects.get(testimony=testimony, indicator=found.indicator)
        assert coding.finding == Finding.PRESENT
    assert indicators.filter(passage__startswith="Synthetic summary").exists()
    for events in journeys.values():
        for event in events:
            if event.stage == Stage.EXPLOITATION:
                assert event.indicators.exists()


def test_only_synthetic_organisations_and_sites_are_in_journeys(journeys):
    events = JourneyEvent.objects.all()
    assert not events.filter(organisation__is_synthetic=False).exists()
    assert not events.filter(site__is_synthetic=False).exists()
    assert not events.filter(deployment__is_synthetic=False).exists()
    for event in events.filter(organisation__isnull=False).select_related("organisation"):
        assert event.organisation.name.startswith("Synthetic ")
        assert event.organisation.name.endswith("(demo data)")


def test_the_old_testimony_journey_fields_are_not_written(journeys):
    present = [f.name for f in Testimony._meta.get_fields() if f.name in OLD_FIELDS]
    for name in present:
        default = Testimony._meta.get_field(name).get_default()
        assert set(Testimony.objects.values_list(name, flat=True)) == {default}, name
    words = "|".join(name for name in OLD_FIELDS if not name.startswith("bribe_"))
    for path in DEMO.glob("*.py"):
        assert not re.search(rf"\b({words})\b", path.read_text()), path.name


def _snapshot() -> list[tuple]:
    rows = []
    for event in JourneyEvent.objects.order_by("testimony__source__title", "position"):
        rows.append(
            (
                event.testimony.source.title,
                event.position,
                event.stage,
                event.date_start,
                event.date_end,
                event.country,
                event.place,
                event.site.name if event.site else "",
                event.organisation.name if event.organisation else "",
                event.channel,
                event.bribe_amount_usd,
                event.months_waited,
                event.route,
                event.sector,
                event.exit_kind,
                sorted(event.indicators.values_list("indicator", "passage")),
            )
        )
    return rows


def test_the_journeys_are_the_same_every_time(db):
    from unseen.demo import synthetic

    synthetic.generate()
    first = _snapshot()
    Claim.objects.all().delete()
    for model in (IndicatorCoding, Incident, Sighting, Testimony, Deployment):
        model.objects.all().delete()
    synthetic.generate()
    assert _snapshot() == first
    assert JourneyEvent.objects.count() == len(first) > 20 * 7
