"""Backups carry evidence files as they are on disk (encrypted), and a restore is in custody.

Each file restored is a FILE_RESTORE custody event; what is there only for a moment (an upload
still arriving, the clear copy of a file being checked) never reaches a backup.
"""

import hashlib
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import factories
from tests.core.media import samples
from unseen.audit.log import verify
from unseen.audit.models import Action, AuditEntry
from unseen.files import custody, storing
from unseen.files.models import CopyKind, EvidenceFile, WorkingCopy
from unseen.registry import keys

PDF = factories.pdf()
PASSPHRASE = "a long and private backup passphrase"


@pytest.fixture(autouse=True)
def own_keys(settings):
    settings.UNSEEN_MASTER_KEY = ""
    settings.UNSEEN_BACKUP_PASSPHRASE = PASSPHRASE
    keys.forget_cached_keys()


def stored(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.django_db(transaction=True)
def test_a_backup_carries_evidence_files_and_a_restore_is_a_custody_event(settings, tmp_path):
    file = storing.receive([PDF], name="roster.pdf", user=None).file
    storing.attach(file, factories.source(), None)
    storing.store_working_copy(
        file, [b"a preview"], kind=CopyKind.PREVIEW, content_type="image/png", tool="test"
    )
    root = Path(settings.UNSEEN_FILES_DIR)
    before = stored(root)
    assert len(before) == 3  # the original, its thumbnail (made on arrival) and the preview
    (root / f"{storing.new_blob_name()}.part").write_bytes(b"an upload under way")
    target = tmp_path / "unseen.backup"
    call_command("backup", str(target))
    raw = target.read_bytes()
    assert PDF[:40] not in raw and b"roster" not in raw

    call_command("flush", interactive=False, verbosity=0)
    for path in root.rglob("*"):
        if path.is_file():
            path.unlink()
    keys.forget_cached_keys()
    call_command("restore", str(target))

    assert stored(root) == before  # the .part file was not backed up
    for path in root.rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600)
    restored = EvidenceFile.objects.get()
    assert storing.read_all(storing.open_original(restored, user=None, reason="check")) == PDF
    assert storing.verify_all() == []
    actions = [event.entry.action for event in custody.report(restored)]
    assert Action.FILE_RESTORE in actions
    assert actions.index(Action.FILE_RESTORE) < actions.index(Action.FILE_DOWNLOAD)


def blobs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_keep_every_files_bytes_and_hash(settings, tmp_path):
    from unseen.accounts.models import User

    rita = User.objects.create_user("rita", password="x", role="researcher")
    photo = factories.jpeg_with_gps()
    document = samples.pdf(["근로계약서 벌목장"])
    transcript = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n벌목장\n".encode()
    originals = {}
    for data, name in ((photo, "site.jpg"), (document, "contract.pdf"), (transcript, "t.vtt")):
        file = storing.receive([data], name=name, user=rita).file
        originals[file.sha256] = data
    assert WorkingCopy.objects.count() == 2  # thumbnails of the photo and the PDF
    root = Path(settings.UNSEEN_FILES_DIR)
    # What is there for a moment stays out: an upload still arriving, a copy being checked.
    (root / f"{storing.new_blob_name()}{storing.PART_SUFFIX}").write_bytes(b"arriving")
    checking = storing.private_files.private_folder(root / storing.CHECKING_FOLDER)
    (checking / ("0" * 32)).write_bytes(b"clear bytes being checked")
    stored = {
        path: data
        for path, data in blobs(root).items()
        if not path.endswith(".part") and not path.startswith(".")
    }
    assert len(stored) == 5
    copies = {copy.sha256 for copy in WorkingCopy.objects.all()}

    target = tmp_path / "unseen.backup"
    call_command("backup", str(target), stdout=StringIO())
    raw = target.read_bytes()
    assert photo[-200:] not in raw and "벌목장".encode() not in raw

    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(root)
    keys.forget_cached_keys()
    call_command("restore", str(target), stdout=StringIO())

    assert blobs(root) == stored  # byte for byte, still encrypted; nothing transient came back
    assert oct(root.stat().st_mode & 0o777) == oct(0o700)
    assert {copy.sha256 for copy in WorkingCopy.objects.all()} == copies
    assert storing.verify_all() == []
    for file in EvidenceFile.objects.all():
        back = storing.read_all(storing.open_original(file, user=None, reason="after restore"))
        assert back == originals[file.sha256]
        assert hashlib.sha256(back).hexdigest() == file.sha256
        actions = [event.entry.action for event in custody.report(file)]
        assert actions[-2:] == [Action.FILE_RESTORE, Action.FILE_DOWNLOAD]
        restored = [e for e in custody.report(file) if e.entry.action == Action.FILE_RESTORE]
        assert restored[0].sha256 == file.sha256 and restored[0].matches
        assert restored[0].detail["blob_present"] is True
        assert restored[0].reason == custody.RESTORED_REASON
    assert AuditEntry.objects.filter(action=Action.FILE_RESTORE).count() == 3
    assert verify().intact
