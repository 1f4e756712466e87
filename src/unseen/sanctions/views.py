from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unseen.accounts.access import SignedInRequest, requires
from unseen.accounts.roles import Capability
from unseen.linkage.forms import VerdictForm
from unseen.linkage.models import ReviewStatus
from unseen.ui.uploads import saved_upload

from .forms import LoadForm, StartForm
from .loading import ListRefused, load_file
from .models import SanctionsList, XrefRun, XrefStatus
from .presenting import (
    STAGES,
    candidate_rows,
    change_rows,
    entity_facts,
    explanation_rows,
    list_versions,
    readable_candidates,
    reader_counts,
    record_side,
    status_counts,
)
from .reviewing import AcceptRefused, NotPending, decide, in_reviewer_order, next_pending, skip
from .xref import cancel, start_run

ENTITIES_PER_PAGE = 50
CANDIDATES_PER_PAGE = 50


def _list(request: HttpRequest, pk: int) -> SanctionsList:
    lists = SanctionsList.objects.visible_to(request.user).select_related("source")
    return get_object_or_404(lists, pk=pk)


def _run(request: HttpRequest, pk: int) -> XrefRun:
    runs = XrefRun.objects.select_related("sanctions_list__source", "started_by")
    run: XrefRun = get_object_or_404(runs, pk=pk)
    if not run.sanctions_list.is_visible_to(request.user):
        # A run against a list the reader may not read is absent, as the list is.
        raise Http404
    return run


@requires(Capability.VIEW_RECORDS)
def lists(request: HttpRequest) -> HttpResponse:
    runs = XrefRun.objects.filter(
        sanctions_list__in=SanctionsList.objects.visible_to(request.user)
    ).select_related("sanctions_list", "started_by")
    return render(
        request,
        "sanctions/lists.html",
        {"lists": list_versions(request.user), "runs": runs[:20], "nav_sanctions": True},
    )


@requires(Capability.IMPORT_RECORDS)
def load(request: SignedInRequest) -> HttpResponse:
    """`unseen lists load` behind a page: the same checks, all or nothing."""
    form = LoadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        name = Path(upload.name).name
        with saved_upload(upload) as path:
            try:
                result = load_file(
                    path,
                    code=data["code"],
                    title=data["title"],
                    authority=data["authority"],
                    version=data["version"],
                    published_on=data["published_on"],
                    url=data["url"],
                    scheme=data["scheme"],
                    access_level=data["access_level"],
                    user=request.user,
                    file_name=name,
                )
            except ListRefused as refusal:
                errors = [f"{name}: {error}" for error in refusal.errors]
            else:
                if result.already_loaded:
                    messages.info(request, _("This version was already loaded from this file."))
                else:
                    messages.success(
                        request,
                        _("Loaded %(n)s entities.") % {"n": result.entities},
                    )
                return redirect("sanctions:list", pk=result.sanctions_list.pk)
    return render(
        request, "sanctions/load.html", {"form": form, "errors": errors, "nav_sanctions": True}
    )


@requires(Capability.VIEW_RECORDS)
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    loaded = _list(request, pk)
    entities = loaded.entities.all()
    query = request.GET.get("q", "").strip()
    if query:
        entities = entities.filter(Q(caption__icontains=query) | Q(entity_id__icontains=query))
    page = Paginator(entities, ENTITIES_PER_PAGE).get_page(request.GET.get("page"))
    versions = SanctionsList.objects.visible_to(request.user).filter(code=loaded.code)
    return render(
        request,
        "sanctions/list_detail.html",
        {
            "list": loaded,
            "page": page,
            "facts": [entity_facts(entity) for entity in page],
            "q": query,
            "versions": versions.newest_first(),
            "runs": loaded.runs.select_related("started_by")[:20],
            "start": StartForm(),
            "nav_sanctions": True,
        },
    )


@requires(Capability.REVIEW_LINKAGE)
@require_POST
def xref_start(request: SignedInRequest, pk: int) -> HttpResponse:
    loaded = _list(request, pk)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a threshold between 0.05 and 0.99 and what to compare."))
        return redirect("sanctions:list", pk=loaded.pk)
    run = start_run(
        loaded,
        user=request.user,
        threshold=form.cleaned_data["threshold"],
        kinds=form.cleaned_data["kinds"],
    )
    return redirect("sanctions:run", pk=run.pk)


@requires(Capability.REVIEW_LINKAGE)
def run_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    context: dict[str, Any] = {
        "run": run,
        "stage_label": STAGES.get(run.stage, run.stage),
        "nav_sanctions": True,
    }
    if run.status == XrefStatus.DONE:
        status = request.GET.get("status", ReviewStatus.PENDING)
        if status not in ReviewStatus.values:
            status = ReviewStatus.PENDING
        readable = readable_candidates(run, request.user).select_related("listed_entity")
        ordered = in_reviewer_order(readable.filter(status=status), request.user)
        page = Paginator(ordered, CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
        context |= {
            "counts": reader_counts(run, request.user),
            "changes": change_rows(run, request.user) if run.changes else None,
            "status": status,
            "statuses": status_counts(readable),
            "page": page,
            "rows": candidate_rows(list(page), request.user),
        }
    return render(request, "sanctions/run_detail.html", context)


@requires(Capability.REVIEW_LINKAGE)
def run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = _run(request, pk)
    document = run.progress_document()
    document["stage_label"] = str(STAGES.get(run.stage, run.stage))
    return JsonResponse(document)


@requires(Capability.REVIEW_LINKAGE)
@require_POST
def run_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    if cancel(_run(request, pk)):
        messages.success(request, _("Cancelled. A running run stops at its next stage."))
    else:
        messages.error(request, _("The run has already ended."))
    return redirect("sanctions:run", pk=pk)


@requires(Capability.REVIEW_LINKAGE)
def candidate_detail(request: SignedInRequest, pk: int, candidate: int) -> HttpResponse:
    """Our record beside the list entity, the score and why; the verdict is posted here."""
    run = _run(request, pk)
    readable = readable_candidates(run, request.user)
    item = get_object_or_404(
        readable.select_related("listed_entity__sanctions_list__source", "decided_by"),
        pk=candidate,
    )
    form = VerdictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verdict = form.cleaned_data["verdict"]
        if verdict == "unsure":
            try:
                skip(item, request.user)
            except NotPending:
                messages.error(
                    request, _("This pair has a verdict; give another one to change it.")
                )
                return redirect("sanctions:candidate", pk=run.pk, candidate=item.pk)
            messages.success(request, _("Skipped: the pair waits at the back of your queue."))
        else:
            try:
                decide(item, verdict == "same", request.user)
            except AcceptRefused as refusal:
                messages.error(request, str(refusal))
                return redirect("sanctions:candidate", pk=run.pk, candidate=item.pk)
            if verdict == "same":
                messages.success(
                    request,
                    _(
                        "Accepted: the record now carries the list's identifier, a designation "
                        "and a claim citing this list version."
                    ),
                )
            else:
                messages.success(request, _("Rejected: the pair will not be proposed again."))
        following = next_pending(readable, request.user, item)
        if following is not None:
            return redirect("sanctions:candidate", pk=run.pk, candidate=following)
        return redirect("sanctions:run", pk=run.pk)
    return render(
        request,
        "sanctions/candidate.html",
        {
            "run": run,
            "candidate": item,
            "side": record_side(item, request.user),
            "facts": entity_facts(item.listed_entity),
            "explanation": explanation_rows(item),
            "form": form,
            "nav_sanctions": True,
        },
    )
