"""The text of a file, as segments that say where they are: a page, or a time range.

- `pdf_text(path)`: the text layer of each PDF page (PyMuPDF), no OCR.
- `ocr_image(image)` and `ocr_pdf(path, progress=...)`: Debian's tesseract through pytesseract,
  Korean and English by default. `ocr_pdf` renders each page without a text layer at 300 dpi
  and reads it; pages that have a text layer keep it (origin "pdf_text"), since that text is what
  the document says, not a reading of it. Pages are read in parallel, one tesseract thread each:
  tesseract's own threads fight each other and run several times slower.
- `transcript(data, file_type)`: a plain text (one segment), WebVTT (webvtt-py) or SRT (srt)
  transcript, as segments with start and end in seconds.

`tesseract_available()` says whether OCR can run; the OCR functions raise `MediaUnavailable` with
what to install when tesseract or its Korean data is missing.
"""

import io
import os
import re
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unseen.core.media import types
from unseen.core.media.errors import MediaRefused, MediaUnavailable, gettext_noop
from unseen.core.media.types import FileType

if TYPE_CHECKING:
    from PIL.Image import Image

LANGUAGES = "kor+eng"
OCR_DPI = 300
# A page whose text layer has fewer characters than this, and which shows an image, is a scan
# (perhaps with a stamped page number): it is read by OCR.
MIN_TEXT_LAYER = 20
TESSERACT_SECONDS = 600  # one page
# Page segmentation: one uniform block of text. On synthetic Korean pages (11 pt at 300 dpi) it
# found 84% of words where the automatic layout (3) found 80% and sparse text (11) 78%, and it
# reads a roster's rows across; a caller may choose another mode.
PAGE_SEGMENTATION = 6

Progress = Callable[[int, int], None]  # (pages done, pages in all)

NO_TESSERACT = gettext_noop(
    "Text recognition (OCR) needs tesseract, which is not installed on this server. An "
    "administrator can install it with: apt-get install tesseract-ocr tesseract-ocr-kor "
    "tesseract-ocr-eng"
)
NO_LANGUAGE = gettext_noop(
    "Text recognition (OCR) cannot read %(language)s here: tesseract's data for it is not "
    "installed. An administrator can install it with: apt-get install %(package)s"
)
OCR_FAILED = gettext_noop("Text recognition (OCR) failed on this file: %(detail)s")
NOT_UTF8 = gettext_noop("The text is not in UTF-8. Please save it as UTF-8 and send it again.")
NOT_VTT = gettext_noop("The WebVTT transcript could not be read: it does not start with WEBVTT.")
BAD_CUES = gettext_noop(
    "The WebVTT transcript could not be read: %(bad)s of its %(all)s cues have timings that "
    "cannot be read."
)
BACKWARDS = gettext_noop("The transcript could not be read: cue %(number)s ends before it starts.")
BAD_SRT = gettext_noop("The SRT transcript could not be read from line %(line)s on.")


@dataclass(frozen=True)
class Segment:
    """A piece of a file's text and where it is: a page (counted from 0) or start and end seconds.

    `origin` is "pdf_text" (the PDF's own text layer), "ocr" or "transcript"; `language` the
    tesseract languages an OCR'd segment was read with.
    """

    text: str
    origin: str
    page: int | None = None
    start: float | None = None
    end: float | None = None
    language: str = ""


class TranscriptError(MediaRefused):
    """A transcript that is not UTF-8, or a WebVTT or SRT file that does not parse.

    The message says where.
    """


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\x0c", "\n").splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# PDF text layer ------------------------------------------------------------------------------


def pdf_text(path: Path | str) -> list[Segment]:
    """The text layer of each page that has one, in reading order (PyMuPDF's "text" extraction)."""
    import pymupdf

    segments = []
    with pymupdf.open(path, filetype="pdf") as document:
        for page in document:
            text = _tidy(page.get_text("text", sort=True))
            if text:
                segments.append(Segment(text, "pdf_text", page=page.number))
    return segments


def _is_scan(page: Any, layer: str) -> bool:
    """A page to OCR: little or no text layer, and a picture on it."""
    return len(layer) < MIN_TEXT_LAYER and bool(page.get_images())


def pages_needing_ocr(path: Path | str) -> list[int]:
    """The pages (from 0) that `ocr_pdf` would read by OCR.

    An empty list means the text layer is all there is: no OCR job is needed.
    """
    import pymupdf

    with pymupdf.open(path, filetype="pdf") as document:
        return [
            page.number
            for page in document
            if _is_scan(page, _tidy(page.get_text("text", sort=True)))
        ]


