"""Backups carry evidence files as they are on disk (encrypted), and a restore is in custody."""

from pathlib import Path

import pytest
from django.core.management import call_command

from tests import factories
from unseen.audit.models import Action
from unseen.files import custody, storing
from unseen.files.models import CopyKind, EvidenceFile
from unseen.registry import keys

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"0" * 5000
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
    assert len(before) == 2
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
