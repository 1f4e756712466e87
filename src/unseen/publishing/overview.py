"""The public picture: published deployments by host, each figure with the sources behind it."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Max, Q

from unseen.accounts.models import AccessLevel
from unseen.core.places import Host
from unseen.documentation.models import Deployment
from unseen.evidence.models import Claim, Source


@dataclass
class HostFigure:
    host: Host
    year: int
    workers_low: int | None
    workers_high: int | None
    sector: str
    sources: list[Source] = field(default_factory=list)


def latest_published_figures() -> list[HostFigure]:
    """For each host, the published headcount figure of its latest year (widest range that year).

    Only public deployments and public sources are read: this feeds pages anyone can open.
    """
    counted = (
        Deployment.objects.published()
        .headcounts()  # type: ignore[attr-defined]
        .exclude(workers_low__isnull=True, workers_high__isnull=True)
        .exclude(period_start__isnull=True)
    )
    # Each host's latest start date (one grouped pass), then only the deployments that start on
    # it are read, widest first: never every published deployment.
    latest = counted.values("host_country", "host_region").annotate(last=Max("period_start"))
    on_latest = Q(pk__in=[])
    for row in latest.order_by():
        on_latest |= Q(
            host_country=row["host_country"],
            host_region=row["host_region"],
            period_start=row["last"],
        )
    best: dict[tuple[str, str], Deployment] = {}
    for deployment in counted.filter(on_latest).order_by(
        "host_country", "host_region", F("workers_high").desc(nulls_last=True), "id"
    ):
        best.setdefault((deployment.host_country, deployment.host_region), deployment)
    claims = Claim.objects.filter(
        content_type=ContentType.objects.get_for_model(Deployment),
        object_id__in=[d.pk for d in best.values()],
        source__access_level=AccessLevel.PUBLIC,
    ).select_related("source")
    sources_of: dict[int, list[Source]] = defaultdict(list)
    for claim in claims:
        sources_of[claim.object_id].append(claim.source)
    figures = [
        HostFigure(
            d.host, d.period_start.year, d.workers_low, d.workers_high, d.sector, sources_of[d.pk]
        )
        for d in best.values()
        if d.period_start is not None
    ]
    return sorted(figures, key=lambda f: (-(f.workers_high or f.workers_low or 0), f.host.label))
