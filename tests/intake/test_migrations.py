"""The #14 data migration: records promoted before the fix stop publishing the reporter's words."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("intake", "0003_sealed_uploads"), ("documentation", "0006_sighting_public_text")]
AFTER = [("intake", "0004_reports_published_as_moderated")]
CANARY = "17 Lenina St, Vladivostok, entrance B, 43.11522,131.88551"


@pytest.mark.django_db(transaction=True)
def test_it_retitles_report_sources_and_coarsens_promoted_dates():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Source = apps.get_model("evidence", "Source")
    Sighting = apps.get_model("documentation", "Sighting")
    Submission = apps.get_model("intake", "Submission")
    source = Source.objects.create(
        kind="public_report",
        title=f"Public report received 2026-11 ({CANARY[:80]})",
        date=dt.date(2026, 11, 1),
        access_level="public",
    )
    promoted = Sighting.objects.create(
        description="as typed",
        place=CANARY,
        observed_from=dt.date(2026, 11, 14),
        observed_to=dt.date(2026, 11, 16),
        access_level="public",
    )
    typed_by_staff = Sighting.objects.create(
        description="staff", observed_from=dt.date(2020, 3, 9), access_level="public"
    )
    Submission.objects.create(description="as typed", place=CANARY, sighting=promoted)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Source = apps.get_model("evidence", "Source")
    Sighting = apps.get_model("documentation", "Sighting")
    assert Source.objects.get(pk=source.pk).title == (
        f"Public report received 2026-11 (source {source.pk})"
    )
    promoted = Sighting.objects.get(pk=promoted.pk)
    assert (promoted.observed_from, promoted.observed_to) == (dt.date(2026, 11, 1),) * 2
    assert promoted.observed_precision == "month"
    assert promoted.public_place_label == "" and promoted.public_description == ""
    untouched = Sighting.objects.get(pk=typed_by_staff.pk)
    assert (untouched.observed_from, untouched.observed_precision) == (dt.date(2020, 3, 9), "")
