"""Record a testimony's journey: add, change, move and delete its events and their indicators.

Each function is one transaction and one revision (simple-history, with the editor's reason via
`revising`); the audit log gets each write by its signals, as for every documentation edit,
naming fields, never values. The caller has checked that the user may edit the testimony and
read it (`Testimony.objects.visible_to`): nothing here looks at who asks.
"""

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from unseen.documentation.models import Testimony
from unseen.evidence.revisions import revising

from .forms import EventForm, IndicatorForm
from .models import JourneyEvent, JourneyIndicator

UP, DOWN = "up", "down"


def _events(testimony: Testimony) -> list[JourneyEvent]:
    """The testimony's events in order, locked: two editors moving events never interleave."""
    return list(
        JourneyEvent.objects.select_for_update()
        .filter(testimony=testimony)
        .order_by("position", "id")
    )


def _renumber(events: list[JourneyEvent]) -> None:
    """Positions 0, 1, 2… in the list's order; only the events whose position changed are saved."""
    for position, event in enumerate(events):
        if event.position != position:
            event.position = position
            event.save(update_fields=["position"])


def add_event(testimony: Testimony, form: EventForm, why: dict[str, Any]) -> JourneyEvent:
    """The form's event, new, at the end of the journey."""
    with transaction.atomic(), revising(**why):
        _events(testimony)  # the lock, so two additions never take the same position
        last = JourneyEvent.objects.filter(testimony=testimony).aggregate(Max("position"))
        event = form.save(commit=False)
        event.testimony = testimony
        event.stage = form.stage
        event.position = 0 if last["position__max"] is None else last["position__max"] + 1
        event.save()
    return event


def change_event(form: EventForm, why: dict[str, Any]) -> JourneyEvent:
    """Save the form's changes to its event (its stage stays what it was)."""
    with transaction.atomic(), revising(**why):
        event = form.save(commit=False)
        event.save()
    return event


def delete_event(event: JourneyEvent, why: dict[str, Any]) -> None:
    """Delete an event and its indicators; the events after it move up one place."""
    with transaction.atomic(), revising(**why):
        testimony = event.testimony
        event.delete()
        _renumber(_events(testimony))


def move_event(event: JourneyEvent, direction: str, why: dict[str, Any]) -> bool:
    """Swap an event with the one before (up) or after (down); False at either end."""
    with transaction.atomic(), revising(**why):
        events = _events(event.testimony)
        index = next(i for i, e in enumerate(events) if e.pk == event.pk)
        other = index - 1 if direction == UP else index + 1
        if not 0 <= other < len(events):
            _renumber(events)
            return False
        events[index], events[other] = events[other], events[index]
        _renumber(events)
    return True


def add_indicator(form: IndicatorForm, why: dict[str, Any]) -> tuple[JourneyIndicator, str]:
    """Save an indicator found at an event, and what it did to the testimony's coding.

    Returns the indicator and the testimony-level finding for it after the save.
    """
    with transaction.atomic(), revising(**why):
        found = form.save()
        finding = found.code_testimony()
    return found, finding


def remove_indicator(found: JourneyIndicator, why: dict[str, Any]) -> None:
    """Remove an indicator from an event. The testimony's coding stays as it is: other stages
    or the transcript may still tell of it, and only a coder can say it is absent."""
    with transaction.atomic(), revising(**why):
        found.delete()


def default_reason(action: str) -> str:
    """The revision's reason when the editor gave none for an addition or a move."""
    reasons = {
        "add": _("Journey: event added"),
        "up": _("Journey: order changed"),
        "down": _("Journey: order changed"),
        "add_indicator": _("Journey: indicator added at a stage"),
    }
    return reasons.get(action, _("Journey edited"))
