"""Failed sign-ins lock further attempts, per account and per client, for a while.

Counters live in the cache under keyed hashes (HMAC with the secret key) of the account name and of
the client's address: neither a name nor an address is ever stored, and every counter expires
`UNSEEN_LOGIN_LOCK_SECONDS` after the first failure it counts. `UNSEEN_LOGIN_FAILURES` failures
lock an account; a client (which may be an office behind one address) is locked after four times
as many. Bad API tokens are counted per client under the same limit (`token_client_locked`). The
cache is per process, so each gunicorn worker counts on its own.
"""

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest

from .signals import sign_in_locked

CLIENT_FACTOR = 4


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


def _keys(request: HttpRequest | None, username: str) -> dict[str, str]:
    keys = {"account": _key("account", username.strip().casefold())}
    client = _client(request)
    if client:
        keys["client"] = _key("client", client)
    return keys


def _limit(scope: str) -> int:
    limit = int(settings.UNSEEN_LOGIN_FAILURES)
    return limit * CLIENT_FACTOR if scope == "client" else limit


def locked(request: HttpRequest | None, username: str) -> str | None:
    """The scope ("account" or "client") that is locked, or None when sign-in may be tried."""
    if int(settings.UNSEEN_LOGIN_FAILURES) <= 0:
        return None
    for scope, key in _keys(request, username).items():
        if int(cache.get(key, 0)) >= _limit(scope):
            return scope
    return None


def register_failure(request: HttpRequest | None, username: str) -> None:
    if int(settings.UNSEEN_LOGIN_FAILURES) <= 0:
        return
    for scope, key in _keys(request, username).items():
        if _count(key) == _limit(scope):
            sign_in_locked.send(sender=__name__, scope=scope)


def _count(key: str) -> int:
    """Add one failure to a counter that expires with the lock; the new count."""
    if cache.add(key, 1, timeout=int(settings.UNSEEN_LOGIN_LOCK_SECONDS)):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=int(settings.UNSEEN_LOGIN_LOCK_SECONDS))
        return 1


def token_client_locked(request: HttpRequest) -> bool:
    """Whether this client sent too many bad API tokens lately (same limit as for a client)."""
    limit = int(settings.UNSEEN_LOGIN_FAILURES) * CLIENT_FACTOR
    if limit <= 0:
        return False
    return int(cache.get(_key("api-token-client", _client(request)), 0)) >= limit


def register_token_failure(request: HttpRequest) -> None:
    limit = int(settings.UNSEEN_LOGIN_FAILURES) * CLIENT_FACTOR
    if limit <= 0:
        return
    if _count(_key("api-token-client", _client(request))) == limit:
        sign_in_locked.send(sender=__name__, scope="api-token")


def clear_account(username: str) -> None:
    cache.delete(_key("account", username.strip().casefold()))


class ThrottledModelBackend(ModelBackend):
    """Django's password check, refused outright while the account or client is locked.

    Covers every sign-in form (ours and the admin's); our form also says why (see views.py).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is not None and locked(request, username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def count_failure(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    register_failure(request, str(credentials.get("username", "")))


@receiver(user_logged_in)
def forget_failures(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    clear_account(user.get_username())
