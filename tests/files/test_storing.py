"""Evidence files are hashed and sealed as they stream, kept once, read only in custody (#19)."""

import hashlib
import os
import shutil
import stat
import tracemalloc
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.core import sealing
from unseen.files import access, custody, storing
from unseen.files.models import Attachment, CopyKind, EvidenceFile, WorkingCopy
from unseen.registry import keys

pytestmark = pytest.mark.django_db

# A document as text (a typed statement): no thumbnail is made of it, so each test here sees the
# original alone. Type detection, checks and thumbnails have their tests in test_refusals.py.
DOC = ("근로계약서 사본: 벌목장, 2014년 3월. " * 200).encode()


def real_pdf() -> bytes:
    import pymupdf

    document = pymupdf.open()
    document.new_page().insert_text((72, 72), "Contract")
    return document.tobytes()


@pytest.fixture(autouse=True)
def fresh_keys():
    keys.forget_cached_keys()


def pieces(data: bytes, size: int = 65536):
    for start in range(0, len(data), size):
        yield data[start : start + size]


def stored_paths(settings) -> list[str]:
    root = settings.UNSEEN_FILES_DIR
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_file_is_hashed_sealed_and_kept_under_a_random_name(settings, rita):
    photo = factories.jpeg_with_gps()
    received = storing.receive(pieces(photo, 1000), name="../../etc/passwd.jpg", user=rita)
    file = received.file
    assert not received.duplicate
    assert file.sha256 == hashlib.sha256(photo).hexdigest()
    assert file.size == len(photo)
    assert file.content_type == "image/jpeg"
    assert file.name == "passwd.jpg"
    assert file.uploaded_by == rita
    path = storing.blob_path(file.blob)
    thumbnail = file.working_copies.get()
    assert stored_paths(settings) == sorted(
        f"{blob[:2]}/{blob}" for blob in (file.blob, thumbnail.blob)
    )
    assert "passwd" not in str(path) and file.sha256 not in str(path)
    raw = path.read_bytes()
    assert b"\xff\xd8\xff" not in raw and b"Exif" not in raw and photo[-64:] not in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(settings.UNSEEN_FILES_DIR.stat().st_mode) == 0o700
    assert storing.read_all(storing.open_original(file, user=rita, reason="check")) == photo


def test_the_type_comes_from_the_content_never_the_name(rita):
    photo = factories.jpeg_with_gps()
    assert storing.receive([photo], name="contract.pdf", user=rita).file.content_type == (
        "image/jpeg"
    )
    assert storing.receive([real_pdf()], name="photo.jpg", user=rita).file.content_type == (
        "application/pdf"
    )
    assert storing.detect_type("계약서 사본\n".encode()) == "text/plain"
    with pytest.raises(storing.Refused, match="not of a type we take"):
        storing.detect_type(os.urandom(256))


def test_the_same_bytes_twice_are_stored_once_and_the_sender_is_told(settings, rita):
    first = storing.receive([DOC], name="roster.pdf", user=rita)
    again = storing.receive(pieces(DOC, 7), name="other name.pdf", user=rita)
    assert again.duplicate and again.file == first.file
    assert EvidenceFile.objects.count() == 1
    assert stored_paths(settings) == [f"{first.file.blob[:2]}/{first.file.blob}"]
    assert again.file.name == "roster.pdf"


def test_a_file_beyond_the_limit_is_refused_before_anything_is_written(settings, rita):
    settings.UNSEEN_FILES_MAX_MB = 0.001  # 1048 bytes
    with pytest.raises(storing.Refused, match="larger than"):
        storing.Receiver(expected_size=2000)
    assert stored_paths(settings) == []


def test_a_file_that_grows_beyond_the_limit_while_streaming_is_stopped_and_removed(settings, rita):
    settings.UNSEEN_FILES_MAX_MB = 0.001
    with pytest.raises(storing.Refused, match="larger than"):
        storing.receive(pieces(DOC, 500), name="big.pdf", user=rita)
    assert stored_paths(settings) == []
    assert not EvidenceFile.objects.exists()


def test_a_file_the_disk_has_no_room_for_is_refused_before_anything_is_written(settings, rita):
    settings.UNSEEN_FILES_MAX_MB = 1 << 40
    free = shutil.disk_usage(storing.files_dir()).free
    with pytest.raises(storing.Refused, match="no room"):
        storing.Receiver(expected_size=free)
    assert stored_paths(settings) == []


