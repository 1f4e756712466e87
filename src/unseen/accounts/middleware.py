import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import throttling, tokens
from .access import PUBLIC, declared_permission, is_api, unauthenticated
from .signals import api_token_used

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


TOKEN_ATTRIBUTE = "unseen_api_token"  # noqa: S105  (an attribute name, not a secret)


class ApiTokenMiddleware:
    """`Authorization: Token <key>` under /api/ signs that one request in as the token's user.

    No session is created or touched, and CSRF checks are skipped for the request: a browser never
    adds this header on its own, so a forged cross-site request cannot carry it. A wrong, revoked
    or expired token answers 401 and counts as a failure for the client; a client with too many
    failures is answered 429 until the lock ends. Each request a token signed in is signalled for
    the audit log (token prefix, view, status; never the token). Without the header, the session
    sign-in applies as everywhere else.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header or not is_api(request):
            return self.get_response(request)
        if throttling.token_client_locked(request):
            refused = JsonResponse(
                {
                    "error": "too_many_failures",
                    "detail": _("Too many requests with a wrong API token; try again later."),
                },
                status=429,
            )
            refused["Retry-After"] = str(int(settings.UNSEEN_LOGIN_LOCK_SECONDS))
            return refused
        scheme, _space, credential = header.strip().partition(" ")
        if scheme.lower() != "token" or not credential.strip():
            throttling.register_token_failure(request)
            return unauthenticated(request)
        token = tokens.authenticate(credential)
        if token is None:
            throttling.register_token_failure(request)
            return unauthenticated(request, "invalid_token")
        request.user = token.user
        setattr(request, TOKEN_ATTRIBUTE, token)
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        response = self.get_response(request)
        match = request.resolver_match
        api_token_used.send(
            sender=__name__,
            user=token.user,
            prefix=token.prefix,
            view=match.view_name if match is not None else "",
            method=request.method or "",
            status=response.status_code,
        )
        return response


def signed_in_by_token(request: HttpRequest) -> bool:
    return getattr(request, TOKEN_ATTRIBUTE, None) is not None


class TwoFactorMiddleware:
    """A signed-in session that still owes its second factor reaches nothing but public pages.

    Pages (the workspace under /app/, the admin) redirect to the verification step, or to the
    setup page for an account without a second factor yet; the JSON API answers 403 with the
    reason. Sign-in, sign-out, the setup and verification pages and public pages stay open.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        from . import two_factor  # django-otp's models load only once apps are ready
        from .views import TWO_FACTOR_STEP

        if getattr(view_func, TWO_FACTOR_STEP, False) or signed_in_by_token(request):
            # A token stands on its own: only an operator makes one (see accounts/tokens.py).
            return None
        match = request.resolver_match
        is_admin = match is not None and "admin" in match.namespaces
        if declared_permission(view_func) == PUBLIC and not is_admin:
            return None
        if not two_factor.needs_verification(request):
            return None
        if is_api(request):
            return JsonResponse(
                {
                    "error": "second_factor_required",
                    "detail": "Sign in with your second factor (/accounts/login/verify/) first.",
                },
                status=403,
            )
        step = (
            "accounts:verify"
            if two_factor.has_second_factor(request.user)
            else "accounts:two_factor"
        )
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


class IdleTimeoutMiddleware:
    """Signs out a session left untouched for UNSEEN_IDLE_SECONDS (0: never)."""

    KEY = "last_seen"
    RESOLUTION = 60  # seconds: the session is rewritten at most once a minute

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        idle = int(getattr(settings, "UNSEEN_IDLE_SECONDS", 0))
        if idle > 0 and request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY)
            if isinstance(last, int) and now - last > idle:
                logout(request)
            elif not isinstance(last, int) or now - last >= self.RESOLUTION:
                request.session[self.KEY] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content Security Policy and Permissions Policy on every response (Django sets the rest)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        permissions = getattr(settings, "PERMISSIONS_POLICY", "")
        if permissions:
            response.headers.setdefault("Permissions-Policy", permissions)
        return response
