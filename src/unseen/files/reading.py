"""The text of evidence files: PDF text layers, OCR of scans and photos, transcripts of recordings.

Everything here ends as `TextSegment` rows of the file (a page of a document, or a time range of
a recording), which the file page shows and the app's search finds (`files.indexing`). Pages are
counted from 1, as a reader counts them (`core.media.text` counts from 0).

- `extract_text(file)`: a PDF's own text layer, read once it has arrived (origin pdf_text).
- `queue_ocr(file, user)`: OCR of a scan or photo in Korean and English, as a background job
  (`TextJob`, `unseen.jobs`; `tasks.run_ocr`) with progress, or in this process with
  `execute_ocr` (`unseen files ocr ID`). A failure sets the file's text state to failed and keeps
  the reason on the job, which the file page shows.
- `attach_transcript(file, data, name, user, language)`: a transcript (typed, or a .txt, .vtt or
  .srt file) of a recording, as timed segments.

Reading the original is a custody event, as every read is (`storing.open_original`); the text
made from it is another (FILE_DERIVE, with the tool, its version and the languages). The original
is decrypted into a private temporary folder (0700, the file in it 0600; tesseract's own
temporary files go there too) that is deleted when the work ends, however it ends: plaintext is
never left on disk. A folder left by a process killed outright is swept by the next job.
"""

import contextlib
import hashlib
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import signals
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from unseen import private_files
from unseen.accounts.models import User, UserLike
from unseen.audit.context import current_actor
from unseen.audit.models import Action
from unseen.core import sealing
from unseen.core.media import text, timecodes, types
from unseen.core.media.errors import MediaError, Unsupported
from unseen.jobs.models import JobStatus
from unseen.jobs.queue import Cancelled, Progress, claim, end, enqueue_after_commit, request_cancel

from . import custody, storing
from .models import EvidenceFile, TextJob, TextOrigin, TextSegment, TextState

logger = logging.getLogger(__name__)

WORKSPACE_PREFIX = "unseen-text-"
# A workspace older than this was left by a process killed outright (a job's pages take minutes).
STALE_WORKSPACE_SECONDS = 24 * 3600
MAX_TRANSCRIPT_BYTES = 10 << 20
# Reasons written into the custody log (in English, as every audit reason).
OCR_REASON = "text recognition (OCR)"
EXTRACT_REASON = "text layer read on arrival"

#: Where each stage of an OCR job sits on the progress bar.
DECRYPTED_AT = 0.05
READ_AT = 0.95
STAGES = {
    "queued": _("waiting for the worker"),
    "starting": _("starting"),
    "decrypting": _("decrypting the original"),
    "reading": _("reading the pages"),
    "saving": _("saving the text"),
    "done": _("done"),
}

NOT_A_SCAN = gettext_noop(
    "Only PDF documents and images (JPEG, PNG, WebP, TIFF, GIF) can be read by text recognition."
)
NOT_A_RECORDING = gettext_noop("A transcript attaches to a recording (audio or video) only.")
NOT_A_TRANSCRIPT = gettext_noop(
    "A transcript is plain text (.txt), WebVTT (.vtt) or SRT (.srt), in UTF-8."
)
TOO_LONG = gettext_noop("The transcript is longer than %(limit)s MB.")
EMPTY_TRANSCRIPT = gettext_noop("The transcript holds no text.")
NO_LONGER_READABLE = gettext_noop(
    "The person who asked for it may no longer read this file. Ask again as someone who may."
)
ALTERED = gettext_noop(
    "The stored original no longer has the hash it arrived with; nothing was read. Run "
    "`unseen files verify` and tell an administrator."
)
STOPPED = gettext_noop("Text recognition stopped while %(stage)s: %(kind)s.")
NOT_QUEUED = gettext_noop("The job could not be queued: %(kind)s.")


class TextRefused(MediaError):
    """A request about a file's text that cannot be met; the message says why (translatable)."""


def _refuse(template: str, **params: Any) -> TextRefused:
    return TextRefused(template, reason="refused", **params)


# --- What a file is ------------------------------------------------------------------------------


# Other names of allowed types that content sniffers give (files stored before types were
# named one way).
_ALIASES = {
    "audio/wave": types.WAV,
    "audio/x-wav": types.WAV,
    "audio/vnd.wave": types.WAV,
    "application/ogg": types.OGG,
    "audio/x-flac": types.FLAC,
    "audio/mp3": types.MP3,
    "audio/x-m4a": types.M4A,
    "image/jpg": types.JPEG,
    "application/x-pdf": types.PDF,
}