def test_an_interrupted_stream_leaves_nothing_on_disk_or_in_the_database(settings, rita):
    def broken():
        yield DOC[:1000]
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        storing.receive(broken(), name="cut.pdf", user=rita)
    assert stored_paths(settings) == []
    assert not EvidenceFile.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.FILE_UPLOAD).exists()


def test_a_failure_while_saving_the_row_removes_the_stored_blob(settings, rita):
    with pytest.raises(storing.Refused, match="not-a-licence"):
        storing.receive([DOC], name="x.pdf", user=rita, licence="not-a-licence")
    with pytest.raises(storing.Refused, match="cannot be public"):
        storing.receive([DOC], name="x.pdf", user=rita, access_level="public")
    assert stored_paths(settings) == []
    assert not EvidenceFile.objects.exists()


def test_an_empty_file_is_refused(settings, rita):
    with pytest.raises(storing.Refused, match="empty"):
        storing.receive([b""], name="empty.pdf", user=rita)
    assert stored_paths(settings) == []


def test_reading_needs_the_files_level_and_is_refused_unrecorded(rita, ruth):
    file = storing.receive([DOC], name="a.pdf", user=rita, access_level="confidential").file
    with pytest.raises(PermissionDenied):
        storing.open_original(file, user=ruth, reason="curious")
    assert not AuditEntry.objects.filter(action=Action.FILE_DOWNLOAD).exists()


def test_reading_needs_a_readable_record_too(rita, ruth):
    file = storing.receive([DOC], name="a.pdf", user=rita).file
    hidden = factories.source(access_level=AccessLevel.CONFIDENTIAL)
    storing.attach(file, hidden, rita)
    assert not access.may_read(ruth, file) and access.may_read(rita, file)
    assert list(access.files_of(hidden, rita)) == [file]
    shown = factories.source(access_level=AccessLevel.INTERNAL)
    storing.attach(file, shown, rita)
    assert access.may_read(ruth, file)
    assert access.readable_records(file, ruth) == [shown]


def test_a_record_never_shows_a_file_beyond_the_readers_level(rita, ruth):
    source = factories.source(access_level=AccessLevel.INTERNAL)
    secret = storing.receive([DOC], name="a.pdf", user=rita, access_level="confidential").file
    plain = storing.receive([DOC + b"1"], name="b.pdf", user=rita).file
    for file in (secret, plain):
        storing.attach(file, source, rita)
    assert list(access.files_of(source, ruth)) == [plain]
    assert list(access.files_of(source, rita)) == [secret, plain]


def test_every_read_is_in_the_files_custody_report(rita):
    file = storing.receive([DOC], name="a.pdf", user=rita).file
    source = factories.source()
    assert storing.attach(file, source, rita)
    assert not storing.attach(file, source, rita)  # already linked: no second event
    storing.read_all(storing.open_original(file, user=rita, reason="court request 7"))
    copy = storing.store_working_copy(
        file, [b"preview bytes"], kind=CopyKind.PREVIEW, content_type="image/png", tool="test"
    )
    storing.read_all(storing.open_working_copy(copy, user=rita))
    events = custody.report(file)
    assert [e.entry.action for e in events] == [
        Action.CREATE,
        Action.FILE_UPLOAD,
        Action.FILE_ATTACH,
        Action.FILE_DOWNLOAD,
        Action.FILE_DERIVE,
        Action.FILE_VIEW,
    ]
    assert all(e.entry.actor == "rita" for e in events[1:] if e.entry.action != Action.FILE_DERIVE)
    assert events[3].reason == "court request 7"
    assert all(e.matches for e in events[1:])
    for event in events:
        assert "a.pdf" not in str(event.entry.detail)
    lines = custody.report_lines(file)
    assert lines[2]["detail"] == {"record": "evidence.source", "record_id": source.pk}


def test_a_working_copy_is_sealed_like_an_original_and_opens_back(settings, rita):
    file = storing.receive([DOC], name="a.pdf", user=rita).file
    copy = storing.store_working_copy(
        file,
        pieces(b"\x89PNG\r\n\x1a\n" + b"p" * 3000, 100),
        kind=CopyKind.THUMBNAIL,
        content_type="image/png",
        tool="pillow",
        tool_version="11.0",
        parameters={"width": 320},
        user=rita,
    )
    raw = storing.blob_path(copy.blob).read_bytes()
    assert b"PNG" not in raw
    assert storing.read_all(storing.open_working_copy(copy, user=rita)).startswith(b"\x89PNG")
    assert WorkingCopy.objects.get().parameters == {"width": 320}
    assert len(stored_paths(settings)) == 2


