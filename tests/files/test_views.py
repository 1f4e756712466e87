"""Uploading evidence files from a record's page, a file's page, its custody and its original."""

import hashlib
import io
import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.files import storing, uploading
from unseen.files.models import Attachment, EvidenceFile

pytestmark = pytest.mark.django_db

PDF = factories.pdf()


@pytest.fixture
def source(db):
    return factories.source("Leaked roster", access_level=AccessLevel.INTERNAL)


def upload_url(record, kind="sources"):
    return f"/app/files/upload/{kind}/{record.pk}/"


def form(*files, level="internal", **fields):
    return {
        "files": list(files),
        "upload-access_level": level,
        "upload-licence": "unknown",
        "upload-credit": "",
        **fields,
    }


def leftovers(settings):
    root = settings.UNSEEN_FILES_DIR
    return sorted(p.name for p in root.rglob("*.part")) if root.exists() else []


def test_several_files_at_once_each_with_hash_type_and_size(client, rita, source, settings):
    client.force_login(rita)
    photo = factories.jpeg_with_gps()
    response = client.post(
        upload_url(source),
        form(
            SimpleUploadedFile("roster.pdf", PDF, "application/pdf"),
            SimpleUploadedFile("site.png", photo, "image/png"),  # the browser's word is not kept
            **{"upload-credit": "Photo: a worker"},
        ),
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    files = list(EvidenceFile.objects.order_by("pk"))
    assert [f.content_type for f in files] == ["application/pdf", "image/jpeg"]
    for file, data in zip(files, (PDF, photo), strict=True):
        assert file.sha256 == hashlib.sha256(data).hexdigest()
        assert file.sha256 in page and file.content_type in page and f"{len(data)} bytes" in page
        assert file.credit == "Photo: a worker" and file.uploaded_by == rita
        assert storing.read_all(storing.open_original(file, user=rita, reason="test")) == data
    assert Attachment.objects.filter(object_id=source.pk).count() == 2
    assert leftovers(settings) == []
    record_page = client.get(f"/app/sources/{source.pk}/").content.decode()
    assert files[0].code in record_page and "data-upload-form" in record_page


def test_the_same_bytes_again_are_linked_and_the_user_is_told(client, rita, source):
    client.force_login(rita)
    first = storing.receive([PDF], name="roster.pdf", user=rita).file
    other = factories.source("Another source", access_level=AccessLevel.INTERNAL)
    response = client.post(upload_url(other), form(SimpleUploadedFile("copy.pdf", PDF)))
    page = client.get(response.url).content.decode()
    assert f"Already held as {first.code}; linked here too." in page
    assert EvidenceFile.objects.count() == 1
    assert Attachment.objects.get().object_id == other.pk


def test_a_duplicate_beyond_the_uploaders_level_is_linked_without_being_shown(
    client, rita, ruth, source
):
    secret = storing.receive([PDF], name="secret.pdf", user=rita, access_level="confidential")
    client.force_login(ruth)
    response = client.post(upload_url(source), form(SimpleUploadedFile("mine.pdf", PDF)))
    page = client.get(response.url).content.decode()
    assert "a file beyond your access level" in page
    assert secret.file.code not in page and secret.file.sha256 not in page


def test_a_record_shows_only_the_files_its_reader_may_see(client, rita, ruth, source):
    secret = storing.receive([PDF], name="a.pdf", user=rita, access_level="confidential").file
    plain = storing.receive([PDF + b"1"], name="b.pdf", user=rita).file
    for file in (secret, plain):
        storing.attach(file, source, rita)
    client.force_login(ruth)
    page = client.get(f"/app/sources/{source.pk}/").content.decode()
    assert plain.code in page and secret.code not in page
    assert client.get(f"/app/files/{secret.pk}/").status_code == 404
    assert client.get(f"/app/files/{secret.pk}/custody/").status_code == 404
    response = client.post(f"/app/files/{secret.pk}/original/", {"reason": "curious"})
    assert response.status_code == 404


def test_a_file_too_large_is_refused_and_the_others_kept(client, rita, source, settings):
    settings.UNSEEN_FILES_MAX_MB = 0.004  # 4194 bytes
    client.force_login(rita)
    response = client.post(
        upload_url(source),
        form(
            SimpleUploadedFile("big.pdf", PDF),
            SimpleUploadedFile("small.txt", "짧은 메모\n".encode()),
        ),
    )
    page = client.get(response.url).content.decode()
    assert "big.pdf: The file is larger than" in page
    assert list(EvidenceFile.objects.values_list("name", flat=True)) == ["small.txt"]
    assert leftovers(settings) == []


def test_an_upload_the_disk_has_no_room_for_is_refused_unread(client, rita, source, settings):
    settings.UNSEEN_FILES_MAX_MB = 1 << 40
    client.force_login(rita)
    body = encode_multipart(BOUNDARY, form(SimpleUploadedFile("a.pdf", PDF)))
    free = shutil.disk_usage(storing.files_dir()).free
    response = client.generic(
        "POST", upload_url(source), body, content_type=MULTIPART_CONTENT, CONTENT_LENGTH=str(free)
    )
    assert response.status_code == 507
    assert "no room on the server" in response.content.decode()
    assert not EvidenceFile.objects.exists() and leftovers(settings) == []


def test_an_upload_beyond_what_one_request_may_carry_is_refused_unread(client, rita, source):
    client.force_login(rita)
    body = encode_multipart(BOUNDARY, form(SimpleUploadedFile("a.pdf", PDF)))
    too_long = str(uploading.max_request_bytes() + 1)
    response = client.generic(
        "POST", upload_url(source), body, content_type=MULTIPART_CONTENT, CONTENT_LENGTH=too_long
    )
    assert response.status_code == 413
    assert not EvidenceFile.objects.exists()


def test_a_large_upload_passes_the_request_cap_that_other_pages_keep(
    client, rita, source, settings
):
    settings.UNSEEN_MAX_REQUEST_MB = 0.001
    client.force_login(rita)
    response = client.post(upload_url(source), form(SimpleUploadedFile("a.pdf", PDF)))
    assert response.status_code == 302 and EvidenceFile.objects.count() == 1
    assert client.post("/app/saved/new/", {"name": "x" * 2000}).status_code == 413


def test_an_upload_without_a_csrf_token_keeps_nothing(rita, source, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rita)
    response = client.post(upload_url(source), form(SimpleUploadedFile("a.pdf", PDF)))
    assert response.status_code == 403
    assert not EvidenceFile.objects.exists()
    assert leftovers(settings) == [] and storing.verify_all() == []


def test_an_interrupted_upload_leaves_no_part_file_and_no_row(client, rita, source, settings):
    client.force_login(rita)
    body = encode_multipart(BOUNDARY, form(SimpleUploadedFile("a.pdf", PDF * 20)))
    cut = body[: len(body) // 2]  # the connection dropped half way through the file
    response = client.generic("POST", upload_url(source), cut, content_type=MULTIPART_CONTENT)
    assert response.status_code == 400
    assert not EvidenceFile.objects.exists()
    assert leftovers(settings) == [] and storing.verify_all() == []


class Broken(io.RawIOBase):
    """A request body whose connection fails after some bytes."""

    def __init__(self, data: bytes, fail_after: int):
        self.data, self.fail_after, self.at = data, fail_after, 0

    def readable(self):
        return True

    def read(self, size=-1):
        if self.at >= self.fail_after:
            raise OSError("connection reset by peer")
        size = len(self.data) if size is None or size < 0 else size
        end = min(self.at + size, self.fail_after)
        chunk, self.at = self.data[self.at : end], end
        return chunk


def test_a_connection_that_fails_mid_file_leaves_no_part_file_and_no_row(
    client, rita, source, settings
):
    client.force_login(rita)
    body = encode_multipart(BOUNDARY, form(SimpleUploadedFile("a.pdf", PDF * 200)))
    response = client.generic(
        "POST",
        upload_url(source),
        body,
        content_type=MULTIPART_CONTENT,
        **{"wsgi.input": Broken(body, len(body) // 2)},
    )
    assert response.status_code >= 400
    assert not EvidenceFile.objects.exists()
    assert leftovers(settings) == [] and storing.verify_all() == []


def test_uploading_needs_the_editing_capability_and_a_readable_record(client, andy, rita):
    hidden = factories.source(access_level=AccessLevel.CONFIDENTIAL)
    shown = factories.source(access_level=AccessLevel.INTERNAL)
    client.force_login(andy)
    assert client.get(upload_url(shown)).status_code == 403
    assert client.post(upload_url(shown), form(SimpleUploadedFile("a.pdf", PDF))).status_code == 403
    client.force_login(rita)
    assert client.get(upload_url(shown, kind="sites")).status_code == 404
    ruth_client = Client()
    from tests.conftest import make_user

    ruth_client.force_login(make_user("ruth2", "researcher"))
    assert ruth_client.get(upload_url(hidden)).status_code == 404
    assert not EvidenceFile.objects.exists()


def test_a_new_file_cannot_be_uploaded_as_public(client, rita, source):
    client.force_login(rita)
    response = client.post(
        upload_url(source), form(SimpleUploadedFile("a.pdf", PDF), level="public")
    )
    assert response.status_code == 400
    assert not EvidenceFile.objects.exists()


def test_the_file_page_shows_the_original_and_edits_its_description(client, rita, source):
    file = storing.receive([PDF], name="roster.pdf", user=rita).file
    storing.attach(file, source, rita)
    client.force_login(rita)
    page = client.get(f"/app/files/{file.pk}/").content.decode()
    assert file.sha256 in page and "application/pdf" in page and "Leaked roster" in page
    response = client.post(
        f"/app/files/{file.pk}/",
        {
            "title_en": "Roster of a logging camp",
            "title_ko": "벌목장 명단",
            "licence": "CC-BY-4.0",
            "credit": "Unseen",
            "capture_date": "2019-06",
            "capture_country": "Russia",
            "access_level": "internal",
            "revision-reason": "described from the scan",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    file.refresh_from_db()
    assert file.title_ko == "벌목장 명단" and file.licence == "CC-BY-4.0"
    assert str(file.capture_date) == "2019-06-01" and file.capture_date_precision == "month"
    assert file.capture_country == "RU"
    assert file.history.first().history_change_reason == "described from the scan"


def test_the_original_is_given_for_a_reason_and_the_read_is_in_custody(client, rita, source):
    file = storing.receive([PDF], name="roster.pdf", user=rita).file
    client.force_login(rita)
    refused = client.post(f"/app/files/{file.pk}/original/", {"reason": "  "})
    assert refused.status_code == 400
    assert not AuditEntry.objects.filter(action=Action.FILE_DOWNLOAD).exists()
    response = client.post(f"/app/files/{file.pk}/original/", {"reason": "for the court"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "no-store"
    assert "attachment" in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action=Action.FILE_DOWNLOAD)
    assert entry.actor == "rita" and entry.detail["reason"] == "for the court"
    report = client.get(f"/app/files/{file.pk}/custody/").content.decode()
    assert "for the court" in report and 'data-action="file_download"' in report
    assert 'data-action="file_upload"' in report
