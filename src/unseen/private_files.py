"""Files that hold testimony or keys belong to the service account alone: 0600 files, 0700 folders.

Every entry point (`unseen`, WSGI, ASGI) calls `restrict_process` first, so whatever the process
creates (the SQLite database and its -wal/-shm files, uploads, backups, exports, key files) is
private even when the shell or service manager left a permissive umask. The places that create
such files also set the mode explicitly, because a library or a test may run without our entry
points. Pure Python (no Django), so settings can use it before Django is set up.
"""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
FOLDER_MODE = 0o700
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def restrict_process() -> None:
    os.umask(PRIVATE_UMASK)


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Create files private for a while (the umask is per process: other threads are tightened too)."""
    old = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(old)


def _chmod(path: Path, mode: int) -> None:
    # A folder an operator made and handed over (owned by root, say) is theirs to set.
    with contextlib.suppress(PermissionError):
        path.chmod(mode)


def private_folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    _chmod(path, FOLDER_MODE)
    return path


def open_new(path: Path) -> BinaryIO:
    """A new file at `path`, 0600, open for writing bytes; FileExistsError if anything is there.

    The folder is left as it is (a backup may go into the operator's own folder). O_EXCL means an
    existing file is never truncated and a symlink planted at `path` is never followed.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    return os.fdopen(fd, "wb")


def write_new(path: Path, data: str | bytes) -> None:
    """Write a new 0600 file in a 0700 folder, synced to disk; FileExistsError if it exists.

    The one way keys are written: a key that exists is never overwritten (every seal, chain link
    or pseudonym made with it would be lost), and one reported written is on the disk.
    """
    private_folder(path.parent)
    with open_new(path) as handle:
        handle.write(data.encode() if isinstance(data, str) else data)
        handle.flush()
        os.fsync(handle.fileno())


def replace(path: Path, data: bytes) -> None:
    """Replace the file at `path` by a new 0600 one holding `data`, in a 0700 folder.

    Written beside it first and renamed over it, so a reader sees the old file or the new one,
    never half of one.
    """
    temporary = path.with_suffix(".tmp")
    # A .tmp left by a write that died would make O_EXCL refuse every later one.
    temporary.unlink(missing_ok=True)
    write_new(temporary, data)
    temporary.replace(path)


def append(path: Path, text: str) -> None:
    """Append `text` to a private file (created 0600 in a 0700 folder), synced to disk.

    O_APPEND with one write per call: lines from several processes never interleave.
    """
    private_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


@contextlib.contextmanager
def private_output(folder: Path) -> Iterator[None]:
    """Write files into `folder` privately: a folder made here is 0700, every file written 0600.

    A folder that existed keeps its mode, and files in it that this block did not write keep
    theirs: `--out .` must not change the operator's own folder. Files it overwrote (which keep
    their old mode when reopened) are tightened afterwards.
    """
    if not folder.exists():
        with private_umask():
            folder.mkdir(parents=True)
    before = {entry.name: _stamp(entry) for entry in folder.iterdir()}
    with private_umask():
        yield
    for entry in folder.iterdir():
        if entry.is_file() and not entry.is_symlink() and before.get(entry.name) != _stamp(entry):
            _chmod(entry, FILE_MODE)


def _stamp(entry: Path) -> tuple[int, int]:
    stat = entry.lstat()
    return stat.st_ino, stat.st_mtime_ns


def private_sqlite(path: Path) -> None:
    """Create the SQLite database file 0600 before SQLite does, and tighten an older one.

    SQLite gives its -wal, -shm and -journal files the mode of the database file, so a private
    database keeps its companions private too.
    """
    private_folder(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for candidate in (path, *(path.with_name(path.name + end) for end in SQLITE_COMPANIONS)):
        if candidate.exists():
            _chmod(candidate, FILE_MODE)
