"""Exports from the web (ADR 0035): the page, its jobs, approvals, expiring audited downloads."""

import datetime as dt
import io
import stat
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from unseen.accounts.roles import Role
from unseen.audit.models import Action, AuditEntry
from unseen.demo.loading import load_demo
from unseen.publishing import exporting
from unseen.publishing.exports import ExportRefused, export
from unseen.publishing.models import ExportApproval, ExportJob

pytestmark = pytest.mark.usefixtures("export_key")


@pytest.fixture(autouse=True)
def exports_area(settings, tmp_path):
    settings.UNSEEN_EXPORTS_DIR = tmp_path / "exports"
    return settings.UNSEEN_EXPORTS_DIR


@pytest.fixture
def demo(db):
    load_demo()


@pytest.fixture
def adam(db):
    """A second administrator, to approve what Alice asks for."""
    return make_user("adam", Role.ADMINISTRATOR, confidential=True)


def post_export(client, **fields):
    data = {"format": "csv", "level": "pseudonymised", "recipient": "", "k": 5, **fields}
    return client.post(reverse("publishing_app:exports"), data)


def run_job(response) -> ExportJob:
    """The job the page queued, run as `unseen worker` would (the queue runs after commit)."""
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ExportJob.objects.latest("pk")
    assert response.url == reverse("publishing_app:export", args=[job.pk])
    return exporting.execute(job.pk)


def exported_entries():
    return AuditEntry.objects.filter(action=Action.EXPORT)


def test_a_pseudonymised_export_from_the_web_reaches_the_k_of_the_command_line(
    demo, client, andy, tmp_path, exports_area
):
    client.force_login(andy)
    job = run_job(post_export(client, recipient="Seoul office"))
    assert job.status == "done", job.error
    cli = export(
        tmp_path / "cli", format="csv", level="pseudonymised", recipient="Seoul office", k=5
    )
    assert job.result["k"] == cli.k >= 5
    assert job.result["persons"] == cli.persons and job.result["suppressed"] == cli.suppressed
    assert job.result["generalisation"] == cli.generalisation
    assert job.result["files"] == cli.files

    zipped = exports_area / job.file_name
    assert stat.S_IMODE(zipped.stat().st_mode) == 0o600
    assert stat.S_IMODE(exports_area.stat().st_mode) == 0o700
    with zipfile.ZipFile(zipped) as archive:
        assert "persons.csv" in archive.namelist()
    assert [p.name for p in exports_area.iterdir()] == [job.file_name]  # the folder is gone
    # The export's own audit entry, as at the command line, names the job and who asked.
    entry = exported_entries().get(detail__job=job.pk, detail__download__isnull=True)
    assert entry.actor == "andy" and entry.detail["requested_by"] == "andy"
    assert entry.detail["smallest_group"] == job.result["k"]

    page = client.get(reverse("publishing_app:exports")).content.decode()
    assert job.sha256[:10] in page and f"{job.result['k']} " in page
    detail = client.get(reverse("publishing_app:export", args=[job.pk])).content.decode()
    assert job.sha256 in detail and "smallest group of persons" in detail


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"recipient": "Seoul office", "k": 1000}, "k-anonymity not met"),
        ({"recipient": ""}, "a pseudonymised export needs --recipient NAME"),
        ({"level": "full", "recipient": "Court"}, "a full export needs an administrator"),
    ],
)
def test_a_refusal_shows_the_commands_message_on_the_form_and_writes_nothing(
    demo, client, andy, exports_area, fields, message
):
    client.force_login(andy)
    response = post_export(client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExportJob.objects.exists()
    assert not exported_entries().exists()
    assert not exports_area.exists() or not any(exports_area.iterdir())


def test_only_administrators_may_override_or_make_linkable(demo, client, andy):
    client.force_login(andy)
    # The fields are not on an analyst's form at all; forged, they are ignored.
    post_export(client, recipient="Seoul office", override_k="on", linkable="on")
    job = ExportJob.objects.get()
    assert not job.override_k and not job.linkable
    with pytest.raises(ExportRefused, match="only an administrator"):
        exporting.check(ExportJob(format="csv", level="public", override_k=True), andy)


def test_the_export_records_capability_is_enforced(demo, rita, andy, tmp_path):
    with pytest.raises(ExportRefused, match="may not export records"):
        export(tmp_path / "a", level="public", requested_by=rita)
    assert not (tmp_path / "a").exists()
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "export", "--level", "public", "--out", str(tmp_path / "b"), "--as", "rita", stderr=err
        )
    assert exited.value.code == 2 and "may not export records" in err.getvalue()
    call_command(
        "export",
        "--level",
        "public",
        "--out",
        str(tmp_path / "c"),
        "--as",
        "andy",
        stdout=io.StringIO(),
    )
    assert exported_entries().get().detail["requested_by"] == "andy"


