"""The JSON API under /api/v1/: its OpenAPI document, and errors as JSON with a reason.

django-ninja describes every operation from its own types (`unseen.api`, ADR 0046); this module
adds what they share (the error shapes, the token and session schemes) and serves the whole at
`/api/v1/openapi.json`. `ApiErrorsMiddleware` gives every write under /api/ its revision reason
("API: POST /api/v1/…") and turns every error Django would answer with a page
under /api/ (403, 404, 405, 500, …) into `{"error": code, "detail": reason}`: a program asking the
API never has to parse HTML, and the reason never names the path, the user or the record.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

import unseen
from unseen.accounts.access import is_api, public
from unseen.evidence.revisions import revising

SCHEMA_PATH = "/api/v1/openapi.json"
REFERENCE_PATH = "/api/v1/reference/"
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Cache-Control", "Vary")


def _error_reasons() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("The request could not be read.")),
        403: ("permission_denied", _("Your account may not use this endpoint.")),
        404: ("not_found", _("There is no such endpoint or record.")),
        405: ("method_not_allowed", _("This endpoint does not take this method.")),
        413: ("too_large", _("The request is too large.")),
        500: ("server_error", _("The server failed to answer; try again later.")),
    }


class ApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api(request) and request.method not in ("GET", "HEAD", "OPTIONS"):
            # Every record an API call writes gets a revision saying so (#18 item 1); the path
            # names the endpoint, never a person (no identifying data goes in a URL).
            with revising(f"API: {request.method} {request.path_info}"):
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api(request)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        code, detail = _error_reasons().get(
            response.status_code, ("error", _("The request failed."))
        )
        answer = JsonResponse({"error": code, "detail": detail}, status=response.status_code)
        for name in KEPT_HEADERS:
            if name in response:
                answer[name] = response[name]
        return answer


def _components() -> dict[str, Any]:
    return {
        "securitySchemes": {
            "tokenAuth": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": (
                    "`Authorization: Token <key>`, with a key from `unseen token create USERNAME`. "
                    "Keys are stored only as keyed hashes, expire (90 days by default) and are "
                    "revoked with `unseen token revoke`. Bad keys are counted per client; too "
                    "many answer 429 for a while. A token holds scopes (read, write, moderate, "
                    "admin), never more than its user's role allows; a request outside them is "
                    "403 `scope_required`."
                ),
            },
            "sessionAuth": {
                "type": "apiKey",
                "in": "cookie",
                "name": "sessionid",
                "description": (
                    "A browser signed in on the site (with its second factor). Writes must also "
                    "send the site's CSRF token in `X-CSRFToken`."
                ),
            },
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error", "detail"],
                "additionalProperties": False,
                "properties": {
                    "error": {
                        "type": "string",
                        "description": "A stable code, e.g. authentication_required, "
                        "invalid_token, permission_denied, second_factor_required, not_found.",
                    },
                    "detail": {"type": "string", "description": "The reason, for people."},
                },
            },
            "ValidationErrors": {
                "type": "object",
                "required": ["errors"],
                "additionalProperties": False,
                "properties": {
                    "errors": {
                        "type": "object",
                        "description": "Reasons per field; `__all__` for the request as a whole.",
                        "additionalProperties": {
                            "type": "array",
                            "items": {"type": "string"},
                            "minItems": 1,
                        },
                    }
                },
            },
        },
    }


def _generated() -> dict[str, Any]:
    """The document django-ninja makes from the operations' own types (ADR 0046)."""
    from unseen.api.service import api

    return dict(api.get_openapi_schema(path_prefix="/api/v1/"))


def _own_paths() -> dict[str, Any]:
    return {
        SCHEMA_PATH: {
            "get": {
                "operationId": "openapi",
                "summary": "This OpenAPI document",
                "security": [{}],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        REFERENCE_PATH: {
            "get": {
                "operationId": "api_reference",
                "summary": "This API's reference, as a page for people",
                "security": [{}],
                "responses": {
                    "200": {
                        "description": "HTML, made from this document",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    }


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every /api/v1/ endpoint (in English, whatever the request)."""
    with translation.override("en"):
        generated = _generated()
        components = _components()
        return {
            "openapi": "3.1.0",
            "info": {
                "title": "Unseen API",
                "version": unseen.__version__,
                "description": (
                    'JSON over HTTPS. Errors are JSON with a reason: `{"errors": {field: '
                    '[reason]}}` for invalid input, `{"error": code, "detail": reason}` '
                    "otherwise."
                ),
            },
            "paths": {**_own_paths(), **generated.get("paths", {})},
            "components": {
                **components,
                "schemas": {
                    **generated.get("components", {}).get("schemas", {}),
                    **components["schemas"],
                },
            },
        }


@public
@require_safe
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(document(), json_dumps_params={"ensure_ascii": False})
