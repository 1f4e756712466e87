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


def private_tree(path: Path) -> None:
    """Make a folder 0700 and everything in it 0700 (folders) or 0600 (files)."""
    _chmod(path, FOLDER_MODE)
    for entry in path.rglob("*"):
        if not entry.is_symlink():
            _chmod(entry, FOLDER_MODE if entry.is_dir() else FILE_MODE)


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
