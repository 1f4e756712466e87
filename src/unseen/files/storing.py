"""The only way to write or read an evidence file's bytes: hashed, encrypted, in custody.

Receiving (`Receiver`, `receive`): the bytes are hashed (SHA-256) and sealed as they stream in
(`core.sealing.SegmentSealer`, a random key per file) into a `.part` file under a random name in
`UNSEEN_FILES_DIR` (0700 folder, 0600 files). Nothing is ever written in clear, and the name a file
arrived with is never part of a path. A file beyond `UNSEEN_FILES_MAX_MB`, or one the disk has no
room for, is refused before a byte is written when its size is known (and stopped as soon as it is
exceeded when it is not). On success the `.part` file is renamed to its blob name; on any failure
it is deleted, so an interrupted upload leaves nothing behind. The same bytes received twice are
stored once: the second copy is deleted and `Received.duplicate` says so.

The file key is sealed under the vault's data key (`registry.keys.sealing_key`) inside the
transaction that saves the row, bound to the file's SHA-256, as intake photos are; a key rotation
re-wraps the file keys (`reseal`) and leaves the blobs as they are.

Reading (`open_original`, `open_working_copy`) writes a custody event first, then streams the bytes
one segment at a time and checks the SHA-256 at the end. `verify_all` re-hashes everything stored
without a custody event per file (it shows no one any bytes).
"""

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from unseen import private_files
from unseen.accounts.models import AccessLevel, User, UserLike
from unseen.audit.models import Action
from unseen.core import sealing
from unseen.core.media import checks as media_checks
from unseen.core.media import copies as media_copies
from unseen.core.media import embedded
from unseen.core.media import types as media_types
from unseen.core.media.errors import MediaError
from unseen.registry import keys

from . import access, custody
from .models import Attachment, CopyKind, EvidenceFile, WorkingCopy

TABLE = "files.evidencefile"
COPY_TABLE = "files.workingcopy"
PART_SUFFIX = ".part"
# Where clear copies are checked for a moment (see `_clear_copy`); backups leave dot folders out.
CHECKING_FOLDER = ".checking"
HEAD_BYTES = media_types.HEAD_BYTES  # what type detection looks at
# Never fill the disk to its last byte: the database and its journal live there too.
DISK_RESERVE_BYTES = 64 << 20
_DISK_CHECK_EVERY = 64 << 20
_BLOB = re.compile(r"[0-9a-f]{32}")
_READ = 1 << 20


class Refused(Exception):
    """A file not taken, with a reason for the person who sent it. Nothing of it was kept.

    `reason` is a short code for tests and logs ("unsupported", "bomb", "corrupt_pdf", ...).
    """

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


# --- Where blobs live ----------------------------------------------------------------------------


def files_dir() -> Path:
    return private_files.private_folder(Path(settings.UNSEEN_FILES_DIR))


def new_blob_name() -> str:
    """A random storage name: never derived from the file's name or hash."""
    return secrets.token_hex(16)


def blob_path(blob: str) -> Path:
    """Where a blob lives: UNSEEN_FILES_DIR/ab/abcdef... (a stored name, never one given to us)."""
    if not _BLOB.fullmatch(blob):
        raise ValueError("not a blob name")
    return files_dir() / blob[:2] / blob


def max_bytes() -> int:
    return int(settings.UNSEEN_FILES_MAX_MB * 1024 * 1024)


def segment_bytes() -> int:
    return int(getattr(settings, "UNSEEN_FILES_SEGMENT", sealing.SEGMENT_BYTES))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f}"


def check_size(size: int) -> None:
    """Refuse a file larger than UNSEEN_FILES_MAX_MB (before anything is written, when known)."""
    if size > max_bytes():
        raise Refused(
            _("The file is larger than the %(limit)s MB this server takes (UNSEEN_FILES_MAX_MB).")
            % {"limit": f"{settings.UNSEEN_FILES_MAX_MB:g}"}
        )