def file_type(file: EvidenceFile) -> types.FileType | None:
    """The allowed type of a stored file, from the type detected on arrival (None: not one)."""
    try:
        return types.from_content_type(file.content_type)
    except Unsupported:
        return _ALIASES.get(file.content_type)


def can_ocr(file: EvidenceFile) -> bool:
    """Whether text recognition can read the file: a PDF, or an image Pillow opens."""
    found = file_type(file)
    return found is not None and (found == types.PDF or found in types.PILLOW_TYPES)


def ocr_offered(file: EvidenceFile) -> bool:
    """Whether the file page offers OCR: an image, or a PDF with pages that are pictures only.

    A PDF whose text layer is whole (every page has text, or no picture) is not offered it; one
    whose pages were not counted yet (read before counting existed) is.
    """
    found = file_type(file)
    if found is None or not can_ocr(file):
        return False
    if found != types.PDF or file.text_state in (TextState.FAILED, TextState.OCR_DONE):
        return True
    return file.scanned_pages is None or file.scanned_pages > 0


def is_recording(file: EvidenceFile) -> bool:
    found = file_type(file)
    return found is not None and found.kind in (types.Kind.AUDIO, types.Kind.VIDEO)


def settled_state(file: EvidenceFile) -> str:
    """The text state the file's segments warrant (after a cancelled job, say)."""
    origins = set(file.text_segments.values_list("origin", flat=True))
    if TextOrigin.OCR in origins:
        return TextState.OCR_DONE
    if origins:
        return TextState.EXTRACTED
    return TextState.NONE


def _set_state(file: EvidenceFile, state: str) -> None:
    EvidenceFile.objects.filter(pk=file.pk).update(text_state=state)
    file.text_state = state


def reindex(file: EvidenceFile) -> None:
    """Write the file's search entry anew (its segments changed; bulk writes send no signal)."""
    from unseen.documentation import indexing

    indexing.index_record(file)


# --- The original, decrypted for a while ---------------------------------------------------------

_TEMPDIR_LOCK = threading.Lock()


def _sweep_stale_workspaces() -> None:
    root = Path(tempfile.gettempdir())
    cutoff = time.time() - STALE_WORKSPACE_SECONDS
    for folder in root.glob(f"{WORKSPACE_PREFIX}*"):
        with contextlib.suppress(OSError):
            if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    """A private folder (0700) for plaintext, deleted with everything in it on the way out.

    Python's temporary files go there meanwhile (tesseract's input images and output text, which
    pytesseract writes to the temporary folder), so they are deleted with it too.
    """
    _sweep_stale_workspaces()
    folder = Path(tempfile.mkdtemp(prefix=WORKSPACE_PREFIX))
    private_files.private_folder(folder)
    with _TEMPDIR_LOCK:
        previous = tempfile.tempdir
        tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        with _TEMPDIR_LOCK:
            tempfile.tempdir = previous
        shutil.rmtree(folder, ignore_errors=True)


def decrypt_into(
    folder: Path, file: EvidenceFile, *, user: UserLike | None, reason: str, **detail: Any
) -> Path:
    """The original's bytes in a new 0600 file in `folder` (a `workspace`); the read is audited.

    The name is fixed ("original" and the type's extension): never the name it arrived with.
    """
    found = file_type(file)
    path = folder / f"original{found.extension if found else ''}"
    chunks = storing.open_original(file, user=user, reason=reason, **detail)
    with private_files.open_new(path) as handle:
        for chunk in chunks:
            handle.write(chunk)
    return path


def _segments(file: EvidenceFile, found: list[text.Segment]) -> list[TextSegment]:
    return [
        TextSegment(
            file=file,
            origin=segment.origin,
            page=segment.page + 1 if segment.page is not None else None,
            start_seconds=segment.start,
            end_seconds=segment.end,
            language=segment.language[:8],
            text=segment.text,
        )
        for segment in found
        if segment.text
    ]


# --- PDF text layer ------------------------------------------------------------------------------


