"""The move of a testimony's journey fields into events keeps every value (journeys 0002)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("journeys", "0001_initial")]

# Every old field set, and one testimony that told nothing.
TOLD = {
    "recruitment_channel": "state_assignment",
    "recruitment_notes": "Chosen through the workplace party committee (synthetic).",
    "vetting_health_check": "present",
    "vetting_loyalty_check": "absent",
    "vetting_notes": "Waited eight months (synthetic).",
    "bribe_paid": "present",
    "bribe_amount_usd": Decimal("300.00"),
    "deployment_notes": "Construction in the Far East (synthetic).",
    "control_abroad_notes": "Passports kept by the manager (synthetic).",
    "outcome": "escaped",
    "outcome_notes": "Left the dormitory at night (synthetic).",
}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_every_old_journey_value_becomes_an_event_and_comes_back():
    old = _migrate(BEFORE)
    Source = old.get_model("evidence", "Source")
    Testimony = old.get_model("documentation", "Testimony")
    told = Testimony.objects.create(
        source=Source.objects.create(kind="interview", title="Synthetic interview A"), **TOLD
    )
    silent = Testimony.objects.create(
        source=Source.objects.create(kind="interview", title="Synthetic interview B")
    )
    partial = Testimony.objects.create(
        source=Source.objects.create(kind="interview", title="Synthetic interview C"),
        outcome="still_abroad",
    )
    try:
        new = _migrate(_leaves())
        events_model = new.get_model("journeys", "JourneyEvent")
        events = list(events_model.objects.filter(testimony_id=told.pk).order_by("position"))
        assert [e.stage for e in events] == [
            "recruitment",
            "vetting",
            "deployment",
            "exploitation",
            "exit",
        ]
        assert [e.position for e in events] == [0, 1, 2, 3, 4]
        recruitment, vetting, deployment, exploitation, exit_ = events
        assert recruitment.channel == TOLD["recruitment_channel"]
        assert recruitment.notes == TOLD["recruitment_notes"]
        assert (vetting.health_check, vetting.loyalty_check, vetting.bribe_paid) == (
            "present",
            "absent",
            "present",
        )
        assert vetting.bribe_amount_usd == TOLD["bribe_amount_usd"]
        assert vetting.notes == TOLD["vetting_notes"]
        assert deployment.notes == TOLD["deployment_notes"]
        assert exploitation.notes == TOLD["control_abroad_notes"]
        assert (exit_.exit_kind, exit_.notes) == ("escape", TOLD["outcome_notes"])
        assert not events_model.objects.filter(testimony_id=silent.pk).exists()
        assert list(
            events_model.objects.filter(testimony_id=partial.pk).values_list("stage", "exit_kind")
        ) == [("exit", "still_abroad")]
    finally:
        # Back to before the move and forward again: the reverse restores the fields.
        back = _migrate(BEFORE)
        restored = back.get_model("documentation", "Testimony").objects.get(pk=told.pk)
        assert {name: getattr(restored, name) for name in TOLD} == TOLD
        _migrate(_leaves())
