"""Encrypted backups: `unseen backup FILE` and `unseen restore FILE`.

A backup is a gzipped tar archive, sealed in chunks with AES-256-GCM under a key derived (scrypt,
N = 2^17) from a passphrase (`core.sealing.StreamSealer`). Inside, in this order:

- `manifest.json`: format, date, applied migrations, record counts, the ids (never the values) of
  the master key the vault needs and of the audit key the chain is keyed with, and the audit
  anchor written with the backup;
- `database/000001.json`, …: every record, as Django's `dumpdata` with natural foreign keys
  (portable between SQLite and PostgreSQL), one JSON array per 2000 records of a model, in
  dependency order; content types and permissions are left to `migrate`. Format 1 (before #15)
  held one `database.json` instead; it still restores;
- `files/…`: everything under MEDIA_ROOT (uploads);
- `evidence/…`: the stored evidence files under UNSEEN_FILES_DIR, as they are on disk (each is
  encrypted under a key of its own, sealed in the database under the data key).

Left out of both is what is there only for a moment: `.part` files (uploads still arriving) and
dot folders (a restore's staging; `.checking`, where a file being received is checked on a
private clear copy for the seconds that takes: it must never reach a backup). An evidence folder
set inside MEDIA_ROOT is carried once, under `evidence/`.

Nothing is written in clear to the temporary directory or anywhere else (#15): the archive is
streamed through the sealer into `FILE.partial` as it is made, and a restore reads it back through
the opener, holding the records in memory and putting files in a staging folder under MEDIA_ROOT
(where they were before) until the records are loaded. A crash leaves no plaintext behind.

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
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.dispatch import Signal
from django.utils import timezone

from unseen import private_files
from unseen.audit import anchors
from unseen.audit import keys as audit_keys
from unseen.audit.log import record, verify
from unseen.audit.models import Action
from unseen.core import sealing
from unseen.evidence import revisions

from . import keys
from .models import VaultKey

FORMAT = 2
READABLE_FORMATS = (1, 2)
# The staging folder of a restore, under MEDIA_ROOT: never served, removed when it ends.
STAGING_PREFIX = ".restoring-"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Summary:
    records: int
    files: int
    master_key_ids: list[str]


# Sent after a restore has loaded the records and files, before the audit log is checked: apps
# whose tables are derived from records (`rebuilt_after_restore = True` on the model, left out of
# backups) write them again.
restored = Signal()


def _models() -> list[Any]:
    # Rebuilt by `migrate` (and referred to by natural key), or not worth keeping.
    excluded_labels = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
    return [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in excluded_labels
        and model._meta.managed
        and not model._meta.proxy
        and not getattr(model, "rebuilt_after_restore", False)
    ]


def record_counts() -> dict[str, int]:
    return {model._meta.label_lower: model._default_manager.count() for model in _models()}


def _migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _evidence_root() -> Path | None:
    configured = getattr(settings, "UNSEEN_FILES_DIR", None)
    return Path(configured) if configured else None


TRANSIENT_SUFFIX = ".part"


def _kept(path: Path, root: Path) -> bool:
    """Whether a file under `root` goes into a backup: not one there only for a moment (an
    upload still arriving, anything in a dot folder such as a clear copy being checked)."""
    if any(part.startswith(".") for part in path.relative_to(root).parts):
        return False
    return path.is_file() and not path.name.endswith(TRANSIENT_SUFFIX)


def _evidence_files() -> list[Path]:
    """Stored evidence files (blobs), not the `.part` files of uploads under way."""
    root = _evidence_root()
    if root is None or not root.exists():
        return []
    return [p for p in sorted(root.rglob("*")) if _kept(p, root)]


def _media_files(media: Path) -> list[Path]:
    """Uploaded files under MEDIA_ROOT (an evidence folder inside it is carried on its own)."""
    if not media.exists():
        return []
    evidence = _evidence_root()
    return [
        p
        for p in sorted(media.rglob("*"))
        if _kept(p, media) and not (evidence is not None and p.is_relative_to(evidence))
    ]


def create(path: Path, passphrase: str) -> Summary:
    """Write an encrypted backup of the database and the uploaded files to `path` (0600)."""
    master_ids = sorted(set(VaultKey.objects.values_list("master_key_id", flat=True)))
    media = _media_root()
    files = _media_files(media)
    evidence_root, evidence = _evidence_root(), _evidence_files()
    record(
        Action.EXPORT,
        target_type="backup",
        detail={"kind": "encrypted backup", "files": len(files), "evidence_files": len(evidence)},
    )
    # Written before the dump, so the backup holds every entry the anchor names; a restore
    # checks the chain against the copy in the manifest.
    anchor = anchors.write("backup")
    counts = record_counts()
    manifest = {
        "format": FORMAT,
        "created": timezone.now().isoformat(),
        "database_vendor": connection.vendor,
        "migrations": _migrations(),
        "records": counts,
        "files": len(files),
        "evidence_files": len(evidence),
        "master_key_ids": master_ids,
        "audit_key_id": anchor.key,
        "audit_anchor": anchor.as_dict(),
    }
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with private_files.open_new(partial) as target:
            sealer = sealing.StreamSealer(passphrase, target)
            # "w|gz" writes the archive as a stream: nothing of it is kept but gzip's window and
            # the sealer's chunk, so the records never sit on disk in clear.
            with tarfile.open(fileobj=sealer, mode="w|gz") as tar:  # type: ignore[call-overload]
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
                for number, part in enumerate(_dump_parts(), start=1):
                    _add_bytes(tar, f"database/{number:06d}.json", part)
                for file in files:
                    tar.add(file, arcname=f"files/{file.relative_to(media).as_posix()}")
                for file in evidence:
                    assert evidence_root is not None
                    relative = file.relative_to(evidence_root).as_posix()
                    tar.add(file, arcname=f"evidence/{relative}")
            sealer.close()
            target.flush()
            os.fsync(target.fileno())
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)  # sealed, but unfinished: it would not open
        raise
    return Summary(sum(counts.values()), len(files) + len(evidence), master_ids)


class _PreciseEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; the audit chain hashes microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def _dump_parts() -> Any:
    """Like `dumpdata --natural-foreign`, without losing microseconds: one JSON array (bytes) per
    chunk of a model's records, in dependency order."""
    chosen = set(_models())
    ordered = serializers.sort_dependencies(
        [(config, None) for config in apps.get_app_configs()], allow_cycles=True
    )
    for model in ordered:
        if model not in chosen:
            continue
        for chunk in _chunks(model._default_manager.order_by("pk")):
            yield serializers.serialize(
                "json", chunk, cls=_PreciseEncoder, use_natural_foreign_keys=True
            ).encode("utf-8")


