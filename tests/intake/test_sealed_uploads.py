"""Photos from the public are encrypted on disk, and only moderators get them back, audited (#8)."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import TestCase

from tests import factories
from unseen.audit.models import Action, AuditEntry
from unseen.core import sealing
from unseen.intake import attachments
from unseen.intake.images import clean
from unseen.intake.models import Upload
from unseen.registry import keys

pytestmark = pytest.mark.django_db

JPEG_MARKERS = (b"\xff\xd8\xff", b"JFIF", b"PhoneMaker", b"Exif")


@pytest.fixture(autouse=True)
def own_master_key(settings, tmp_path):
    settings.UNSEEN_MASTER_KEY = ""
    keys.forget_cached_keys()


@pytest.fixture
def photo_bytes():
    """The photo as stored: re-encoded without metadata (the encoding is deterministic)."""
    return clean(factories.jpeg_with_gps()).data


def raw_on_disk(upload: Upload) -> bytes:
    return Path(upload.file.path).read_bytes()


def assert_sealed(raw: bytes, photo: bytes) -> None:
    for marker in JPEG_MARKERS:
        assert marker not in raw
    assert photo[:32] not in raw and photo[-32:] not in raw
    assert sealing.is_sealed_bytes(raw)


def test_the_file_on_disk_holds_no_photo_yet_a_moderator_gets_the_original(
    client, mona, photo_bytes
):
    upload = factories.submission().uploads.get()
    assert photo_bytes.startswith(b"\xff\xd8\xff")  # what a plaintext file would start with
    assert_sealed(raw_on_disk(upload), photo_bytes)

    client.force_login(mona)
    response = client.get(f"/app/moderation/uploads/{upload.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store"
    assert response.content == photo_bytes
    read = AuditEntry.objects.get(action=Action.VAULT_READ, target_type="intake.upload")
    assert read.actor == "mona" and read.target_id == str(upload.pk)
    assert read.detail == {"purpose": "moderation", "fields": ["photo"]}


def test_others_get_neither_the_photo_nor_an_audit_entry(client, andy):
    upload = factories.submission().uploads.get()
    client.force_login(andy)
    assert client.get(f"/app/moderation/uploads/{upload.pk}/").status_code == 403
    with pytest.raises(PermissionDenied):
        attachments.read(upload, user=andy)
    assert not AuditEntry.objects.filter(action=Action.VAULT_READ).exists()


def test_a_sealed_file_moved_to_another_upload_does_not_open(mona):
    first, second = (factories.submission().uploads.get() for _ in range(2))
    Path(second.file.path).write_bytes(raw_on_disk(first))
    with pytest.raises(sealing.SealingError):
        attachments.read(second, user=mona)


def test_a_sealed_key_moved_to_another_submission_does_not_open(mona):
    # The file and its sealed key stay together; only the submission they belong to changes.
    upload = factories.submission().uploads.get()
    upload.submission = factories.submission()
    upload.save()
    with pytest.raises(sealing.SealingError):
        attachments.read(upload, user=mona)


def test_rotating_only_the_master_key_rewrites_no_file(mona, photo_bytes):
    upload = factories.submission().uploads.get()
    before = raw_on_disk(upload)
    call_command("keys", "rotate", "--keep-data-key", stdout=StringIO())
    keys.forget_cached_keys()
    assert raw_on_disk(upload) == before
    assert attachments.read(upload, user=mona) == photo_bytes


def test_rotation_reencrypts_each_photo_under_a_new_file_key(mona, photo_bytes):
    upload = factories.submission().uploads.get()
    old_path, old_file_key = upload.file.path, attachments._file_key(upload)
    os.utime(old_path, (86400.0, 86400.0))
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("keys", "rotate", stdout=StringIO())
    keys.forget_cached_keys()
    upload.refresh_from_db()
    assert sealing.sealed_version(upload.sealed_key) == 2
    assert upload.file.path != old_path and not os.path.exists(old_path)
    assert attachments._file_key(upload) != old_file_key
    with pytest.raises(sealing.SealingError):  # the old file key opens nothing on disk now
        sealing.open_bytes(old_file_key, raw_on_disk(upload), attachments.CONTENT_CONTEXT)
    assert os.stat(upload.file.path).st_mtime == 86400.0
    assert_sealed(raw_on_disk(upload), photo_bytes)
    assert attachments.read(upload, user=mona) == photo_bytes