def test_a_flipped_byte_on_disk_is_found_by_reading_and_by_verify(rita):
    file = storing.receive([DOC], name="a.pdf", user=rita).file
    other = storing.receive([DOC + b"x"], name="b.pdf", user=rita).file
    assert storing.verify_all() == []
    path = storing.blob_path(file.blob)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(sealing.SealingError):
        storing.read_all(storing.open_original(file, user=rita, reason="check"))
    problems = storing.verify_all()
    assert [p.what for p in problems] == [file.code]
    assert "does not decrypt" in problems[0].reason
    assert other.code not in str(problems)


def test_verify_names_missing_and_stray_blobs_and_parts_left_by_a_killed_process(settings, rita):
    file = storing.receive([DOC], name="a.pdf", user=rita).file
    storing.blob_path(file.blob).unlink()
    stray = storing.blob_path(storing.new_blob_name())
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"left behind")
    under_way = storing.files_dir() / f"{storing.new_blob_name()}.part"
    under_way.write_bytes(b"an upload still coming in")
    stale = storing.files_dir() / f"{storing.new_blob_name()}.part"
    stale.write_bytes(b"an upload whose process was killed")
    os.utime(stale, (0, 0))
    problems = {p.what: p.reason for p in storing.verify_all()}
    assert problems == {
        file.code: "its stored copy is missing",
        stray.name: "stored on disk, but no file or working copy names it",
        stale.name: "an upload that never finished (its process was stopped); delete it",
    }


def test_a_blob_moved_onto_another_files_row_does_not_open(rita):
    one = storing.receive([DOC], name="a.pdf", user=rita).file
    two = storing.receive([DOC + b"2"], name="b.pdf", user=rita).file
    shutil.copyfile(storing.blob_path(two.blob), storing.blob_path(one.blob))
    assert [p.what for p in storing.verify_all()] == [one.code]


def test_key_rotation_rewraps_file_keys_and_leaves_the_blobs_alone(rita):
    file = storing.receive([DOC], name="a.pdf", user=rita).file
    copy = storing.store_working_copy(
        file, [b"thumb"], kind=CopyKind.THUMBNAIL, content_type="image/png", tool="t"
    )
    before = storing.blob_path(file.blob).read_bytes()
    old_sealed = file.sealed_key
    call_command("keys", "rotate", stdout=StringIO())
    keys.forget_cached_keys()
    file.refresh_from_db()
    copy.refresh_from_db()
    assert sealing.sealed_version(file.sealed_key) == 2 != sealing.sealed_version(old_sealed)
    assert sealing.sealed_version(copy.sealed_key) == 2
    assert storing.blob_path(file.blob).read_bytes() == before
    assert storing.read_all(storing.open_original(file, user=None, reason="after rotation")) == DOC
    assert storing.read_all(storing.open_working_copy(copy, user=None)) == b"thumb"
    assert storing.verify_all() == []
    assert "sealed_key" not in {f.name for f in EvidenceFile.history.model._meta.fields}


def test_a_deleted_record_takes_its_links_not_its_files(rita):
    file = storing.receive([DOC], name="a.pdf", user=rita).file
    source = factories.source()
    storing.attach(file, source, rita)
    source.delete()
    assert not Attachment.objects.exists()
    assert EvidenceFile.objects.filter(pk=file.pk).exists()


def test_files_attach_only_to_the_four_kinds_of_record(rita):
    file = storing.receive([DOC], name="a.pdf", user=rita).file
    with pytest.raises(ValueError, match="sources, testimonies"):
        storing.attach(file, factories.site(), rita)


def test_receiving_streams_in_constant_memory(rita):
    """48 MB received from a stream: peak Python memory stays at a few segments."""
    block = os.urandom(48 * 1024).hex().encode()[: 64 * 1024]
    tracemalloc.start()
    try:
        received = storing.receive((block for _ in range(768)), name="big.txt", user=rita)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received.file.size == 48 * 1024 * 1024
    assert peak < 8 * sealing.SEGMENT_BYTES, peak