def check_room(size: int) -> None:
    """Refuse `size` bytes when the disk of UNSEEN_FILES_DIR could not hold them sealed."""
    free = shutil.disk_usage(files_dir()).free
    needed = sealing.sealed_length(size, segment_bytes()) + DISK_RESERVE_BYTES
    if needed > free:
        raise Refused(
            _(
                "There is no room on the server's disk for this file (%(needed)s MB needed, "
                "%(free)s MB free). Nothing was written; ask an administrator."
            )
            % {"needed": _megabytes(needed), "free": _megabytes(free)}
        )


def check_before_writing(size: int | None) -> None:
    """Everything that can be refused before a byte is written, for a file of `size` bytes."""
    if size is not None:
        check_size(size)
        check_room(size)


# --- Content type --------------------------------------------------------------------------------


def _refusal(error: MediaError) -> Refused:
    """A core.media refusal as ours, its message in the reader's language."""
    return Refused(error.translated(_), reason=error.reason)


def file_type(head: bytes, name: str = "") -> media_types.FileType:
    """The type of a file from its first bytes (never its name), from the allowlist.

    `name` only breaks a tie between two types we take (core.media.types.detect).
    Raises Refused (with the types we take) for anything else, and for an empty file.
    """
    try:
        return media_types.detect(head, name=name)
    except MediaError as error:
        raise _refusal(error) from None


def detect_type(head: bytes, name: str = "") -> str:
    """The content type of a file from its first bytes; Refused when we do not take it."""
    return file_type(head, name).content_type


# --- Keys ----------------------------------------------------------------------------------------


def _content_context(table: str, blob: str) -> str:
    return f"unseen/{table}/content/blob={blob}"


def _key_context(file: EvidenceFile) -> str:
    return f"unseen/{TABLE}/file_key/sha256={file.sha256}"


def _copy_key_context(copy: WorkingCopy) -> str:
    return f"unseen/{COPY_TABLE}/file_key/file={copy.file_id}/sha256={copy.sha256}"


def _seal_key(file_key: bytes, context: str) -> str:
    """The file key sealed under the data key; call inside the transaction that saves the row."""
    with keys.sealing_key() as (version, key):
        return sealing.seal(key, version, sealing.encode_key(file_key), context)


def _open_key(sealed: str, context: str, key_for: Callable[[int], bytes] = keys.data_key) -> bytes:
    if not sealed:
        raise sealing.SealingError("this file has no sealed key")
    opened = sealing.open_sealed(key_for(sealing.sealed_version(sealed)), sealed, context)
    return sealing.decode_key(opened)


# --- Receiving -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sealed:
    """A file received whole and sealed into its `.part` file, not yet kept."""

    part: Path
    blob: str
    file_key: bytes
    sha256: str
    size: int
    head: bytes


