"""Exports carry evidence files: originals at full, only confirmed working copies below (#19)."""

import csv
import hashlib
import io
import stat
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import factories
from tests.core.media import samples
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.files import redacting, storing
from unseen.files.models import EvidenceFile
from unseen.publishing.exports import ExportRefused, export
from unseen.publishing.models import ExportApproval
from unseen.registry import keys

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_keys():
    keys.forget_cached_keys()


def manifest(out: Path) -> list[dict[str, str]]:
    with (out / "files" / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def everything(out: Path) -> bytes:
    return b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())


@pytest.fixture
def held(rita):
    """Four files: one confirmed (no redaction needed) behind an internal source, one pending
    behind it too, one confidential, one behind a confidential source only."""
    internal = factories.source("Leaked roster", access_level=AccessLevel.INTERNAL)
    hidden = factories.source("Informant's notes", access_level=AccessLevel.CONFIDENTIAL)
    photo = factories.jpeg_with_gps()
    confirmed = storing.receive([photo], name="site.jpg", user=rita, credit="=HYPERLINK(1)").file
    storing.attach(confirmed, internal, rita)
    redacting.mark_not_needed(confirmed, rita, "a building, no people")
    confirmed.refresh_from_db()
    pending = storing.receive([samples.pdf(["명단"])], name="roster.pdf", user=rita).file
    storing.attach(pending, internal, rita)
    secret = storing.receive(
        [samples.pdf(["비밀"])], name="s.pdf", user=rita, access_level=AccessLevel.CONFIDENTIAL
    ).file
    storing.attach(secret, internal, rita)
    behind_hidden = storing.receive([samples.pdf(["숨김"])], name="h.pdf", user=rita).file
    storing.attach(behind_hidden, hidden, rita)
    return {
        "internal": internal,
        "hidden": hidden,
        "photo": photo,
        "confirmed": confirmed,
        "pending": pending,
        "secret": secret,
        "behind_hidden": behind_hidden,
    }


def test_a_full_export_carries_every_original_byte_for_byte_with_its_manifest(
    tmp_path, alice, held
):
    approval = ExportApproval.objects.create(approved_by=alice, recipient="Court")
    out = tmp_path / "out"
    result = export(out, level="full", approval=approval)
    assert result.evidence_files == 4 and result.files["evidence_files"] == 4
    rows = {int(row["id"]): row for row in manifest(out)}
    assert set(rows) == set(EvidenceFile.objects.values_list("pk", flat=True))
    for file in EvidenceFile.objects.all():
        row = rows[file.pk]
        data = (out / row["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == file.sha256 == row["sha256_original"]
        assert row["sha256_copy"] == file.sha256 and row["copy"] == "original"
        assert row["path"] == f"files/{file.code}{'.jpg' if file.name == 'site.jpg' else '.pdf'}"
        assert row["redaction_state"] == file.redaction_state and row["licence"] == "unknown"
        assert stat.S_IMODE((out / row["path"]).stat().st_mode) == 0o600
    assert (out / rows[held["confirmed"].pk]["path"]).read_bytes() == held["photo"]
    assert rows[held["confirmed"].pk]["credit"] == "'=HYPERLINK(1)"  # neutralised for a sheet
    assert rows[held["behind_hidden"].pk]["records"] == f"source:{held['hidden'].pk}"
    assert stat.S_IMODE((out / "files").stat().st_mode) == 0o700
    exported = AuditEntry.objects.filter(action=Action.FILE_EXPORT)
    assert exported.count() == 4
    assert {e.detail["level"] for e in exported} == {"full"}
    assert {e.detail["recipient"] for e in exported} == {"Court"}
    assert {e.detail["copy"] for e in exported} == {"original"}


def test_a_pseudonymised_export_ships_only_confirmed_copies_under_pseudonyms(
    tmp_path, export_key, held, rita
):
    out = tmp_path / "out"
    result = export(out, level="pseudonymised", recipient="ILO")
    confirmed = held["confirmed"]
    copy = confirmed.redactions.get().working_copy
    assert result.evidence_files == 1 and result.evidence_withheld == 1
    [row] = manifest(out)
    assert row["id"].startswith("evidencefile-") and len(row["id"]) == len("evidencefile-") + 16
    assert row["path"] == f"files/{row['id']}.jpg"
    shipped = (out / row["path"]).read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == copy.sha256 == row["sha256_copy"]
    assert row["sha256_original"] == confirmed.sha256 != copy.sha256
    assert row["copy"] == copy.kind and row["redaction_state"] == "not_needed"
    # The original never leaves: not its bytes, not its EXIF, not its name or title.
    blob = everything(out)
    assert held["photo"] not in blob and b"PhoneMaker" not in blob and b"site.jpg" not in blob
    with (out / "sources.csv").open(encoding="utf-8") as handle:
        sources = {r["title"]: r["id"] for r in csv.DictReader(handle)}
    assert row["records"] == sources["Leaked roster"]
    assert set(row) == {
        "id",
        "path",
        "sha256_original",
        "sha256_copy",
        "copy",
        "content_type",
        "size",
        "credit",
        "licence",
        "redaction_state",
        "records",
    }
    assert sorted(p.name for p in (out / "files").iterdir()) == [f"{row['id']}.jpg", "manifest.csv"]
    (event,) = AuditEntry.objects.filter(action=Action.FILE_EXPORT)
    assert event.target_id == str(confirmed.pk)
    assert event.detail["copy"] == copy.pk and event.detail["copy_sha256"] == copy.sha256
    assert event.detail["level"] == "pseudonymised"
    detail = AuditEntry.objects.get(action=Action.EXPORT).detail
    assert detail["files"]["evidence_files"] == 1 and detail["evidence_files_withheld"] == 1


def test_a_public_export_ships_nothing_that_is_not_public(tmp_path, export_key, held):
    out = tmp_path / "out"
    result = export(out, level="public")
    assert result.evidence_files == 0
    assert not (out / "files").exists()
    assert not AuditEntry.objects.filter(action=Action.FILE_EXPORT).exists()


def test_a_file_whose_bytes_changed_stops_the_export_and_leaves_none_of_them(tmp_path, alice, held):
    path = storing.blob_path(held["pending"].blob)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 1
    path.write_bytes(bytes(raw))
    approval = ExportApproval.objects.create(approved_by=alice, recipient="Court")
    out = tmp_path / "out"
    with pytest.raises(ExportRefused, match="unseen files verify"):
        export(out, level="full", approval=approval)
    files = out / "files"
    assert not files.exists() or not list(files.iterdir())
    assert not AuditEntry.objects.filter(action__in=[Action.FILE_EXPORT, Action.EXPORT]).exists()


def test_the_command_prints_how_many_files_went_and_were_withheld(tmp_path, export_key, held):
    stdout = io.StringIO()
    call_command(
        "export",
        *("--level", "pseudonymised", "--recipient", "ILO", "--out", str(tmp_path / "o")),
        stdout=stdout,
    )
    assert "       1 evidence_files" in stdout.getvalue()
    assert "1 evidence file(s) withheld" in stdout.getvalue()
