"""The flows of journeys a reader may read: two queries, then the pure arithmetic.

Everything starts from `JourneyEvent.objects.visible_to(user)` (a journey is as readable as its
testimony) and is k-suppressed by `unseen.core.journeys` before it reaches a page: the page
never holds a testimony's id or any number resting on fewer than k testimonies.
"""

import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Count, F, IntegerField, Max, Min, Q, Sum, Value, When
from django.db.models.functions import Cast

from unseen.accounts.models import UserLike
from unseen.core.journeys.flows import (
    SUMMARY_COLUMNS,
    Flows,
    IndicatorCounts,
    compute_flows,
    journeys_from_summaries,
)
from unseen.core.journeys.suppression import DEFAULT_K, checked_k
from unseen.documentation.models import Testimony

from .models import JourneyEvent, JourneyIndicator

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
    # The public page: only testimonies whose interviewee consented to publication.
    consented_only: bool = False


def _narrowing(filters: FlowFilters, to_testimony: str) -> Q:
    """The filters as a condition on testimonies, reached from here through `to_testimony`."""
    narrowing = Q()
    if filters.consented_only:
        narrowing &= Q(**{f"{to_testimony}consent_to_publish": True})
    if filters.source_kind:
        narrowing &= Q(**{f"{to_testimony}source__kind": filters.source_kind})
    matching = JourneyEvent.objects.all()
    if filters.host or filters.sector:
        deployment = Q(stage="deployment")
        if filters.host:
            deployment &= Q(country=filters.host)
        if filters.sector:
            deployment &= Q(sector=filters.sector)
        narrowing &= Q(
            **{f"{to_testimony}pk__in": matching.filter(deployment).values("testimony_id")}
        )
    if filters.year_from is not None or filters.year_to is not None:
        # A journey is in the years if any of its dated events falls in them.
        dated = Q(date_start__isnull=False)
        if filters.year_to is not None:
            dated &= Q(date_start__year__lte=filters.year_to)
        if filters.year_from is not None:
            dated &= Q(date_end__year__gte=filters.year_from) | Q(
                date_end__isnull=True, date_start__year__gte=filters.year_from
            )
        narrowing &= Q(**{f"{to_testimony}pk__in": matching.filter(dated).values("testimony_id")})
    return narrowing


def visible_events(user: UserLike, filters: FlowFilters = FlowFilters()) -> Any:
    """The events of the testimonies `user` may read whose journeys match `filters`."""
    return JourneyEvent.objects.visible_to(user).filter(_narrowing(filters, "testimony__"))


def visible_testimonies(user: UserLike, filters: FlowFilters = FlowFilters()) -> Any:
    """The testimonies `user` may read whose journeys match `filters`."""
    return Testimony.objects.visible_to(user).filter(_narrowing(filters, ""))


_VETTING_RANK = Case(
    When(bribe_paid="present", then=Value(3)),
    When(Q(health_check="present") | Q(loyalty_check="present"), then=Value(2)),
    When(bribe_paid="absent", health_check="absent", loyalty_check="absent", then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


def _at(stage: str | tuple[str, ...], field: str, output: Any = None) -> Case:
    stages = (stage,) if isinstance(stage, str) else stage
    return Case(When(stage__in=stages, then=F(field)), output_field=output)


def flows_for(user: UserLike, filters: FlowFilters = FlowFilters(), k: int | None = None) -> Flows:
    """The k-suppressed flows of the journeys `user` may read.

    Two queries over the events (one row per testimony, aggregated in the database; one row
    per deployment), one over the indicators (testimonies per stage and indicator), and a
    small one more only when cells below k must be merged and their union counted.
    """
    k = checked_k(default_k() if k is None else k)
    with _collection_paused():
        return _flows(user, filters, k)


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while tens of thousands of rows are read: they
    hold no cycles, and collecting them as they come costs a third of the time (the bench)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _flows(user: UserLike, filters: FlowFilters, k: int) -> Flows:
    events = visible_events(user, filters)
    summaries = (
        events.order_by()
        .values("testimony_id")
        .annotate(
            channel=Max(_at("recruitment", "channel")),
            vetting_rank=Max(
                Case(When(stage="vetting", then=_VETTING_RANK), output_field=IntegerField())
            ),
            months_waited=Sum(_at("vetting", "months_waited")),
            vetting_start=Min(_at("vetting", "date_start", CharField())),
            vetting_end=Max(_at("vetting", "date_end", CharField())),
            # "year" sorts after "month" and "day": the coarsest precision of the vetting.
            vetting_precision=Max(_at("vetting", "date_start_precision")),
            exit_kind=Max(_at("exit", "exit_kind")),
            exit_date=Max(_at("exit", "date_start", CharField())),
            origin=Max(_at(("recruitment", "vetting", "departure"), "country")),
        )
        .values_list(*SUMMARY_COLUMNS)
    )
    # Dates as ISO text: the core reads them itself, faster than the ORM's converters.
    deployments = (
        events.filter(stage="deployment")
        .order_by()  # the model's order would cost a sort of every row, and nothing needs it
        .annotate(start=Cast("date_start", CharField()), end=Cast("date_end", CharField()))
        .values_list(
            "testimony_id",
            "country",
            "sector",
            "start",
            "date_start_precision",
            "end",
            "date_end_precision",
        )
    )
    journeys = journeys_from_summaries(summaries, deployments)
    # Reached from the testimonies (the same ones as the events'): twice as fast as from events.
    indicators = JourneyIndicator.objects.filter(
        event__testimony__in=visible_testimonies(user, filters)
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (
        indicators.order_by()
        .values("event__stage", "indicator")
        .annotate(n=Count("event__testimony_id", distinct=True))
    ):
        counts[row["event__stage"]][row["indicator"]] = row["n"]

    def union(stage: str, labels: set[str]) -> int:
        found = indicators.filter(event__stage=stage, indicator__in=labels)
        return found.values("event__testimony_id").distinct().count()

    return compute_flows(journeys, k, IndicatorCounts(dict(counts), union))
