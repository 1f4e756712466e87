"""`unseen backup FILE` / `unseen restore FILE`: an encrypted round trip that loses nothing (#8)."""

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from unseen.audit import anchors
from unseen.audit.log import record, verify
from unseen.audit.models import Action, AuditEntry
from unseen.intake import attachments
from unseen.intake.images import clean
from unseen.intake.models import Submission, Upload
from unseen.intake.vault import Contact, read_contact, store_contact
from unseen.registry import backup, keys
from unseen.registry.models import Person
from unseen.registry.vault import Identity, read_identity, read_identity_history, store_identity

PASSPHRASE = "a long and private backup passphrase"


@pytest.fixture(autouse=True)
def own_keys(settings, tmp_path, monkeypatch):
    settings.UNSEEN_MASTER_KEY = ""
    settings.UNSEEN_BACKUP_PASSPHRASE = PASSPHRASE


def plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every record of every backed-up model, field by field (content types by natural key:
    their ids are the new database's own)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    result = {}
    for model in backup._models():
        typed = {
            field.attname
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model is ContentType
        }
        result[model._meta.label_lower] = [
            {
                name: ContentType.objects.get_for_id(value).natural_key()
                if name in typed and value
                else plain(value)
                for name, value in row.items()
            }
            for row in model._default_manager.order_by("pk").values()
        ]
    return result


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_record_and_file_into_an_empty_database(settings, tmp_path):
    from unseen.accounts.models import User
    from unseen.demo.loading import ensure_logins, load_demo
    from unseen.documentation.models import SearchEntry

    load_demo()
    ensure_logins()
    person = Person.objects.create()
    store_identity(person, Identity(full_name="Ri Chol Su", phone="+850 2 381 0000"))
    # A revision of the identity older than its record: restored sealed, and still opening.
    store_identity(person, Identity(full_name="Ri Chol Su", phone="+850 2 381 0001"))
    submission = Submission.objects.create(description="seen")
    store_contact(submission, Contact(contact="signal +976 0101"))
    photographed = factories.submission()  # its photo is on disk encrypted (intake/attachments)
    # A public figure (#20) with an alias and a designation; the demo's organisations have theirs.
    figure = factories.public_figure()
    figure.aliases.create(name="Chong Song-hwa")
    factories.designation(figure)
    media = Path(settings.MEDIA_ROOT)

    target = tmp_path / "unseen.backup"
    call_command("backup", str(target))
    before, files_before = snapshot(), files_under(media)
    indexed = sorted(SearchEntry.objects.values_list("kind", "object_id", "body"))
    assert len(indexed) > 100
    assert sum(len(rows) for rows in before.values()) > 1000
    assert len(before["registry.historicalpersonidentity"]) >= 2  # backed up, sealed
    assert len(before["registry.designation"]) >= 9 and before["registry.publicfigurealias"]
    raw = target.read_bytes()
    assert b"Ri Chol Su" not in raw and b"researcher" not in raw
    assert target.stat().st_mode & 0o777 == 0o600

    with pytest.raises(CommandError, match="empty database"):
        call_command("restore", str(target))

    call_command("flush", interactive=False, verbosity=0)
    for path in media.rglob("*.jpg"):
        path.unlink()
    shutil.rmtree(settings.UNSEEN_FILES_DIR)  # the demo's evidence files (#19), come back too
    keys.forget_cached_keys()
    call_command("restore", str(target))

    after = snapshot()
    restore_entry = after["audit.auditentry"].pop()
    assert restore_entry["detail"]["kind"] == "restore"
    # Each evidence file put back is a custody event of its own (tests/files/test_backup.py).
    entries = after["audit.auditentry"]
    file_restores = [entry for entry in entries if entry["action"] == Action.FILE_RESTORE]
    after["audit.auditentry"] = [e for e in entries if e["action"] != Action.FILE_RESTORE]
    assert len(file_restores) == len(before["files.evidencefile"]) == 3  # the demo's files
    for label, rows in before.items():
        assert after[label] == rows, label
    assert files_under(media) == files_before
    # The search index is left out of the backup and written again from the restored records.
    assert "documentation.searchentry" not in before
    assert sorted(SearchEntry.objects.values_list("kind", "object_id", "body")) == indexed
    assert verify().intact
    assert AuditEntry.objects.count() == len(before["audit.auditentry"]) + 1 + len(file_restores)

    researcher = User.objects.get(username="researcher")
    assert read_identity(person, user=researcher, purpose="check").phone == "+850 2 381 0001"
    revisions = read_identity_history(person, user=researcher, purpose="check")
    assert [r.identity.phone for r in revisions] == ["+850 2 381 0001", "+850 2 381 0000"]
    assert b"381 0000" not in raw
    admin = User.objects.get(username="admin")
    assert read_contact(submission, user=admin, purpose="check").contact == "signal +976 0101"
    photo = Upload.objects.get(submission=photographed)
    assert attachments.read(photo, user=admin) == clean(factories.jpeg_with_gps()).data


@pytest.mark.django_db
def test_a_wrong_passphrase_or_altered_backup_is_refused(tmp_path, settings):
    target = tmp_path / "b.backup"
    call_command("backup", str(target))
    settings.UNSEEN_BACKUP_PASSPHRASE = "another long passphrase!"
    with pytest.raises(CommandError, match="wrong passphrase"):
        call_command("restore", str(target))
    settings.UNSEEN_BACKUP_PASSPHRASE = PASSPHRASE
    data = bytearray(target.read_bytes())
    data[-5] ^= 1
    target.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="altered"):
        call_command("restore", str(target))
    target.write_bytes(bytes(data[:-20]))
    with pytest.raises(CommandError, match=r"truncated|altered"):
        call_command("restore", str(target))


