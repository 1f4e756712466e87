"""Files that hold testimony or keys are the service account's alone: 0600 files, 0700 folders."""

import os
import stat
import subprocess
import sys

from django.core.management import call_command

from tests import factories
from unseen.publishing.models import ExportApproval


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_it_creates_the_database_and_key_files_private_on_a_fresh_var_dir(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNSEEN_", "DATABASE_URL"))}
    env.update(UNSEEN_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="unseen.config.settings")
    # A permissive umask, as a service manager or a shell may leave it.
    command = "import os; os.umask(0o022); from unseen.cli import main; main()"
    subprocess.run(
        [sys.executable, "-c", command, "migrate", "--no-input", "-v0"],
        env=env,
        check=True,
        timeout=300,
    )
    database = var / "unseen.sqlite3"
    assert mode(database) == 0o600
    for companion in ("-wal", "-shm", "-journal"):
        side = database.with_name(database.name + companion)
        if side.exists():
            assert mode(side) == 0o600, companion
    assert mode(var) == 0o700
    assert mode(var / "keys") == 0o700
    assert mode(var / "keys" / "secret_key") == 0o600


def test_it_writes_an_export_as_private_files_in_a_private_folder(tmp_path, alice):
    old = os.umask(0o022)
    try:
        approval = ExportApproval.objects.create(approved_by=alice, recipient="Court")
        factories.deployment(evidence=factories.source("Some report"))
        out = tmp_path / "out"
        call_command(
            "export",
            *("--format", "csv", "--level", "full", "--approval", str(approval.pk)),
            *("--out", str(out)),
            stdout=open(os.devnull, "w"),  # noqa: SIM115
        )
    finally:
        os.umask(old)
    assert mode(out) == 0o700
    files = list(out.iterdir())
    assert files
    assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}


def test_it_leaves_an_existing_folder_and_its_other_files_as_they_were(tmp_path, alice):
    out = tmp_path / "mine"
    out.mkdir(mode=0o755)
    out.chmod(0o755)
    (out / "notes.txt").write_text("the operator's own")
    (out / "notes.txt").chmod(0o644)
    (out / "sites.csv").write_text("an older export")
    (out / "sites.csv").chmod(0o644)
    approval = ExportApproval.objects.create(approved_by=alice, recipient="Court")
    call_command(
        "export",
        *("--format", "csv", "--level", "full", "--approval", str(approval.pk)),
        *("--out", str(out)),
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    assert mode(out) == 0o755
    assert mode(out / "notes.txt") == 0o644
    assert mode(out / "sites.csv") == 0o600  # overwritten by this export
    assert mode(out / "deployments.csv") == 0o600


def test_it_saves_uploaded_files_private(settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    old = os.umask(0o022)
    try:
        storage = FileSystemStorage(location=settings.MEDIA_ROOT)
        name = storage.save("photos/one.bin", ContentFile(b"sealed bytes"))
    finally:
        os.umask(old)
    assert mode(settings.MEDIA_ROOT / name) == 0o600
    assert mode(settings.MEDIA_ROOT / "photos") == 0o700
