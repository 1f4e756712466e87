"""API tokens: made by an operator, shown once, kept only as a keyed hash.

A token reads `unseen_<prefix>.<secret>`: the prefix (12 hex digits) finds its row, the secret
(256 random bits) is checked against HMAC-SHA256 of the whole token under a key derived from the
secret key, compared in constant time. Neither the token nor its secret is stored or logged;
rotating `UNSEEN_SECRET_KEY` voids every token (make new ones).

A token is a credential on its own, without the second factor: that is why only the CLI (an
operator, who holds the database anyway) makes them, and why they expire (90 days by default).
"""

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, User
from .roles import Scope, scopes_of
from .signals import api_token_created, api_token_revoked

TOKEN_PATTERN = re.compile(r"unseen_(?P<prefix>[0-9a-f]{12})\.(?P<secret>[A-Za-z0-9_-]{43})")
DEFAULT_DAYS = 90


class TokenRefused(Exception):
    """A token cannot be made or revoked; the message says why."""


@dataclass(frozen=True)
class NewToken:
    token: str
    record: ApiToken


def _digest(token: str) -> str:
    key = hashlib.sha256(b"unseen api token\x00" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, token.encode("ascii"), hashlib.sha256).hexdigest()


def create(
    username: str,
    *,
    by: str,
    name: str = "",
    days: int | None = DEFAULT_DAYS,
    scopes: Iterable[str] | None = None,
) -> NewToken:
    """A new token for an active user with a role; the only moment the token exists in clear.

    `scopes` narrows what it may be used for; without them it gets every scope the role allows.
    A scope beyond the role is refused, by name.
    """
    user = User.objects.filter(username=username).first()
    if user is None:
        raise TokenRefused(f"no user named {username!r}")
    if not user.is_active or not user.capabilities:
        raise TokenRefused(f"{username!r} is inactive or holds no role: a token would open nothing")
    if days is not None and days < 0:
        raise TokenRefused("--days must be 0 (never expires) or more")
    allowed = scopes_of(user.capabilities)
    chosen = sorted(allowed if scopes is None else set(scopes))
    known = {scope.value for scope in Scope}
    for scope in chosen:
        if scope not in known:
            raise TokenRefused(f"no scope named {scope!r} (scopes: {', '.join(sorted(known))})")
        if scope not in allowed:
            raise TokenRefused(f"the role of {username!r} does not allow the scope {scope!r}")
    if not chosen:
        raise TokenRefused("a token needs at least one scope")
    prefix = secrets.token_hex(6)
    token = f"unseen_{prefix}.{secrets.token_urlsafe(32)}"
    expires = timezone.now() + dt.timedelta(days=days) if days else None
    with transaction.atomic():
        record = ApiToken.objects.create(
            user=user,
            prefix=prefix,
            digest=_digest(token),
            name=name.strip(),
            expires_at=expires,
            scopes=[str(scope) for scope in chosen],
        )
        api_token_created.send(sender=__name__, token=record, by=by)
    return NewToken(token, record)


def authenticate(token: str) -> ApiToken | None:
    """The usable token this is, or None (malformed, unknown, wrong secret, revoked, expired)."""
    match = TOKEN_PATTERN.fullmatch(token.strip())
    if match is None:
        return None
    record = ApiToken.objects.usable().select_related("user").filter(prefix=match["prefix"]).first()
    if record is None or not hmac.compare_digest(record.digest, _digest(match.group(0))):
        return None
    today = timezone.localdate()
    if record.last_used_on != today:
        # A queryset update sends no save signal: one use a day is remembered, not audited as a write.
        ApiToken.objects.filter(pk=record.pk).update(last_used_on=today)
        record.last_used_on = today
    return record


def revoke(prefix: str, *, by: str) -> ApiToken:
    """Revoke one token by its prefix (the part after `unseen_`, before the dot)."""
    cleaned = prefix.strip().removeprefix("unseen_").split(".", 1)[0]
    with transaction.atomic():
        record = ApiToken.objects.select_for_update().filter(prefix=cleaned).first()
        if record is None:
            raise TokenRefused(f"no token with prefix {cleaned!r}")
        if record.revoked_at is None:
            _revoke(record, by)
    return record


def _revoke(record: ApiToken, by: str) -> None:
    record.revoked_at = timezone.now()
    record.save(update_fields=["revoked_at"])
    api_token_revoked.send(sender=__name__, token=record, by=by)


def revoke_all(username: str, *, by: str) -> int:
    """Revoke every token of one user (a lost laptop, a person leaving); returns how many."""
    count = 0
    with transaction.atomic():
        for record in ApiToken.objects.select_for_update().filter(
            user__username=username, revoked_at__isnull=True
        ):
            _revoke(record, by)
            count += 1
    return count
