"""The flows of journeys a reader may read: two queries, then the pure arithmetic.

Everything starts from `JourneyEvent.objects.visible_to(user)` (a journey is as readable as its
testimony) and is k-suppressed by `unseen.core.journeys` before it reaches a page: the page
never holds a testimony's id or any number resting on fewer than k testimonies.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q

from unseen.accounts.models import UserLike
from unseen.core.journeys.flows import Flows, compute_flows, journeys_from_events
from unseen.core.journeys.suppression import DEFAULT_K, checked_k

from .models import JourneyEvent, JourneyIndicator

EVENT_FIELDS = (
    "testimony_id",
    "position",
    "stage",
    "country",
    "channel",
    "health_check",
    "loyalty_check",
    "bribe_paid",
    "months_waited",
    "sector",
    "exit_kind",
    "date_start",
    "date_start_precision",
    "date_end",
    "date_end_precision",
)
# The public page's floor: the Counter Trafficking Data Collaborative publishes with k = 11.
PUBLIC_K = 11


def default_k() -> int:
    """The setting UNSEEN_FLOWS_K (default 5), refused below 3 like any other k."""
    return checked_k(int(getattr(settings, "UNSEEN_FLOWS_K", DEFAULT_K)))


@dataclass(frozen=True)
class FlowFilters:
    """What the reader narrowed the flows to; empty means all."""

    year_from: int | None = None
    year_to: int | None = None
    host: str = ""  # ISO 3166-1 alpha-2 of a deployment
    sector: str = ""  # ISIC section of a deployment
    source_kind: str = ""  # the kind of the testimony's source


def visible_events(user: UserLike, filters: FlowFilters = FlowFilters()) -> Any:
    """The events of the testimonies `user` may read whose journeys match `filters`."""
    events = JourneyEvent.objects.visible_to(user)
    narrowing = Q()
    if filters.source_kind:
        narrowing &= Q(testimony__source__kind=filters.source_kind)
    matching = JourneyEvent.objects.all()
    if filters.host or filters.sector:
        deployment = Q(stage="deployment")
        if filters.host:
            deployment &= Q(country=filters.host)
        if filters.sector:
            deployment &= Q(sector=filters.sector)
        narrowing &= Q(testimony__in=matching.filter(deployment).values("testimony_id"))
    if filters.year_from is not None or filters.year_to is not None:
        # A journey is in the years if any of its dated events falls in them.
        dated = Q(date_start__isnull=False)
        if filters.year_to is not None:
            dated &= Q(date_start__year__lte=filters.year_to)
        if filters.year_from is not None:
            dated &= Q(date_end__year__gte=filters.year_from) | Q(
                date_end__isnull=True, date_start__year__gte=filters.year_from
            )
        narrowing &= Q(testimony__in=matching.filter(dated).values("testimony_id"))
    return events.filter(narrowing)


def flows_for(user: UserLike, filters: FlowFilters = FlowFilters(), k: int | None = None) -> Flows:
    """The k-suppressed flows of the journeys `user` may read (two queries)."""
    k = checked_k(default_k() if k is None else k)
    events = visible_events(user, filters)
    rows = list(events.values_list(*EVENT_FIELDS))
    event_rows = [dict(zip(EVENT_FIELDS, row, strict=True)) for row in rows]
    indicator_rows = [
        {"testimony_id": t, "stage": s, "indicator": i}
        for t, s, i in JourneyIndicator.objects.filter(event__in=events.values("pk")).values_list(
            "event__testimony_id", "event__stage", "indicator"
        )
    ]
    return compute_flows(journeys_from_events(event_rows, indicator_rows), k)
