"""Pages about a file's text: OCR (queue, progress, cancel), transcripts, cited passages.

Reading needs VIEW_RECORDS and a file the reader may open (`access.visible_files`; anything
else is a 404, never a 403 that would confirm the file exists). Asking for OCR, attaching a
transcript and citing a passage write derived text: they need EDIT_RECORDS, as editing records
does.
"""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from unseen.accounts.access import requires
from unseen.accounts.models import User, UserLike
from unseen.accounts.roles import Capability
from unseen.core.media import text
from unseen.core.media.errors import MediaError
from unseen.documentation.browsing import KINDS

from . import access, passages, reading
from .models import EvidenceFile, Passage, TextState

LANGUAGES = [("ko", _("Korean")), ("en", _("English")), ("", _("Other or mixed"))]
# The transcript's bytes stay in memory (never in a temporary file in clear): it is small.
_SLACK = 64 * 1024


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the permission decorators let only signed-in users through


def _file(user: UserLike, pk: int) -> EvidenceFile:
    """A file `user` may read, or 404."""
    file = access.visible_files(user).filter(pk=pk).first()
    if file is None:
        raise Http404
    return file


def _text_url(file: EvidenceFile) -> str:
    return reverse("files:detail", args=[file.pk]) + "#text"


class TranscriptForm(forms.Form):
    """A transcript typed in, or a .txt, .vtt or .srt file, and the language it is in."""

    typed = forms.CharField(
        label=_("Transcript"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": _("00:05 Interviewer: Where did you work?")}
        ),
        help_text=_("One line per utterance, each starting with its time (mm:ss), or plain text."),
    )
    upload = forms.FileField(
        label=_("or a transcript file (.txt, .vtt, .srt)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.vtt,.srt,text/plain,text/vtt"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("typed", "").strip() and not data.get("upload"):
            raise forms.ValidationError(_("Type the transcript or choose a transcript file."))
        return data


_tesseract_checked: dict[str, bool] = {}


def _tesseract() -> bool:
    """Whether OCR can run here (checked once per process: it starts tesseract)."""
    if "ok" not in _tesseract_checked:
        _tesseract_checked["ok"] = text.tesseract_available()
    return _tesseract_checked["ok"]


def text_context(file: EvidenceFile, user: UserLike) -> dict[str, Any]:
    """What the file page's text section shows (files/_text.html)."""
    may_write = access.may_write(user)
    job = reading.active_job(file) or reading.latest_job(file)
    recording = reading.is_recording(file)
    return {
        "segments": reading.shown_text(file),
        "recording": recording,
        "job": job,
        "running": job is not None and not job.finished,
        "stage_label": reading.STAGES.get(job.stage, job.stage) if job else "",
        "failure": reading.failure_text(job)
        if job is not None and file.text_state == TextState.FAILED and job.status == "failed"
        else "",
        "may_ocr": may_write and reading.ocr_offered(file),
        "may_cancel": may_write,
        "tesseract": _tesseract() if may_write and reading.ocr_offered(file) else True,
        "transcript_form": TranscriptForm(prefix="transcript") if may_write and recording else None,
    }


# --- OCR -----------------------------------------------------------------------------------------


@requires(Capability.EDIT_RECORDS)
@require_POST
def ocr(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue text recognition of a scan or photo (the worker runs it; the page shows progress)."""
    user = _user(request)
    file = _file(user, pk)
    try:
        reading.queue_ocr(file, user)
    except MediaError as refusal:
        messages.error(request, refusal.translated(gettext))
    else:
        messages.success(
            request, gettext("Text recognition is queued. This page shows how far it has got.")
        )
    return redirect(_text_url(file))


@requires(Capability.VIEW_RECORDS)
def ocr_progress(request: HttpRequest, pk: int) -> JsonResponse:
    file = _file(_user(request), pk)
    job = reading.active_job(file) or reading.latest_job(file)
    if job is None:
        raise Http404
    document = job.progress_document()
    document["stage_label"] = str(reading.STAGES.get(job.stage, job.stage))
    document["error"] = reading.failure_text(job) if job.status == "failed" else ""
    return JsonResponse(document)


@requires(Capability.EDIT_RECORDS)
@require_POST
def ocr_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file(_user(request), pk)
    job = reading.active_job(file)
    if job is not None and reading.cancel_ocr(job):
        messages.success(request, gettext("Cancelled. A running job stops after its current page."))
    else:
        messages.error(request, gettext("The text recognition has already ended."))
    return redirect(_text_url(file))


# --- Transcripts ---------------------------------------------------------------------------------


class _InMemory(MemoryFileUploadHandler):
    """Keeps a transcript file in memory, whatever the server's FILE_UPLOAD_MAX_MEMORY_SIZE."""

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        self.activated = True


@requires(Capability.EDIT_RECORDS)
@csrf_exempt
@require_POST
def transcript(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Attach a transcript to a recording.

    csrf_exempt so that the in-memory upload handler is in place before anything reads the body;
    the CSRF check runs in `_transcript`, once it is.
    """
    file = _file(_user(request), pk)
    if int(request.META.get("CONTENT_LENGTH") or 0) > reading.MAX_TRANSCRIPT_BYTES + _SLACK:
        messages.error(
            request,
            gettext("The transcript is longer than %(limit)s MB.")
            % {"limit": reading.MAX_TRANSCRIPT_BYTES >> 20},
        )
        return redirect(_text_url(file))
    request.upload_handlers = [_InMemory(request)]
    return _transcript(request, file)


@csrf_protect
def _transcript(request: HttpRequest, file: EvidenceFile) -> HttpResponse:
    form = TranscriptForm(request.POST, request.FILES, prefix="transcript")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_text_url(file))
    upload = form.cleaned_data.get("upload")
    if upload is not None:
        data, name = upload.read(), upload.name or ""
    else:
        data, name = form.cleaned_data["typed"].encode(), "typed.txt"
    try:
        count = reading.attach_transcript(
            file, data, name, _user(request), form.cleaned_data.get("language", "")
        )
    except MediaError as refusal:
        messages.error(request, refusal.translated(gettext))
    else:
        messages.success(
            request, gettext("Transcript attached: %(count)s pieces of text.") % {"count": count}
        )
    return redirect(_text_url(file))


# --- Passages ------------------------------------------------------------------------------------


@requires(Capability.EDIT_RECORDS)
@require_POST
def cite_passage(request: HttpRequest, pk: int) -> HttpResponse:
    """Cite a passage of a file as where an indicator was found in testimony `pk`."""
    user = _user(request)
    testimony = KINDS["testimonies"].get(user, pk)
    form = passages.PassageForm(request.POST, testimony=testimony, user=user)
    if form.is_valid():
        data = form.cleaned_data
        passages.cite(
            testimony,
            indicator=data["indicator"],
            file=data["file"],
            page=data.get("page"),
            start_seconds=data.get("start_seconds"),
            end_seconds=data.get("end_seconds"),
            note=data.get("note", ""),
        )
        messages.success(request, gettext("Passage cited."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
    return redirect(reverse("documentation:coding", args=[testimony.pk]) + "#passages")


@requires(Capability.EDIT_RECORDS)
@require_POST
def remove_passage(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    passage = (
        Passage.objects.select_related("coding")
        .filter(pk=pk, file__in=access.visible_files(user).values("pk"))
        .first()
    )
    if passage is None:
        raise Http404
    testimony = KINDS["testimonies"].get(user, passage.coding.testimony_id)
    passage.delete()
    messages.success(request, gettext("Passage removed."))
    return redirect(reverse("documentation:coding", args=[testimony.pk]) + "#passages")