def _chunks(queryset: Any, size: int = 2000) -> Any:
    batch = []
    for item in queryset.iterator(chunk_size=size):
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


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


class _Opened:
    """The decrypted bytes of a sealed backup as a readable file, one chunk in memory at a time."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._chunk = b""
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        out = []
        wanted = size
        while wanted != 0:
            if self._position >= len(self._chunk):
                following = next(self._chunks, None)
                if following is None:
                    break
                self._chunk, self._position = following, 0
                continue
            end = len(self._chunk)
            if wanted > 0:
                end = min(end, self._position + wanted)
                wanted -= end - self._position
            out.append(self._chunk[self._position : end])
            self._position = end
        return b"".join(out)

    def drain(self) -> None:
        """Read to the end, so the last chunk is authenticated (truncation shows only there)."""
        while self.read(STREAM_READ):
            pass


STREAM_READ = 1 << 16


def restore(path: Path, passphrase: str, *, say: Callable[[str], None] = print) -> Summary:
    """Load a backup into an empty, migrated database and put its files back under MEDIA_ROOT."""
    media = _media_root()
    media.mkdir(parents=True, exist_ok=True)
    for leftover in media.glob(STAGING_PREFIX + "*"):  # from a restore that crashed
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=media))
    try:
        with path.open("rb") as source:
            opened = _Opened(sealing.open_stream(passphrase, source))
            manifest, parts, restored_files = _read_archive(opened, staging, media)
            opened.drain()
        _load_records(parts)
        del parts
        evidence_root = _evidence_root()
        for file in restored_files:
            if file.is_relative_to(staging / "evidence") and evidence_root is not None:
                destination = evidence_root / file.relative_to(staging / "evidence")
                private_files.private_folder(destination.parent)
                file.chmod(private_files.FILE_MODE)
            else:
                destination = media / file.relative_to(staging / "files")
                destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(file, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    needed = manifest["master_key_ids"]
    keys.forget_cached_keys()
    restored.send(sender=restore)
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


def _read_archive(
    opened: _Opened, staging: Path, media: Path
) -> tuple[dict[str, Any], list[bytes], list[Path]]:
    """Read the archive as a stream: the manifest (checked before anything else is read), the
    records (kept in memory) and the files (into `staging`)."""
    manifest: dict[str, Any] | None = None
    parts: list[bytes] = []
    restored_files: list[Path] = []
    with tarfile.open(fileobj=opened, mode="r|gz") as tar:  # type: ignore[call-overload]
        for member in tar:
            name = _safe_name(member.name)
            if not (member.isfile() or member.isdir()):
                raise BackupError(f"unexpected entry in backup: {member.name!r}")
            if member.isdir():
                continue
            if manifest is None:
                if str(name) != "manifest.json":
                    raise BackupError("the backup does not start with its manifest")
                manifest = json.load(_member(tar, member))
                _check_manifest(manifest)
            elif str(name) == "database.json" or name.parts[0] == "database":
                parts.append(_member(tar, member).read())
            elif name.parts[0] in ("files", "evidence") and len(name.parts) > 1:
                root = media if name.parts[0] == "files" else _evidence_root()
                if root is None:
                    raise BackupError(f"the backup holds {name}, and UNSEEN_FILES_DIR is unset")
                if (root / PurePosixPath(*name.parts[1:])).exists():
                    where = "MEDIA_ROOT" if root == media else "UNSEEN_FILES_DIR"
                    raise BackupError(f"a file in the backup already exists under {where}: {name}")
                tar.extract(member, staging, filter="data")
                restored_files.append(staging / name)
            else:
                raise BackupError(f"unexpected entry in backup: {member.name!r}")
    if manifest is None:
        raise BackupError("the backup holds no manifest")
    return manifest, parts, restored_files


def _member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError(f"unreadable entry in backup: {member.name!r}")
    return handle


def _check_manifest(manifest: dict[str, Any]) -> None:
    """Everything that can refuse a restore, checked before the records are even decrypted."""
    if manifest.get("format") not in READABLE_FORMATS:
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
            "restore needs an empty database; these tables hold records: " + ", ".join(occupied[:5])
        )


def _load_records(parts: list[bytes]) -> None:
    """`loaddata` of the records, from memory: it reads a fixture from stdin ("-"), so it is handed
    the decrypted JSON there rather than in a file (which is what #15 forbids)."""
    inner = [text for text in (part.strip()[1:-1].strip() for part in parts) if text]
    fixture = io.StringIO("[\n" + ",\n".join(item.decode("utf-8") for item in inner) + "\n]\n")
    saved = sys.stdin
    sys.stdin = fixture
    try:
        with revisions.loading_fixtures():
            call_command("loaddata", "-", format="json", verbosity=0)
    finally:
        sys.stdin = saved
        fixture.close()


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
