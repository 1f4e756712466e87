"""Review before publishing, as pages: send to review, the review page, claim sign-off (ADR 0025).

Thin: the rules and the writes are `unseen.evidence.reviewing`'s.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unseen.accounts.access import requires
from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.evidence import reviewing
from unseen.evidence.models import ClaimSignOff, Record

from .browsing import Kind, kind_of, shown_fields


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _reviewable(spec: Kind) -> Kind:
    from django.http import Http404

    if not issubclass(spec.model, Record):
        raise Http404  # claims are signed off, not reviewed
    return spec


def comments_by_label(record: Any, model: Any) -> dict[str, list[Any]]:
    """Review comments keyed by the label the record page shows for their field."""
    labels = {f.name: str(f.verbose_name) for f in model._meta.concrete_fields}
    grouped: dict[str, list[Any]] = {}
    for comment in reviewing.comments_on(record):
        grouped.setdefault(labels.get(comment.field_name, ""), []).append(comment)
    return grouped


def panel(spec: Kind, record: Any, user: User) -> dict[str, Any]:
    """What the record page shows of the review: state, comments, signed-off claims."""
    context: dict[str, Any] = {"review_comments": {}, "review_panel": False}
    if isinstance(record, Record):
        context.update(
            review_panel=True,
            review_comments=comments_by_label(record, spec.model),
            review_current=reviewing.review_is_current(record),
            can_send_to_review=user.can(Capability.EDIT_RECORDS),
            can_review=user.can(Capability.REVIEW_RECORDS),
        )
        context["signed_off"] = reviewing.signed_off_counts(spec.model, [record.pk])
    else:
        context["claim_sign_off"] = ClaimSignOff.objects.filter(claim=record).first()
        context["can_sign_off"] = user.can(Capability.REVIEW_RECORDS)
    return context


@requires(Capability.EDIT_RECORDS)
@require_POST
def send_to_review(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _reviewable(kind_of(kind))
    record = spec.get(_user(request), pk)
    try:
        reviewing.send_to_review(record, _user(request))
    except reviewing.ReviewRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Sent to review."))
    return redirect("documentation:detail", kind=spec.slug, pk=pk)


def decide(request: HttpRequest, record: Any, user: User, names: Iterable[str]) -> bool:
    """Carry out the reviewer's posted decision on `record`: approve, or request changes, with a
    comment per field (`names`; "" is the whole record). Says what happened in a message; False
    when the review was refused."""
    comments = {
        name: request.POST.get(f"comment-{name}", "")[:5000]
        for name in ["", *names]
        if request.POST.get(f"comment-{name}", "").strip()
    }
    try:
        if request.POST.get("decision") == "approve":
            reviewing.approve(record, user, comments)
            messages.success(request, _("Reviewed: anyone may now publish it until it is edited."))
        elif request.POST.get("decision") == "changes":
            reviewing.request_changes(record, user, comments)
            messages.success(request, _("Changes requested."))
        else:
            raise reviewing.ReviewRefused(_("Choose to approve or to request changes."))
    except reviewing.ReviewRefused as refusal:
        messages.error(request, str(refusal))
        return False
    return True


@requires(Capability.REVIEW_RECORDS)
def review(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The review page: every field with a comment box; approve or request changes."""
    spec = _reviewable(kind_of(kind))
    user = _user(request)
    record = spec.get(user, pk)
    names = {str(f.verbose_name): f.name for f in spec.model._meta.concrete_fields}
    fields = [
        (label, value, names.get(label, ""))
        for label, value in shown_fields(record, user, relations=False)
    ]
    if request.method == "POST":
        if not decide(request, record, user, names.values()):
            return redirect("documentation:review", kind=spec.slug, pk=pk)
        return redirect("documentation:detail", kind=spec.slug, pk=pk)
    return render(
        request,
        "documentation/review.html",
        {
            "kind": spec,
            "record": record,
            "fields": fields,
            "review_comments": comments_by_label(record, spec.model),
            "refusal": reviewing.may_review(record, user),
            "last_editor": reviewing.last_editor(record),
        },
    )


@requires(Capability.REVIEW_RECORDS)
@require_POST
def sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    claim = kind_of("claims").get(_user(request), pk)
    try:
        reviewing.sign_off(claim, _user(request))
    except reviewing.ReviewRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Signed off."))
    return redirect("documentation:detail", kind="claims", pk=pk)
