"""Pages of evidence files: upload to a record, a file's page, its custody report, its original.

Reading needs VIEW_RECORDS, the file's own access level and a readable record it stands behind
(`access`); anything else is a 404, never a 403 that would confirm the file exists. Writing
(uploading, describing) needs EDIT_RECORDS, as editing records does.
"""

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
    UnreadablePostError,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from unseen.accounts.access import requires
from unseen.accounts.models import AccessLevel, User
from unseen.accounts.roles import Capability
from unseen.audit.log import record as audit
from unseen.audit.models import Action
from unseen.documentation.browsing import KINDS, Kind
from unseen.documentation.forms import RevisionForm
from unseen.evidence.models import ReviewState
from unseen.evidence.revisions import revising

from . import access, custody, deleting, storing
from .forms import DeletionRequestForm, DownloadForm, FileForm, UploadForm
from .models import EvidenceFile, RedactionState
from .text_views import text_context
from .uploading import EvidenceUploadHandler

SESSION_RESULTS = "files_upload_results"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the permission decorators let only signed-in users through


def _attachable(kind: str, pk: int, user: User) -> tuple[Kind, Any]:
    if kind not in access.ATTACHABLE_SLUGS:
        raise Http404
    spec = KINDS[kind]
    return spec, spec.get(user, pk)


def _file(user: User, pk: int) -> EvidenceFile:
    """A file `user` may read, or 404."""
    file = access.visible_files(user).filter(pk=pk).first()
    if file is None:
        raise Http404
    return file


# --- Upload --------------------------------------------------------------------------------------


def _upload_context(request: HttpRequest, spec: Kind, record: Any) -> dict[str, Any]:
    return {
        "kind": spec,
        "record": record,
        "max_mb": settings.UNSEEN_FILES_MAX_MB,
        "per_upload": settings.UNSEEN_FILES_PER_UPLOAD,
    }