def test_a_full_export_is_asked_for_approved_by_another_administrator_and_used_once(
    demo, client, andy, alice, adam
):
    client.force_login(andy)
    response = client.post(
        reverse("publishing_app:approval_request"),
        {"request-recipient": "UN Panel of Experts", "request-reason": "case file 2026-14"},
    )
    assert response.status_code == 302
    approval = ExportApproval.objects.get()
    assert approval.state == "pending" and approval.requested_by == andy
    # Pending: not yet leave for anything.
    with pytest.raises(ExportRefused, match="has not been approved"):
        exporting.check(ExportJob(format="csv", level="full", approval=approval), andy)
    # An analyst cannot decide.
    assert (
        client.post(reverse("publishing_app:approval_approve", args=[approval.pk])).status_code
        == 403
    )

    client.force_login(alice)
    assert "case file 2026-14" in client.get(reverse("publishing_app:approvals")).content.decode()
    client.post(reverse("publishing_app:approval_approve", args=[approval.pk]))
    approval.refresh_from_db()
    assert approval.state == "approved" and approval.approved_by == alice
    decision = AuditEntry.objects.get(
        action=Action.UPDATE, target_type="publishing.exportapproval", target_id=str(approval.pk)
    )
    assert decision.actor == "alice" and decision.detail["decision"] == "approved"
    assert AuditEntry.objects.filter(action=Action.CREATE, detail__request=True).count() == 1
    # Alice's own request: she may not approve it; Adam may.
    own = exporting.request_approval(alice, "Court", "subpoena")
    response = client.post(reverse("publishing_app:approval_approve", args=[own.pk]), follow=True)
    assert "another administrator must approve" in response.content.decode()
    own.refresh_from_db()
    assert own.state == "pending"
    exporting.decide(own, adam, approve=True)
    own.refresh_from_db()
    assert own.approved_by == adam
    # Someone else's approval is no leave for andy.
    with pytest.raises(ExportRefused, match="requested by someone else"):
        exporting.check(ExportJob(format="csv", level="full", approval=own), andy)

    client.force_login(andy)
    job = run_job(post_export(client, level="full", approval=approval.pk))
    assert job.status == "done", job.error
    approval.refresh_from_db()
    assert approval.state == "used"
    assert exported_entries().get(detail__job=job.pk).detail["approval"] == approval.pk
    # Used once: no longer offered, and refused if forced.
    response = post_export(client, level="full", approval=approval.pk)
    assert response.status_code == 400
    with pytest.raises(ExportRefused, match="used already"):
        exporting.check(ExportJob(format="csv", level="full", approval=approval), andy)


def test_a_refused_request_is_no_leave(demo, andy, alice):
    approval = exporting.request_approval(andy, "Court", "why")
    exporting.decide(approval, alice, approve=False)
    approval.refresh_from_db()
    assert approval.state == "refused"
    with pytest.raises(ExportRefused, match="was refused"):
        exporting.check(ExportJob(format="csv", level="full", approval=approval), andy)
    with pytest.raises(exporting.ApprovalRefused, match="already been decided"):
        exporting.decide(approval, alice, approve=True)


@pytest.fixture
def done_job(demo, client, andy):
    client.force_login(andy)
    job = run_job(post_export(client, level="public"))
    assert job.status == "done", job.error
    return job


def test_only_the_requester_downloads_others_get_404_and_each_download_is_audited(
    client, done_job, alice
):
    url = reverse("publishing_app:export_download", args=[done_job.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"unseen-export-{done_job.pk}-public-csv.zip" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(body)).namelist()
    entry = exported_entries().get(detail__download=True)
    assert entry.actor == "andy" and entry.target_id == str(done_job.pk)
    assert entry.detail["sha256"] == done_job.sha256 and entry.detail["job"] == done_job.pk
    assert entry.detail["level"] == "public" and entry.detail["format"] == "csv"
    assert "recipient" not in entry.detail

    client.force_login(alice)  # an administrator, but not the requester
    for name in ("export", "export_download", "export_progress"):
        assert client.get(reverse(f"publishing_app:{name}", args=[done_job.pk])).status_code == 404
    assert exported_entries().filter(detail__download=True).count() == 1


def test_an_expired_download_is_refused_and_its_file_deleted(client, done_job, exports_area):
    path = exports_area / done_job.file_name
    assert path.exists()
    ExportJob.objects.filter(pk=done_job.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    url = reverse("publishing_app:export_download", args=[done_job.pk])
    response = client.get(url, follow=True)
    assert "has expired" in response.content.decode()
    assert not path.exists()
    done_job.refresh_from_db()
    assert done_job.purged_at is not None
    assert not exported_entries().filter(detail__download=True).exists()
    assert AuditEntry.objects.filter(action=Action.DELETE, detail__expired=True).count() == 1


def test_unseen_exports_purge_deletes_expired_files(done_job, exports_area, settings):
    out = io.StringIO()
    call_command("exports", "purge", stdout=out)
    assert "0 expired" in out.getvalue()
    ExportJob.objects.filter(pk=done_job.pk).update(expires_at=timezone.now())
    call_command("exports", "purge", stdout=out)
    assert "1 expired" in out.getvalue()
    assert not (exports_area / done_job.file_name).exists()


def test_the_download_expires_after_the_configured_hours(settings, done_job):
    hours = (done_job.expires_at - done_job.finished_at).total_seconds() / 3600
    assert hours == pytest.approx(settings.UNSEEN_EXPORT_DOWNLOAD_HOURS)
