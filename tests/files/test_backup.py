"""Backups carry evidence files encrypted as they are stored; a restore puts them in custody (#19).

`unseen backup` archives MEDIA_ROOT, and UNSEEN_FILES_DIR lives under it (MEDIA_ROOT/evidence by
default): the blobs go in as they are on disk, sealed under their file keys, and come back
byte for byte. Each file restored is a FILE_RESTORE custody event.
"""

import hashlib
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core import checks
from django.core.management import call_command

from tests import factories
from tests.core.media import samples
from unseen.audit.log import verify
from unseen.audit.models import Action, AuditEntry
from unseen.files import custody, storing
from unseen.files.models import EvidenceFile, WorkingCopy
from unseen.registry import keys

PASSPHRASE = "a long and private backup passphrase"


@pytest.fixture(autouse=True)
def own_keys(settings):
    settings.UNSEEN_MASTER_KEY = ""
    settings.UNSEEN_BACKUP_PASSPHRASE = PASSPHRASE
    keys.forget_cached_keys()


def blobs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_files_folder_is_under_media_root_by_default():
    from unseen.config import settings as defaults

    assert defaults.UNSEEN_FILES_DIR == defaults.MEDIA_ROOT / "evidence"


def test_a_files_folder_outside_media_root_is_warned_about(settings, tmp_path):
    from unseen.registry.checks import evidence_files_backed_up

    assert evidence_files_backed_up() == []
    settings.UNSEEN_FILES_DIR = tmp_path / "elsewhere"
    (warning,) = evidence_files_backed_up()
    assert warning.id == "unseen.W102" and warning.level == checks.WARNING
    assert "outside MEDIA_ROOT" in warning.msg


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
    assert Path(settings.MEDIA_ROOT) in root.parents
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