@requires(Capability.EDIT_RECORDS)
@csrf_exempt
def upload(request: HttpRequest, kind: str, pk: int) -> HttpResponseBase:
    """Several files at once to one record: streamed, hashed and sealed as they arrive.

    csrf_exempt so that the upload handler is installed before anything reads the body; the
    CSRF check runs in `_receive`, once the handler is in place.
    """
    user = _user(request)
    spec, record = _attachable(kind, pk, user)
    if request.method != "POST":
        return _results_page(request, spec, record)
    try:
        # The whole body must fit on the disk before a byte of it is written.
        storing.check_room(int(request.META.get("CONTENT_LENGTH") or 0))
    except storing.Refused as refusal:
        context = {**_upload_context(request, spec, record), "refusal": str(refusal)}
        context["form"] = UploadForm(user=user, record=record)
        return render(request, "files/upload.html", context, status=507)
    handler = EvidenceUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        return _receive(request, spec, record, handler)
    except UnreadablePostError:
        # The connection broke while the files came in: what arrived is deleted below.
        return HttpResponse(
            _("The upload was interrupted. Nothing of it was kept; send the files again."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    finally:
        handler.discard_unkept()


@csrf_protect
def _receive(
    request: HttpRequest, spec: Kind, record: Any, handler: EvidenceUploadHandler
) -> HttpResponse:
    user = _user(request)
    form = UploadForm(request.POST, user=user, record=record)
    if handler.interrupted:
        # Django's parser met the end of the body inside a file: nothing of it is kept.
        raise UnreadablePostError("the request body ended inside a file")
    if not handler.sealed and not handler.refused:
        form.add_error(None, _("Choose at least one file."))
    if not form.is_valid():
        context = {**_upload_context(request, spec, record), "form": form}
        return render(request, "files/upload.html", context, status=400)
    outcomes: list[dict[str, Any]] = []
    refused = [{"name": r.name, "reason": r.reason} for r in handler.refused]
    for name, sealed in handler.sealed:
        try:
            received = storing.keep(
                sealed,
                name=name,
                user=user,
                access_level=form.cleaned_data["access_level"],
                credit=form.cleaned_data["credit"],
                licence=form.cleaned_data["licence"],
            )
        except storing.Refused as refusal:
            refused.append({"name": name, "reason": str(refusal)})
            continue
        handler.kept.add(sealed.blob)
        storing.attach(received.file, record, user)
        outcomes.append({"file": received.file.pk, "duplicate": received.duplicate})
    request.session[SESSION_RESULTS] = {
        "record": [spec.slug, record.pk],
        "files": outcomes,
        "refused": refused,
    }
    return redirect("files:upload", kind=spec.slug, pk=record.pk)


def _results_page(request: HttpRequest, spec: Kind, record: Any) -> HttpResponse:
    """The upload form, with what the last upload to this record became."""
    user = _user(request)
    results = request.session.get(SESSION_RESULTS) or {}
    shown: list[dict[str, Any]] = []
    refused: list[dict[str, str]] = []
    if results.get("record") == [spec.slug, record.pk]:
        readable = access.visible_files(user).in_bulk([o["file"] for o in results["files"]])
        for outcome in results["files"]:
            shown.append({"file": readable.get(outcome["file"]), "duplicate": outcome["duplicate"]})
        refused = results["refused"]
    context = {
        **_upload_context(request, spec, record),
        "form": UploadForm(user=user, record=record),
        "results": shown,
        "refused": refused,
    }
    return render(request, "files/upload.html", context)


# --- The files a reader may see -------------------------------------------------------------------

FILES_PER_PAGE = 50


def _steps() -> dict[str, tuple[Any, Q]]:
    """The list's filters, by where a file stands on its way to the public: label, condition."""
    return {
        "redaction": (_("Redaction to decide"), Q(redaction_state=RedactionState.PENDING)),
        "review": (_("Waiting for a review"), Q(review_state=ReviewState.IN_REVIEW)),
        "changes": (_("Changes requested"), Q(review_state=ReviewState.CHANGES_REQUESTED)),
        "reviewed": (
            _("Reviewed, not public"),
            Q(review_state=ReviewState.REVIEWED) & ~Q(access_level=AccessLevel.PUBLIC),
        ),
        "public": (_("Public"), Q(access_level=AccessLevel.PUBLIC)),
    }


@requires(Capability.VIEW_RECORDS)
def file_list(request: HttpRequest) -> HttpResponse:
    """Every file the reader may see, newest first, filtered by where it stands on its way to
    the public (what a reviewer looks for): a file is found here, not only through a record."""
    user = _user(request)
    steps = _steps()
    step = request.GET.get("step", "")
    files = access.visible_files(user).select_related("uploaded_by").order_by("-pk")
    if step in steps:
        files = files.filter(steps[step][1])
    else:
        step = ""
    page = Paginator(files, FILES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "files/file_list.html",
        {
            "page": page,
            "files": page.object_list,
            "steps": [(key, label) for key, (label, _condition) in steps.items()],
            "step": step,
            "nav_files": True,
        },
    )


# --- A file's page -------------------------------------------------------------------------------


@requires(Capability.VIEW_RECORDS)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    file = _file(user, pk)
    may_write = access.may_write(user)
    if request.method == "POST" and not may_write:
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = FileForm(data, instance=file, user=user) if may_write else None
    revision = RevisionForm(data, user=user, editing=True) if may_write else None
    if form is not None and revision is not None and data is not None:
        if all([form.is_valid(), revision.is_valid()]):
            with transaction.atomic(), revising(**revision.why()):
                form.save()
            messages.success(request, _("Saved."))
            return redirect("files:detail", pk=file.pk)
    else:
        audit(Action.VIEW, file, detail={"page": "detail"})
    return render_detail(request, file, form=form, revision=revision, status=400 if data else 200)


def render_detail(
    request: HttpRequest,
    file: EvidenceFile,
    *,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    """The file's page; `forms` are the bound forms of a refused post (the others are fresh)."""
    from .review_views import access_forms, checklist  # they take files as this module does

    user = _user(request)
    may_write = access.may_write(user)
    access_form, access_revision = access_forms(file, user)
    fresh: dict[str, Any] = {
        "form": FileForm(instance=file, user=user) if may_write else None,
        "revision": RevisionForm(user=user, editing=True) if may_write else None,
        "download": DownloadForm(),
        "access_form": access_form,
        "access_revision": access_revision,
    }
    context = {
        "file": file,
        "records": [(item, _record_url(item)) for item in access.readable_records(file, user)],
        "copies": file.working_copies.order_by("kind", "page", "pk"),
        "embedded": sorted((file.embedded_metadata or {}).items()),
        "text": text_context(file, user),
        "deletion_requests": deleting.requests(file),
        "deletion_form": DeletionRequestForm() if access.may_write(user) else None,
        **checklist(file, user),
        **fresh,
        **forms,
    }
    return render(request, "files/file_detail.html", context, status=status)


def _record_url(item: Any) -> str:
    for slug in access.ATTACHABLE_SLUGS:
        if KINDS[slug].model is type(item):
            return reverse("documentation:detail", args=[slug, item.pk])
    return ""


@requires(Capability.VIEW_RECORDS)
def custody_report(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file(_user(request), pk)
    return render(request, "files/custody.html", {"file": file, "events": custody.report(file)})


@requires(Capability.VIEW_RECORDS)
@require_POST
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The original, as it arrived, for a stated reason (kept in its custody report)."""
    user = _user(request)
    file = _file(user, pk)
    form = DownloadForm(request.POST)
    if not form.is_valid():
        return render_detail(request, file, download=form, status=400)
    chunks = storing.open_original(file, user=user, reason=form.cleaned_data["reason"])
    response = StreamingHttpResponse(chunks, content_type=file.content_type)
    response["Content-Length"] = str(file.size)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{file.code}-{file.name or 'original'}"
    )
    response["Cache-Control"] = "no-store"
    return response


@requires(Capability.EDIT_RECORDS)
@require_POST
def request_deletion(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Ask an administrator to delete the file: a custody event with the reason, nothing removed."""
    user = _user(request)
    file = _file(user, pk)
    form = DeletionRequestForm(request.POST)
    if not form.is_valid():
        return render_detail(request, file, deletion_form=form, status=400)
    deleting.request_deletion(file, user, form.cleaned_data["reason"])
    messages.success(
        request,
        _("Deletion requested. An administrator decides; the file is kept until then."),
    )
    return redirect("files:detail", pk=file.pk)