class Receiver:
    """Hash and seal a file as it arrives, into a `.part` file; `finish` or `discard` it.

    `expected_size` (the size when it is known: a file on disk, a request's length) is checked
    against the limit and the free disk before the `.part` file is created. Bytes beyond the limit,
    or a disk running out of room, stop it (the `.part` file is deleted and `Refused` raised).
    An original's type is told from its first HEAD_BYTES as soon as they are in: a file of a type
    we do not take is stopped there, not after its last byte (`name` only breaks ties, see
    `file_type`; `keep` decides again for files shorter than that).
    """

    def __init__(
        self, table: str = TABLE, *, expected_size: int | None = None, name: str = ""
    ) -> None:
        check_before_writing(expected_size)
        self._name = name
        self._typed = table != TABLE  # working copies are made by us: their type is known
        self.blob = new_blob_name()
        self.part = files_dir() / f"{self.blob}{PART_SUFFIX}"
        self._file_key = sealing.new_key()
        self._sealer = sealing.SegmentSealer(
            self._file_key, _content_context(table, self.blob), segment=segment_bytes()
        )
        self._hash = hashlib.sha256()
        self._head = bytearray()
        self._limit = max_bytes()
        self._next_disk_check = _DISK_CHECK_EVERY
        self.size = 0
        self._handle = private_files.open_new(self.part)

    def write(self, data: bytes) -> None:
        try:
            self.size += len(data)
            if self.size > self._limit:
                check_size(self.size)
            if self.size >= self._next_disk_check:
                self._next_disk_check += _DISK_CHECK_EVERY
                check_room(0)
            self._hash.update(data)
            if len(self._head) < HEAD_BYTES:
                self._head += data[: HEAD_BYTES - len(self._head)]
            if not self._typed and len(self._head) >= HEAD_BYTES:
                self._typed = True
                file_type(bytes(self._head), self._name)
            self._handle.write(self._sealer.update(data))
        except BaseException:
            self.discard()
            raise

    def finish(self) -> Sealed:
        """The whole file is in: seal its last segment and sync it to disk."""
        try:
            self._handle.write(self._sealer.finish())
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
        except BaseException:
            self.discard()
            raise
        return Sealed(
            self.part,
            self.blob,
            self._file_key,
            self._hash.hexdigest(),
            self.size,
            bytes(self._head),
        )

    def discard(self) -> None:
        """Delete the `.part` file (an interrupted or refused upload leaves nothing)."""
        if not self._handle.closed:
            self._handle.close()
        self.part.unlink(missing_ok=True)


def _move_into_place(sealed: Sealed) -> Path:
    final = blob_path(sealed.blob)
    private_files.private_folder(final.parent)
    os.replace(sealed.part, final)
    return final


# --- Checking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inspected:
    """What the content of a received file was found to be, before it is kept."""

    file_type: media_types.FileType
    embedded: dict[str, Any]
    thumbnail: media_copies.Derived | None


THUMBNAIL_TYPES = frozenset({*media_types.PILLOW_TYPES, media_types.PDF})


@contextmanager
def _clear_copy(sealed: Sealed) -> Iterator[Path]:
    """A private plaintext copy of a sealed `.part` file, for the checks that need a whole file.

    0600 in a 0700 folder under UNSEEN_FILES_DIR (a dot folder: backups leave it out), under a
    random name, deleted when the block ends whatever happened. Decrypting it also proves that
    what was written to disk opens back to the bytes that were hashed.
    """
    folder = private_files.private_folder(files_dir() / CHECKING_FOLDER)
    _forget_stale_clear_copies(folder)
    path = folder / secrets.token_hex(16)
    try:
        with private_files.open_new(path) as handle:
            chunks = _stream(
                sealed.part, sealed.file_key, _content_context(TABLE, sealed.blob), sealed.sha256
            )
            for chunk in chunks:
                handle.write(chunk)
        yield path
    finally:
        path.unlink(missing_ok=True)


def _forget_stale_clear_copies(folder: Path) -> None:
    """Delete clear copies a killed process left behind (no check takes a day)."""
    cutoff = time.time() - STALE_PART_SECONDS
    for left in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            if left.stat().st_mtime < cutoff:
                left.unlink()


def _claims(path: Path, found: media_types.FileType) -> dict[str, Any]:
    """What the file says about itself; a library failing on a sound file loses only that."""
    try:
        return embedded.read(path, found)
    except Exception as error:  # a parser's own exception types vary by library
        return {"type": found.key, "error": f"could not be read: {type(error).__name__}"}


