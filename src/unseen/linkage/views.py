from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unseen.accounts.access import SignedInRequest, requires
from unseen.accounts.models import visible_access_levels
from unseen.accounts.roles import Capability
from unseen.registry.forms import PurposeForm

from .forms import StartForm, VerdictForm
from .histories import NoHistories, capture_histories, histories_csv
from .merging import MergeRefused, merge_cluster, merge_pair, undo_merge
from .models import Entity, LinkageRun, Merge, PairReview, ReviewStatus, RunStatus
from .presenting import (
    STAGES,
    cluster_page,
    field_comparison,
    identity_comparison,
    identity_part,
    pair_clusters,
    readable,
    readable_reviews,
    record_side,
    run_summary,
    source_rows,
)
from .reviewing import NotPending, decide, in_reviewer_order, next_pending, reveal_identities, skip
from .running import cancel, rerun, start_run

CLUSTERS_PER_PAGE = 25
REVIEWS_PER_PAGE = 50


def _run(request: HttpRequest, pk: int) -> LinkageRun:
    return get_object_or_404(LinkageRun.objects.visible_to(request.user), pk=pk)


@requires(Capability.REVIEW_LINKAGE)
def run_list(request: HttpRequest) -> HttpResponse:
    runs = LinkageRun.objects.visible_to(request.user).select_related("started_by")
    return render(request, "linkage/run_list.html", {"runs": runs[:200]})


@requires(Capability.REVIEW_LINKAGE)
def run_create(request: SignedInRequest) -> HttpResponse:
    form = StartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = start_run(
            entity=data["entity"],
            sources=list(data["sources"]),
            threshold=data["threshold"],
            review_low=data["review_low"],
            review_high=data["review_high"],
            user=request.user,
        )
        return redirect("linkage:detail", pk=run.pk)
    return render(request, "linkage/run_form.html", {"form": form})


@requires(Capability.REVIEW_LINKAGE)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    context: dict[str, Any] = {
        "run": run,
        "stage_label": STAGES.get(run.stage, run.stage),
        "sources": source_rows(run, request.user),
    }
    if run.status == RunStatus.DONE:
        context |= run_summary(run, request.user)
        context["clusters"] = cluster_page(
            run, request.user, request.GET.get("page"), CLUSTERS_PER_PAGE
        )
    return render(request, "linkage/run_detail.html", context)


@requires(Capability.REVIEW_LINKAGE)
def run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = _run(request, pk)
    document = run.progress_document()
    document["stage_label"] = str(STAGES.get(run.stage, run.stage))
    return JsonResponse(document)


@requires(Capability.REVIEW_LINKAGE)
@require_POST
def run_rerun(request: SignedInRequest, pk: int) -> HttpResponse:
    """The same sources and threshold again, with every verdict given since."""
    fresh = rerun(_run(request, pk), request.user)
    messages.success(request, _("Started again with the decisions made so far."))
    return redirect("linkage:detail", pk=fresh.pk)


@requires(Capability.REVIEW_LINKAGE)
@require_POST
def run_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    """Cancel a queued run, or ask a running one to stop at its next stage."""
    if cancel(_run(request, pk), request.user):
        messages.success(request, _("Cancelled. A running run stops at its next stage."))
    else:
        messages.error(request, _("The run has already ended."))
    return redirect("linkage:detail", pk=pk)


