"""A testimony's coding and journey: read with the testimony, written as their pages write them.

`GET /api/v1/testimonies/{id}/` shows them (`records.DETAIL_EXTRAS`, registered here before
`records.register_all()`): `coding`, each of the 11 ILO indicators with its finding and note as
the coding page has them, and `journey`, the events in order with the fields of their stage and
the indicators found at each with the passage that says so.

Two operations replace them, each one transaction with revisions (the reason given) and audit
entries (the models' save signals), as the pages do:

- `PUT …/coding/`: every indicator, through the coding page's form (`CodingForm`);
- `PUT …/journey/`: every event, through the journey editor's forms (`EventForm`, whose model
  check is `JourneyEvent.clean`: a value in a field outside the event's stage is refused, naming
  it; `IndicatorForm`) and its writes (`journeys.editing`). An event given with its `id` is that
  event, changed (its stage stays, as in the editor; a link to a record the caller may not read
  is kept, as on every edit page); one without is new; one left out is deleted. All or nothing.

Both need `If-Match` with the testimony's ETag, which covers the coding and the journey (a
change to either is a new version of the testimony): stale is 412, missing 428. A testimony
beyond the caller's level is 404.
"""

from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _
from ninja import Body, Router
from pydantic import Field, create_model

from unseen.accounts.models import UserLike
from unseen.accounts.roles import Capability, Scope
from unseen.documentation import concurrency
from unseen.documentation.browsing import KINDS
from unseen.documentation.forms import CodingForm
from unseen.documentation.models import Finding, Indicator, Testimony
from unseen.evidence.models import visible_related
from unseen.evidence.revisions import revising
from unseen.journeys import editing
from unseen.journeys.forms import ALL_FIELDS, IndicatorForm, event_form, fields_of
from unseen.journeys.models import STAGE_FIELDS, JourneyEvent, Stage

from . import records, shapes
from .service import Error, ValidationErrors, errors_response, operation

router = Router()

TESTIMONIES = KINDS["testimonies"]
MAX_EVENTS = 500

# --- types ---------------------------------------------------------------------------------------


class IndicatorCoded(shapes.Strict):
    """One indicator as the coding page has it."""

    finding: Literal[tuple(Finding.values)]  # type: ignore[valid-type]
    note: Annotated[str, Field(pattern=shapes.NO_NUL, description="Where and why.")] = ""


_CODING_FIELDS: dict[str, Any] = {
    indicator.value: (IndicatorCoded, Field(..., description=str(indicator.label)))
    for indicator in Indicator
}
Coding = create_model(
    "TestimonyCoding",
    __base__=shapes.Strict,
    __doc__="Every one of the 11 ILO indicators: present, absent or unknown, with a note.",
    **_CODING_FIELDS,
)


class IndicatorFoundAt(shapes.Strict):
    """An ILO indicator found at one event, with the passage of the testimony that says so."""

    indicator: Literal[tuple(Indicator.values)]  # type: ignore[valid-type]
    passage: Annotated[
        str,
        Field(
            min_length=1,
            pattern=shapes.NO_NUL,
            description="Its words, or the page or time in the transcript.",
        ),
    ]


def _event_fields() -> dict[str, Any]:
    """Every field an event of some stage has, typed from the editor's form."""
    form_fields = dict(event_form(Stage.VETTING).base_fields)
    for stage in Stage.values:
        form_fields.update(event_form(stage).base_fields)
    return {
        name: (
            shapes._write_type(name, form_fields[name], form_fields) | None,
            Field(None, description=str(form_fields[name].help_text or "") or None),
        )
        for name in ALL_FIELDS
    }


_EVENT_FIELDS: dict[str, Any] = {
    "id": (
        int | None,
        Field(
            None, ge=1, description="An existing event of this journey; leave out for a new one."
        ),
    ),
    "stage": (Literal[tuple(Stage.values)], ...),
    **_event_fields(),
    "indicators": (
        list[IndicatorFoundAt],
        Field(default_factory=list, max_length=len(Indicator.values)),
    ),
}
JourneyEventShape = create_model(
    "TestimonyJourneyEvent",
    __base__=shapes.Strict,
    __doc__=(
        "One step of the journey. Only the fields of its stage apply (a value in another is "
        "refused, naming it); empty ones may be left out."
    ),
    **_EVENT_FIELDS,
)


class TestimonyCodingUpdate(shapes.Strict):
    coding: Coding  # type: ignore[valid-type]
    revision: shapes.Revision = Field(..., description=shapes.Revision.__doc__)


