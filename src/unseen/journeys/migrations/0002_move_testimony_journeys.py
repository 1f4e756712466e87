"""Move each testimony's journey fields into journey events, keeping every value (ADR 0045).

One event per stage the old fields told of, in the order lived: recruitment (channel, notes),
vetting (the checks, the bribe, notes), deployment (notes), exploitation (the notes on control
abroad) and exit (the outcome, notes). A stage with nothing known makes no event. The reverse
puts the first event of each stage back into the fields.
"""

from django.db import migrations

UNKNOWN = "unknown"
EXIT_FROM_OUTCOME = {
    "returned": "contract_end",
    "recalled": "recalled",
    "escaped": "escape",
    "still_abroad": "still_abroad",
}
OUTCOME_FROM_EXIT = {
    "contract_end": "returned",
    "recalled": "recalled",
    "escape": "escaped",
    "defection": "escaped",
    "still_abroad": "still_abroad",
}


def events_of(testimony):
    """The events the old fields describe, as (stage, fields) in the order lived."""
    t = testimony
    if t.recruitment_channel != UNKNOWN or t.recruitment_notes:
        channel = "" if t.recruitment_channel == UNKNOWN else t.recruitment_channel
        yield "recruitment", {"channel": channel, "notes": t.recruitment_notes}
    checks = (t.vetting_health_check, t.vetting_loyalty_check, t.bribe_paid)
    if any(c != UNKNOWN for c in checks) or t.bribe_amount_usd is not None or t.vetting_notes:
        yield (
            "vetting",
            {
                "health_check": t.vetting_health_check,
                "loyalty_check": t.vetting_loyalty_check,
                "bribe_paid": t.bribe_paid,
                "bribe_amount_usd": t.bribe_amount_usd,
                "notes": t.vetting_notes,
            },
        )
    if t.deployment_notes:
        yield "deployment", {"notes": t.deployment_notes}
    if t.control_abroad_notes:
        yield "exploitation", {"notes": t.control_abroad_notes}
    if t.outcome != UNKNOWN or t.outcome_notes:
        yield "exit", {"exit_kind": EXIT_FROM_OUTCOME.get(t.outcome, ""), "notes": t.outcome_notes}


def forwards(apps, schema_editor):
    Testimony = apps.get_model("documentation", "Testimony")
    JourneyEvent = apps.get_model("journeys", "JourneyEvent")
    batch = []
    for testimony in Testimony.objects.order_by("pk").iterator():
        for position, (stage, fields) in enumerate(events_of(testimony)):
            batch.append(
                JourneyEvent(testimony_id=testimony.pk, position=position, stage=stage, **fields)
            )
        if len(batch) >= 1000:
            JourneyEvent.objects.bulk_create(batch)
            batch = []
    JourneyEvent.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    Testimony = apps.get_model("documentation", "Testimony")
    JourneyEvent = apps.get_model("journeys", "JourneyEvent")
    firsts = {}
    for event in JourneyEvent.objects.order_by("testimony_id", "position", "id"):
        firsts.setdefault((event.testimony_id, event.stage), event)
    for testimony in Testimony.objects.iterator():

        def first(stage, pk=testimony.pk):
            return firsts.get((pk, stage))

        if event := first("recruitment"):
            testimony.recruitment_channel = event.channel or UNKNOWN
            testimony.recruitment_notes = event.notes
        if event := first("vetting"):
            testimony.vetting_health_check = event.health_check
            testimony.vetting_loyalty_check = event.loyalty_check
            testimony.bribe_paid = event.bribe_paid
            testimony.bribe_amount_usd = event.bribe_amount_usd
            testimony.vetting_notes = event.notes
        if event := first("deployment"):
            testimony.deployment_notes = event.notes
        if event := first("exploitation"):
            testimony.control_abroad_notes = event.notes
        if event := first("exit"):
            testimony.outcome = OUTCOME_FROM_EXIT.get(event.exit_kind, UNKNOWN)
            testimony.outcome_notes = event.notes
        testimony.save()
    JourneyEvent.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("journeys", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
