"""Encrypted backups: `unseen backup FILE` and `unseen restore FILE`.

A backup is a gzipped tar archive, sealed in chunks with AES-256-GCM under a key derived (scrypt)
from a passphrase (`core.sealing.seal_stream`). Inside:

- `manifest.json`: format, date, applied migrations, record counts, the ids (never the values) of
  the master key the vault needs and of the audit key the chain is keyed with, and the audit
  anchor written with the backup;
- `database.json`: every record, as Django's `dumpdata` with natural foreign keys (portable
  between SQLite and PostgreSQL); content types and permissions are left to `migrate`;
- `files/…`: everything under MEDIA_ROOT (uploads).

The master key and the audit key are NOT in a backup: vault fields in it stay sealed under the data
key, which is only stored wrapped. Back both keys up separately (see docs/architecture.md).
Restoring needs an empty, migrated database, the passphrase, the master key that was active at
backup time and the audit key; the restored chain is checked against the backup's anchor.
"""

import datetime as dt
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from unseen.audit import anchors
from unseen.audit import keys as audit_keys
from unseen.audit.log import record, verify
from unseen.audit.models import Action
from unseen.core import sealing

from . import keys
from .models import VaultKey

FORMAT = 1


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Summary:
    records: int
    files: int
    master_key_ids: list[str]


def _models() -> list[Any]:
    # Rebuilt by `migrate` (and referred to by natural key), or not worth keeping.
    excluded_labels = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
    return [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in excluded_labels
        and model._meta.managed
        and not model._meta.proxy
    ]


def record_counts() -> dict[str, int]:
    return {model._meta.label_lower: model._default_manager.count() for model in _models()}


def _migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def create(path: Path, passphrase: str) -> Summary:
    """Write an encrypted backup of the database and the uploaded files to `path` (0600)."""
    master_ids = sorted(set(VaultKey.objects.values_list("master_key_id", flat=True)))
    media = _media_root()
    files = [p for p in sorted(media.rglob("*")) if p.is_file()] if media.exists() else []
    record(
        Action.EXPORT,
        target_type="backup",
        detail={"kind": "encrypted backup", "files": len(files)},
    )
    # Written before the dump, so the backup holds every entry the anchor names; a restore
    # checks the chain against the copy in the manifest.
    anchor = anchors.write("backup")
    counts = record_counts()
    with tempfile.TemporaryDirectory(prefix="unseen-backup-") as work:
        dump = Path(work) / "database.json"
        _dump(dump)
        manifest = {
            "format": FORMAT,
            "created": timezone.now().isoformat(),
            "database_vendor": connection.vendor,
            "migrations": _migrations(),
            "records": counts,
            "files": len(files),
            "master_key_ids": master_ids,
            "audit_key_id": anchor.key,
            "audit_anchor": anchor.as_dict(),
        }
        archive = Path(work) / "backup.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
            tar.add(dump, arcname="database.json")
            for file in files:
                tar.add(file, arcname=f"files/{file.relative_to(media).as_posix()}")
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        with archive.open("rb") as source, _private(partial) as target:
            sealing.seal_stream(passphrase, source, target)
        partial.replace(path)
    return Summary(sum(counts.values()), len(files), master_ids)


class _PreciseEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; the audit chain hashes microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def _dump(path: Path) -> None:
    """Like `dumpdata --natural-foreign`, without losing microseconds."""
    chosen = set(_models())
    ordered = serializers.sort_dependencies(
        [(config, None) for config in apps.get_app_configs()], allow_cycles=True
    )
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        first = True
        for model in ordered:
            if model not in chosen:
                continue
            for chunk in _chunks(model._default_manager.order_by("pk")):
                text = (
                    serializers.serialize(
                        "json", chunk, cls=_PreciseEncoder, use_natural_foreign_keys=True
                    )
                    .strip()[1:-1]
                    .strip()
                )
                if text:
                    out.write(("" if first else ",\n") + text)
                    first = False
        out.write("\n]\n")


