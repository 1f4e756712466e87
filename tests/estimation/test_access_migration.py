"""The data migrations of issue 14 recompute existing runs' levels from their inputs.

They are run here on today's models (the fields they fill exist in both), which is what the
migration sees on a database made before it.
"""

import importlib

from django.apps import apps
from django.utils import timezone

from tests import factories
from tests.linkage.conftest import finished_run, person
from unseen.accounts.models import AccessLevel
from unseen.estimation.models import EstimateRun
from unseen.linkage.models import LinkageRun, RunStatus

estimation = importlib.import_module("unseen.estimation.migrations.0004_derived_access")
linkage = importlib.import_module("unseen.linkage.migrations.0002_derived_access")


def as_before(model, pk, **fields):
    """A row as the code before issue 14 left it: no inputs recorded, its level as it was."""
    model.objects.filter(pk=pk).update(derived_from=[], **fields)


def test_a_published_estimate_from_confidential_lists_is_withdrawn_and_made_confidential(db):
    roster = factories.source("Roster", access_level=AccessLevel.PUBLIC)
    secret = factories.source("Secret list", access_level=AccessLevel.CONFIDENTIAL)
    run = factories.estimate_run(access_level=AccessLevel.PUBLIC)
    lists = [f"S{roster.pk} Roster", f"S{secret.pk} Secret list"]
    as_before(EstimateRun, run.pk, lists=lists, published=True, published_at=timezone.now())
    uploaded = factories.estimate_run("Uploaded, published", access_level=AccessLevel.PUBLIC)
    as_before(EstimateRun, uploaded.pk, published=True, published_at=timezone.now())

    estimation.derive(apps, None)

    run.refresh_from_db()
    assert not run.published and run.published_at is None
    assert run.access_level == run.input_access_level == AccessLevel.CONFIDENTIAL
    assert [e["pk"] for e in run.derived_from] == [roster.pk, secret.pk]
    # An uploaded table's level was never kept: its publication stands as its declaration.
    uploaded.refresh_from_db()
    assert uploaded.published and uploaded.access_level == AccessLevel.PUBLIC


def test_a_failed_linkage_run_over_a_confidential_source_becomes_confidential(db, andy):
    secret = factories.source("Secret list", access_level=AccessLevel.CONFIDENTIAL)
    run = finished_run(andy, [secret], [[person("X", secret)]])
    as_before(LinkageRun, run.pk, status=RunStatus.FAILED, access_level=AccessLevel.INTERNAL)

    linkage.derive(apps, None)

    run.refresh_from_db()
    assert run.access_level == AccessLevel.CONFIDENTIAL
    assert run.derived_from[0]["pk"] == secret.pk
