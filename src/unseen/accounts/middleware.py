import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .access import declared_permission

logger = logging.getLogger(__name__)

# Django's admin guards its own views (staff only, then model permissions); only administrators
# are staff (see User.save), so the admin needs no declaration of ours.
SELF_GUARDED_NAMESPACES = {"admin"}


class DeclaredPermissionMiddleware:
    """Deny by default: a view that has not declared its permission is never run."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and SELF_GUARDED_NAMESPACES.intersection(match.namespaces):
            return None
        if declared_permission(view_func) is None:
            logger.error(
                "view %s declares no permission; refused", match.view_name if match else "?"
            )
            raise PermissionDenied
        return None