def extract_text(file: EvidenceFile, *, user: UserLike | None = None) -> int:
    """Read a PDF's own text layer into page segments; returns how many pages had text.

    Not a PDF: nothing to do (0). A PDF without a text layer keeps its state (the file page then
    offers OCR). A PDF that cannot be read is logged by kind, never by content, and left as it is.
    """
    if file_type(file) != types.PDF:
        return 0
    try:
        with workspace() as folder:
            path = decrypt_into(
                folder, file, user=user, reason=EXTRACT_REASON, action=Action.FILE_VIEW
            )
            found = text.pdf_text(path)
            scanned = len(text.pages_needing_ocr(path))
    except (sealing.SealingError, PermissionDenied, RuntimeError, ValueError, OSError) as error:
        logger.warning("text layer of %s not read: %s", file.code, type(error).__name__)
        return 0
    rows = _segments(file, found)
    with transaction.atomic():
        file.text_segments.filter(origin=TextOrigin.PDF_TEXT).delete()
        TextSegment.objects.bulk_create(rows, batch_size=500)
        EvidenceFile.objects.filter(pk=file.pk).update(scanned_pages=scanned)
        file.scanned_pages = scanned
        if rows:
            _set_state(file, TextState.EXTRACTED)
            custody.record(
                file,
                Action.FILE_DERIVE,
                actor=user,
                derived="text",
                origin=TextOrigin.PDF_TEXT,
                tool="pymupdf",
                tool_version=_version("pymupdf"),
                pages=len(rows),
                scanned_pages=scanned,
            )
        reindex(file)
    return len(rows)


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def _extract_on_arrival(sender: Any, instance: EvidenceFile, created: bool, **kwargs: Any) -> None:
    """A new PDF's text layer is read once the upload has committed (the blob is in place)."""
    if created and not kwargs.get("raw") and file_type(instance) == types.PDF:
        uploader = instance.uploaded_by

        def extract() -> None:
            # The upload has committed: a PDF that does not read leaves it as it is.
            try:
                extract_text(instance, user=uploader)
            except Exception as error:
                logger.error("text layer of %s not read: %s", instance.code, type(error).__name__)

        transaction.on_commit(extract)


def connect() -> None:
    """Wire the reading of text layers on arrival (FilesConfig.ready)."""
    signals.post_save.connect(
        _extract_on_arrival, sender=EvidenceFile, dispatch_uid="files-extract-text"
    )


# --- OCR, as a job -------------------------------------------------------------------------------


def active_job(file: EvidenceFile) -> TextJob | None:
    """The file's queued or running OCR job, if any."""
    return (
        file.text_jobs.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .order_by("-created_at", "-pk")
        .first()
    )


def latest_job(file: EvidenceFile) -> TextJob | None:
    return file.text_jobs.order_by("-created_at", "-pk").first()


def new_ocr_job(file: EvidenceFile, user: UserLike | None) -> tuple[TextJob, bool]:
    """A queued OCR job for `file`, and True; or the one already waiting or running, and False.

    Raises:
        TextRefused: the file is not a PDF or an image.
        MediaUnavailable: tesseract or its Korean or English data is not installed here.
    """
    if not can_ocr(file):
        raise _refuse(NOT_A_SCAN)
    text.require_tesseract(text.LANGUAGES)
    with transaction.atomic():
        EvidenceFile.objects.select_for_update().filter(pk=file.pk).first()
        running = active_job(file)
        if running is not None:
            return running, False
        job = TextJob.objects.create(
            file=file,
            requested_by=user if isinstance(user, User) else None,
            languages=text.LANGUAGES,
            stage="queued",
        )
        _set_state(file, TextState.OCR_QUEUED)
    return job, True


def queue_ocr(file: EvidenceFile, user: UserLike | None) -> TextJob:
    """Queue OCR of `file` for `unseen worker`, started once this transaction commits."""
    from .tasks import run_ocr

    job, created = new_ocr_job(file, user)
    if created:

        def refused(error: Exception) -> None:
            _fail(job.pk, NOT_QUEUED, kind=type(error).__name__)

        enqueue_after_commit(run_ocr, job.pk, refused=refused)
    return job


def cancel_ocr(job: TextJob) -> bool:
    """Cancel a queued job now, or ask a running one to stop after the page it is reading.

    False when the job had already ended.
    """
    status = request_cancel(TextJob, job.pk)
    if status is None:
        return False
    if status == JobStatus.CANCELLED:
        _set_state(job.file, settled_state(job.file))
    return True


ProgressBar = Callable[[str, float], None]