class TestimonyJourneyUpdate(shapes.Strict):
    events: list[JourneyEventShape] = Field(  # type: ignore[valid-type]
        ..., max_length=MAX_EVENTS, description="The whole journey, in order."
    )
    revision: shapes.Revision = Field(..., description=shapes.Revision.__doc__)


# --- reading -------------------------------------------------------------------------------------


def read_coding(testimony: Testimony, user: UserLike) -> dict[str, dict[str, str]]:
    """Every indicator with its finding and note, as the coding page shows them."""
    codings = {
        indicator: {"finding": finding, "note": note}
        for indicator, finding, note in testimony.codings.values_list(
            "indicator", "finding", "note"
        )
    }
    return {
        indicator: codings.get(indicator, {"finding": Finding.UNKNOWN.value, "note": ""})
        for indicator in Indicator.values
    }


def _value(event: JourneyEvent, name: str, user: UserLike) -> Any:
    if name in ("site", "organisation", "deployment"):
        seen = visible_related(getattr(event, name), user)
        return seen.pk if seen is not None else None
    value = records._plain(getattr(event, name))
    if value == "" and getattr(JourneyEvent._meta.get_field(name), "choices", None):
        return None  # no choice made: as a body leaves it out
    return value.isoformat() if hasattr(value, "isoformat") else value


def read_journey(testimony: Testimony, user: UserLike) -> list[dict[str, Any]]:
    """The events in order, each with its stage's fields and its indicators."""
    events = (
        JourneyEvent.objects.visible_to(user)
        .filter(testimony=testimony)
        .select_related("site", "organisation", "deployment")
        .prefetch_related("indicators")
        .order_by("position", "id")
    )
    return [
        {
            "id": event.pk,
            "stage": event.stage,
            **{name: _value(event, name, user) for name in fields_of(event.stage)},
            "indicators": [
                {"indicator": found.indicator, "passage": found.passage}
                for found in sorted(event.indicators.all(), key=lambda f: f.indicator)
            ],
        }
        for event in events
    ]


records.DETAIL_EXTRAS["testimonies"] = {
    "coding": (Coding, read_coding),
    "journey": (list[JourneyEventShape], read_journey),  # type: ignore[valid-type]
}


# --- writing -------------------------------------------------------------------------------------


def _prefixed(prefix: str, values: dict[str, Any]) -> QueryDict:
    return records.form_data({f"{prefix}-{name}": value for name, value in values.items()})


def write_coding(testimony: Testimony, coding: dict[str, Any]) -> dict[str, list[str]]:
    """Save the coding through the coding page's form; its errors, if any."""
    values: dict[str, Any] = {}
    for indicator, coded in coding.items():
        values[f"indicator_{indicator}"] = coded["finding"]
        values[f"note_{indicator}"] = coded.get("note", "")
    form = CodingForm(_prefixed("coding", values), testimony=testimony, prefix="coding")
    if not form.is_valid():
        return {f"coding.{name}": [str(m) for m in errors] for name, errors in form.errors.items()}
    form.save(testimony)
    return {}


def _snapshot(event: JourneyEvent) -> dict[str, Any]:
    return {f.attname: getattr(event, f.attname) for f in JourneyEvent._meta.concrete_fields}


def _event_values(item: dict[str, Any]) -> dict[str, Any]:
    """An item as the editor's form would be posted: a stage's field left out is its empty
    value (a vetting's checks "unknown", as the editor's menus send them)."""
    given = {name: item.get(name) for name in ALL_FIELDS if item.get(name) is not None}
    for name in fields_of(item["stage"]):
        if name in STAGE_FIELDS and name not in given:
            given[name] = STAGE_FIELDS[name]
    return given


def _write_indicators(
    event: JourneyEvent, wanted: list[dict[str, Any]], why: dict[str, Any], key: str
) -> dict[str, list[str]]:
    """Make the event's indicators those `wanted`, as the editor removes and adds them."""
    current = {found.indicator: found for found in event.indicators.all()}
    keep = {(item["indicator"], item["passage"].strip()) for item in wanted}
    for indicator, found in current.items():
        if (indicator, found.passage) not in keep:
            editing.remove_indicator(found, why)
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, item in enumerate(wanted):
        if item["indicator"] in seen:
            errors[f"{key}.indicators.{index}.indicator"] = [
                _("This indicator is already noted at this stage.")
            ]
            continue
        seen.add(item["indicator"])
        had = current.get(item["indicator"])
        if had is not None and had.passage == item["passage"].strip():
            continue
        form = IndicatorForm(_prefixed("found", item), event=event, prefix="found")
        if form.is_valid():
            editing.add_indicator(form, why)
        else:
            for name, messages in form.errors.items():
                errors[f"{key}.indicators.{index}.{name}"] = [str(m) for m in messages]
    return errors


