"""The OpenAPI description of intake's JSON endpoints, kept beside the views it describes.

Limits are read from the forms the views use, so the schema cannot drift from the checks. It
refers to the shared components `Error`, `ValidationErrors` and the `tokenAuth` scheme, which
`config/api.py` defines when it composes `/api/v1/openapi.json`. What JSON Schema cannot say (a
pin needs both coordinates, ranges must be ordered, dates not in the future) is in the
descriptions, and the server answers 400 for it. tests/test_api_schema.py checks that every URL
under /api/v1/ is described here and runs schemathesis against it.
"""

from typing import Any, cast

from django import forms

from .forms import QueueFilterForm, SightingForm
from .models import CommentPage, Kind, Status

NO_NUL = "^[^\\u0000]*$"  # Django refuses NUL characters in text
ISO_DATE = {"type": "string", "format": "date"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


def _sighting_field(name: str, field: forms.Field) -> dict[str, Any]:
    if name in SightingForm.TEXT_FIELDS and name not in ("observed_from", "observed_to"):
        assert isinstance(field, forms.CharField) and field.max_length is not None
        schema: dict[str, Any] = {
            "type": "string",
            "maxLength": field.max_length,
            "pattern": NO_NUL,
        }
    elif name in ("observed_from", "observed_to"):
        schema = dict(ISO_DATE)
    elif name in SightingForm.NUMBER_FIELDS:
        assert isinstance(field, forms.FloatField)
        schema = {"type": "number", "minimum": field.min_value, "maximum": field.max_value}
    else:
        assert isinstance(field, forms.IntegerField)
        schema = {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
    if field.help_text:
        schema["description"] = str(field.help_text)
    return schema


def sighting_request() -> dict[str, Any]:
    fields = SightingForm.base_fields
    properties = {name: _sighting_field(name, fields[name]) for name in SightingForm.API_FIELDS}
    properties["description"]["minLength"] = 1
    for name in SightingForm.API_FIELDS:
        if name != "description":
            properties[name] = _nullable(properties[name])
    properties["country"]["description"] = "ISO 3166 alpha-2 code (an English name also works)."
    properties["contact"]["description"] = (
        "How to reach the reporter, if they wish. Stored sealed in the vault, apart from the "
        "report; never shown in the queue or the API."
    )
    properties["latitude"]["description"] = "Optional pin: give both latitude and longitude."
    properties["observed_to"]["description"] = "Not before observed_from; neither in the future."
    properties["workers_high"]["description"] = "Not below workers_low."
    return {
        "type": "object",
        "required": ["description"],
        "additionalProperties": False,
        "properties": properties,
        "description": "A sighting from the public. Unknown fields are refused by name.",
    }


def _enum(field: forms.Field) -> dict[str, Any]:
    assert isinstance(field, forms.ChoiceField)
    choices = cast(list[tuple[str, Any]], field.choices)
    return {"type": "string", "enum": [str(value) for value, _label in choices if value]}


def _queue_parameters() -> list[dict[str, Any]]:
    fields = QueueFilterForm.base_fields
    score = {"type": "number", "minimum": 0, "maximum": 1}
    described = [
        ("status", _enum(fields["status"]), "pending when left out; `all` for every status"),
        ("kind", _enum(fields["kind"]), "every kind when left out"),
        ("min_score", score, "spam score at least"),
        ("max_score", score, "spam score at most"),
        ("country", {"type": "string", "minLength": 1}, "ISO 3166 alpha-2 code (or English name)"),
    ]
    return [
        {"name": name, "in": "query", "required": False, "schema": schema, "description": text}
        for name, schema, text in described
    ]


def _date_or_null() -> dict[str, Any]:
    return {"type": ["string", "null"], "format": "date"}


def queue_item() -> dict[str, Any]:
    text = {"type": "string"}
    number_or_null = {"type": ["number", "null"]}
    integer_or_null = {"type": ["integer", "null"]}
    properties: dict[str, Any] = {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": list(Kind.values)},
        "status": {"type": "string", "enum": list(Status.values)},
        "received_on": {**ISO_DATE, "description": "The day only: never a time."},
        "spam_score": {"type": "number", "minimum": 0, "maximum": 1},
        "spam_reasons": {"type": "array", "items": text},
        "description": text,
        "place": text,
        "country": text,
        "latitude": number_or_null,
        "longitude": number_or_null,
        "observed_from": _date_or_null(),
        "observed_to": _date_or_null(),
        "workers_low": integer_or_null,
        "workers_high": integer_or_null,
        "work_kind": text,
        "page": {"type": "string", "enum": [*CommentPage.values, ""]},
        "display_name": text,
        "parent": integer_or_null,
        "photos": {"type": "integer", "minimum": 0},
        "has_contact": {
            "type": "boolean",
            "description": "Whether contact details exist; reading them is a separate, audited step.",
        },
    }
    return {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


def schemas() -> dict[str, Any]:
    return {
        "SightingRequest": sighting_request(),
        "SightingReceived": {
            "type": "object",
            "required": ["status", "receipt"],
            "additionalProperties": False,
            "properties": {
                "status": {"type": "string", "enum": ["received"]},
                "receipt": {
                    "type": "string",
                    "pattern": "^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$",
                    "description": "Shown once; only its hash is stored. Adds to the report later.",
                },
            },
        },
        "QueueItem": queue_item(),
        "Queue": {
            "type": "object",
            "required": ["results"],
            "additionalProperties": False,
            "properties": {"results": {"type": "array", "items": _ref("QueueItem")}},
        },
    }


def paths() -> dict[str, Any]:
    errors = _ref("ValidationErrors")
    error = _ref("Error")
    return {
        "/api/v1/sightings": {
            "post": {
                "operationId": "submitSighting",
                "summary": "Report a sighting (public, no account, rate-limited)",
                "description": (
                    "Stores no IP address, user agent or time of day. Answers with a receipt "
                    "code, shown once. Needs no token; a token, if sent, must be valid."
                ),
                "security": [{}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("SightingRequest")}},
                },
                "responses": {
                    "202": _json(_ref("SightingReceived"), "Received; waits for moderation."),
                    "400": _json(errors, "Not valid: reasons per field (`__all__`: the body)."),
                    "401": _json(error, "An Authorization header was sent with a bad token."),
                    "413": _json(
                        {"anyOf": [errors, error]},
                        "The body is larger than 64 KiB (`errors`), or than the server takes "
                        "from any request (`error`: too_large).",
                    ),
                    "415": _json(
                        error, "The body is not sent as `Content-Type: application/json`."
                    ),
                    "429": _json(
                        {"anyOf": [errors, error]},
                        "Too many submissions from this client, or too many bad tokens.",
                    ),
                },
            }
        },
        "/api/v1/moderation/queue": {
            "get": {
                "operationId": "moderationQueue",
                "summary": "The moderation queue, newest first (moderators and administrators)",
                "description": (
                    "At most 500 submissions. Contact details are never included. Unknown or "
                    "empty parameters are refused (400). A session sign-in (the app's own "
                    "pages) works as well as a token."
                ),
                "security": [{"tokenAuth": []}],
                "parameters": _queue_parameters(),
                "responses": {
                    "200": _json(_ref("Queue"), "Submissions matching the filters."),
                    "400": _json(errors, "A filter is not valid."),
                    "401": _json(
                        error, "No token, or a token that is unknown, revoked or expired."
                    ),
                    "403": _json(
                        error,
                        "The account may not moderate, or a signed-in session still owes its "
                        "second factor.",
                    ),
                    "429": _json(error, "Too many bad tokens from this client; wait."),
                },
            }
        },
    }