def execute_ocr(job_id: int, bar: ProgressBar | None = None) -> TextJob:
    """Run a queued OCR job to the end (done, failed or cancelled); what the task and
    `unseen files ocr` call. `bar(stage, fraction)` is told the progress too (the command line's).

    A job another worker has claimed, or one cancelled while queued, is left alone.
    """
    claimed = False
    stage = "starting"
    token = None
    try:
        claimed = claim(TextJob, job_id)
        job = TextJob.objects.select_related("file", "requested_by").get(pk=job_id)
        if not claimed:
            return job
        file = job.file
        user = job.requested_by
        if user is not None:  # otherwise whoever runs it: the worker ("system"), the command line
            token = current_actor.set(user.get_username())
        progress = Progress(TextJob, job.pk)

        def report(stage: str, fraction: float) -> None:
            progress(stage, fraction)
            if bar is not None:
                bar(stage, fraction)

        report("starting", 0.0)
        text.require_tesseract(job.languages)
        if not can_ocr(file):
            raise _refuse(NOT_A_SCAN)
        with workspace() as folder:
            stage = "decrypting"
            report(stage, 0.0)
            path = decrypt_into(
                folder,
                file,
                user=user,
                reason=OCR_REASON,
                action=Action.FILE_VIEW,
                job=job.pk,
            )
            progress.check()
            stage = "reading"
            report(stage, DECRYPTED_AT)

            def pages(done: int, total: int) -> None:
                report("reading", DECRYPTED_AT + (READ_AT - DECRYPTED_AT) * done / max(total, 1))
                progress.check()

            if file_type(file) == types.PDF:
                found = text.ocr_pdf(path, pages, languages=job.languages)
            else:
                found = text.ocr_image(path, job.languages, progress=pages)
        progress.check()
        stage = "saving"
        report(stage, READ_AT)
        _save_ocr(job, found)
        report("done", 1.0)
    except Cancelled:
        _end_cancelled(job_id)
    except MediaError as error:  # tesseract missing, a page it could not read, a refusal
        if not claimed:
            raise
        _fail(job_id, error.template, **error.params)
    except PermissionDenied:
        _fail(job_id, NO_LONGER_READABLE)
    except sealing.SealingError:  # storing.Altered too: the blob changed on disk
        _fail(job_id, ALTERED)
    except (KeyboardInterrupt, SystemExit):
        if claimed:
            _fail(job_id, STOPPED, stage=stage, kind="stopped")
        raise
    except Exception as error:
        # The message may quote the document; the stage and the kind of error may not.
        logger.error("OCR job %s failed while %s: %s", job_id, stage, type(error).__name__)
        if not claimed:
            raise
        _fail(job_id, STOPPED, stage=stage, kind=type(error).__name__)
    finally:
        if token is not None:
            current_actor.reset(token)
    return TextJob.objects.select_related("file").get(pk=job_id)


def _save_ocr(job: TextJob, found: list[text.Segment]) -> None:
    file = job.file
    rows = _segments(file, found)
    version = text.tesseract_version()
    pages = len({row.page for row in rows})
    with transaction.atomic():
        file.text_segments.filter(origin__in=[TextOrigin.OCR, TextOrigin.PDF_TEXT]).delete()
        TextSegment.objects.bulk_create(rows, batch_size=500)
        _set_state(file, TextState.OCR_DONE)
        TextJob.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE,
            stage="done",
            fraction=1.0,
            pages=pages,
            segments=len(rows),
            tool_version=version,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        custody.record(
            file,
            Action.FILE_DERIVE,
            actor=job.requested_by,
            derived="text",
            origin=TextOrigin.OCR,
            tool="tesseract",
            tool_version=version,
            languages=job.languages,
            pages=pages,
            segments=len(rows),
            job=job.pk,
        )
        reindex(file)


def _fail(job_id: int, template: str, **params: Any) -> None:
    """End the job as failed, with its reason kept for the page (translated there)."""
    message = template % params if params else template
    with transaction.atomic():
        end(TextJob, job_id, JobStatus.FAILED, message)
        TextJob.objects.filter(pk=job_id).update(
            failure={"template": template, "params": _plain(params)}
        )
        file_ids = TextJob.objects.filter(pk=job_id).values("file_id")
        EvidenceFile.objects.filter(pk__in=file_ids).update(text_state=TextState.FAILED)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value if isinstance(value, (int, float)) else str(value)
        for name, value in params.items()
    }


def _end_cancelled(job_id: int) -> None:
    with transaction.atomic():
        end(TextJob, job_id, JobStatus.CANCELLED)
        job = TextJob.objects.select_related("file").get(pk=job_id)
        _set_state(job.file, settled_state(job.file))


def failure_text(job: TextJob) -> str:
    """Why the job failed, in the reader's language (its English text when it kept no template)."""
    from django.utils.translation import gettext

    failure = job.failure if isinstance(job.failure, dict) else {}
    template = failure.get("template")
    if not template:
        return job.error
    params = failure.get("params") or {}
    if "stage" in params:
        params = {**params, "stage": str(STAGES.get(params["stage"], params["stage"]))}
    return MediaError(str(template), reason="failed", **params).translated(gettext)