def _chunks(queryset: Any, size: int = 2000) -> Any:
    batch = []
    for item in queryset.iterator(chunk_size=size):
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _private(path: Path) -> io.BufferedWriter:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"unsafe path in backup: {name!r}")
    return path


def _non_empty_models() -> list[str]:
    return [model._meta.label_lower for model in _models() if model._default_manager.exists()]


def restore(path: Path, passphrase: str, *, say: Callable[[str], None] = print) -> Summary:
    """Load a backup into an empty, migrated database and put its files back under MEDIA_ROOT."""
    with tempfile.TemporaryDirectory(prefix="unseen-restore-") as work:
        archive = Path(work) / "backup.tar.gz"
        with path.open("rb") as source, archive.open("wb") as target:
            for chunk in sealing.open_stream(passphrase, source):
                target.write(chunk)
        unpacked = Path(work) / "unpacked"
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                _safe_name(member.name)
                if not (member.isfile() or member.isdir()):
                    raise BackupError(f"unexpected entry in backup: {member.name!r}")
            tar.extractall(unpacked, filter="data")
        manifest = json.loads((unpacked / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {manifest.get('format')!r}")
        if manifest["migrations"] != _migrations():
            raise BackupError(
                "the backup was taken at another schema version: check out the matching "
                "release and run `unseen migrate` on an empty database first"
            )
        needed = manifest["master_key_ids"]
        if needed:
            current = keys.configured_master_key_id()
            if current not in needed:
                raise BackupError(
                    f"the vault in this backup needs master key {', '.join(needed)}; configure it "
                    f"(UNSEEN_MASTER_KEY or UNSEEN_MASTER_KEY_FILE) before restoring "
                    f"(configured: {current or 'none'})"
                )
        _check_audit_key(manifest)
        occupied = _non_empty_models()
        if occupied:
            raise BackupError(
                "restore needs an empty database; these tables hold records: "
                + ", ".join(occupied[:5])
            )
        media = _media_root()
        files_dir = unpacked / "files"
        restored_files = (
            [p for p in files_dir.rglob("*") if p.is_file()] if files_dir.exists() else []
        )
        clashes = [p for p in restored_files if (media / p.relative_to(files_dir)).exists()]
        if clashes:
            raise BackupError(f"{len(clashes)} file(s) already exist under MEDIA_ROOT")
        call_command("loaddata", str(unpacked / "database.json"), verbosity=0)
        for file in restored_files:
            destination = media / file.relative_to(files_dir)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, destination)
    keys.forget_cached_keys()
    anchored = manifest.get("audit_anchor")
    report = verify([(0, anchors.Anchor(**anchored))] if anchored else [])
    if not report.intact:
        where = f" at entry {report.first_broken_id}" if report.first_broken_id else ""
        raise BackupError(f"restored, but the audit log is broken{where}: {report.reason}")
    matched = f"; the backup's anchor (entry {report.anchor.id}) matched" if report.anchor else ""
    say(f"audit log intact: {report.checked} entries checked{matched}")
    records = sum(record_counts().values())
    record(
        Action.IMPORT,
        target_type="backup",
        detail={"kind": "restore", "records": records, "files": len(restored_files)},
    )
    # The log is now the backup's plus this entry: anchors written since the backup name entries
    # that are gone on purpose, and this one supersedes them (see audit/anchors.py).
    anchors.write(anchors.RESTORE)
    return Summary(records, len(restored_files), needed)


def _check_audit_key(manifest: dict[str, Any]) -> None:
    """The chain in the backup verifies only under the audit key it was written with."""
    needed = manifest.get("audit_key_id")
    current = audit_keys.configured_key_id()
    if needed and current != needed:
        raise BackupError(
            f"the audit log in this backup is keyed with audit key {needed}; configure it "
            f"(UNSEEN_AUDIT_KEY or UNSEEN_AUDIT_KEY_FILE) before restoring "
            f"(configured: {current or 'none'})"
        )
