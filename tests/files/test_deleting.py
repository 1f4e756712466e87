"""An original is deleted only on a request with a reason, by an administrator's command (#19)."""

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.log import verify
from unseen.audit.models import Action, AuditEntry
from unseen.files import custody, deleting, storing
from unseen.files.models import Attachment, EvidenceFile, WorkingCopy
from unseen.registry import keys

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_keys():
    keys.forget_cached_keys()


@pytest.fixture
def source(db):
    return factories.source("Leaked roster", access_level=AccessLevel.INTERNAL)


@pytest.fixture
def photo(rita, source):
    file = storing.receive([factories.jpeg_with_gps()], name="site.jpg", user=rita).file
    storing.attach(file, source, rita)
    return file


def on_disk(settings) -> list[str]:
    root = settings.UNSEEN_FILES_DIR
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("files", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_a_request_is_a_custody_event_with_its_reason_and_removes_nothing(settings, rita, photo):
    before = on_disk(settings)
    entry = deleting.request_deletion(photo, rita, "  uploaded to the wrong case  ")
    assert entry.action == Action.FILE_DELETE_REQUEST and entry.actor == "rita"
    assert entry.detail == {"sha256": photo.sha256, "reason": "uploaded to the wrong case"}
    assert on_disk(settings) == before and EvidenceFile.objects.filter(pk=photo.pk).exists()
    assert [e.entry for e in custody.report(photo)][-1] == entry
    assert deleting.requests(photo) == [entry]


def test_a_request_needs_a_reason_and_the_editing_capability(rita, andy, photo):
    with pytest.raises(deleting.DeletionRefused, match="Say why"):
        deleting.request_deletion(photo, rita, "   ")
    with pytest.raises(PermissionDenied):
        deleting.request_deletion(photo, andy, "I do not like it")
    assert deleting.requests(photo) == []


def test_the_command_refuses_a_file_nobody_asked_to_delete(settings, photo):
    code, _, err = run("delete", photo.code, "--confirm")
    assert code == 2 and "nobody has asked" in err
    assert EvidenceFile.objects.filter(pk=photo.pk).exists()
    assert storing.blob_path(photo.blob).exists()


def test_without_confirm_the_command_only_shows_what_would_go(rita, photo):
    deleting.request_deletion(photo, rita, "duplicate of a better scan")
    code, out, err = run("delete", str(photo.pk))
    assert code == 2 and "add --confirm" in err
    assert 'rita\treason: "duplicate of a better scan"' in out
    assert f"would delete {photo.code}\tsha256 {photo.sha256}" in out and "1 working copies" in out
    assert EvidenceFile.objects.filter(pk=photo.pk).exists()


def test_an_administrators_confirmed_deletion_removes_blobs_and_rows_and_is_audited(
    settings, rita, photo, django_capture_on_commit_callbacks
):
    request = deleting.request_deletion(photo, rita, "consent withdrawn")
    blobs = {photo.blob, *photo.working_copies.values_list("blob", flat=True)}
    assert len(blobs) == 2 and set(on_disk(settings)) == blobs
    pk, sha256 = photo.pk, photo.sha256

    with django_capture_on_commit_callbacks(execute=True):
        code, out, _ = run("delete", photo.code, "--confirm", "--reason", "approved by the board")
    assert code == 0, out
    assert f"deleted F-{pk:05d}\tsha256 {sha256}\t1 working copies" in out
    assert on_disk(settings) == []
    assert not EvidenceFile.objects.exists() and not WorkingCopy.objects.exists()
    assert not Attachment.objects.exists()
    deletion = AuditEntry.objects.filter(
        action=Action.DELETE, target_type="files.evidencefile", target_id=str(pk)
    ).first()
    assert deletion.actor == "cli"
    assert deletion.detail == {
        "sha256": sha256,
        "reason": "approved by the board",
        "request": request.pk,
        "working_copies": 1,
    }
    assert storing.verify_all() == []
    assert verify().intact


def test_the_file_page_takes_a_request_and_shows_it(client, rita, andy, photo):
    client.force_login(rita)
    page = client.get(f"/app/files/{photo.pk}/").content.decode()
    assert "data-deletion-form" in page
    response = client.post(f"/app/files/{photo.pk}/deletion/", {"reason": ""})
    assert response.status_code == 400
    assert "Say why the file should be deleted." in response.content.decode()
    assert not deleting.requests(photo)
    response = client.post(f"/app/files/{photo.pk}/deletion/", {"reason": "wrong case"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Deletion requested" in page and "wrong case" in page
    assert "data-deletion-requests" in page
    assert EvidenceFile.objects.filter(pk=photo.pk).exists()

    client.force_login(andy)  # an analyst reads, and may not ask
    assert "data-deletion-form" not in client.get(f"/app/files/{photo.pk}/").content.decode()
    response = client.post(f"/app/files/{photo.pk}/deletion/", {"reason": "no"})
    assert response.status_code in (403, 404)
    assert len(deleting.requests(photo)) == 1
