"""Whether a file of a detected type is sound enough to keep: `check(path, file_type)`.

Refused, each with a message for the person who sent it (`MediaRefused`):

- images Pillow cannot decode to the last pixel (damaged or cut short), and decompression bombs:
  a frame above `Limits.max_pixels`, or all frames of a GIF or TIFF together above
  `max_total_pixels` (checked from the headers, before anything is decoded);
- zip-based files (XLSX, ODS, DOCX, ODT) that are not sound zips, whose members declare more than
  `max_unpacked_bytes` in all or one unpacks to more than `max_packing_ratio` times its packed
  size, with more than `max_members` members, or that lack the part their type needs
  (xl/workbook.xml, word/document.xml, the OpenDocument mimetype); every member is then unpacked
  in chunks and its checksum verified (zipfile stops at the declared size, so this is bounded);
- PDFs PyMuPDF cannot open, that need a password, that have no pages or more than
  `max_pdf_pages`;
- audio and video that ffprobe cannot read, or that hold no stream of their kind, when ffprobe is
  installed (without it they are kept unchecked: `ffprobe_available()` says which);
- transcripts and tables that are not UTF-8, and WebVTT or SRT files that do not parse.

HEIC images are kept as they are: no decoder for them ships here, and what is never decoded
cannot explode.
"""

import shutil
import struct
import subprocess
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unseen.core.media import types
from unseen.core.media.errors import MediaRefused, gettext_noop
from unseen.core.media.types import FileType, Kind

MB = 1024 * 1024
FFPROBE_SECONDS = 120


@dataclass(frozen=True)
class Limits:
    """How large a file may unpack.

    The defaults suit evidence (a 108-megapixel phone photo, a 10,000-page PDF), not a web form.
    """

    max_pixels: int = 120_000_000  # one frame of an image
    max_total_pixels: int = 400_000_000  # all frames of a GIF or TIFF together
    max_unpacked_bytes: int = 2048 * MB  # all members of a zip, as they declare themselves
    max_packing_ratio: float = 100.0  # one member, from 1 MB unpacked
    max_members: int = 20_000
    max_pdf_pages: int = 10_000


DEFAULT_LIMITS = Limits()

CORRUPT_IMAGE = gettext_noop(
    "The image could not be read to the end; it may be damaged or cut short."
)
TOO_MANY_PIXELS = gettext_noop(
    "The image is too large to open safely: %(pixels)s million pixels in one frame, where the "
    "limit is %(limit)s million."
)
TOO_MANY_FRAME_PIXELS = gettext_noop(
    "The image is too large to open safely: its %(frames)s frames hold %(pixels)s million pixels "
    "together, where the limit is %(limit)s million."
)
NOT_A_ZIP = gettext_noop("The file is not a sound %(type)s: its zip structure is damaged.")
ZIP_TOO_LARGE = gettext_noop(
    "The file unpacks to %(size)s MB, more than the %(limit)s MB we open; it may be a "
    "decompression bomb."
)
ZIP_RATIO = gettext_noop(
    "A part of the file unpacks to %(ratio)s times its packed size (the limit is %(limit)s "
    "times); it looks like a decompression bomb."
)
ZIP_MEMBERS = gettext_noop("The file has %(count)s parts, more than the %(limit)s we open.")
ZIP_WRONG_TYPE = gettext_noop("The file is a zip archive but not a %(type)s: it lacks %(part)s.")
CORRUPT_PDF = gettext_noop("The PDF could not be opened; it may be damaged.")
LOCKED_PDF = gettext_noop(
    "The PDF is locked with a password. Please send it without the password (print it to a new "
    "PDF, or remove the password in the program that made it)."
)
EMPTY_PDF = gettext_noop("The PDF has no pages.")
CUT_PDF = gettext_noop(
    "The PDF is cut short: its end is missing, so some of it may be lost. It may have been "
    "interrupted while being downloaded or copied; please send it whole."
)
PDF_TAIL_BYTES = 1024  # where a PDF's end-of-file marker must be (as readers look for it)
PDF_PAGES = gettext_noop("The PDF has %(pages)s pages, more than the %(limit)s we take.")
CORRUPT_MEDIA = gettext_noop("The %(type)s could not be read; it may be damaged or cut short.")
NO_VIDEO = gettext_noop("The %(type)s holds no video.")
NO_SOUND = gettext_noop("The %(type)s holds no sound.")


