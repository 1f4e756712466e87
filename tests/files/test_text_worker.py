"""OCR on the queue (`unseen.jobs`): asked for on the file page, run by `unseen worker`, shown on
the page with its progress document, and cancelled while queued."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.core.media import samples
from unseen.core.media import text
from unseen.files import storing
from unseen.files.models import EvidenceFile, TextJob, TextState
from unseen.jobs.models import JobStatus
from unseen.registry import keys

# The worker closes connections it finds in a transaction, as a real worker should (see
# tests/linkage/test_jobs.py): these tests commit for real.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not text.tesseract_available(), reason="needs tesseract with kor and eng"),
]


@pytest.fixture(autouse=True)
def fresh_keys():
    keys.forget_cached_keys()


def scan(user) -> EvidenceFile:
    out = io.BytesIO()
    samples.text_image(["여권압수 임금체불"], fontsize=16).save(out, "PNG")
    return storing.receive([out.getvalue()], name="scan.png", user=user).file


def work() -> None:
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_the_worker_reads_a_scan_queued_from_its_page(client, rita):
    file = scan(rita)
    client.force_login(rita)
    page = reverse("files:detail", args=[file.pk])
    client.post(reverse("files:ocr", args=[file.pk]))
    (job,) = TextJob.objects.filter(file=file)
    assert job.status == JobStatus.QUEUED
    shown = client.get(page).content.decode()
    assert "data-progress-url" in shown and "ui/progress.js" in shown
    assert client.get(reverse("files:ocr_progress", args=[file.pk])).json()["status"] == "queued"
    work()
    job.refresh_from_db()
    assert (job.status, job.fraction, job.error) == (JobStatus.DONE, 1.0, "")
    (task,) = DBTaskResult.objects.all()
    assert (task.status, task.return_value) == ("SUCCESSFUL", "done")
    progress = client.get(reverse("files:ocr_progress", args=[file.pk])).json()
    assert progress["finished"] and progress["fraction"] == 1.0
    shown = client.get(page).content.decode()
    assert "여권압수" in shown.replace(" ", "") and "data-progress-url" not in shown
    assert EvidenceFile.objects.get(pk=file.pk).text_state == TextState.OCR_DONE


def test_a_job_cancelled_while_queued_never_runs(client, rita):
    file = scan(rita)
    client.force_login(rita)
    client.post(reverse("files:ocr", args=[file.pk]))
    client.post(reverse("files:ocr_cancel", args=[file.pk]))
    work()
    (job,) = TextJob.objects.filter(file=file)
    assert job.status == JobStatus.CANCELLED and job.started_at is None
    assert EvidenceFile.objects.get(pk=file.pk).text_state == TextState.NONE
    assert not file.text_segments.exists()
