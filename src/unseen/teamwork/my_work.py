"""What the "My work" page lists for one member, all of it limited to records they may read."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.documentation.browsing import KINDS
from unseen.evidence import reviewing
from unseen.evidence.models import Record, ReviewState
from unseen.evidence.revisions import has_history

from .models import Assignment, Comment, Notification, Reason, Watch
from .records import kind_for, readable_records, record_url

SHOWN = 50


@dataclass
class Item:
    label: str
    kind: str
    url: str
    when: Any = None
    due: Any = None
    overdue: bool = False
    by: str = ""
    count: int = 0
    state: str = ""


def _item(record: Any, type_id: int, **extra: Any) -> Item:
    kind = kind_for(type_id)
    assert kind is not None  # readable_records returns only records of known kinds
    return Item(str(record), kind.singular, record_url(kind, record.pk), **extra)


def assigned(user: User) -> list[Item]:
    rows = list(
        Assignment.objects.filter(assignee=user)
        .select_related("assigned_by")
        .order_by("due", "created_at")[: SHOWN * 2]
    )
    rows.sort(key=lambda a: (a.due is None, a.due, a.created_at))  # no due date last
    records = readable_records(user, rows)
    return [
        _item(
            records[(a.content_type_id, a.object_id)],
            a.content_type_id,
            due=a.due,
            overdue=a.overdue,
            by=a.assigned_by.get_username() if a.assigned_by else "",
            when=a.updated_at,
        )
        for a in rows
        if (a.content_type_id, a.object_id) in records
    ][:SHOWN]


def recent_edits(user: User) -> list[Item]:
    """The records this member changed most recently, newest first, each once."""
    from django.contrib.contenttypes.models import ContentType

    revisions: list[tuple[Any, int, int]] = []
    for kind in KINDS.values():
        history = getattr(kind.model, "history", None)
        if history is None:
            continue
        type_id = ContentType.objects.get_for_model(kind.model).pk
        for when, pk in (
            history.filter(actor=user.get_username())
            .exclude(history_type="-")
            .order_by("-history_date")
            .values_list("history_date", "id")[: SHOWN * 2]
        ):
            revisions.append((when, type_id, pk))
    revisions.sort(reverse=True)
    latest: dict[tuple[int, int], Any] = {}
    for when, type_id, pk in revisions:
        latest.setdefault((type_id, pk), when)

    class Row:
        def __init__(self, type_id: int, pk: int) -> None:
            self.content_type_id, self.object_id = type_id, pk

    records = readable_records(user, [Row(t, p) for t, p in latest])
    return [
        _item(records[key], key[0], when=when) for key, when in latest.items() if key in records
    ][:SHOWN]


def mentions(user: User) -> list[Item]:
    rows = list(
        Comment.objects.filter(mentions=user)
        .select_related("author")
        .order_by("-created_at")[: SHOWN * 2]
    )
    records = readable_records(user, rows)
    return [
        _item(
            records[(c.content_type_id, c.object_id)],
            c.content_type_id,
            when=c.created_at,
            by=c.author.get_username(),
        )
        for c in rows
        if (c.content_type_id, c.object_id) in records
    ][:SHOWN]


def watched(user: User) -> list[Item]:
    """Watched records, those with unread activity first, with how much."""
    rows = list(Watch.objects.filter(user=user).order_by("-created_at")[: SHOWN * 2])
    unread = {
        (row["content_type_id"], row["object_id"]): row["n"]
        for row in Notification.objects.filter(recipient=user, read_at__isnull=True)
        .filter(Q(reason=Reason.ACTIVITY))
        .values("content_type_id", "object_id")
        .annotate(n=Count("id"))
    }
    records = readable_records(user, rows)
    items = [
        _item(
            records[(w.content_type_id, w.object_id)],
            w.content_type_id,
            count=unread.get((w.content_type_id, w.object_id), 0),
            when=w.created_at,
        )
        for w in rows
        if (w.content_type_id, w.object_id) in records
    ]
    items.sort(key=lambda item: -item.count)
    return items[:SHOWN]


def _by_review(user: User, states: tuple[str, ...], *, mine: bool) -> list[Item]:
    """Readable records in `states` whose last editor is (`mine`) or is not `user`, newest
    change first: one query per reviewed kind, the last editor read by a subquery."""
    me = user.get_username()
    items: list[Item] = []
    for kind in KINDS.values():
        if not issubclass(kind.model, Record) or not has_history(kind.model):
            continue  # claims are signed off, not reviewed
        rows = (
            kind.visible(user)
            .filter(review_state__in=states)
            .annotate(last_editor=reviewing.newest_actor(kind.model))
        )
        # A record without revisions has no last editor: it is nobody's own.
        rows = (
            rows.filter(last_editor=me)
            if mine
            else rows.filter(Q(last_editor__isnull=True) | ~Q(last_editor=me))
        )
        for record in rows.order_by("-updated_at", "-pk")[:SHOWN]:
            url = (
                record_url(kind, record.pk)
                if mine
                else reverse("documentation:review", args=[kind.slug, record.pk])
            )
            items.append(
                Item(
                    str(record),
                    kind.singular,
                    url,
                    when=record.updated_at,
                    by=record.last_editor or "",
                    state=record.get_review_state_display(),
                )
            )
    items.sort(key=lambda item: item.when, reverse=True)
    return items[:SHOWN]


def awaiting_review(user: User) -> list[Item]:
    """Records in review that `user` may review: someone else made their last edit (ADR 0025).
    Empty for members without the review capability."""
    if not user.can(Capability.REVIEW_RECORDS):
        return []
    return _by_review(user, (ReviewState.IN_REVIEW,), mine=False)


def drafts(user: User) -> list[Item]:
    """Records `user` edited last that no one has approved yet: in draft, or sent back."""
    return _by_review(user, (ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED), mine=True)
