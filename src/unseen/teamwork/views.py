"""Thin views over working.py, my_work.py and notifying.py. Every record is found through
documentation's `Kind.get`: a record the member may not read answers 404, as its page does."""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unseen.accounts.access import SignedInRequest, requires, staff
from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.documentation.browsing import kind_of

from . import my_work as lists
from . import working
from .models import Notification
from .notifying import mark_read
from .records import kind_for, readable_records, record_url

PAGE = 100


def _back(kind: str, pk: int) -> HttpResponse:
    return redirect(reverse("documentation:detail", args=[kind, pk]) + "#teamwork")


@requires(Capability.EDIT_RECORDS)
@require_POST
def assign(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_of(kind)
    record = spec.get(request.user, pk)
    assignee = None
    if request.POST.get("assignee"):
        number = _number(request.POST["assignee"])
        assignee = User.objects.filter(pk=number).first() if number is not None else None
        if assignee is None:
            messages.error(request, _("Choose a colleague from the list."))
            return _back(kind, pk)
    due = None
    if request.POST.get("due"):
        try:
            due = dt.date.fromisoformat(request.POST["due"])
        except ValueError:
            messages.error(request, _("Give the due date as YYYY-MM-DD."))
            return _back(kind, pk)
    try:
        working.assign(spec, record, assignee, due, request.user)
    except working.Refused as refusal:
        messages.error(request, str(refusal))
        return _back(kind, pk)
    if assignee is None:
        messages.success(request, _("Unassigned."))
    else:
        messages.success(request, _("Assigned to %(name)s.") % {"name": assignee.get_username()})
    return _back(kind, pk)


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@requires(Capability.VIEW_RECORDS)
@require_POST
def comment(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_of(kind)
    record = spec.get(request.user, pk)
    try:
        working.comment(
            spec, record, request.user, request.POST.get("text", ""), request.POST.get("parent")
        )
    except working.Refused as refusal:
        messages.error(request, str(refusal))
        return _back(kind, pk)
    messages.success(request, _("Comment added."))
    return _back(kind, pk)


@requires(Capability.VIEW_RECORDS)
@require_POST
def watch(request: SignedInRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_of(kind)
    record = spec.get(request.user, pk)
    on = request.POST.get("watch") == "on"
    working.watch(record, request.user, on)
    messages.success(request, _("You watch this record.") if on else _("You no longer watch it."))
    return _back(kind, pk)


@staff
def my_work(request: SignedInRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "teamwork/my_work.html",
        {
            "assigned": lists.assigned(user),
            "can_review": user.can(Capability.REVIEW_RECORDS),
            "awaiting_review": lists.awaiting_review(user),
            "drafts": lists.drafts(user),
            "edits": lists.recent_edits(user),
            "mentions": lists.mentions(user),
            "watched": lists.watched(user),
        },
    )


@staff
def notifications(request: SignedInRequest) -> HttpResponse:
    """The newest notifications; opening the page marks those shown as read."""
    user = request.user
    rows = list(
        Notification.objects.filter(recipient=user)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:PAGE]
    )
    records = readable_records(user, rows)
    shown = []
    for row in rows:
        record = records.get((row.content_type_id, row.object_id))
        if record is None:
            continue  # a record they may no longer read: nothing about it is shown
        spec = kind_for(row.content_type_id)
        assert spec is not None
        shown.append(
            {
                "notification": row,
                "new": row.read_at is None,
                "label": str(record),
                "kind": spec.singular,
                "url": record_url(spec, record.pk),
            }
        )
    mark_read(user, [item["notification"] for item in shown])  # type: ignore[misc]
    return render(request, "teamwork/notifications.html", {"items": shown})