def check(path: Path | str, file_type: FileType, *, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse the file unless it is a sound file of its type and safe to open.

    Args:
        path: the file (plain bytes on disk).
        file_type: what `types.detect` found in its head.
        limits: how large it may unpack.

    Raises:
        MediaRefused: with a message for the person who sent the file.
    """
    path = Path(path)
    if file_type in types.PILLOW_TYPES:
        _check_image(path, limits)
    elif file_type in types.ZIP_TYPES:
        _check_zip(path, file_type, limits)
    elif file_type == types.PDF:
        _check_pdf(path, limits)
    elif file_type.kind in (Kind.AUDIO, Kind.VIDEO):
        _check_media(path, file_type)
    elif file_type in types.TRANSCRIPT_TYPES or file_type == types.CSV:
        _check_text(path, file_type)


def _millions(pixels: int) -> str:
    return f"{pixels / 1_000_000:,.1f}".removesuffix(".0")


def _check_image(path: Path, limits: Limits) -> None:
    from PIL import Image, UnidentifiedImageError

    failures = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error)
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check, which warns below its error threshold, is ours to make.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                frames = getattr(image, "n_frames", 1)
                sizes = []
                for index in range(frames):
                    image.seek(index)
                    pixels = image.width * image.height
                    if pixels > limits.max_pixels:
                        raise MediaRefused(
                            TOO_MANY_PIXELS,
                            reason="bomb",
                            pixels=_millions(pixels),
                            limit=_millions(limits.max_pixels),
                        )
                    sizes.append(pixels)
                if sum(sizes) > limits.max_total_pixels:
                    raise MediaRefused(
                        TOO_MANY_FRAME_PIXELS,
                        reason="bomb",
                        frames=frames,
                        pixels=_millions(sum(sizes)),
                        limit=_millions(limits.max_total_pixels),
                    )
                for index in range(frames):
                    image.seek(index)
                    image.load()
    except MediaRefused:
        raise
    except (*failures, Image.DecompressionBombError) as error:
        raise MediaRefused(CORRUPT_IMAGE, reason="corrupt_image") from error


_ZIP_NEEDS = {
    types.XLSX: "xl/workbook.xml",
    types.DOCX: "word/document.xml",
    types.ODT: "mimetype",
    types.ODS: "mimetype",
}


def _check_zip(path: Path, file_type: FileType, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > limits.max_members:
                raise MediaRefused(
                    ZIP_MEMBERS,
                    reason="bomb",
                    count=f"{len(members):,}",
                    limit=f"{limits.max_members:,}",
                )
            unpacked = sum(member.file_size for member in members)
            if unpacked > limits.max_unpacked_bytes:
                raise MediaRefused(
                    ZIP_TOO_LARGE,
                    reason="bomb",
                    size=f"{unpacked / MB:,.0f}",
                    limit=f"{limits.max_unpacked_bytes / MB:,.0f}",
                )
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size >= MB and ratio > limits.max_packing_ratio:
                    raise MediaRefused(
                        ZIP_RATIO,
                        reason="bomb",
                        ratio=f"{ratio:,.0f}",
                        limit=f"{limits.max_packing_ratio:g}",
                    )
            needed = _ZIP_NEEDS[file_type]
            names = {member.filename for member in members}
            if needed not in names or (
                needed == "mimetype"
                and archive.read("mimetype").decode("ascii", "replace").strip()
                != file_type.content_type
            ):
                raise MediaRefused(
                    ZIP_WRONG_TYPE, reason="wrong_type", type=file_type.label, part=needed
                )
            for member in members:
                with archive.open(member) as unpacking:
                    while unpacking.read(MB):
                        pass
    except MediaRefused:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
    ) as error:
        raise MediaRefused(NOT_A_ZIP, reason="corrupt_zip", type=file_type.label) from error
    except NotImplementedError as error:  # a compression method zipfile does not have
        raise MediaRefused(NOT_A_ZIP, reason="corrupt_zip", type=file_type.label) from error


def _check_pdf(path: Path, limits: Limits) -> None:
    import pymupdf

    try:
        document = pymupdf.open(path, filetype="pdf")
    except (RuntimeError, ValueError) as error:  # pymupdf.FileDataError is a RuntimeError
        raise MediaRefused(CORRUPT_PDF, reason="corrupt_pdf") from error
    with document:
        if document.needs_pass:
            raise MediaRefused(LOCKED_PDF, reason="locked_pdf")
        if document.is_repaired and not _ends_as_pdf(path):
            # MuPDF rebuilds a PDF cut short from the objects it finds, silently losing the rest;
            # a PDF that needed repair and lacks its end-of-file marker was cut, not just sloppy.
            raise MediaRefused(CUT_PDF, reason="corrupt_pdf")
        pages = document.page_count
        if pages == 0:
            raise MediaRefused(EMPTY_PDF, reason="corrupt_pdf")
        if pages > limits.max_pdf_pages:
            raise MediaRefused(
                PDF_PAGES, reason="bomb", pages=f"{pages:,}", limit=f"{limits.max_pdf_pages:,}"
            )
        try:
            document.load_page(0)
        except (RuntimeError, ValueError) as error:
            raise MediaRefused(CORRUPT_PDF, reason="corrupt_pdf") from error


def _ends_as_pdf(path: Path) -> bool:
    """Whether the file's last PDF_TAIL_BYTES hold the end-of-file marker."""
    with path.open("rb") as handle:
        handle.seek(max(path.stat().st_size - PDF_TAIL_BYTES, 0))
        return b"%%EOF" in handle.read()


def ffprobe_available() -> bool:
    """Whether Debian's ffprobe (package ffmpeg) is on the PATH."""
    return shutil.which("ffprobe") is not None


def probe(path: Path) -> dict[str, Any] | None:
    """ffprobe's JSON account of a media file's container and streams; None without ffprobe.

    Raises:
        MediaRefused: when ffprobe cannot read the file (reason "corrupt_media").
    """
    import json

    command = shutil.which("ffprobe")
    if command is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603  (a fixed program, our own arguments, no shell)
            [
                command,
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                "--",
                str(path),
            ],
            capture_output=True,
            timeout=FFPROBE_SECONDS,
            check=False,
        )
        probed = json.loads(result.stdout or b"{}") if result.returncode == 0 else None
    except (subprocess.TimeoutExpired, ValueError):
        probed = None
    if not probed or not probed.get("format"):
        raise MediaRefused(CORRUPT_MEDIA, reason="corrupt_media", type="file")
    return dict(probed)


