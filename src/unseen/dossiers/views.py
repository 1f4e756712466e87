"""A reader's dossiers: ask for one, watch it render, fetch it while it is kept.

Every page here is the requester's alone: another user, whatever their role, gets the same 404
as for a dossier that never existed. Making one needs only `view_records` (a dossier holds what
its reader may already open; it is not a record export) and is audited as an export.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from unseen.accounts.access import SignedInRequest, requires
from unseen.accounts.roles import Capability
from unseen.documentation.saving import readable_by

from .forms import CountryForm, DossierForm, default_language
from .models import Dossier, Language
from .rendering import audit_downloaded, expire, start
from .subjects import NotReadable, Subject, resolve, subject_label

STAGE_LABELS = {
    "composing": gettext_lazy("composing"),
    "rendering": gettext_lazy("laying out the pages"),
    "saving": gettext_lazy("saving"),
}


def _dossier(request: HttpRequest, pk: int) -> Dossier:
    return get_object_or_404(Dossier.objects.of(request.user), pk=pk)


@requires(Capability.VIEW_RECORDS)
def dossier_list(request: SignedInRequest) -> HttpResponse:
    expire()
    dossiers = [
        (dossier, subject_label(dossier.subject, request.user, dossier.language))
        for dossier in Dossier.objects.of(request.user)[:100]
    ]
    return render(
        request,
        "dossiers/dossier_list.html",
        {
            "dossiers": dossiers,
            "country_form": CountryForm(),
            "saved_searches": readable_by(request.user).order_by("name", "id"),
            "language": default_language(),
            "dossier_languages": Language.choices,
            "nav_dossiers": True,
        },
    )


@requires(Capability.VIEW_RECORDS)
@require_POST
def dossier_create(request: SignedInRequest) -> HttpResponse:
    form = DossierForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("dossiers:list")
    subject: Subject = form.cleaned_data["subject"]
    try:
        dossier = start(subject, request.user, form.cleaned_data["language"])
    except NotReadable:
        raise Http404 from None
    return redirect("dossiers:detail", pk=dossier.pk)


@requires(Capability.VIEW_RECORDS)
def dossier_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    expire()
    dossier = _dossier(request, pk)
    return render(
        request,
        "dossiers/dossier_detail.html",
        {
            "dossier": dossier,
            "label": subject_label(dossier.subject, request.user, dossier.language),
            "stage_label": STAGE_LABELS.get(dossier.stage, dossier.stage),
            "dossier_languages": Language.choices,
            "nav_dossiers": True,
        },
    )


@requires(Capability.VIEW_RECORDS)
def dossier_progress(request: SignedInRequest, pk: int) -> JsonResponse:
    dossier = _dossier(request, pk)
    document = dossier.progress_document()
    document["stage_label"] = str(STAGE_LABELS.get(dossier.stage, dossier.stage))
    return JsonResponse(document)


@requires(Capability.VIEW_RECORDS)
@require_POST
def dossier_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    from unseen.jobs.queue import request_cancel

    dossier = _dossier(request, pk)
    if request_cancel(Dossier, dossier.pk) is None:
        messages.error(request, _("The dossier has already been made."))
    else:
        messages.success(request, _("Cancelled."))
    return redirect("dossiers:detail", pk=dossier.pk)


@requires(Capability.VIEW_RECORDS)
def dossier_download(request: SignedInRequest, pk: int) -> FileResponse:
    expire()
    dossier = _dossier(request, pk)
    if not dossier.downloadable:
        raise Http404
    # Read again for the reader at download time: a subject they lost access to since is gone.
    try:
        resolve(dossier.subject, request.user)
    except NotReadable:
        raise Http404 from None
    audit_downloaded(dossier)
    response = FileResponse(
        dossier.path.open("rb"),
        as_attachment=True,
        filename=dossier.file_name,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