# --- Transcripts ---------------------------------------------------------------------------------


def transcript_segments(data: bytes, name: str = "") -> tuple[list[text.Segment], str]:
    """The segments of a transcript's bytes and its format key (text, vtt or srt).

    A plain text whose lines start with time codes ("00:12 ...") is read as a typed transcript
    with times (`core.media.timecodes`); one without is one untimed segment.

    Raises:
        TextRefused, MediaRefused: not a transcript, not UTF-8, or a WebVTT/SRT file that does not
            parse (the message says where).
    """
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise _refuse(TOO_LONG, limit=MAX_TRANSCRIPT_BYTES >> 20)
    try:
        found = types.detect(data[: types.HEAD_BYTES], name=name)
    except Unsupported as error:
        raise _refuse(EMPTY_TRANSCRIPT if error.reason == "empty" else NOT_A_TRANSCRIPT) from None
    if found not in types.TRANSCRIPT_TYPES:
        raise _refuse(NOT_A_TRANSCRIPT)
    if found == types.TEXT:
        try:
            typed = timecodes.typed_transcript(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            typed = []
        if typed:
            return typed, found.key
    segments = text.transcript(data, found)
    if not segments:
        raise _refuse(EMPTY_TRANSCRIPT)
    return segments, found.key


def attach_transcript(
    file: EvidenceFile,
    data: bytes,
    name: str,
    user: UserLike | None,
    language: str = "",
) -> int:
    """Attach a transcript to a recording as timed segments; returns how many.

    A new transcript in a language replaces the one before in that language (a translation
    stands beside the original words). The transcript's own hash goes into the file's custody.

    Raises:
        TextRefused, MediaRefused: see `transcript_segments`, and a file that is no recording.
    """
    if not is_recording(file):
        raise _refuse(NOT_A_RECORDING)
    found, format_key = transcript_segments(data, name)
    language = language[:8]
    rows = _segments(file, [_with_language(segment, language) for segment in found])
    with transaction.atomic():
        file.text_segments.filter(origin=TextOrigin.TRANSCRIPT, language=language).delete()
        TextSegment.objects.bulk_create(rows, batch_size=500)
        if file.text_state in (TextState.NONE, TextState.FAILED):
            _set_state(file, TextState.EXTRACTED)
        custody.record(
            file,
            Action.FILE_DERIVE,
            actor=user,
            derived="text",
            origin=TextOrigin.TRANSCRIPT,
            tool="transcript",
            format=format_key,
            language=language,
            segments=len(rows),
            transcript_sha256=hashlib.sha256(data).hexdigest(),
        )
        reindex(file)
    return len(rows)


def _with_language(segment: text.Segment, language: str) -> text.Segment:
    return text.Segment(
        segment.text,
        TextOrigin.TRANSCRIPT,
        page=None,
        start=segment.start,
        end=segment.end,
        language=language,
    )


# --- What the file page shows --------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One piece of a file's text as the page shows it, with the anchor a passage links to."""

    segment: TextSegment

    @property
    def anchor(self) -> str:
        if self.segment.start_seconds is not None:
            return f"t-{int(self.segment.start_seconds)}"
        if self.segment.page is not None:
            return f"page-{self.segment.page}"
        return ""

    @property
    def when(self) -> str:
        """ "01:05 – 01:20" for a timed segment, "" otherwise."""
        start, end = self.segment.start_seconds, self.segment.end_seconds
        if start is None:
            return ""
        if end is None or end <= start:
            return timecodes.clock(start)
        return f"{timecodes.clock(start)} – {timecodes.clock(end)}"


def shown_text(file: EvidenceFile) -> list[Shown]:
    """The file's segments in reading order: by page, then by time."""
    return [
        Shown(segment) for segment in file.text_segments.order_by("page", "start_seconds", "pk")
    ]


def anchor_for(file: EvidenceFile, page: int | None, start: float | None) -> str:
    """The anchor on the file page of a page, or of the segment under a time (a passage's)."""
    if page is not None:
        return f"page-{page}"
    if start is None:
        return ""
    before = (
        file.text_segments.filter(start_seconds__isnull=False, start_seconds__lte=start)
        .order_by("-start_seconds", "-pk")
        .values_list("start_seconds", flat=True)
        .first()
    )
    return f"t-{int(before)}" if before is not None else ""
