"""Show a testimony's journey as a timeline: on its page (a documentation panel) and the editor.

Every line is built from events the reader may read (`JourneyEvent.objects.visible_to`), and a
site or organisation named at an event only if the reader may read it too.
"""

from dataclasses import dataclass, field
from typing import Any

from unseen.accounts.models import User, UserLike
from unseen.accounts.roles import Capability
from unseen.documentation.browsing import Kind
from unseen.documentation.models import Testimony
from unseen.documentation.reading import country_text, date_text
from unseen.evidence.models import visible_related

from .forms import STAGE_ORDER, label_of
from .models import STAGE_FIELDS, JourneyEvent, JourneyIndicator


@dataclass
class Line:
    """One event as the timeline reads it: every value already text in the reader's language."""

    event: JourneyEvent
    number: int
    stage: str
    when: str
    where: str
    site: Any
    organisation: Any
    role: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    indicators: list[JourneyIndicator] = field(default_factory=list)


def _when(event: JourneyEvent) -> str:
    start = date_text(event.date_start, event.date_start_precision) if event.date_start else ""
    end = date_text(event.date_end, event.date_end_precision) if event.date_end else ""
    if start and end and start != end:
        return f"{start} – {end}"
    if end and not start:
        return f"– {end}"
    return start


def _where(event: JourneyEvent) -> str:
    parts = [event.place, country_text(event.country) if event.country else ""]
    place = ", ".join(part for part in parts if part)
    if place and event.place_precision:
        place = f"{place} ({event.get_place_precision_display()})"
    return place


def _facts(event: JourneyEvent, user: UserLike) -> list[tuple[str, str]]:
    """The stage's own fields that say something (not empty, not "unknown")."""
    facts = []
    for name in STAGE_ORDER:
        value = getattr(event, name)
        if value == STAGE_FIELDS[name] or value in (None, ""):
            continue
        label = label_of(name)
        display = getattr(event, f"get_{name}_display", None)
        if name == "deployment":
            seen = visible_related(value, user)
            if seen is None:
                continue
            text = str(seen)
        else:
            text = str(display()) if callable(display) else str(value)
        facts.append((label, text))
    return facts


def lines(testimony: Testimony, user: UserLike) -> list[Line]:
    """The testimony's journey, in order, as far as `user` may read it."""
    events = (
        JourneyEvent.objects.visible_to(user)
        .filter(testimony=testimony)
        .select_related("site", "organisation", "deployment")
        .prefetch_related("indicators")
        .order_by("position", "id")
    )
    return [
        Line(
            event=event,
            number=number,
            stage=event.get_stage_display(),
            when=_when(event),
            where=_where(event),
            site=visible_related(event.site, user),
            organisation=visible_related(event.organisation, user),
            role=event.get_organisation_role_display() if event.organisation_role else "",
            facts=_facts(event, user),
            indicators=list(event.indicators.all()),
        )
        for number, event in enumerate(events, start=1)
    ]


def record_context(kind: Kind, record: Any, user: UserLike) -> dict[str, Any]:
    """The testimony page's part (documentation.panels.register): its journey as a timeline."""
    if not isinstance(record, Testimony):
        return {"shown": False}
    return {
        "shown": True,
        "testimony": record,
        "lines": lines(record, user),
        "can_edit": isinstance(user, User) and user.can(Capability.EDIT_RECORDS),
    }