def _check_media(path: Path, file_type: FileType) -> None:
    try:
        probed = probe(path)
    except MediaRefused as refused:
        raise MediaRefused(
            CORRUPT_MEDIA, reason="corrupt_media", type=file_type.label
        ) from refused.__cause__
    if probed is None:
        return
    wanted = "video" if file_type.kind == Kind.VIDEO else "audio"
    kinds = {stream.get("codec_type") for stream in probed.get("streams", [])}
    if wanted not in kinds:
        template = NO_VIDEO if wanted == "video" else NO_SOUND
        raise MediaRefused(template, reason="no_stream", type=file_type.label)
    duration = probed.get("format", {}).get("duration")
    if wanted == "audio" and duration is not None and float(duration) <= 0:
        raise MediaRefused(CORRUPT_MEDIA, reason="corrupt_media", type=file_type.label)


def _check_text(path: Path, file_type: FileType) -> None:
    import codecs

    from unseen.core.media.text import NOT_UTF8, parse_transcript

    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    chunks: list[str] = []
    keep = file_type in (types.VTT, types.SRT)
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(MB):
                text = decoder.decode(chunk)
                if keep:
                    chunks.append(text)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise MediaRefused(NOT_UTF8, reason="not_utf8") from error
    if keep:
        parse_transcript("".join(chunks), file_type)  # raises TranscriptError, a MediaRefused
