"""A file uploaded through a form, as a file on disk for readers that take a path."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


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
