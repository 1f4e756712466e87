"""The verbs of working together: assign, comment, watch. Each is one transaction; assignments
and comments are audited by the audit app's write receivers (field names only, never text)."""

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unseen.accounts.models import User
from unseen.documentation.browsing import Kind

from .models import Assignment, Comment, Reason, Watch
from .notifying import notify, notify_watchers
from .records import content_type_of, may_read

# The characters Django allows in a username; a trailing full stop ends the sentence instead.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]+)")
MAX_COMMENT = 5000


class Refused(Exception):
    """A teamwork request that cannot be done; the message says why, for the member."""


def assign(
    kind: Kind, record: Any, assignee: User | None, due: dt.date | None, by: User
) -> Assignment | None:
    """Assign the record to `assignee` (None: unassign). Reassigning replaces the assignee."""
    if assignee is None:
        with transaction.atomic():
            for assignment in Assignment.about(record).select_for_update():
                assignment.delete()
            notify_watchers(kind, record, actor=by, besides=set())
        return None
    if not may_read(assignee, kind, record):
        raise Refused(_("This colleague may not read this record, so it cannot be theirs."))
    if due is not None and due < timezone.localdate():
        raise Refused(_("The due date has passed; choose today or a later day."))
    with transaction.atomic():
        assignment = Assignment.about(record).select_for_update().first()
        if assignment is None:
            assignment = Assignment(content_type=content_type_of(record), object_id=record.pk)
        changed = assignment.pk is None or assignment.assignee_id != assignee.pk
        assignment.assignee = assignee
        assignment.assigned_by = by
        assignment.due = due
        assignment.save()
        told: set[int] = set()
        if changed:
            notify([assignee], Reason.ASSIGNED, kind, record, actor=by)
            told.add(assignee.pk)
        notify_watchers(kind, record, actor=by, besides=told)
    return assignment


def mentioned(text: str) -> list[str]:
    return [name.rstrip(".") for name in MENTION.findall(text)]


def comment(kind: Kind, record: Any, author: User, text: str, parent_id: Any = None) -> Comment:
    """A comment on the record, or a reply to one of its comments. @username mentions a
    colleague who may read the record; any other @word is left as text, telling nobody."""
    text = text.strip()
    if not text:
        raise Refused(_("Write a comment first."))
    if len(text) > MAX_COMMENT:
        raise Refused(_("A comment holds at most %(n)d characters.") % {"n": MAX_COMMENT})
    parent = None
    if parent_id not in (None, ""):
        try:
            parent = Comment.about(record).get(pk=int(parent_id))
        except (ValueError, TypeError, Comment.DoesNotExist):
            raise Refused(_("The comment you replied to is not on this record.")) from None
    names = mentioned(text)
    candidates = User.objects.filter(username__in=names) if names else User.objects.none()
    mentions = [user for user in candidates if may_read(user, kind, record)]
    with transaction.atomic():
        made = Comment.objects.create(
            content_type=content_type_of(record),
            object_id=record.pk,
            author=author,
            parent=parent,
            text=text,
        )
        made.mentions.set(mentions)
        told = {
            n.recipient_id
            for n in notify(mentions, Reason.MENTIONED, kind, record, actor=author, comment=made)
        }
        if parent is not None and parent.author_id not in told:
            replied = notify(
                [parent.author], Reason.REPLIED, kind, record, actor=author, comment=made
            )
            told.update(n.recipient_id for n in replied)
        notify_watchers(kind, record, actor=author, besides=told)
    return made


def watch(record: Any, user: User, on: bool) -> None:
    with transaction.atomic():
        if on:
            Watch.objects.get_or_create(
                user=user, content_type=content_type_of(record), object_id=record.pk
            )
        else:
            Watch.about(record).filter(user=user).delete()


def thread(record: Any) -> list[tuple[Comment, int]]:
    """The record's comments in reading order, each with its depth (0: not a reply)."""
    comments = list(Comment.about(record).select_related("author").order_by("created_at", "pk"))
    children: dict[int | None, list[Comment]] = {}
    for item in comments:
        children.setdefault(item.parent_id, []).append(item)
    ordered: list[tuple[Comment, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for item in children.get(parent, []):
            ordered.append((item, depth))
            walk(item.pk, depth + 1)

    walk(None, 0)
    return ordered
