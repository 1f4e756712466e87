"""`POST /api/v1/sightings` (public) and `GET /api/v1/moderation/queue` (moderators).

The request types are made from the forms the pages use (`SightingForm`, `QueueFilterForm`):
their fields, limits and choices. A request is checked against the type first (which is what the
OpenAPI document shows), then by the form itself, whose own rules (a pin needs both coordinates,
ranges in order, no future dates, a known country) answer 400 in the same shape. The sighting
is received, scored for spam and stored exactly as one sent through the report page.
"""

import datetime as dt
from typing import Annotated, Any, Literal, cast

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Schema
from pydantic import AfterValidator, BeforeValidator, Field, Strict, create_model
from pydantic_core import PydanticCustomError

from unseen.accounts.roles import Capability, Scope
from unseen.intake import ratelimit, receiving
from unseen.intake.forms import ISO_DATE, QueueFilterForm, SightingForm
from unseen.intake.models import Submission
from unseen.intake.views import _language, filtered_queue

from . import shapes
from .records import form_data
from .service import Error, ValidationErrors, errors_response, operation

router = Router()

API_QUEUE_LIMIT = 500
MAX_JSON_BYTES = 64 * 1024
RECEIPT_PATTERN = r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$"

# What each sighting field says in the document beyond its form's help text.
SIGHTING_DESCRIPTIONS = {
    "country": "ISO 3166 alpha-2 code (an English name also works).",
    "contact": (
        "How to reach the reporter, if they wish. Stored sealed in the vault, apart from the "
        "report; never shown in the queue or the API."
    ),
    "latitude": "Optional pin: give both latitude and longitude.",
    "observed_to": "Not before observed_from; neither in the future.",
    "workers_high": "Not below workers_low.",
}


def _iso_day(value: Any) -> Any:
    """Dates as programs send them: ISO only (the page's form also reads typed dates)."""
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise PydanticCustomError("iso_date", str(_("Use an ISO date: YYYY-MM-DD.")))
    return value


def _by_form_field(field: forms.Field) -> AfterValidator:
    """The form field's own check (a known country, a real date), in the same pass as the
    types: every field's reason is given at once, as the form would."""

    def check(value: Any) -> Any:
        try:
            field.clean(value.isoformat() if isinstance(value, dt.date) else str(value))
        except forms.ValidationError as error:
            raise PydanticCustomError("form", " ".join(str(m) for m in error.messages)) from None
        return value

    return AfterValidator(check)


def _sighting_type(name: str, field: forms.Field) -> Any:
    """The pydantic type of one sighting field: JSON types checked strictly (no "2" for 2)."""
    if name in ("observed_from", "observed_to"):
        kind: Any = Annotated[dt.date, BeforeValidator(_iso_day)]
    elif isinstance(field, forms.FloatField):  # before IntegerField: a FloatField is one
        limits = cast(Any, field)
        kind = Annotated[float, Strict(), Field(ge=limits.min_value, le=limits.max_value)]
    elif isinstance(field, forms.IntegerField):
        limits = cast(Any, field)
        kind = Annotated[int, Strict(), Field(ge=limits.min_value, le=limits.max_value)]
    else:
        assert isinstance(field, forms.CharField) and field.max_length is not None
        kind = Annotated[str, Field(max_length=field.max_length, pattern=shapes.NO_NUL)]
    return Annotated[kind, _by_form_field(field)]


def sighting_schema() -> type[Schema]:
    definitions: dict[str, Any] = {}
    for name in SightingForm.API_FIELDS:
        field = SightingForm.base_fields[name]
        description = SIGHTING_DESCRIPTIONS.get(name) or str(field.help_text or "") or None
        annotation = _sighting_type(name, field)
        if name == "description":
            annotation = Annotated[annotation, Field(min_length=1)]
            definitions[name] = (annotation, Field(..., description=description))
        else:
            definitions[name] = (annotation | None, Field(None, description=description))
    return create_model(
        "SightingRequest",
        __base__=shapes.Strict,
        __doc__="A sighting from the public. Unknown fields are refused by name.",
        **definitions,
    )


SightingRequest = sighting_schema()


class SightingReceived(Schema):
    status: Literal["received"]
    receipt: str = Field(
        pattern=RECEIPT_PATTERN,
        description="Shown once; only its hash is stored. Adds to the report later.",
    )


def _sighting_limits(request: HttpRequest) -> HttpResponse | None:
    """Counted before anything reads the body: every request counts, valid or not."""
    if not ratelimit.allow(request, "api-sightings"):
        return errors_response({"__all__": [_("Too many submissions; try again later.")]}, 429)
    if len(request.body) > MAX_JSON_BYTES:
        return errors_response({"__all__": [_("The request is too large.")]}, 413)
    return None


@operation(
    router,
    "POST",
    "/sightings",
    capability=None,
    scope=None,
    response={
        202: SightingReceived,
        400: ValidationErrors,
        401: Error,
        413: ValidationErrors | Error,
        415: Error,
        429: ValidationErrors | Error,
    },
    name="submit_sighting",
    summary="Report a sighting (public, no account, rate-limited)",
    description=(
        "Stores no IP address, user agent or time of day. Answers with a receipt code, shown "
        "once. Needs no token; a token, if sent, must be valid (401 otherwise). 413: the body is "
        "larger than 64 KiB (`errors`), or than the server takes from any request (`error`). "
        "415: the body is not sent as `Content-Type: application/json`. 429: too many "
        "submissions from this client (`errors`), or too many bad tokens (`error`)."
    ),
    tags=["intake"],
    check=_sighting_limits,
)
def submit_sighting(request: HttpRequest, payload: Body[SightingRequest]) -> Any:  # type: ignore[valid-type]
    values = payload.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
    form = SightingForm(form_data(values))
    if not form.is_valid():
        return errors_response({k: [str(m) for m in v] for k, v in form.errors.items()})
    received = receiving.receive_sighting(form.cleaned_data, language=_language())
    return JsonResponse({"status": "received", "receipt": received.receipt}, status=202)


