"""Failed sign-ins lock one client out of one account, and only slow the account everywhere else.

Three counters, each under a keyed hash (HMAC with the secret key) so that neither a name nor an
address is ever stored:

- account on this client: `UNSEEN_LOGIN_FAILURES` failures lock that account from that client
  until `UNSEEN_LOGIN_LOCK_SECONDS` after the first of them;
- client: four times as many failures on any accounts lock the client (an office behind one
  address tries many names far less often than a script does);
- account, from any client: past `UNSEEN_LOGIN_FAILURES`, each further try must wait a delay that
  doubles with each failure, from BASE_DELAY_SECONDS up to MAX_DELAY_SECONDS. It never locks: a
  stranger typing bad passwords elsewhere can slow the owner by a minute at most, never keep them
  out of their own client. The counter is forgotten `UNSEEN_LOGIN_LOCK_SECONDS` after the last
  failure.

Bad API tokens are counted per client under the client limit (`token_client_locked`).

The counters are rows of `SignInFailureCounter`: every worker (and every server sharing the
database) sees the same counts. A per-process cache let each gunicorn worker count on its own.
"""

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from .models import SignInFailureCounter, UserLike
from .signals import sign_in_locked

CLIENT_FACTOR = 4
BASE_DELAY_SECONDS = 2
MAX_DELAY_SECONDS = 60

# Scopes that lock until their window ends; "account" only slows.
LOCKING = ("client", "account-client")


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in is refused now: `scope`, and `seconds` until it may be tried again."""

    scope: str
    seconds: int


def _client(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        # Behind our TLS proxy the last forwarded hop is the client the proxy saw.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return str(forwarded.split(",")[-1].strip())
    return str(request.META.get("REMOTE_ADDR", ""))


def _key(scope: str, value: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"login-{scope}|{value}".encode(), hashlib.sha256
    )
    return f"login-failures:{scope}:{digest.hexdigest()[:32]}"


def _account(username: str) -> str:
    return username.strip().casefold()


def _keys(request: HttpRequest | None, username: str) -> dict[str, str]:
    account, client = _account(username), _client(request)
    keys = {
        "account": _key("account", account),
        "account-client": _key("account-client", f"{account}|{client}"),
    }
    if client:
        keys["client"] = _key("client", client)
    return keys


def _limit(scope: str) -> int:
    limit = int(settings.UNSEEN_LOGIN_FAILURES)
    return limit * CLIENT_FACTOR if scope in ("client", "api-token-client") else limit


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.UNSEEN_LOGIN_LOCK_SECONDS))


def _delay(failures: int) -> int:
    """Seconds the account waits after its `failures`-th failure (0 below the limit)."""
    beyond = failures - int(settings.UNSEEN_LOGIN_FAILURES)
    if beyond < 0:
        return 0
    return min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** min(beyond, 16))


def _counters(keys: dict[str, str]) -> dict[str, SignInFailureCounter]:
    rows = SignInFailureCounter.objects.filter(key__in=keys.values(), expires_at__gt=timezone.now())
    by_key = {row.key: row for row in rows}
    return {scope: by_key[key] for scope, key in keys.items() if key in by_key}


def _refusal(scope: str, row: SignInFailureCounter) -> Refusal | None:
    now = timezone.now()
    if scope in LOCKING:
        if row.count >= _limit(scope):
            return Refusal(scope, max(1, int((row.expires_at - now).total_seconds())))
        return None
    wait = row.last_failure_at + dt.timedelta(seconds=_delay(row.count)) - now
    if _delay(row.count) and wait > dt.timedelta(0):
        return Refusal(scope, max(1, int(wait.total_seconds() + 0.999)))
    return None


def refusal(request: HttpRequest | None, username: str) -> Refusal | None:
    """Whether a sign-in to `username` from this client must be refused now, and for how long."""
    if int(settings.UNSEEN_LOGIN_FAILURES) <= 0:
        return None
    counters = _counters(_keys(request, username))
    for scope in (*LOCKING, "account"):
        if scope in counters and (refused := _refusal(scope, counters[scope])):
            return refused
    return None


def locked(request: HttpRequest | None, username: str) -> str | None:
    """The scope that refuses a sign-in now ("client", "account-client", "account"), or None."""
    refused = refusal(request, username)
    return refused.scope if refused else None


def register_failure(request: HttpRequest | None, username: str) -> None:
    """Count one failed sign-in; a try refused unchecked (locked, or too soon) is not counted."""
    if int(settings.UNSEEN_LOGIN_FAILURES) <= 0 or refusal(request, username):
        return
    for scope, key in _keys(request, username).items():
        count = _count(key, sliding=scope == "account")
        if count == _limit(scope):
            sign_in_locked.send(sender=__name__, scope=scope)


def _count(key: str, *, sliding: bool) -> int:
    """Add one failure to a counter, in one statement that every worker sees; the new count.

    A lock's counter expires a window after its first failure; the account's (sliding) a window
    after its last, so a slow, steady guesser stays slowed.
    """
    now = timezone.now()
    SignInFailureCounter.objects.filter(expires_at__lte=now).delete()
    changes: dict[str, Any] = {"count": F("count") + 1, "last_failure_at": now}
    if sliding:
        changes["expires_at"] = now + _window()
    if not SignInFailureCounter.objects.filter(key=key).update(**changes):
        try:
            with transaction.atomic():
                SignInFailureCounter.objects.create(
                    key=key, count=1, last_failure_at=now, expires_at=now + _window()
                )
        except IntegrityError:  # another worker made it first
            SignInFailureCounter.objects.filter(key=key).update(**changes)
    return int(
        SignInFailureCounter.objects.filter(key=key).values_list("count", flat=True).first() or 1
    )


def token_client_locked(request: HttpRequest) -> bool:
    """Whether this client sent too many bad API tokens lately (same limit as for a client)."""
    if int(settings.UNSEEN_LOGIN_FAILURES) <= 0:
        return False
    counters = _counters({"api-token-client": _key("api-token-client", _client(request))})
    row = counters.get("api-token-client")
    return row is not None and row.count >= _limit("api-token-client")


def register_token_failure(request: HttpRequest) -> None:
    if int(settings.UNSEEN_LOGIN_FAILURES) <= 0:
        return
    key = _key("api-token-client", _client(request))
    if _count(key, sliding=False) == _limit("api-token-client"):
        sign_in_locked.send(sender=__name__, scope="api-token")


def clear_account(request: HttpRequest | None, username: str) -> None:
    """After a good sign-in: forget the account's failures (not the client's, shared by many)."""
    keys = _keys(request, username)
    SignInFailureCounter.objects.filter(key__in=[keys["account"], keys["account-client"]]).delete()


class ThrottledModelBackend(ModelBackend):
    """Django's password check, refused outright while locked or while the account must wait.

    Covers every sign-in form (ours and the admin's); our form also says why (see views.py).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is not None and refusal(request, username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def count_failure(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    register_failure(request, str(credentials.get("username", "")))


@receiver(user_logged_in)
def forget_failures(sender: Any, request: Any, user: UserLike, **kwargs: Any) -> None:
    clear_account(request, user.get_username())