# OCR -----------------------------------------------------------------------------------------

_LANGUAGE_NAMES = {"kor": gettext_noop("Korean"), "eng": gettext_noop("English")}


def tesseract_available(languages: str = LANGUAGES) -> bool:
    """Whether tesseract is installed with the data for every one of `languages` ("kor+eng")."""
    try:
        require_tesseract(languages)
    except MediaUnavailable:
        return False
    return True


def require_tesseract(languages: str = LANGUAGES) -> None:
    """Check that OCR can run in `languages`.

    Raises:
        MediaUnavailable: naming what to install (tesseract itself, or a language's data).
    """
    import pytesseract

    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise MediaUnavailable(NO_TESSERACT, reason="no_tesseract")
    try:
        installed = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractError, pytesseract.TesseractNotFoundError, OSError) as error:
        raise MediaUnavailable(NO_TESSERACT, reason="no_tesseract") from error
    for language in languages.split("+"):
        if language not in installed:
            raise MediaUnavailable(
                NO_LANGUAGE,
                reason="no_language",
                language=_LANGUAGE_NAMES.get(language, language),
                package=f"tesseract-ocr-{language}",
            )


def tesseract_version() -> str:
    """The version of the tesseract that OCR runs ("5.3.0"), or "" when there is none."""
    import pytesseract

    try:
        return str(pytesseract.get_tesseract_version())
    except (pytesseract.TesseractNotFoundError, OSError):
        return ""


def _read(image: "Image", languages: str, psm: int) -> str:
    import pytesseract

    # One thread per tesseract: pages run side by side instead (see the module's docstring).
    # An operator's own OMP_THREAD_LIMIT is kept.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        text = pytesseract.image_to_string(
            image, lang=languages, config=f"--oem 1 --psm {psm}", timeout=TESSERACT_SECONDS
        )
    except pytesseract.TesseractNotFoundError as error:
        raise MediaUnavailable(NO_TESSERACT, reason="no_tesseract") from error
    except (pytesseract.TesseractError, RuntimeError) as error:  # RuntimeError: the timeout
        raise MediaUnavailable(OCR_FAILED, reason="ocr_failed", detail=str(error)) from error
    return _tidy(text)


def _workers() -> int:
    return max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1))


def _ocr_ready(image: "Image") -> "Image":
    """Grey, upright, and without an alpha channel (which tesseract reads as black)."""
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image)
    return image.convert("L")


def ocr_image(
    source: Path | str | bytes,
    languages: str = LANGUAGES,
    *,
    progress: Progress | None = None,
    psm: int = PAGE_SEGMENTATION,
) -> list[Segment]:
    """Read the text of a photo or scan; each frame of a multi-page TIFF or GIF is a page.

    Args:
        source: a path, or the image's bytes.
        languages: tesseract languages joined by "+".
        progress: called with (frames done, frames in all) after each frame.
        psm: tesseract's page segmentation mode.

    Returns:
        One segment per frame with text (page None for a single-frame image).

    Raises:
        MediaUnavailable: tesseract or a language is missing, or tesseract failed.
    """
    from PIL import Image, ImageSequence

    require_tesseract(languages)
    opened = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    with opened:
        frames = getattr(opened, "n_frames", 1)
        pages = [_ocr_ready(frame.copy()) for frame in ImageSequence.Iterator(opened)]
    texts = _read_all(iter(pages), frames, languages, psm, progress)
    return [
        Segment(text, "ocr", page=index if frames > 1 else None, language=languages)
        for index, text in enumerate(texts)
        if text
    ]


def _read_all(
    images: Iterator["Image | str"],
    total: int,
    languages: str,
    psm: int,
    progress: Progress | None,
) -> list[str]:
    """OCR each image (a str is a page's text layer, kept as it is), a few at a time, in order.

    Images are taken from the iterator only as workers come free, so a long PDF is never
    rendered all at once.
    """
    workers = _workers()
    results: list[str] = []
    pending: list[Future[str]] = []
    done = 0
    with ThreadPoolExecutor(workers) as pool:

        def finish_one() -> None:
            nonlocal done
            results.append(pending.pop(0).result())
            done += 1
            if progress is not None:
                progress(done, total)

        for image in images:
            if isinstance(image, str):
                future: Future[str] = Future()
                future.set_result(image)
                pending.append(future)
            else:
                pending.append(pool.submit(_read, image, languages, psm))
            while len(pending) > workers:
                finish_one()
        while pending:
            finish_one()
    return results


