"""What the charts draw: workers by host over time as ranges, sectors, wages and share taken by host.

Pure builders over querysets, like `mapping`: `chart_data(user=...)` reads what the user may read,
`chart_data(published_only=True)` public records and public sources only. Every datum carries the
ids of the sources behind it; `sources` holds their citations.

Ranges, never single numbers: in one host and year the range runs from the lowest figure any
readable source gives to the highest (sources disagree about the same workers, so figures are not
added up). A figure with only an upper bound ("up to 10,000") leaves the range open below, one with
only a lower bound ("at least 4,000") open above. Proxies (entries, plans) are left out.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, ExtractYear

from unseen.accounts.models import UserLike
from unseen.documentation.models import Deployment
from unseen.documentation.sectors import BY_KEY, categories_of

from .mapping import host_label
from .scope import Scope, merged, scope_for, source_table, sources_of

MAX_YEARS_PER_RECORD = 80  # a period longer than this is a data error; it is not spread further


@dataclass
class Range:
    """Lowest and highest values seen, with the records and sources behind them."""

    low: float | None = None
    high: float | None = None
    records: int = 0
    source_ids: list[int] = field(default_factory=list)

    def add(self, low: Any, high: Any, source_ids: list[int]) -> None:
        if low is not None:
            self.low = float(low) if self.low is None else min(self.low, float(low))
        if high is not None:
            self.high = float(high) if self.high is None else max(self.high, float(high))
        self.records += 1
        self.source_ids = merged(self.source_ids, source_ids)

    def as_dict(self, **extra: Any) -> dict[str, Any]:
        return {
            **extra,
            "low": _number(self.low),
            "high": _number(self.high),
            "records": self.records,
            "source_ids": self.source_ids,
        }


def _number(value: float | Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 3)


def _deployments(scope: Scope) -> QuerySet[Deployment]:
    return scope.records(Deployment).filter(is_proxy=False)


def _host(row: dict[str, Any]) -> tuple[str, str]:
    return row["host_country"], row["host_region"]


# A year inside a host's series that no source gives a figure for. It is sent, with nulls, so
# that the chart breaks its band there (spanGaps: false) instead of drawing a straight line from
# the year before to the year after as if the figures between were known; zero would be a claim
# that nobody worked there.
NO_DATA: dict[str, Any] = {
    "low": None,
    "high": None,
    "records": 0,
    "source_ids": [],
    "open_low": False,
    "open_high": False,
    "no_data": True,
}


def workers_over_time(scope: Scope) -> tuple[list[dict[str, Any]], set[int]]:
    """One series per host: for each year from its first to its last, the range of headcounts
    given for it, or `NO_DATA` (nulls) for a year without any."""
    counted = (
        _deployments(scope)
        .filter(period_start__isnull=False, person__isnull=True)
        .filter(Q(workers_low__isnull=False) | Q(workers_high__isnull=False))
    )
    rows = list(
        counted.annotate(
            first_year=ExtractYear("period_start"),
            last_year=ExtractYear(Coalesce("period_end", "period_start")),
        )
        .values_list(
            "id",
            "host_country",
            "host_region",
            "first_year",
            "last_year",
            "workers_low",
            "workers_high",
        )
        .order_by()
    )
    evidence = sources_of(scope, Deployment, counted.values("id"))
    ranges: dict[tuple[str, str], dict[int, Range]] = defaultdict(dict)
    for pk, country, region, first, last, low, high in rows:
        for year in range(first, min(last, first + MAX_YEARS_PER_RECORD) + 1):
            ranges[(country, region)].setdefault(year, Range()).add(low, high, evidence.get(pk, []))
    series: list[dict[str, Any]] = []
    used: set[int] = set()
    for (country, region), by_year in ranges.items():
        points = []
        for year in range(min(by_year), max(by_year) + 1):
            if year not in by_year:
                points.append({"year": year, **NO_DATA, "source_ids": []})
                continue
            point = by_year[year]
            used.update(point.source_ids)
            points.append(
                point.as_dict(
                    year=year,
                    open_low=point.low is None,
                    open_high=point.high is None,
                    no_data=False,
                )
            )
        peak = max((p["high"] or p["low"] or 0) for p in points)
        series.append(
            {
                "country": country,
                "region": region,
                "label": host_label(country, region),
                "peak": peak,
                "points": points,
            }
        )
    series.sort(key=lambda s: (-s["peak"], s["label"]))
    return series, used


def sectors_by_host(scope: Scope) -> tuple[list[dict[str, Any]], list[dict[str, str]], set[int]]:
    """For each host, how many deployment records name each sector category, with their sources."""
    deployments = _deployments(scope)
    rows = list(deployments.values_list("id", "host_country", "host_region", "sector").order_by())
    evidence = sources_of(scope, Deployment, deployments.values("id"))
    cells: dict[tuple[str, str], dict[str, Range]] = defaultdict(dict)
    for pk, country, region, sector in rows:
        for key in categories_of(sector):
            cells[(country, region)].setdefault(key, Range()).add(None, None, evidence.get(pk, []))
    used_keys: set[str] = set()
    hosts: list[dict[str, Any]] = []
    used: set[int] = set()
    for (country, region), by_category in cells.items():
        counts = {}
        for key, cell in by_category.items():
            used_keys.add(key)
            used.update(cell.source_ids)
            counts[key] = {"records": cell.records, "source_ids": cell.source_ids}
        hosts.append(
            {
                "country": country,
                "region": region,
                "label": host_label(country, region),
                "total": sum(cell.records for cell in by_category.values()),
                "categories": counts,
            }
        )
    hosts.sort(key=lambda h: (-h["total"], h["label"]))
    categories = [
        {"key": key, "label": str(category.label)}
        for key, category in BY_KEY.items()
        if key in used_keys
    ]
    return hosts, categories, used


def ranges_by_host(
    scope: Scope, low_field: str, high_field: str
) -> tuple[list[dict[str, Any]], set[int]]:
    """For each host, the range of a low–high pair of fields over all years, with its sources."""
    given = _deployments(scope).filter(
        Q(**{f"{low_field}__isnull": False}) | Q(**{f"{high_field}__isnull": False})
    )
    rows = list(
        given.annotate(year=ExtractYear("period_start"))
        .values_list("id", "host_country", "host_region", "year", low_field, high_field)
        .order_by()
    )
    evidence = sources_of(scope, Deployment, given.values("id"))
    ranges: dict[tuple[str, str], Range] = {}
    years: dict[tuple[str, str], set[int]] = defaultdict(set)
    for pk, country, region, year, low, high in rows:
        # One bound alone is the whole of what that record says: a wage of "$500" is 500–500.
        low, high = (low if low is not None else high), (high if high is not None else low)
        ranges.setdefault((country, region), Range()).add(low, high, evidence.get(pk, []))
        if year is not None:
            years[(country, region)].add(year)
    found, used = [], set()
    for (country, region), value in ranges.items():
        used.update(value.source_ids)
        span = sorted(years[(country, region)])
        found.append(
            value.as_dict(
                country=country,
                region=region,
                label=host_label(country, region),
                first_year=span[0] if span else None,
                last_year=span[-1] if span else None,
            )
        )
    found.sort(key=lambda r: (-(r["high"] or 0), r["label"]))
    return found, used


def chart_data(user: UserLike | None = None, *, published_only: bool = False) -> dict[str, Any]:
    """Every chart's data, JSON-ready (see the module docstring for the rules)."""
    scope = scope_for(user, published_only=published_only)
    workers, workers_sources = workers_over_time(scope)
    sectors, categories, sector_sources = sectors_by_host(scope)
    wages, wage_sources = ranges_by_host(scope, "monthly_wage_usd_low", "monthly_wage_usd_high")
    shares, share_sources = ranges_by_host(scope, "state_share_low", "state_share_high")
    return {
        "scope": scope.name,
        "workers": workers,
        "sectors": {"hosts": sectors, "categories": categories},
        "wages": wages,
        "shares": shares,
        "sources": source_table(
            scope, workers_sources | sector_sources | wage_sources | share_sources
        ),
    }
