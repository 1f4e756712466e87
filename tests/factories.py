"""Small builders for records the tests need; each says what it makes, nothing more."""

import datetime as dt

from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Deployment
from unseen.evidence.models import Credibility, DatePrecision, Reliability, Source, SourceKind
from unseen.registry.models import Site, SiteKind


def source(
    title: str = "Test source",
    *,
    access_level: str = AccessLevel.PUBLIC,
    reliability: str = Reliability.B,
    kind: str = SourceKind.DOCUMENT,
) -> Source:
    return Source.objects.create(
        title=title, kind=kind, reliability=reliability, access_level=access_level
    )


def site(
    name: str = "Test site", *, country: str = "RU", access_level: str = AccessLevel.INTERNAL
) -> Site:
    return Site.objects.create(
        name=name, kind=SiteKind.CONSTRUCTION_SITE, country=country, access_level=access_level
    )


def deployment(
    *,
    country: str = "RU",
    year: int = 2017,
    low: int | None = 100,
    high: int | None = 200,
    sector: str = "construction",
    access_level: str = AccessLevel.PUBLIC,
    evidence: Source | None = None,
) -> Deployment:
    made = Deployment.objects.create(
        host_country=country,
        sector=sector,
        workers_low=low,
        workers_high=high,
        access_level=access_level,
        period_start=dt.date(year, 1, 1),
        period_start_precision=DatePrecision.YEAR,
        period_end=dt.date(year, 1, 1),
        period_end_precision=DatePrecision.YEAR,
    )
    if evidence is not None:
        made.add_claim(evidence, Credibility.POSSIBLY_TRUE, "test claim")
    return made
