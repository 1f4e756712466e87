"""Telling members what concerns them: in the app always, by e-mail where the operator set it up.

A notification is made only for a member who may read the record, and names only the reason,
who acted and which record (kind and number): no record content, in the app or in an e-mail,
since e-mail leaves the platform.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.signals import post_create_historical_record

from unseen.accounts.models import User, UserLike
from unseen.accounts.roles import Capability
from unseen.documentation.browsing import KINDS, Kind, slug_for

from .models import Comment, Notification, Reason, Watch
from .records import content_type_of, may_read, readable_records, record_url

logger = logging.getLogger(__name__)

# The header shows "99+" past this: counting further only costs time.
COUNT_CAP = 99


def notify(
    recipients: Iterable[User],
    reason: str,
    kind: Kind,
    record: Any,
    *,
    actor: User | None,
    comment: Comment | None = None,
) -> list[Notification]:
    """One notification per recipient who may read the record, never the actor themself."""
    made = []
    for recipient in {r.pk: r for r in recipients}.values():
        if actor is not None and recipient.pk == actor.pk:
            continue
        if not may_read(recipient, kind, record):
            continue  # a notification would tell them the record exists
        made.append(
            Notification(
                recipient=recipient,
                reason=reason,
                content_type=content_type_of(record),
                object_id=record.pk,
                actor=actor,
                comment=comment,
            )
        )
    Notification.objects.bulk_create(made)
    if made and email_enabled():
        transaction.on_commit(lambda: _send_emails(made, kind, record.pk))
    return made


def notify_many(
    kind: Kind,
    records: list[Any],
    recipients: list[User] | None,
    reason: str,
    *,
    actor: User | None,
    besides: set[tuple[int, int]] | None = None,
) -> set[tuple[int, int]]:
    """`notify` for many records of one kind (a bulk action): one notification per recipient and
    record they may read, in a query per recipient rather than per record. `recipients` None:
    each record's watchers. `besides`: (member, record) pairs told already. Returns the pairs
    told. A member told of many records gets one e-mail naming them, not one per record."""
    pks = [record.pk for record in records]
    content_type = ContentType.objects.get_for_model(kind.model)
    wanted: dict[int, set[int]] = {}
    if recipients is None:
        for user_id, pk in Watch.objects.filter(
            content_type=content_type, object_id__in=pks
        ).values_list("user_id", "object_id"):
            wanted.setdefault(user_id, set()).add(pk)
        users = User.objects.in_bulk(list(wanted))
    else:
        users = {user.pk: user for user in recipients}
        wanted = {pk: set(pks) for pk in users}
    made: list[Notification] = []
    for user_id, ids in wanted.items():
        user = users.get(user_id)
        if user is None or (actor is not None and user.pk == actor.pk):
            continue
        if not user.is_active or not user.can(Capability.VIEW_RECORDS):
            continue
        ids = {pk for pk in ids if (user_id, pk) not in (besides or set())}
        # Only records the member may read: a notification would tell them the record exists.
        for pk in kind.visible(user).filter(pk__in=ids).order_by("pk").values_list("pk", flat=True):
            made.append(
                Notification(
                    recipient=user,
                    reason=reason,
                    content_type=content_type,
                    object_id=pk,
                    actor=actor,
                )
            )
    Notification.objects.bulk_create(made, batch_size=1000)
    if made and email_enabled():
        transaction.on_commit(lambda: _send_digests(made, kind))
    return {(n.recipient_id, n.object_id) for n in made}


# Records named in one digest e-mail; the rest are counted, and the link lists them all.
DIGEST_NAMED = 20


def _send_digests(notifications: list[Notification], kind: Kind) -> None:
    """One e-mail per member for a bulk action: the reason, the kinds and numbers of up to
    DIGEST_NAMED records, and a link to their notifications."""
    link = settings.UNSEEN_SITE_URL.rstrip("/") + reverse("teamwork:notifications")
    by_recipient: dict[int, list[Notification]] = {}
    for notification in notifications:
        by_recipient.setdefault(notification.recipient_id, []).append(notification)
    for told in by_recipient.values():
        first = told[0]
        address = first.recipient.email
        if not address:
            continue
        who = first.actor.get_username() if first.actor else _("Someone")
        reason = first.get_reason_display()
        subject = _("Unseen: %(who)s %(reason)s") % {"who": who, "reason": reason}
        lines = [
            _("%(who)s %(reason)s: %(kind)s #%(number)s.")
            % {"who": who, "reason": reason, "kind": kind.singular, "number": n.object_id}
            for n in told[:DIGEST_NAMED]
        ]
        rest = len(told) - DIGEST_NAMED
        if rest > 0:
            lines.append(
                ngettext("And %(count)d more record.", "And %(count)d more records.", rest)
                % {"count": rest}
            )
        body = "\n".join(lines) + f"\n\n{link}\n"
        try:
            send_mail(subject, body, None, [address])
        except OSError:
            # The in-app notifications stand; a mail server that is down must not fail the edit.
            logger.warning("a notification e-mail could not be sent")


def notify_watchers(kind: Kind, record: Any, *, actor: User | None, besides: set[int]) -> None:
    """Activity on a watched record: its watchers, less those already told (`besides`)."""
    watchers = User.objects.filter(
        pk__in=Watch.about(record).exclude(user_id__in=besides).values("user_id")
    )
    notify(watchers, Reason.ACTIVITY, kind, record, actor=actor)


def email_enabled() -> bool:
    return bool(getattr(settings, "UNSEEN_EMAIL_NOTIFICATIONS", False))


def _send_emails(notifications: list[Notification], kind: Kind, pk: int) -> None:
    """One short e-mail per notification: the reason, the kind and number, and a link."""
    link = settings.UNSEEN_SITE_URL.rstrip("/") + record_url(kind, pk)
    for notification in notifications:
        address = notification.recipient.email
        if not address:
            continue
        who = notification.actor.get_username() if notification.actor else _("Someone")
        subject = _("Unseen: %(who)s %(reason)s") % {
            "who": who,
            "reason": notification.get_reason_display(),
        }
        said = _("%(who)s %(reason)s: %(kind)s #%(number)s.") % {
            "who": who,
            "reason": notification.get_reason_display(),
            "kind": kind.singular,
            "number": pk,
        }
        body = f"{said}\n\n{link}\n"
        try:
            send_mail(subject, body, None, [address])
        except OSError:
            # The in-app notification stands; a mail server that is down must not fail the edit.
            logger.warning("a notification e-mail could not be sent")


def unread_count(user: UserLike) -> int:
    """Unread notifications about records `user` may still read, up to COUNT_CAP + 1."""
    if not user.is_authenticated:
        return 0
    unread = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .only("content_type_id", "object_id")
        .order_by("-id")[: COUNT_CAP + 1]
    )
    readable = readable_records(user, unread)
    return sum(1 for n in unread if (n.content_type_id, n.object_id) in readable)


def mark_read(user: User, notifications: list[Notification]) -> None:
    ids = [n.pk for n in notifications if n.read_at is None]
    if ids:
        with transaction.atomic():
            Notification.objects.filter(recipient=user, pk__in=ids).update(read_at=timezone.now())


def _edited(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    """An edit of a watched record tells its watchers (not creations: nobody watches a new
    record yet; not deletions: the record is gone for everyone)."""
    if history_instance.history_type != "~":
        return
    slug = slug_for(type(instance))
    if slug is None:
        return
    actor = User.objects.filter(username=getattr(history_instance, "actor", "")).first()
    notify_watchers(KINDS[slug], instance, actor=actor, besides=set())


def connect() -> None:
    post_create_historical_record.connect(_edited, dispatch_uid="teamwork-watched-edits")