def inspect(sealed: Sealed, name: str = "") -> Inspected:
    """Check a received file's content and read what it claims about itself, before keeping it.

    The type comes from the head (an allowlist); the whole file is then checked on a private
    clear copy (`core.media.checks.check`: damaged files, decompression bombs, locked PDFs),
    its embedded metadata read (`core.media.embedded.read`) and, for images and PDFs, a
    thumbnail made. Raises Refused, with a message for the sender, when it cannot be kept.
    """
    found = file_type(sealed.head, name)
    with _clear_copy(sealed) as path:
        try:
            media_checks.check(path, found)
        except MediaError as error:
            raise _refusal(error) from None
        claims = _claims(path, found)
        thumbnail = None
        if found in THUMBNAIL_TYPES:
            try:
                thumbnail = media_copies.thumbnail(path, found)
            except MediaError:
                thumbnail = None  # kept without one: the checks passed, the picture did not
    return Inspected(found, claims, thumbnail)


@dataclass(frozen=True)
class Received:
    """What became of a received file: the stored file, and whether it was held already."""

    file: EvidenceFile
    duplicate: bool

    @property
    def sha256(self) -> str:
        return self.file.sha256


def keep(
    sealed: Sealed,
    *,
    name: str,
    user: UserLike | None,
    access_level: str = "",
    **metadata: Any,
) -> Received:
    """Keep a sealed `.part` file as an evidence file, or find the one that holds the same bytes.

    A duplicate's `.part` file is deleted and the stored file returned with `duplicate=True`
    (its metadata left as it was). On any failure the `.part` or blob file is deleted.
    """
    try:
        existing = EvidenceFile.objects.filter(sha256=sealed.sha256).first()
        if existing is not None:
            sealed.part.unlink(missing_ok=True)
            return Received(existing, True)
        if not sealed.size:
            raise Refused(_("The file is empty."), reason="empty")
        inspected = inspect(sealed, name)
        final = _move_into_place(sealed)
    except BaseException:
        sealed.part.unlink(missing_ok=True)
        raise
    uploader = user if isinstance(user, User) else None
    metadata.setdefault("embedded_metadata", inspected.embedded)
    try:
        with transaction.atomic():
            file = EvidenceFile(
                sha256=sealed.sha256,
                size=sealed.size,
                content_type=inspected.file_type.content_type,
                name=_display_name(name),
                blob=sealed.blob,
                uploaded_by=uploader,
                access_level=access_level or AccessLevel.INTERNAL,
                **metadata,
            )
            file.sealed_key = _seal_key(sealed.file_key, _key_context(file))
            try:
                file.full_clean(exclude=["sealed_key", "blob"])
            except ValidationError as error:
                raise Refused(" ".join(error.messages)) from None
            file.save()
            custody.record(
                file,
                Action.FILE_UPLOAD,
                actor=user,
                size=file.size,
                content_type=file.content_type,
            )
    except IntegrityError:
        # The same bytes arrived at the same moment from someone else: theirs is kept.
        final.unlink(missing_ok=True)
        existing = EvidenceFile.objects.filter(sha256=sealed.sha256).first()
        if existing is None:
            raise
        return Received(existing, True)
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    if inspected.thumbnail is not None:
        _keep_thumbnail(file, inspected.thumbnail, user)
    return Received(file, False)


def _keep_thumbnail(
    file: EvidenceFile, derived: media_copies.Derived, user: UserLike | None
) -> None:
    """Store the thumbnail made while the file was checked, as a working copy of it."""
    store_working_copy(
        file,
        [derived.data],
        kind=CopyKind.THUMBNAIL,
        content_type=derived.content_type,
        tool=derived.tool,
        tool_version=derived.tool_version,
        parameters=derived.parameters,
        user=user,
    )