@pytest.mark.django_db
def test_it_needs_a_passphrase_and_refuses_to_overwrite(tmp_path, settings):
    target = tmp_path / "b.backup"
    target.write_text("x")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(target))
    settings.UNSEEN_BACKUP_PASSPHRASE = ""
    with pytest.raises(CommandError, match="passphrase"):
        call_command("backup", str(tmp_path / "new.backup"))
    secret = tmp_path / "passphrase"
    secret.write_text(PASSPHRASE + "\n")
    call_command("backup", str(tmp_path / "new.backup"), passphrase_file=str(secret))
    assert (tmp_path / "new.backup").exists()


@pytest.mark.django_db
def test_a_restore_needs_the_master_key_of_the_backup(settings, tmp_path):
    store_identity(Person.objects.create(), Identity(full_name="Ri Chol Su"))
    target = tmp_path / "b.backup"
    call_command("backup", str(target))
    Person.objects.all().delete()
    settings.UNSEEN_MASTER_KEY_FILE = str(tmp_path / "other" / "master.key")
    with pytest.raises(CommandError, match="needs master key"):
        call_command("restore", str(target))


@pytest.mark.django_db
def test_a_backup_writes_an_audit_anchor_and_carries_it(settings, tmp_path):
    import io
    import json
    import tarfile

    from unseen.core import sealing

    target = tmp_path / "b.backup"
    call_command("backup", str(target))
    newest = AuditEntry.objects.order_by("-id").first()
    anchors = (Path(settings.VAR_DIR) / "anchors" / "audit.anchors").read_text().splitlines()
    written = json.loads(anchors[-1])
    assert (written["id"], written["hash"], written["reason"]) == (
        newest.pk,
        newest.entry_hash,
        "backup",
    )
    with target.open("rb") as source:
        archive = b"".join(sealing.open_stream(PASSPHRASE, source))
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["audit_anchor"] == written


def empty_the_audit_log():
    # Only audit entries are left in these tests' databases; the ORM refuses to delete them.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")


@pytest.mark.django_db
def test_a_restore_rewinds_the_log_to_the_backup_and_anchors_that(tmp_path, capsys):
    record(Action.SEARCH, target_type="test", target_id="before")
    target = tmp_path / "b.backup"
    call_command("backup", str(target))
    record(Action.SEARCH, target_type="test", target_id="after")
    call_command("audit", "anchor")  # names an entry the backup does not hold
    empty_the_audit_log()
    with pytest.raises(CommandError, match="log is empty"):
        call_command("audit", "verify")

    call_command("restore", str(target))
    assert "the backup's anchor (entry" in capsys.readouterr().out
    assert anchors.read()[-1][1].reason == "restore"
    report = verify()
    assert report.intact and report.anchor.reason == "restore"


@pytest.mark.django_db
def test_a_restore_needs_the_audit_key_of_the_backup(settings, tmp_path):
    target = tmp_path / "b.backup"
    call_command("backup", str(target))
    empty_the_audit_log()
    settings.UNSEEN_AUDIT_KEY_FILE = str(tmp_path / "other" / "audit.key")
    with pytest.raises(CommandError, match="keyed with audit key"):
        call_command("restore", str(target))
    assert AuditEntry.objects.count() == 0


# --- #15: nothing in clear on disk, even when a backup or a restore dies midway ---------------

CRASHING = """
import resource, signal, sys
# Python ignores SIGXFSZ; a real crash is the default action: killed, no cleanup runs.
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from unseen.cli import main
main(sys.argv[2:])
"""


