"""The header's notification count, wired in by the settings (the top layer)."""

from functools import partial
from typing import Any

from django.http import HttpRequest

from .notifying import COUNT_CAP, unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    # A function, so the count is read only on pages that show the header.
    return {
        "unread_notifications": partial(unread_count, request.user),
        "notifications_cap": COUNT_CAP,
    }