def _display_name(name: str) -> str:
    """The name a file arrived with, for display only: its last part, no control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:255]


def receive(
    chunks: Iterable[bytes],
    *,
    name: str,
    user: UserLike | None,
    expected_size: int | None = None,
    access_level: str = "",
    **metadata: Any,
) -> Received:
    """Hash, seal and keep a file given as chunks of bytes (see `Receiver` and `keep`)."""
    receiver = Receiver(expected_size=expected_size, name=name)
    try:
        for chunk in chunks:
            receiver.write(chunk)
    except BaseException:
        receiver.discard()
        raise
    return keep(receiver.finish(), name=name, user=user, access_level=access_level, **metadata)


def receive_path(
    path: Path,
    *,
    user: UserLike | None,
    progress: Callable[[int], object] | None = None,
    **metadata: Any,
) -> Received:
    """`receive` for a file on disk (the command line): its size is checked before writing."""

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as handle:
            while data := handle.read(_READ):
                yield data
                if progress is not None:
                    progress(len(data))

    return receive(
        chunks(), name=path.name, user=user, expected_size=path.stat().st_size, **metadata
    )


# --- Attaching -----------------------------------------------------------------------------------


def attach(file: EvidenceFile, record: models.Model, user: UserLike | str | None) -> bool:
    """Let `file` stand behind `record` (a source, testimony, incident or sighting).

    True when the link is new (and written to the file's custody), False when it existed.
    """
    if type(record) not in access.attachable_models():
        raise ValueError(f"files attach to {access.ATTACHABLE_LABEL}, not to {record._meta.label}")
    content_type = ContentType.objects.get_for_model(type(record))
    with transaction.atomic():
        _link, created = Attachment.objects.get_or_create(
            file=file,
            content_type=content_type,
            object_id=record.pk,
            defaults={"attached_by": user if isinstance(user, User) else None},
        )
        if created:
            custody.record(
                file,
                Action.FILE_ATTACH,
                actor=user,
                record=record._meta.label_lower,
                record_id=record.pk,
            )
    return created


# --- Reading -------------------------------------------------------------------------------------


class Altered(sealing.SealingError):
    """A stored file's bytes no longer have the hash they arrived with."""


def _stream(path: Path, file_key: bytes, context: str, sha256: str) -> Iterator[bytes]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in sealing.open_segments(file_key, handle, context):
            digest.update(chunk)
            yield chunk
    if digest.hexdigest() != sha256:
        raise Altered("the file's bytes no longer have the hash they arrived with")


def _check_reader(file: EvidenceFile, user: UserLike | None) -> None:
    if user is not None and not access.may_read(user, file):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("this file is beyond your access level")


def open_original(
    file: EvidenceFile,
    *,
    user: UserLike | None,
    reason: str,
    action: Action = Action.FILE_DOWNLOAD,
    **detail: Any,
) -> Iterator[bytes]:
    """The original's bytes, one segment at a time; the read is a custody event, written first.

    `user` None is an operator's command (no access check). Read the iterator to its end: the
    last segment and the hash are checked there (`sealing.SealingError`, `Altered`).
    """
    _check_reader(file, user)
    path = blob_path(file.blob)
    file_key = _open_key(file.sealed_key, _key_context(file))
    custody.record(file, action, actor=user, reason=reason, copy="original", **detail)
    return _stream(path, file_key, _content_context(TABLE, file.blob), file.sha256)


def store_working_copy(
    file: EvidenceFile,
    chunks: Iterable[bytes],
    *,
    kind: str,
    content_type: str,
    tool: str,
    tool_version: str = "",
    parameters: dict[str, Any] | None = None,
    user: UserLike | None = None,
    page: int | None = None,
) -> WorkingCopy:
    """Seal a derivative of `file` (thumbnail, preview, redacted copy) and record its making.

    The bytes given must already be stripped of metadata (core.media makes them so).
    """
    if kind not in CopyKind.values:
        raise ValueError(f"unknown working copy kind {kind!r}")
    receiver = Receiver(COPY_TABLE)
    try:
        for chunk in chunks:
            receiver.write(chunk)
    except BaseException:
        receiver.discard()
        raise
    sealed = receiver.finish()
    try:
        final = _move_into_place(sealed)
    except BaseException:
        sealed.part.unlink(missing_ok=True)
        raise
    try:
        with transaction.atomic():
            copy = WorkingCopy(
                file=file,
                kind=kind,
                sha256=sealed.sha256,
                size=sealed.size,
                content_type=content_type,
                blob=sealed.blob,
                tool=tool,
                tool_version=tool_version,
                parameters=parameters or {},
                made_by=user if isinstance(user, User) else None,
                page=page,
            )
            copy.sealed_key = _seal_key(sealed.file_key, _copy_key_context(copy))
            copy.save()
            custody.record(
                file,
                Action.FILE_DERIVE,
                actor=user,
                copy=copy.pk,
                kind=kind,
                copy_sha256=copy.sha256,
                tool=tool,
                tool_version=tool_version,
            )
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    return copy


def open_working_copy(
    copy: WorkingCopy,
    *,
    user: UserLike | None,
    reason: str = "",
    action: Action = Action.FILE_VIEW,
    **detail: Any,
) -> Iterator[bytes]:
    """A working copy's bytes, one segment at a time; the read is a custody event of its original.

    Access is the original's: a reader who may not read the file may not see its copies either
    (the public side checks publication before calling this).
    """
    file = copy.file
    _check_reader(file, user)
    path = blob_path(copy.blob)
    file_key = _open_key(copy.sealed_key, _copy_key_context(copy))
    custody.record(
        file,
        action,
        actor=user,
        reason=reason,
        copy=copy.pk,
        kind=copy.kind,
        copy_sha256=copy.sha256,
        **detail,
    )
    return _stream(path, file_key, _content_context(COPY_TABLE, copy.blob), copy.sha256)


def read_all(chunks: Iterable[bytes]) -> bytes:
    """Every chunk joined (for small files and tests; large ones should be streamed)."""
    return b"".join(chunks)


# --- Verifying -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something wrong with a stored file: which one, and what."""

    what: str  # "F-00012", "F-00012 thumbnail #3", or a stray blob's name
    reason: str
    file_id: int | None = None

    def __str__(self) -> str:
        return f"{self.what}: {self.reason}"


def _rehash(path: Path, file_key: bytes, context: str) -> str:
    """SHA-256 of a blob's plaintext as it decrypts now; SealingError if it does not."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in sealing.open_segments(file_key, handle, context):
            digest.update(chunk)
    return digest.hexdigest()


def rehash_original(file: EvidenceFile) -> str:
    """SHA-256 of the original as it is on disk now (a checkpoint's `verify`).

    No custody event: a checksum shows no one any bytes (as `unseen files verify`). Raises
    SealingError when its key or its bytes do not open, FileNotFoundError when it is gone.
    """
    path = blob_path(file.blob)
    if not path.exists():
        raise FileNotFoundError("its stored copy is missing")
    file_key = _open_key(file.sealed_key, _key_context(file))
    return _rehash(path, file_key, _content_context(TABLE, file.blob))


def _verify_one(path: Path, file_key: bytes, context: str, sha256: str) -> str:
    if not path.exists():
        return "its stored copy is missing"
    try:
        now = _rehash(path, file_key, context)
    except sealing.SealingError as error:
        return f"it does not decrypt ({error}): the stored bytes changed"
    if now != sha256:
        return f"its SHA-256 is now {now}, not {sha256}"
    return ""


def verify_all(progress: Callable[[int], object] | None = None) -> list[Problem]:
    """Decrypt and re-hash every stored original and working copy; list what changed.

    Also lists blobs on disk that no row names (left by a transaction rolled back after its file
    was stored). `progress` is called with the bytes of each file checked.
    """
    problems: list[Problem] = []
    known: set[str] = set()
    root, key_for = files_dir(), _data_keys()
    fields = ("pk", "sha256", "size", "blob", "sealed_key")
    for file in EvidenceFile.objects.order_by("pk").only(*fields).iterator(chunk_size=2000):
        known.add(file.blob)
        try:
            reason = _verify_one(
                root / file.blob[:2] / file.blob,
                _open_key(file.sealed_key, _key_context(file), key_for),
                _content_context(TABLE, file.blob),
                file.sha256,
            )
        except sealing.SealingError as error:
            reason = f"its key does not open ({error})"
        if reason:
            problems.append(Problem(file.code, reason, file.pk))
        if progress is not None:
            progress(file.size)
    copies = WorkingCopy.objects.order_by("pk").only(
        "pk", "file_id", "kind", "sha256", "size", "blob", "sealed_key"
    )
    for copy in copies.iterator(chunk_size=2000):
        known.add(copy.blob)
        try:
            reason = _verify_one(
                root / copy.blob[:2] / copy.blob,
                _open_key(copy.sealed_key, _copy_key_context(copy), key_for),
                _content_context(COPY_TABLE, copy.blob),
                copy.sha256,
            )
        except sealing.SealingError as error:
            reason = f"its key does not open ({error})"
        if reason:
            code = f"F-{copy.file_id:05d}"
            problems.append(Problem(f"{code} {copy.kind} #{copy.pk}", reason, copy.file_id))
        if progress is not None:
            progress(copy.size)
    problems.extend(_strays(known))
    return problems


def _data_keys() -> Callable[[int], bytes]:
    """`keys.data_key`, each version read once (it reads the master key and the key table)."""
    found: dict[int, bytes] = {}

    def key_for(version: int) -> bytes:
        if version not in found:
            found[version] = keys.data_key(version)
        return found[version]

    return key_for


# A `.part` file older than this belongs to no upload under way: a process was killed mid-upload.
STALE_PART_SECONDS = 24 * 3600


def _strays(known: set[str]) -> list[Problem]:
    root = Path(settings.UNSEEN_FILES_DIR)
    if not root.exists():
        return []
    found = [
        Problem(path.name, "stored on disk, but no file or working copy names it")
        for path in sorted(root.glob("??/*"))
        if _BLOB.fullmatch(path.name) and path.name not in known
    ]
    cutoff = time.time() - STALE_PART_SECONDS
    found += [
        Problem(path.name, "an upload that never finished (its process was stopped); delete it")
        for path in sorted(root.glob(f"*{PART_SUFFIX}"))
        if path.stat().st_mtime < cutoff
    ]
    found += [
        Problem(
            f"{CHECKING_FOLDER}/{path.name}",
            "a clear copy left by a check whose process was stopped: delete it now",
        )
        for path in sorted(root.glob(f"{CHECKING_FOLDER}/*"))
        if path.stat().st_mtime < cutoff
    ]
    return found


# --- Key rotation --------------------------------------------------------------------------------


def reseal_files(old_key: Callable[[int], bytes], version: int, key: bytes) -> int:
    """Re-wrap every original's file key under the new data key (`unseen keys rotate`).

    The blobs are not re-encrypted: the file key stays, only its wrapping changes, so the retired
    data key opens nothing once the rotation commits.
    """
    rows = []
    for file in EvidenceFile.objects.order_by("pk").only("pk", "sha256", "sealed_key").iterator():
        file_key = _open_key(file.sealed_key, _key_context(file), old_key)
        file.sealed_key = sealing.seal(
            key, version, sealing.encode_key(file_key), _key_context(file)
        )
        rows.append(file)
    EvidenceFile.objects.bulk_update(rows, ["sealed_key"], batch_size=2000)
    return len(rows)


def reseal_copies(old_key: Callable[[int], bytes], version: int, key: bytes) -> int:
    """`reseal_files` for working copies."""
    rows = []
    fields = ("pk", "file_id", "sha256", "sealed_key")
    for copy in WorkingCopy.objects.order_by("pk").only(*fields).iterator():
        file_key = _open_key(copy.sealed_key, _copy_key_context(copy), old_key)
        copy.sealed_key = sealing.seal(
            key, version, sealing.encode_key(file_key), _copy_key_context(copy)
        )
        rows.append(copy)
    WorkingCopy.objects.bulk_update(rows, ["sealed_key"], batch_size=2000)
    return len(rows)
