"""Every view declares what it needs; the middleware refuses views that declare nothing.

`@public` marks a view anyone may open; `@staff` one for any signed-in user with a role;
`@requires(Capability.X)` one for signed-in users whose role carries X. Anonymous visitors are sent to the login page, signed-in users without the
capability get 403. Under `/api/` an anonymous request answers 401 in JSON instead (no page to
send a program to), asking for a token.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _

from .models import User
from .roles import Capability

PUBLIC = "public"
STAFF = "staff"
PERMISSION_ATTRIBUTE = "unseen_permission"
API_PREFIX = "/api/"

View = Callable[..., HttpResponseBase]


class SignedInRequest(HttpRequest):
    """The request a `@staff` or `@requires` view receives: its user is signed in.

    Only a type: nothing is ever made one. The decorators have refused anonymous visitors before the
    view runs, so the view may hand `request.user` to code that records who acted.
    """

    user: User


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def unauthenticated(request: HttpRequest, error: str = "authentication_required") -> JsonResponse:
    """401 for the API: which credential is missing or wrong, never whose."""
    reasons = {
        "authentication_required": _(
            "Send an API token in the header `Authorization: Token <key>` (made with "
            "`unseen token create`)."
        ),
        "invalid_token": _("This API token is unknown, revoked or expired."),
    }
    response = JsonResponse({"error": error, "detail": reasons[error]}, status=401)
    response["WWW-Authenticate"] = 'Token realm="unseen"'
    return response


def _sign_in(request: HttpRequest) -> HttpResponseBase:
    if is_api(request):
        return unauthenticated(request)
    return redirect_to_login(request.get_full_path())


def public(view: View) -> View:
    """Declare a view open to everyone, anonymous visitors included."""

    @wraps(view)
    def open_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return view(request, *args, **kwargs)

    setattr(open_view, PERMISSION_ATTRIBUTE, PUBLIC)
    return open_view


def staff(view: View) -> View:
    """Declare a view for any signed-in user who holds a role (a blank role holds nothing)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return _sign_in(request)
        if not user.capabilities:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    setattr(guarded, PERMISSION_ATTRIBUTE, STAFF)
    return guarded


def requires(capability: Capability) -> Callable[[View], View]:
    """Declare and enforce the capability a view needs."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return _sign_in(request)
            if not user.can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        setattr(guarded, PERMISSION_ATTRIBUTE, capability)
        return guarded

    return decorate


def declared_permission(view: Any) -> str | None:
    """The permission a view declared, or None when it declared nothing."""
    return getattr(view, PERMISSION_ATTRIBUTE, None)