@requires(Capability.REVIEW_LINKAGE)
def run_histories(request: HttpRequest, pk: int) -> HttpResponse:
    """The capture-history table as `unseen mse` reads it (counts only: nothing identifying)."""
    run = _run(request, pk)
    try:
        table = histories_csv(capture_histories(run, request.user))
    except NoHistories as refusal:
        messages.error(request, str(refusal))
        return redirect("linkage:detail", pk=run.pk)
    response = HttpResponse(table, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="linkage-{run.pk}-histories.csv"'
    return response


@requires(Capability.REVIEW_LINKAGE)
def review_list(request: SignedInRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    status = request.GET.get("status", ReviewStatus.PENDING)
    if status not in ReviewStatus.values:
        status = ReviewStatus.PENDING
    readable = readable_reviews(run, request.user)
    reviews = in_reviewer_order(readable.filter(status=status), request.user)
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    counts = {s: readable.filter(status=s).count() for s in ReviewStatus.values}
    return render(
        request,
        "linkage/review_list.html",
        {
            "run": run,
            "page": page,
            "status": status,
            "statuses": [(s, label, counts[s]) for s, label in ReviewStatus.choices],
        },
    )


def _review(request: HttpRequest, pk: int, review: int) -> PairReview:
    run = _run(request, pk)
    return get_object_or_404(
        readable_reviews(run, request.user).select_related("run", "decided_by"), pk=review
    )


@requires(Capability.REVIEW_LINKAGE)
def review_detail(request: SignedInRequest, pk: int, review: int) -> HttpResponse:
    """Both records side by side with their evidence; the verdict is posted here."""
    item = _review(request, pk, review)
    revealing = request.method == "POST" and "purpose" in request.POST
    form = VerdictForm(None if revealing else request.POST or None)
    purpose = PurposeForm(request.POST if revealing else None)
    identities: list[Any] = [None, None]
    if revealing and purpose.is_valid():
        identities = reveal_identities(item, request.user, purpose.cleaned_data["purpose"])
    elif request.method == "POST" and form.is_valid():
        verdict = form.cleaned_data["verdict"]
        if verdict == "unsure":
            try:
                skip(item, request.user)
            except NotPending:
                messages.error(
                    request, _("This pair has a verdict; give another one to change it.")
                )
                return redirect("linkage:review", pk=item.run.pk, review=item.pk)
            messages.success(request, _("Skipped: the pair waits at the back of your queue."))
        else:
            decide(item, verdict == "same", request.user)
            messages.success(
                request, _("Decision saved; it will win over the model on the next run.")
            )
        following = next_pending(readable_reviews(item.run, request.user), request.user, item)
        if following is not None:
            return redirect("linkage:review", pk=item.run.pk, review=following)
        return redirect("linkage:reviews", pk=item.run.pk)
    levels = visible_access_levels(request.user)
    sides = [
        record_side(item.run, item.record_a, request.user, levels) | identity_part(identities[0]),
        record_side(item.run, item.record_b, request.user, levels) | identity_part(identities[1]),
    ]
    response = render(
        request,
        "linkage/review_detail.html",
        {
            "run": item.run,
            "review": item,
            "sides": sides,
            "comparison": field_comparison(item.run, sides, request.user),
            "identity_comparison": identity_comparison(identities),
            "context": pair_clusters(item.run, item, request.user),
            "form": form,
            "purpose": purpose,
            "can_reveal": item.run.entity == Entity.PERSON
            and request.user.can(Capability.READ_VAULT),
        },
    )
    if any(identities):
        response["Cache-Control"] = "no-store"  # identities must not stay in a cache
    return response


@requires(Capability.REVIEW_LINKAGE)
@require_POST
def review_merge(request: SignedInRequest, pk: int, review: int) -> HttpResponse:
    item = _review(request, pk, review)
    if item.status != ReviewStatus.ACCEPTED:
        messages.error(request, _("Accept the pair as the same before merging it."))
        return redirect("linkage:review", pk=item.run.pk, review=item.pk)
    try:
        merge_pair(item, request.user)
    except MergeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Merged. Undo it from the run page if it was wrong."))
    return redirect("linkage:review", pk=item.run.pk, review=item.pk)


@requires(Capability.REVIEW_LINKAGE)
@require_POST
def cluster_merge(request: SignedInRequest, pk: int, cluster: int) -> HttpResponse:
    """Accept one cluster of the run: its records become one."""
    run = _run(request, pk)
    if run.status != RunStatus.DONE:
        messages.error(request, _("The run has not finished."))
    else:
        try:
            merge_cluster(run, cluster, request.user)
        except MergeRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Merged. Undo it below if it was wrong."))
    return redirect(f"{reverse('linkage:detail', args=[run.pk])}#cluster-{cluster}")


@requires(Capability.REVIEW_LINKAGE)
@require_POST
def merge_undo(request: SignedInRequest, pk: int) -> HttpResponse:
    merge = get_object_or_404(Merge.objects.select_related("run"), pk=pk)
    if not readable(merge, request.user):
        raise Http404
    run = merge.run
    if run is not None and not LinkageRun.objects.visible_to(request.user).filter(pk=run.pk):
        run = None
    try:
        undo_merge(merge, request.user)
    except MergeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Merge undone: the records are separate again."))
    if run is not None:
        return redirect("linkage:detail", pk=run.pk)
    return redirect("linkage:list")