def write_journey(
    testimony: Testimony, items: list[dict[str, Any]], user: UserLike, why: dict[str, Any]
) -> dict[str, list[str]]:
    """Make the testimony's journey `items`, in order; the errors, if any (then roll back)."""
    existing = {event.pk: event for event in editing._events(testimony)}  # locked
    errors: dict[str, list[str]] = {}
    named: set[int] = set()
    for index, item in enumerate(items):
        pk = item.get("id")
        if pk is None:
            continue
        if pk not in existing or pk in named:
            errors[f"events.{index}.id"] = [_("This journey has no such event.")]
        elif existing[pk].stage != item["stage"]:
            errors[f"events.{index}.stage"] = [
                _("An event keeps its stage: leave out its id to record a new event instead.")
            ]
        named.add(pk)
    if errors:
        return errors
    for pk, event in existing.items():
        if pk not in named:
            event.delete()  # its indicators with it
    ordered: list[JourneyEvent] = []
    for index, item in enumerate(items):
        key = f"events.{index}"
        instance = existing.get(item.get("id") or 0)
        before = _snapshot(instance) if instance is not None else None
        form = event_form(item["stage"])(
            _prefixed("event", _event_values(item)),
            instance=instance,
            user=user,
            stage=item["stage"],
            prefix="event",
        )
        if not form.is_valid():
            errors.update(records._form_errors(form, prefix=f"{key}."))
            continue
        if instance is None:
            event = editing.add_event(testimony, form, why)
        elif _snapshot(form.instance) != before:
            event = editing.change_event(form, why)
        else:
            event = instance  # unchanged: no revision of nothing
        ordered.append(event)
        errors.update(_write_indicators(event, item.get("indicators") or [], why, key))
    if not errors:
        with revising(**why):
            editing._renumber(ordered)
    return errors


# --- the operations ------------------------------------------------------------------------------

WRITE: dict[str, Any] = {
    "capability": Capability.EDIT_RECORDS,
    "scope": Scope.WRITE,
    "tags": [TESTIMONIES.slug],
}
ANSWERS = {
    200: records.detail_schema(TESTIMONIES),
    400: ValidationErrors,
    401: Error,
    403: Error,
    404: Error,
    412: Error,
    428: Error,
}


def _replace(request: HttpRequest, pk: int, revision: dict[str, Any], write: Any) -> HttpResponse:
    """The frame both writes share: 404, 428, the lock, 412, the reason, then `write`."""
    user = records.user_of(request)
    testimony = TESTIMONIES.get(user, pk)  # 404 first: a 412 would confirm it exists
    missing = records.missing_if_match(request)
    if missing is not None:
        return missing
    reason = records._revision_form(user, revision, editing=True)
    with transaction.atomic():
        current = concurrency.locked(testimony)
        refusal = records.stale(request, records.detail(TESTIMONIES, current, user))
        if refusal is not None:
            return refusal
        if not reason.is_valid():
            return errors_response(records._revision_errors(reason))
        with revising(**reason.why()):
            errors = write(current, user, reason.why())
        if errors:
            transaction.set_rollback(True)
            return errors_response(errors)
    return records._with_etag(records.detail(TESTIMONIES, current, user), TESTIMONIES)


@operation(
    router,
    "PUT",
    "/testimonies/{int:id}/coding/",
    response=ANSWERS,
    name="testimonies_coding_update",
    summary="Replace a testimony's coding",
    description=(
        "Every one of the 11 indicators, as the coding page saves them. Needs `If-Match` with "
        "the testimony's ETag."
    ),
    **WRITE,
)
def coding_view(request: HttpRequest, id: int, payload: Body[TestimonyCodingUpdate]) -> Any:
    body = payload.model_dump()
    return _replace(
        request,
        id,
        body["revision"],
        lambda testimony, _user, _why: write_coding(testimony, body["coding"]),
    )


@operation(
    router,
    "PUT",
    "/testimonies/{int:id}/journey/",
    response=ANSWERS,
    name="testimonies_journey_update",
    summary="Replace a testimony's journey",
    description=(
        "The whole journey in order, checked as the journey editor checks it: an event with its "
        "`id` is changed, one without is added, one left out is deleted; all or nothing. An "
        "indicator newly found at a stage codes the testimony for it (unknown becomes present). "
        "Needs `If-Match` with the testimony's ETag."
    ),
    **WRITE,
)
def journey_view(request: HttpRequest, id: int, payload: Body[TestimonyJourneyUpdate]) -> Any:
    body = payload.model_dump()
    return _replace(
        request,
        id,
        body["revision"],
        lambda testimony, user, why: write_journey(testimony, body["events"], user, why),
    )
