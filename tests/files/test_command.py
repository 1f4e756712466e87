"""`unseen files add|verify|custody` (#19): bulk adding, a flipped byte found, the custody report."""

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.files import storing
from unseen.files.models import Attachment, CopyKind, EvidenceFile

pytestmark = pytest.mark.django_db

PDF = factories.pdf()


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("files", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def source(db):
    return factories.source("A leaked roster", access_level=AccessLevel.INTERNAL)


@pytest.fixture
def paths(tmp_path):
    roster = tmp_path / "roster.pdf"
    roster.write_bytes(PDF)
    photo = tmp_path / "site photo.jpg"
    photo.write_bytes(factories.jpeg_with_gps())
    return roster, photo


def test_add_stores_and_attaches_every_file_with_its_hash(source, paths):
    code, out, err = run(
        "add",
        *map(str, paths),
        "--source",
        str(source.pk),
        "--credit",
        "Unseen",
        "--licence",
        "CC-BY-4.0",
    )
    assert code == 0, err
    files = list(EvidenceFile.objects.order_by("pk"))
    assert len(files) == 2 and Attachment.objects.filter(object_id=source.pk).count() == 2
    for file, path in zip(files, paths, strict=True):
        assert file.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"{file.code}\t{file.sha256}\t{file.content_type}\t{file.size}\t{path}" in out
        assert file.credit == "Unseen" and file.licence == "CC-BY-4.0"
    assert [f.content_type for f in files] == ["application/pdf", "image/jpeg"]
    actors = set(
        AuditEntry.objects.filter(action=Action.FILE_UPLOAD).values_list("actor", flat=True)
    )
    assert actors == {"cli"}
    assert "2 file(s) attached to source" in err


def test_add_says_when_the_bytes_were_held_already(source, paths):
    run("add", str(paths[0]), "--source", str(source.pk))
    testimony_source = factories.source("Another", access_level=AccessLevel.INTERNAL)
    code, out, _ = run("add", str(paths[0]), "--source", str(testimony_source.pk))
    file = EvidenceFile.objects.get()
    assert code == 0 and f"already held as {file.code}; linked here too" in out
    assert Attachment.objects.count() == 2


def test_a_bad_path_stops_everything_before_anything_is_written(source, paths, tmp_path, settings):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    for bad, reason in (
        (tmp_path / "missing.pdf", "no such file"),
        (tmp_path, "not a regular file"),
        (empty, "the file is empty"),
    ):
        code, _, err = run("add", str(paths[0]), str(bad), "--source", str(source.pk))
        assert code == 2 and f"error: {bad}: {reason}" in err
    assert not EvidenceFile.objects.exists()
    stored = settings.UNSEEN_FILES_DIR
    assert not stored.exists() or not [p for p in stored.rglob("*") if p.is_file()]


def test_a_file_beyond_the_limit_or_a_missing_record_is_refused(source, paths, settings):
    code, _, err = run("add", str(paths[0]), "--source", "999999")
    assert code == 2 and "error: --source 999999: no such source" in err
    settings.UNSEEN_FILES_MAX_MB = 0.001
    code, _, err = run("add", str(paths[0]), "--source", str(source.pk))
    assert code == 2 and f"error: {paths[0]}: The file is larger than" in err
    assert not EvidenceFile.objects.exists()


def test_a_public_level_is_not_offered_for_new_files(source, paths):
    with pytest.raises(Exception, match="invalid choice"):  # argparse, through call_command
        call_command(
            "files", "add", str(paths[0]), "--source", str(source.pk), "--access-level", "public"
        )


def test_verify_exits_1_naming_each_file_whose_bytes_changed(source, paths, rita):
    run("add", *map(str, paths), "--source", str(source.pk))
    roster, photo = EvidenceFile.objects.order_by("pk")
    copy = storing.store_working_copy(
        photo, [b"a thumbnail"], kind=CopyKind.THUMBNAIL, content_type="image/png", tool="test"
    )
    code, out, _ = run("verify")
    # Two thumbnails made on arrival, and the one made here.
    assert code == 0 and "2 file(s) and 3 working copies verified" in out
    for blob in (roster.blob, copy.blob):
        path = storing.blob_path(blob)
        raw = bytearray(path.read_bytes())
        raw[-20] ^= 0x01  # one bit, inside the last segment's ciphertext
        path.write_bytes(bytes(raw))
    code, out, err = run("verify")
    assert code == 1
    assert f"changed: {roster.code}: it does not decrypt" in err
    assert f"changed: {photo.code} thumbnail #{copy.pk}: it does not decrypt" in err
    assert f"changed: {photo.code}:" not in err
    assert "2 problem(s)" in err


def test_custody_prints_every_event_with_its_reason(source, paths, rita):
    run("add", str(paths[0]), "--source", str(source.pk))
    file = EvidenceFile.objects.get()
    storing.read_all(storing.open_original(file, user=rita, reason="for the court"))
    code, out, _ = run("custody", file.code)
    assert code == 0
    assert f"{file.code}\tsha256 {file.sha256}\t5 event(s)" in out
    assert 'rita\tfile_download\thash ok\treason: "for the court"' in out
    code, out, _ = run("custody", str(file.pk), "--json")
    document = json.loads(out)
    assert [e["action"] for e in document["events"]] == [
        "create",
        "file_upload",
        "file_derive",  # its thumbnail
        "file_attach",
        "file_download",
    ]
    code, _, err = run("custody", "F-99999")
    assert code == 2 and "error: no evidence file F-99999" in err
