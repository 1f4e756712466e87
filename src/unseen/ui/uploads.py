"""A file uploaded through a form, as a file on disk for readers that take a path, and the
limits a table read from it must keep."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

from unseen.core.tables import MB, Limits


def table_limits(*, upload: bool = True) -> Limits:
    """What a table may be: everything in the settings for an upload, only a spreadsheet's
    unpacked size for a file an operator reads on the command line (`unseen import`, `mse`,
    `revenue`), where a million rows is a normal file and the web's row cap would be in the way."""
    unpacked = int(settings.UNSEEN_TABLE_MAX_UNPACKED_MB * MB)
    if not upload:
        return Limits(max_unpacked_bytes=unpacked)
    return Limits(
        max_unpacked_bytes=unpacked,
        max_text_bytes=unpacked,
        max_rows=settings.UNSEEN_TABLE_MAX_ROWS,
    )


@contextmanager
def saved_upload(upload: Any) -> Iterator[Path]:
    """The upload written to a private temporary directory, removed on leaving the block.

    The file keeps only the upload's suffix (readers choose CSV or XLSX by it), never its name:
    a name chosen by the uploader may say who or what the file is about.
    """
    suffix = Path(Path(upload.name).name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        yield path
