"""The history page of a record, revert, and the administrators' restore of deleted records."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unseen.accounts.access import requires
from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.evidence.models import Claim

from . import revising
from .browsing import kind_of


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@requires(Capability.VIEW_RECORDS)
def history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The timeline; with ?a=&b= (two revision numbers) their fields side by side."""
    spec = kind_of(kind)
    user = _user(request)
    record = spec.get(user, pk)  # the record page's 404 for whoever may not read it
    entries = revising.timeline(spec, record, user)
    context: dict[str, Any] = {
        "kind": spec,
        "record": record,
        "entries": entries,
        "total": spec.model.history.filter(id=pk).count(),  # type: ignore[attr-defined]
        "shown": revising.SHOWN,
        "can_revert": user.can(Capability.EDIT_RECORDS) and spec.model is not Claim,
    }
    if "a" in request.GET or "b" in request.GET:
        old = revising.revision_of(spec, pk, request.GET.get("a"))
        new = revising.revision_of(spec, pk, request.GET.get("b"))
        if old is None or new is None:
            context["diff_error"] = _("Choose two revisions of this record to compare.")
        else:
            if (old.history_date, old.history_id) > (new.history_date, new.history_id):
                old, new = new, old
            context.update(old=old, new=new, diff=revising.diff(spec, old, new, user))
    return render(request, "documentation/history.html", context)


@requires(Capability.EDIT_RECORDS)
@require_POST
def revert(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_of(kind)
    user = _user(request)
    record = spec.get(user, pk)
    if spec.model is Claim:
        raise Http404
    revision = revising.revision_of(spec, pk, request.POST.get("revision"))
    if revision is None:
        messages.error(request, _("Choose a revision of this record to revert to."))
        return redirect("documentation:history", kind=spec.slug, pk=pk)
    try:
        revising.revert(spec, record, revision, user, request.POST.get("reason", ""))
    except revising.RevertRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("documentation:history", kind=spec.slug, pk=pk)
    messages.success(request, _("Reverted; the revert is a revision of its own."))
    return redirect("documentation:history", kind=spec.slug, pk=pk)


@requires(Capability.MANAGE_USERS)
def deleted(request: HttpRequest, kind: str) -> HttpResponse:
    """Deleted records of a kind, for administrators to restore."""
    spec = kind_of(kind)
    return render(
        request,
        "documentation/deleted.html",
        {"kind": spec, "revisions": revising.deleted(spec)},
    )


@requires(Capability.MANAGE_USERS)
@require_POST
def restore(request: HttpRequest, kind: str, revision: int) -> HttpResponse:
    spec = kind_of(kind)
    found = spec.model.history.filter(history_id=revision, history_type="-").first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    try:
        record = revising.restore(spec, found, request.POST.get("reason", ""))
    except revising.RevertRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("documentation:deleted", kind=spec.slug)
    messages.success(request, _("Restored."))
    return redirect("documentation:detail", kind=spec.slug, pk=record.pk)