def ocr_pdf(
    path: Path | str,
    progress: Progress | None = None,
    *,
    languages: str = LANGUAGES,
    dpi: int = OCR_DPI,
    psm: int = PAGE_SEGMENTATION,
) -> list[Segment]:
    """The text of every page of a PDF: its text layer where it has one, else OCR at `dpi`.

    Args:
        path: the PDF.
        progress: called with (pages done, pages in all) after each page.
        languages: tesseract languages joined by "+".
        dpi: the resolution scanned pages are rendered at for OCR.
        psm: tesseract's page segmentation mode.

    Returns:
        One segment per page with text, origin "pdf_text" or "ocr".

    Raises:
        MediaUnavailable: tesseract or a language is missing, or tesseract failed.
    """
    import PIL.Image
    import pymupdf

    require_tesseract(languages)
    origins: list[str] = []

    with pymupdf.open(path, filetype="pdf") as document:
        total = document.page_count

        def pages() -> Iterator["Image | str"]:
            for page in document:
                layer = _tidy(page.get_text("text", sort=True))
                if not _is_scan(page, layer):
                    origins.append("pdf_text")
                    yield layer
                else:
                    origins.append("ocr")
                    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
                    size = (pixmap.width, pixmap.height)
                    yield PIL.Image.frombytes("L", size, pixmap.samples)

        texts = _read_all(pages(), total, languages, psm, progress)
    return [
        Segment(text, origin, page=index, language=languages if origin == "ocr" else "")
        for index, (text, origin) in enumerate(zip(texts, origins, strict=True))
        if text
    ]


# Transcripts ---------------------------------------------------------------------------------


def transcript(data: bytes, file_type: FileType) -> list[Segment]:
    """Segments of a transcript, from its bytes (UTF-8).

    A plain text is one segment; WebVTT and SRT cues keep their times (seconds from the start of
    the recording).

    Raises:
        TranscriptError: the bytes are not UTF-8, or a WebVTT/SRT file does not parse.
        ValueError: the file type is not a transcript's.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TranscriptError(NOT_UTF8, reason="not_utf8") from error
    return parse_transcript(text, file_type)


def parse_transcript(text: str, file_type: FileType) -> list[Segment]:
    """Segments of a transcript already decoded; see `transcript`."""
    if file_type == types.TEXT:
        tidy = _tidy(text)
        return [Segment(tidy, "transcript")] if tidy else []
    if file_type == types.VTT:
        return _vtt(text)
    if file_type == types.SRT:
        return _srt(text)
    raise ValueError(f"{file_type.label} is not a transcript")


_VTT_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})\.(\d{3})$")
_CUE_TAG = re.compile(r"</?[^>]*>")


def _vtt_seconds(stamp: str) -> float:
    match = _VTT_TIME.match(stamp.strip())
    if match is None:
        raise TranscriptError(NOT_VTT, reason="bad_transcript")
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _vtt(text: str) -> list[Segment]:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        captions = webvtt.from_string(text).captions
    except (MalformedFileError, MalformedCaptionError) as error:
        raise TranscriptError(NOT_VTT, reason="bad_transcript") from error
    # webvtt-py skips cues it cannot read; a transcript that loses lines silently is worse than
    # one refused, so every timing line must have become a cue.
    timings = sum(1 for line in text.splitlines() if "-->" in line)
    if timings != len(captions):
        raise TranscriptError(
            BAD_CUES, reason="bad_transcript", bad=timings - len(captions), all=timings
        )
    segments = []
    for number, caption in enumerate(captions, start=1):
        start, end = _vtt_seconds(caption.start), _vtt_seconds(caption.end)
        if end < start:
            raise TranscriptError(BACKWARDS, reason="bad_transcript", number=number)
        body = _tidy(_CUE_TAG.sub("", caption.raw_text))
        if caption.voice:
            body = f"{caption.voice}: {body}"
        if body:
            segments.append(Segment(body, "transcript", start=start, end=end))
    return segments


def _srt(text: str) -> list[Segment]:
    import srt

    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as error:
        line = text[: error.expected_start].count("\n") + 1
        raise TranscriptError(BAD_SRT, reason="bad_transcript", line=line) from error
    segments = []
    for subtitle in subtitles:
        start, end = subtitle.start.total_seconds(), subtitle.end.total_seconds()
        if end < start:
            raise TranscriptError(BACKWARDS, reason="bad_transcript", number=subtitle.index)
        body = _tidy(_CUE_TAG.sub("", subtitle.content))
        if body:
            segments.append(Segment(body, "transcript", start=start, end=end))
    return segments
