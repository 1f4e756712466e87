"""Starting a run from the page, its progress page and JSON, and the way there from the menu."""

import re

from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from unseen.audit.models import Action, AuditEntry
from unseen.core.linkage import DEFAULT_THRESHOLDS
from unseen.linkage.models import Entity, LinkageRun, RunStatus

from .conftest import person


def test_the_menu_leads_analysts_to_linkage(client, andy, rita):
    client.force_login(andy)
    assert (
        reverse("linkage:list") in client.get(reverse("documentation:dashboard")).content.decode()
    )
    client.force_login(rita)  # researchers do not link records
    assert (
        reverse("linkage:list")
        not in client.get(reverse("documentation:dashboard")).content.decode()
    )


def test_starting_a_run_queues_it_and_enqueues_its_job_after_commit(
    client, andy, roster, interviews, django_capture_on_commit_callbacks
):
    person("Kim Chol", roster)
    person("Kim Cheol", interviews)
    client.force_login(andy)
    form = client.get(reverse("linkage:create")).content.decode()
    assert roster.title in form and f"{Entity.choices[0][1]} {DEFAULT_THRESHOLDS['person']}" in form
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("linkage:create"),
            {"entity": "person", "sources": [roster.pk, interviews.pk], "threshold": "0.6"},
        )
    run = LinkageRun.objects.get()
    assert response.url == reverse("linkage:detail", args=[run.pk])
    assert (run.status, run.started_by, run.threshold) == (RunStatus.QUEUED, andy, 0.6)
    assert run.review_low < 0.6 < run.review_high
    client.post(reverse("linkage:create"), {"entity": "site", "sources": [roster.pk]})
    assert LinkageRun.objects.get(entity="site").threshold == DEFAULT_THRESHOLDS["site"]
    assert sorted(run.sources.values_list("pk", flat=True)) == [roster.pk, interviews.pk]
    assert AuditEntry.objects.filter(action=Action.CREATE, target_type="linkage.linkagerun")
    # The job is queued only once the run is committed: a worker must find the run it is for.
    assert not DBTaskResult.objects.exists()
    for callback in callbacks:
        callback()
    (job,) = DBTaskResult.objects.filter(args_kwargs__args=[run.pk])
    assert (job.task_path, job.status) == ("unseen.linkage.tasks.run_linkage", "READY")


def test_a_bad_start_writes_nothing(client, andy, roster):
    person("Kim Chol", roster)
    client.force_login(andy)
    for data in (
        {"entity": "person", "sources": [], "threshold": "0.5"},
        {"entity": "person", "sources": [roster.pk], "threshold": "1.5"},
        {"entity": "alien", "sources": [roster.pk], "threshold": "0.5"},
        {"entity": "person", "sources": [roster.pk], "threshold": "0.5", "review_low": "0.7"},
    ):
        response = client.post(reverse("linkage:create"), data)
        assert response.status_code == 200, data
    assert not LinkageRun.objects.exists()


def test_the_progress_page_polls_from_a_static_script_and_the_json_names_no_record(
    client, andy, roster
):
    run = LinkageRun.objects.create(
        entity="person", threshold=0.5, review_low=0.1, review_high=0.9, started_by=andy,
        status=RunStatus.RUNNING, stage="training", fraction=0.42,
    )  # fmt: skip
    client.force_login(andy)
    page = client.get(reverse("linkage:detail", args=[run.pk])).content.decode()
    assert 'value="0.42"' in page and "training the model" in page
    assert reverse("linkage:progress", args=[run.pk]) in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert all("src=" in attributes or 'type="application/json"' in attributes
               for attributes, _ in scripts)  # fmt: skip
    assert any("ui/progress.js" in attributes for attributes, _ in scripts)
    document = client.get(reverse("linkage:progress", args=[run.pk])).json()
    assert document == {
        "status": "running",
        "status_label": "Running",
        "stage": "training",
        "stage_label": "training the model (no labels needed)",
        "fraction": 0.42,
        "finished": False,
        "stalled": False,
        "cancelling": False,
        "error": "",
    }


def test_a_run_silent_for_too_long_is_shown_as_stalled(client, andy):
    import datetime as dt

    from django.utils import timezone

    run = LinkageRun.objects.create(
        entity="person", threshold=0.5, review_low=0.1, review_high=0.9, started_by=andy,
        status=RunStatus.RUNNING, heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )  # fmt: skip
    client.force_login(andy)
    assert client.get(reverse("linkage:progress", args=[run.pk])).json()["stalled"] is True
    page = client.get(reverse("linkage:detail", args=[run.pk])).content.decode()
    assert "data-rerun" in page


def test_the_run_list_shows_runs_the_user_may_read(client, andy, alice):
    mine = LinkageRun.objects.create(
        entity="site", threshold=0.5, review_low=0.1, review_high=0.9, started_by=andy
    )
    secret = LinkageRun.objects.create(
        entity="person", threshold=0.5, review_low=0.1, review_high=0.9, started_by=alice,
        access_level="confidential",
    )  # fmt: skip
    client.force_login(andy)
    page = client.get(reverse("linkage:list")).content.decode()
    assert reverse("linkage:detail", args=[mine.pk]) in page
    assert reverse("linkage:detail", args=[secret.pk]) not in page


def test_a_run_whose_job_the_queue_refuses_fails_at_once(
    client, andy, roster, settings, django_capture_on_commit_callbacks
):
    person("Kim Chol", roster)
    # A queue that takes no job of the default queue: enqueuing is refused.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["elsewhere"]}
    }
    client.force_login(andy)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("linkage:create"), {"entity": "person", "sources": [roster.pk]})
    run = LinkageRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert run.error == "the job could not be queued: InvalidTaskError"
    assert not DBTaskResult.objects.exists()
    page = client.get(reverse("linkage:detail", args=[run.pk])).content.decode()
    assert "The run failed." in page and "the job could not be queued: InvalidTaskError" in page
