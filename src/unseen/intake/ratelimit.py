"""Per-client rate limits that never keep an address.

A client is counted under `HMAC(key of this window, address + form)`. The key of a window is
random, made when the window's first request comes and kept only in this process's memory
(#15): it is never derived from `SECRET_KEY` or anything else on disk, so whoever reads the cache
and the key files still cannot test an address against it, and once the window is over its key
is gone and nothing in the cache can be matched to an address (its entries expire with it). The
address itself is used in memory for the hash and then dropped.

UNSEEN_INTAKE_RATE_LIMIT is "COUNT/SECONDS" (default 10 submissions per 600 s per form) or "off".
The cache is per process (gunicorn workers each count), so the effective limit is per worker; the
window keys are per process too, so a cache shared between processes would still count per worker.
"""

import hashlib
import hmac
import os
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def limits() -> tuple[int, int] | None:
    text = str(settings.UNSEEN_INTAKE_RATE_LIMIT).strip().lower()
    if text in {"", "off", "0", "none"}:
        return None
    count, _, seconds = text.partition("/")
    return int(count), int(seconds or "60")


def _client(request: HttpRequest) -> str:
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        # Behind our TLS proxy the last forwarded hop is the client the proxy saw.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


_window_keys: dict[int, bytes] = {}
_window_lock = threading.Lock()


def _window_key(window: int) -> bytes:
    with _window_lock:
        key = _window_keys.get(window)
        if key is None:
            key = _window_keys[window] = os.urandom(32)
            # The previous window's key is kept for requests that straddle the boundary.
            for old in [number for number in _window_keys if number < window - 1]:
                del _window_keys[old]
        return key


def bucket_key(request: HttpRequest, scope: str, window: int) -> str:
    window_key = _window_key(window)
    digest = hmac.new(window_key, f"{scope}|{_client(request)}".encode(), hashlib.sha256)
    return f"intake-rate:{digest.hexdigest()[:32]}"


def allow(request: HttpRequest, scope: str) -> bool:
    """Count one submission to `scope`; False when this client has used up the window."""
    configured = limits()
    if configured is None:
        return True
    count, seconds = configured
    window = int(time.time() // seconds)
    key = bucket_key(request, scope, window)
    if cache.add(key, 1, timeout=seconds):
        return True
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return True
    return used <= count
