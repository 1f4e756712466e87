"""Evidence files in an export: the bytes in `files/`, described by `files/manifest.csv`.

- `full`: every evidence file's original, as it arrived (decrypted: like every file of a full
  export it is written 0600 for a recipient an administrator approved, who could not open our
  encryption), named by its code (`F-00012.pdf`), never by the name it arrived with.
- `pseudonymised` and `public`: only files at the level's access levels that stand behind a record
  the export releases, and only as the copy a person's redaction decision made
  (`files.publishing.publishable_copy`: redacted, or stripped of metadata when no redaction was
  needed). A file whose redaction nobody has confirmed is withheld, and counted. Files are named
  by their keyed pseudonym, as every id at these levels is.

The manifest gives, per file, its id, the path of what was shipped, the SHA-256 of the original
and of the copy shipped (the same at `full`), the copy's kind and type, size, credit, licence and
redaction state, and the records it stands behind (their ids or pseudonyms; at the controlled
levels only released ones). Every file written is read through `files.storing` as a FILE_EXPORT
custody event; a file whose bytes no longer have their hash stops the export (what was written of
it is removed).
"""

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType

from unseen.audit.models import Action
from unseen.core import sealing
from unseen.core.cells import neutralise
from unseen.core.media import types as media_types
from unseen.files import publishing, storing
from unseen.files.models import Attachment, EvidenceFile

from .results import ExportRefused
from .selection import RELEASED_ACCESS

FOLDER = "files"
MANIFEST = "manifest.csv"
COLUMNS = [
    "id",
    "path",
    "sha256_original",
    "sha256_copy",
    "copy",
    "content_type",
    "size",
    "credit",
    "licence",
    "redaction_state",
    "records",
]
# At the full level, every field as stored, as the record tables give it.
FULL_COLUMNS = [
    *COLUMNS,
    "access_level",
    "name",
    "title_en",
    "title_ko",
    "creator",
    "capture_date",
    "capture_date_precision",
    "capture_place",
    "capture_country",
]
KIND = "evidencefile"
EXPORT_REASON = "export"

# (kind, pk) -> the id a record has in this export ("" when the export does not release it).
Reference = Callable[[str, object], str]


@dataclass
class FilesWritten:
    """What went into `files/`: rows of the manifest, and files withheld and why."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    withheld: int = 0  # redaction not decided by a person, or no copy to publish

    @property
    def count(self) -> int:
        return len(self.rows)


def _extension(content_type: str) -> str:
    found = media_types.BY_CONTENT_TYPE.get(content_type)
    return found.extension if found is not None else ".bin"


def _attachments() -> dict[int, list[tuple[str, int]]]:
    """Every file's records, as (model name, pk), in the order they were attached."""
    names = {ct.pk: ct.model for ct in ContentType.objects.all()}
    found: dict[int, list[tuple[str, int]]] = {}
    links = Attachment.objects.order_by("attached_at", "pk").values_list(
        "file_id", "content_type_id", "object_id"
    )
    for file_id, content_type_id, object_id in links:
        found.setdefault(file_id, []).append((names[content_type_id], object_id))
    return found


def _write(path: Path, chunks: Any) -> None:
    """Write the chunks to a private file (0600; replaced if it was there, never a link)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(str(item) for item in value)
    return neutralise(value) if isinstance(value, str) else value


def write_files(
    directory: Path,
    *,
    level: str,
    format: str,
    recipient: str,
    ref: Reference | None = None,
    pid: Reference | None = None,
) -> FilesWritten:
    """Write the evidence files this export releases into `directory/files/`, with the manifest.

    `ref` and `pid` are the controlled levels' (references to released records, pseudonyms);
    at `full` ids are the database's. Nothing is written (no folder) when no file goes out.
    Raises ExportRefused when a stored file no longer has its hash (what was written is removed).
    """
    full = level == "full"
    links = _attachments()
    files = EvidenceFile.objects.order_by("pk")
    if not full:
        files = files.filter(access_level__in=RELEASED_ACCESS[level])
    result = FilesWritten()
    folder = directory / FOLDER
    written: list[Path] = []
    detail = {"level": level, "format": format, "recipient": recipient}
    try:
        for file in files.iterator(chunk_size=500):
            records = links.get(file.pk, [])
            if full:
                row = _full_row(file, records)
                chunks_for = lambda file=file: storing.open_original(  # noqa: E731
                    file, user=None, reason=EXPORT_REASON, action=Action.FILE_EXPORT, **detail
                )
            else:
                assert ref is not None and pid is not None
                released = [ref(kind, pk) for kind, pk in records]
                released = [value for value in released if value]
                if not released:
                    continue  # stands behind nothing this export releases: not even counted
                copy = publishing.publishable_copy(file)
                if copy is None:
                    result.withheld += 1
                    continue
                row = _controlled_row(file, copy, pid(KIND, file.pk), sorted(released))
                chunks_for = lambda copy=copy: storing.open_working_copy(  # noqa: E731
                    copy, user=None, reason=EXPORT_REASON, action=Action.FILE_EXPORT, **detail
                )
            if not written:
                folder.mkdir(mode=0o700, exist_ok=True)
                folder.chmod(0o700)
            path = folder / row["path"].removeprefix(f"{FOLDER}/")
            written.append(path)
            _write(path, chunks_for())
            result.rows.append(row)
    except (storing.Altered, sealing.SealingError) as error:
        for path in written:
            path.unlink(missing_ok=True)
        raise ExportRefused(
            f"an evidence file's stored bytes changed ({error}): run `unseen files verify`; "
            "nothing was exported"
        ) from error
    if result.rows:
        result.rows.sort(key=lambda row: str(row["id"]))
        columns = FULL_COLUMNS if full else COLUMNS
        with (folder / MANIFEST).open("w", newline="", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in result.rows:
                writer.writerow([_cell(row.get(column)) for column in columns])
    return result


def _full_row(file: EvidenceFile, records: list[tuple[str, int]]) -> dict[str, Any]:
    return {
        "id": file.pk,
        "path": f"{FOLDER}/{file.code}{_extension(file.content_type)}",
        "sha256_original": file.sha256,
        "sha256_copy": file.sha256,
        "copy": "original",
        "content_type": file.content_type,
        "size": file.size,
        "credit": file.credit,
        "licence": file.licence,
        "redaction_state": file.redaction_state,
        "records": [f"{kind}:{pk}" for kind, pk in records],
        "access_level": file.access_level,
        "name": file.name,
        "title_en": file.title_en,
        "title_ko": file.title_ko,
        "creator": file.creator,
        "capture_date": file.capture_date.isoformat() if file.capture_date else "",
        "capture_date_precision": file.capture_date_precision,
        "capture_place": file.capture_place,
        "capture_country": file.capture_country,
    }


def _controlled_row(
    file: EvidenceFile, copy: Any, pseudonym: str, records: list[str]
) -> dict[str, Any]:
    # Free text is dropped at these levels (titles, descriptions, the name it arrived with, the
    # place); the credit line and licence stay, since the copy may not be used without them.
    return {
        "id": pseudonym,
        "path": f"{FOLDER}/{pseudonym}{_extension(copy.content_type)}",
        "sha256_original": file.sha256,
        "sha256_copy": copy.sha256,
        "copy": copy.kind,
        "content_type": copy.content_type,
        "size": copy.size,
        "credit": file.credit,
        "licence": file.licence,
        "redaction_state": file.redaction_state,
        "records": records,
    }