def run_unseen(env: dict[str, str], *args: str, file_limit: int | None = None) -> Any:
    import subprocess
    import sys

    if file_limit is None:
        command = [sys.executable, "-m", "unseen.cli", *args]
    else:
        command = [sys.executable, "-c", CRASHING, str(file_limit), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def everything_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.slow
def test_a_backup_or_restore_that_crashes_midway_leaves_nothing_in_the_temporary_directory(
    tmp_path,
):
    import os
    import signal

    watched = tmp_path / "tmp"  # TMPDIR of the commands: empty, and it must stay so
    watched.mkdir()
    var = tmp_path / "var"
    env = {
        **os.environ,
        "TMPDIR": str(watched),
        "UNSEEN_VAR_DIR": str(var),
        "UNSEEN_BACKUP_PASSPHRASE": PASSPHRASE,
        "PYTHONPATH": os.pathsep.join(p for p in [str(Path(backup.__file__).parents[2])] if p),
    }
    for name in ("DATABASE_URL", "UNSEEN_MASTER_KEY", "UNSEEN_AUDIT_KEY", "UNSEEN_AUDIT_KEY_FILE"):
        env.pop(name, None)
    assert run_unseen(env, "migrate", "-v0").returncode == 0
    assert run_unseen(env, "keys", "init").returncode == 0
    media = var / "files"
    media.mkdir(parents=True)
    # The database's copy fits under the limit; the file, incompressible and larger than the
    # limit, makes the archive outgrow it while it is being written (whatever the schema's size).
    limit = (var / "unseen.sqlite3").stat().st_size + (1 << 20)
    big = os.urandom(limit + (2 << 20))
    (media / "big.bin").write_bytes(big)
    target = tmp_path / "out" / "crashed.backup"
    target.parent.mkdir()

    crashed = run_unseen(env, "backup", str(target), file_limit=limit)
    assert crashed.returncode == -signal.SIGXFSZ, crashed.stderr
    assert everything_under(watched) == []
    assert not target.exists()

    complete = tmp_path / "out" / "complete.backup"
    done = run_unseen(env, "backup", str(complete))
    assert done.returncode == 0, done.stderr
    assert everything_under(watched) == []

    assert run_unseen(env, "flush", "--no-input").returncode == 0
    (media / "big.bin").unlink()
    crashed = run_unseen(env, "restore", str(complete), file_limit=limit)
    assert crashed.returncode == -signal.SIGXFSZ, crashed.stderr
    assert everything_under(watched) == []

    done = run_unseen(env, "restore", str(complete))
    assert done.returncode == 0, done.stderr
    assert everything_under(watched) == []
    assert (media / "big.bin").read_bytes() == big
    assert everything_under(media) == ["big.bin"]  # the crashed restore's staging is gone


def header_parameters(blob: bytes) -> tuple[int, ...]:
    import struct

    from unseen.core import sealing

    start = len(sealing.STREAM_MAGIC)
    return struct.unpack(">III", blob[start : start + 12])


@pytest.mark.django_db
def test_a_new_backup_derives_its_key_with_scrypt_at_n_2_17_at_least(tmp_path):
    target = tmp_path / "b.backup"
    call_command("backup", str(target))
    n, r, p = header_parameters(target.read_bytes())
    assert n >= 1 << 17 and (r, p) == (8, 1)


@pytest.mark.django_db
def test_a_backup_made_before_15_still_restores(tmp_path, capsys):
    """Format 1 (one database.json) sealed under scrypt N = 2^15, as backups were before #15."""
    import io
    import json
    import tarfile

    from unseen.core import sealing

    record(Action.SEARCH, target_type="test", target_id="old")
    current = tmp_path / "current.backup"
    call_command("backup", str(current))
    with current.open("rb") as source:
        archive = b"".join(sealing.open_stream(PASSPHRASE, source))
    old = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar,
        tarfile.open(fileobj=old, mode="w:gz") as written,
    ):
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        manifest["format"] = 1
        parts = [json.load(tar.extractfile(name)) for name in names if name.startswith("database/")]
        for name, data in [
            ("manifest.json", json.dumps(manifest).encode()),
            ("database.json", json.dumps([row for part in parts for row in part]).encode()),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            written.addfile(info, io.BytesIO(data))
    sealed = io.BytesIO()
    sealer = sealing.StreamSealer(PASSPHRASE, sealed, n=1 << 15)
    sealer.write(old.getvalue())
    sealer.close()
    before = tmp_path / "before-15.backup"
    before.write_bytes(sealed.getvalue())
    assert header_parameters(before.read_bytes()) == (1 << 15, 8, 1)

    entries = list(AuditEntry.objects.order_by("pk").values_list("pk", "entry_hash"))
    empty_the_audit_log()
    call_command("restore", str(before))
    assert "audit log intact" in capsys.readouterr().out
    restored = list(AuditEntry.objects.order_by("pk").values_list("pk", "entry_hash"))
    assert restored[: len(entries)] == entries


@pytest.mark.parametrize(
    ("n", "r", "p"),
    [(1 << 21, 1, 1), (1 << 10, 17, 1), (1 << 10, 1, 5), (3000, 1, 1), (1 << 20, 16, 1)],
)
def test_it_refuses_scrypt_parameters_beyond_the_cap_before_deriving(n, r, p):
    import io
    import os
    import struct

    from unseen.core import sealing

    crafted = sealing.STREAM_MAGIC + struct.pack(">III", n, r, p) + os.urandom(16 + 7)
    crafted += struct.pack(">I", 20) + os.urandom(20)
    with pytest.raises(sealing.SealingError, match=r"unsupported scrypt|more than 1 GiB"):
        list(sealing.open_stream(PASSPHRASE, io.BytesIO(crafted)))
