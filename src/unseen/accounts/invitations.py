"""Enrolment invitations: a second factor is enrolled only with an administrator's one-time code.

A password alone must not be enough to enrol an authenticator on an account that has none (then
a stolen password would be a way in). `unseen invite USERNAME` makes a code (192 random bits),
shows it once inside a link, and keeps only HMAC-SHA256 of it under a key derived from the secret
key. The link carries the code after `#`, which browsers never send to a server, so the code
reaches no access log or Referer; the enrolment page's script copies it into its form, which is
posted. The code works for its own account only, once, until it expires (72 hours by default),
and together with the account's password. Issuing one replaces any unused one of that account.
"""

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import two_factor
from .models import EnrolmentInvitation, User
from .signals import enrolment_invited

DEFAULT_HOURS = 72
ENROL_PATH = "/accounts/enrol/"


class InvitationRefused(Exception):
    """An invitation cannot be issued; the message says why."""


@dataclass(frozen=True)
class NewInvitation:
    code: str
    record: EnrolmentInvitation

    def link(self, site: str = "") -> str:
        return f"{site.rstrip('/')}{ENROL_PATH}#{self.code}"


def _digest(code: str) -> str:
    key = hashlib.sha256(b"unseen enrolment invitation\x00" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, code.strip().encode("utf-8"), hashlib.sha256).hexdigest()


def issue(username: str, *, by: str, hours: int = DEFAULT_HOURS) -> NewInvitation:
    """A new invitation for an active account without a second factor; the code exists only now."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise InvitationRefused(f"no user named {username!r}")
    if not user.is_active or not user.capabilities:
        raise InvitationRefused(f"{username!r} is inactive or holds no role: it could open nothing")
    if two_factor.has_second_factor(user):
        raise InvitationRefused(
            f"{username!r} has a second factor already: reset it first (admin, Users, action)"
        )
    if not 1 <= hours <= 24 * 14:
        raise InvitationRefused("--hours must be between 1 and 336 (two weeks)")
    code = secrets.token_urlsafe(24)
    with transaction.atomic():
        EnrolmentInvitation.objects.filter(user=user, used_at__isnull=True).delete()
        record = EnrolmentInvitation.objects.create(
            user=user,
            digest=_digest(code),
            issued_by=by,
            expires_at=timezone.now() + dt.timedelta(hours=hours),
        )
        enrolment_invited.send(sender=__name__, user=user, by=by, invitation=record)
    return NewInvitation(code, record)


def find(user: User, code: str) -> EnrolmentInvitation | None:
    """The usable invitation of `user` this code is, or None (unknown, another's, used, expired)."""
    if not code.strip():
        return None
    record = EnrolmentInvitation.objects.usable().filter(digest=_digest(code), user=user).first()
    if record is None or not hmac.compare_digest(record.digest, _digest(code)):
        return None
    return record


def usable(user: User, pk: object) -> EnrolmentInvitation | None:
    """The invitation a session redeemed (by its id), while it is still usable for `user`."""
    if not isinstance(pk, int):
        return None
    return EnrolmentInvitation.objects.usable().filter(pk=pk, user=user).first()


def consume(user: User, pk: int) -> bool:
    """Spend the invitation; False if it was used or expired meanwhile (call inside a transaction)."""
    return bool(
        EnrolmentInvitation.objects.usable().filter(pk=pk, user=user).update(used_at=timezone.now())
    )