# --- the moderation queue ------------------------------------------------------------------------


def _choice(field: forms.Field) -> Any:
    assert isinstance(field, forms.ChoiceField)
    values = [str(value) for value, _label in cast(Any, field.choices) if value]
    return Literal[tuple(values)]


def queue_filters() -> type[Schema]:
    fields = QueueFilterForm.base_fields
    score = Annotated[float, Field(ge=0, le=1)]
    definitions: dict[str, Any] = {
        "status": (
            _choice(fields["status"]) | None,
            Field(None, description="pending when left out; `all` for every status"),
        ),
        "kind": (
            _choice(fields["kind"]) | None,
            Field(None, description="every kind when left out"),
        ),
        "min_score": (score | None, Field(None, description="spam score at least")),
        "max_score": (score | None, Field(None, description="spam score at most")),
        "country": (
            Annotated[str, Field(min_length=1)] | None,
            Field(None, description="ISO 3166 alpha-2 code (or English name)"),
        ),
    }
    assert set(definitions) == set(fields), "a queue filter the API does not take"
    return create_model("QueueFilters", __base__=Schema, **definitions)


QueueFilters = queue_filters()


def _choices_of(model_field: Any, *extra: str) -> Any:
    return Literal[tuple([*(str(value) for value, _label in model_field.choices), *extra])]


def queue_item_schema() -> type[Schema]:
    """A submission as the queue shows it: chosen fields, never its contact or receipt."""
    meta = Submission._meta
    shown = (*receiving.SIGHTING_FIELDS, "display_name")
    definitions: dict[str, Any] = {
        "id": (int, ...),
        "kind": (_choices_of(meta.get_field("kind")), ...),
        "status": (_choices_of(meta.get_field("status")), ...),
        "received_on": (dt.date, Field(..., description="The day only: never a time.")),
        "spam_score": (Annotated[float, Field(ge=0, le=1)], ...),
        "spam_reasons": (list[str], ...),
        **{name: (shapes._read_type(meta.get_field(name)), ...) for name in shown},
        "page": (_choices_of(meta.get_field("page"), ""), ...),
        "parent": (int | None, ...),
        "photos": (Annotated[int, Field(ge=0)], ...),
        "has_contact": (
            bool,
            Field(
                ...,
                description=(
                    "Whether contact details exist; reading them is a separate, audited step."
                ),
            ),
        ),
    }
    return create_model("QueueItem", __base__=Schema, **definitions)


QueueItem = queue_item_schema()


class Queue(Schema):
    results: list[QueueItem]  # type: ignore[valid-type]


def queue_item(submission: Submission) -> dict[str, Any]:
    return {
        "id": submission.pk,
        "kind": submission.kind,
        "status": submission.status,
        "received_on": submission.received_on.isoformat(),
        "spam_score": submission.spam_score,
        "spam_reasons": submission.spam_reasons,
        "description": submission.description,
        "place": submission.place,
        "country": submission.country,
        "latitude": submission.latitude,
        "longitude": submission.longitude,
        "observed_from": submission.observed_from.isoformat() if submission.observed_from else None,
        "observed_to": submission.observed_to.isoformat() if submission.observed_to else None,
        "workers_low": submission.workers_low,
        "workers_high": submission.workers_high,
        "work_kind": submission.work_kind,
        "page": submission.page,
        "display_name": submission.display_name,
        "parent": submission.parent_id,
        "photos": len(submission.uploads.all()),
        "has_contact": submission.has_contact,
    }


def _known_filters(request: HttpRequest) -> HttpResponse | None:
    """Stricter than the page's form: a program's typo or empty value is an error, not "no
    filter" (checked before the values, so a typo is named even beside a bad value)."""
    errors = {
        name[:50]: [_("Unknown parameter.")]
        for name in request.GET
        if name not in QueueFilterForm.base_fields
    }
    errors.update(
        {
            name: [_("Give a value, or leave the parameter out.")]
            for name, value in request.GET.items()
            if name in QueueFilterForm.base_fields and not value
        }
    )
    return errors_response(errors) if errors else None


@operation(
    router,
    "GET",
    "/moderation/queue",
    capability=Capability.MODERATE_INTAKE,
    scope=Scope.MODERATE,
    response={200: Queue, 400: ValidationErrors, 401: Error, 403: Error, 429: Error},
    name="moderation_queue",
    summary="The moderation queue, newest first (moderators and administrators)",
    description=(
        "At most 500 submissions. Contact details are never included. Unknown or empty "
        "parameters are refused (400). A session sign-in (the app's own pages) works as well "
        "as a token. 403: the account may not moderate, or a signed-in session still owes its "
        "second factor. 429: too many bad tokens from this client; wait."
    ),
    tags=["moderation"],
    check=_known_filters,
)
def moderation_queue(request: HttpRequest, filters: Query[QueueFilters]) -> Any:  # type: ignore[valid-type]
    # The page's own filtering (a country named in either language), on the same form.
    form, submissions = filtered_queue(request)
    if form.is_bound and not form.is_valid():
        return errors_response({k: [str(m) for m in v] for k, v in form.errors.items()})
    response = JsonResponse(
        {"results": [queue_item(s) for s in submissions[:API_QUEUE_LIMIT]]},
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-store"
    return response
