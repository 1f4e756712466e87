"""Issue #14: records already promoted from public reports stop publishing the reporter's words.

Source titles of public reports carried the place as typed: they are retitled without it. Sightings
promoted from reports get month precision for their dates (the day stays on the submission, for
moderators). Their public place label and description start empty, so public pages show the
country only until someone writes them: copying the reporter's text would publish it again.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Source = apps.get_model("evidence", "Source")
    Sighting = apps.get_model("documentation", "Sighting")
    Submission = apps.get_model("intake", "Submission")
    for source in Source.objects.filter(kind="public_report").only("pk", "date"):
        month = f"{source.date:%Y-%m}" if source.date else "date not given"
        source.title = f"Public report received {month} (source {source.pk})"
        source.save(update_fields=["title"])
    promoted = Submission.objects.filter(sighting__isnull=False).values("sighting_id")
    for sighting in Sighting.objects.filter(pk__in=promoted, observed_precision=""):
        # The historical model has no custom save(): truncate here as Sighting.save() would.
        if sighting.observed_from is not None:
            sighting.observed_from = sighting.observed_from.replace(day=1)
        if sighting.observed_to is not None:
            sighting.observed_to = sighting.observed_to.replace(day=1)
        sighting.observed_precision = "month"
        sighting.save(update_fields=["observed_from", "observed_to", "observed_precision"])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_sealed_uploads"),
        ("documentation", "0006_sighting_public_text"),
        ("evidence", "0002_translated_labels"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
