"""The API's one service: its operations, who may call each, and errors in the shapes we promise.

django-ninja validates every request against the pydantic types an operation declares and builds
the OpenAPI document from the same types (ADR 0046). What ninja does not decide is decided here:

- *Who may call.* Every operation is registered through `operation`, which needs the capability
  a page would need (or `PUBLIC`) and, for a token, the token's scope (`roles.Scope`). A session
  signed in on the site holds every scope of its role; a token only those it was made with. An
  operation registered any other way has no declared permission, and the access middleware refuses
  its URL (deny by default).
- *Errors.* A request that does not validate is 400 `{"errors": {field: [reason]}}` (a bulk item's
  fields as `3.workers_low`); anything else is `{"error": code, "detail": reason}`, never a page and
  never naming the record or the person.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import HttpError, ValidationError
from ninja.utils import check_csrf

import unseen
from unseen.accounts.access import PERMISSION_ATTRIBUTE, PUBLIC, unauthenticated
from unseen.accounts.middleware import TOKEN_ATTRIBUTE
from unseen.accounts.roles import Capability, Scope, scopes_of

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
API_ROOT = "/api/v1/"


class Error(Schema):
    error: str
    detail: str


class ValidationErrors(Schema):
    errors: dict[str, list[str]]


api = NinjaAPI(
    title="Unseen API",
    version=unseen.__version__,
    urls_namespace="api",
    docs_url=None,
    openapi_url=None,
)


@dataclass(frozen=True)
class Declared:
    """What one operation declared: its method, the capability it needs and the token scope."""

    method: str
    path: str
    permission: str  # a Capability value, or PUBLIC
    scope: Scope | None


# url name -> its declaration; the permission matrix and the reference page read it.
DECLARED: dict[str, Declared] = {}


def refuse(
    request: HttpRequest, capability: Capability | None, scope: Scope | None
) -> HttpResponse | None:
    """Why `request` may not run an operation needing `capability` and `scope`, or None."""
    if capability is None:
        return None
    user = request.user
    if not user.is_authenticated:
        return unauthenticated(request)
    token = getattr(request, TOKEN_ATTRIBUTE, None)
    held = token.usable_scopes() if token is not None else scopes_of(user.capabilities)
    # The role first: a token cannot hold a scope its role lacks, so naming the scope would send
    # its holder to make a token that cannot be made.
    if not user.can(capability):
        return JsonResponse(
            {"error": "permission_denied", "detail": _("Your role may not do this.")},
            status=403,
        )
    if scope is not None and scope not in held:
        return JsonResponse(
            {
                "error": "scope_required",
                "detail": _(
                    "This API token lacks the scope “%(scope)s”: make one with "
                    "`unseen token create USERNAME --scope %(scope)s`."
                )
                % {"scope": scope.value},
            },
            status=403,
        )
    if token is None and request.method not in SAFE_METHODS and check_csrf(request) is not None:
        # A signed-in browser session writes only with the site's CSRF token; a program uses an
        # API token, which a browser never sends on its own.
        return JsonResponse(
            {
                "error": "csrf_failed",
                "detail": _("A signed-in session must send the site's CSRF token."),
            },
            status=403,
        )
    return None


class Refused(Exception):
    """An operation's gate said no; `response` says why."""

    def __init__(self, response: HttpResponse):
        super().__init__(response.status_code)
        self.response = response


def operation(
    router: Router,
    method: str,
    path: str,
    *,
    capability: Capability | None,
    scope: Scope | None,
    response: Any,
    name: str,
    summary: str,
    description: str = "",
    tags: Iterable[str] = (),
    openapi_extra: dict[str, Any] | None = None,
    check: Callable[[HttpRequest], HttpResponse | None] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view as an operation that only callers with `capability` (None: everyone) and,
    for tokens, `scope` reach. `name` is its URL name (`api:<name>`). `openapi_extra` is merged
    into its part of the document (a response that is not JSON, such as a file's bytes).

    `check`, if given, runs after the permission and before ninja reads the parameters and the
    body; a response it returns is the answer (a rate limit, a size limit, unknown parameters).
    """

    def gate(request: HttpRequest) -> bool:
        # Run by ninja as the operation's authentication, before the body is read: a caller who
        # may not use the operation learns nothing from its validation errors.
        refusal = refuse(request, capability, scope)
        if refusal is None and check is not None:
            refusal = check(request)
        if refusal is not None:
            raise Refused(refusal)
        return True

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        extra: dict[str, Any] = {
            "x-unseen-permission": capability.value if capability else PUBLIC,
        }
        if capability is not None:
            extra["security"] = [{"tokenAuth": []}, {"sessionAuth": []}]
            extra["x-unseen-scope"] = scope.value if scope else None
        extra.update(openapi_extra or {})
        router.add_api_operation(
            path,
            [method],
            view,
            auth=[gate] if capability is not None or check is not None else None,
            response=response,
            summary=summary,
            description=description,
            tags=list(tags),
            url_name=name,
            operation_id=name,
            openapi_extra=extra,
        )
        DECLARED[name] = Declared(
            method, path, capability.value if capability else PUBLIC, scope if capability else None
        )
        return view

    return decorate


def _field(location: tuple[Any, ...]) -> str:
    """A pydantic error location as the field it names: `name`, or `3.name` in a bulk body."""
    parts = [str(part) for part in location]
    if parts[:1] == ["body"]:
        parts = parts[2:]  # ("body", "payload", ...)
        if parts[:1] == ["items"]:
            parts = parts[1:]
    elif parts[:1] in (["query"], ["path"], ["header"]):
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def errors_response(errors: dict[str, list[str]], status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"errors": errors}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def error_response(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"error": code, "detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "extra_forbidden":
            message = "Unknown field."
        errors.setdefault(_field(tuple(error.get("loc", ()))), []).append(message)
    return errors_response(errors)


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return exc.response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response("not_found", _("There is no such endpoint or record."), 404)


@api.exception_handler(PermissionDenied)
def _denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response("permission_denied", _("Your account may not use this endpoint."), 403)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(
        exc.__cause__, ValueError | UnicodeDecodeError | RecursionError
    ):
        # ninja could not parse the body (64 KiB of "[" nests deeper than the decoder recurses):
        # a 400 in the documented shape, not `{"error": ...}`.
        return errors_response({"__all__": [_("The body is not valid JSON.")]})
    return error_response("error", str(exc), exc.status_code)


def urlpatterns() -> list[URLPattern]:
    """The API's URLs, each callback carrying its operation's declared permission.

    Operations sharing a path share a route, and Django resolves the first: its callback is marked
    public only when every operation on the path is (the two-factor step skips public views).
    """
    patterns = [p for p in api.urls[0] if isinstance(p, URLPattern) and p.name in DECLARED]
    by_route: dict[str, set[str]] = {}
    for pattern in patterns:
        by_route.setdefault(str(pattern.pattern), set()).add(DECLARED[str(pattern.name)].permission)
    for pattern in patterns:
        permissions = by_route[str(pattern.pattern)]
        permission = PUBLIC if permissions == {PUBLIC} else DECLARED[str(pattern.name)].permission
        setattr(pattern.callback, PERMISSION_ATTRIBUTE, permission)
    return patterns
