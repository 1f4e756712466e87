"""Linkage runs on the queue (`unseen.jobs`): enqueued when committed, run by `unseen worker`
from the database queue (here in this process, `--batch`), cancelled from their page while
queued or between stages while running, and failures shown on the page."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from unseen.audit.models import Action, AuditEntry
from unseen.linkage.models import ClusterMember, LinkageRun, RunStatus
from unseen.linkage.running import start_run

from .conftest import person

# The worker closes connections it finds in a transaction (close_old_connections), as a real
# worker should. On PostgreSQL that would close the test's own connection inside the test's
# transaction, so these tests commit for real (SQLite's in-memory test database is never closed).
pytestmark = pytest.mark.django_db(transaction=True)


def queue(user, sources, django_capture_on_commit_callbacks) -> LinkageRun:
    """Start a run as the page does, and commit it: its job is on the queue."""
    with django_capture_on_commit_callbacks(execute=True):
        return start_run(
            entity="person", sources=sources, threshold=0.5, review_low=0.1, review_high=0.9,
            user=user,
        )  # fmt: skip


def work() -> None:
    """What `unseen worker --batch` does: run every queued job, then stop."""
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.fixture
def listed(roster, interviews):
    for north, south in (("RI Chol Su", "Lee Chul-soo"), ("KIM Yong Ho", "Kim Yong-ho")):
        person(north, roster, birth_date="1984-03-02")
        person(south, interviews, birth_date="1984-03-02")
    return [roster, interviews]


def test_the_worker_runs_a_queued_run_to_the_end(andy, listed, django_capture_on_commit_callbacks):
    run = queue(andy, listed, django_capture_on_commit_callbacks)
    assert LinkageRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    work()
    run.refresh_from_db()
    assert (run.status, run.stage, run.fraction, run.error) == (RunStatus.DONE, "done", 1.0, "")
    assert run.members.count() == 4
    (job,) = DBTaskResult.objects.all()
    assert (job.status, job.return_value) == ("SUCCESSFUL", "done")


def test_a_queued_run_cancelled_from_its_page_never_runs(
    client, andy, listed, django_capture_on_commit_callbacks
):
    run = queue(andy, listed, django_capture_on_commit_callbacks)
    client.force_login(andy)
    page = client.get(reverse("linkage:detail", args=[run.pk])).content.decode()
    assert reverse("linkage:cancel", args=[run.pk]) in page and "data-cancel-run" in page
    response = client.post(reverse("linkage:cancel", args=[run.pk]))
    assert response.url == reverse("linkage:detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and run.cancel_requested_at is not None
    work()  # the job is still on the queue: it finds the run cancelled and leaves it
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and run.started_at is None
    assert not ClusterMember.objects.exists()
    assert DBTaskResult.objects.get().return_value == "cancelled"
    page = client.get(reverse("linkage:detail", args=[run.pk])).content.decode()
    assert "The run was cancelled." in page and "It had not started." in page
    assert "data-cancel-run" not in page and "data-rerun" in page
    assert AuditEntry.objects.filter(
        action=Action.UPDATE, target_type="linkage.linkagerun", detail__status="cancelled"
    ).exists()
    assert client.get(reverse("linkage:progress", args=[run.pk])).json()["finished"] is True


def test_a_running_run_cancelled_stops_at_its_next_stage(
    client, andy, listed, django_capture_on_commit_callbacks
):
    run = queue(andy, listed, django_capture_on_commit_callbacks)
    client.force_login(andy)
    pressed = []

    def press_cancel_once_running(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        # The worker has just claimed the run (queued → running): an analyst presses Cancel
        # now, from the page, while the job is gathering.
        if (
            not pressed
            and sql.startswith('UPDATE "linkage_linkagerun"')
            and {"running", "queued"} <= set(params or ())
        ):
            pressed.append(client.post(reverse("linkage:cancel", args=[run.pk])))
        return result

    with connection.execute_wrapper(press_cancel_once_running):
        work()
    assert pressed, "the job never claimed the run"
    assert pressed[0].url == reverse("linkage:detail", args=[run.pk])
    assert LinkageRun.objects.filter(pk=run.pk, cancel_requested_at__isnull=False).exists()
    run.refresh_from_db()
    assert (run.status, run.stage) == (RunStatus.CANCELLED, "gathering")
    assert run.started_at is not None and run.finished_at is not None
    assert not run.members.exists() and not run.reviews.exists()
    page = client.get(reverse("linkage:detail", args=[run.pk])).content.decode()
    assert "The run was cancelled." in page and "It stopped while gathering records" in page


def test_cancelling_a_run_that_has_ended_changes_nothing(
    client, andy, listed, django_capture_on_commit_callbacks
):
    run = queue(andy, listed, django_capture_on_commit_callbacks)
    work()
    client.force_login(andy)
    client.post(reverse("linkage:cancel", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.cancel_requested_at is None
    page = client.get(reverse("linkage:detail", args=[run.pk]), follow=True).content.decode()
    assert "data-cancel-run" not in page


def test_a_failed_run_shows_why_on_its_page(
    client, andy, alice, listed, django_capture_on_commit_callbacks
):
    run = queue(andy, listed, django_capture_on_commit_callbacks)
    andy.role = "researcher"
    andy.save()
    work()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    client.force_login(alice)
    page = client.get(reverse("linkage:detail", args=[run.pk])).content.decode()
    assert "The run failed." in page
    assert "the user who started this run may no longer link records" in page
    document = client.get(reverse("linkage:progress", args=[run.pk])).json()
    assert (document["status"], document["finished"]) == ("failed", True)
    assert "data-cancel-run" not in page and "data-rerun" in page
