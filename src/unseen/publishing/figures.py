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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from django.db import connection, connections
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce

from unseen.accounts.models import UserLike
from unseen.documentation.models import Deployment
from unseen.documentation.sectors import BY_KEY, categories_of
from unseen.evidence.models import Source

from .mapping import Year, host_label
from .scope import Scope, scope_for, source_table

T = TypeVar("T")
U = TypeVar("U")

MAX_YEARS_PER_RECORD = 80  # a period longer than this is a data error; it is not spread further

Host = tuple[str, str]


@dataclass
class Range:
    """Lowest and highest values seen, with the records and sources behind them.

    Sources are kept with how strongly they back the range (the best credibility of their claims,
    then the source's reliability) and listed strongest first.
    """

    low: float | None = None
    high: float | None = None
    records: int = 0
    sources: dict[int, tuple[int, str]] = field(default_factory=dict)

    def add(self, low: Any, high: Any, records: int) -> None:
        """Fold in a group of `records` records whose lowest and highest values are given."""
        if low is not None:
            self.low = float(low) if self.low is None else min(self.low, float(low))
        if high is not None:
            self.high = float(high) if self.high is None else max(self.high, float(high))
        self.records += records

    def add_record(self, low: Any, high: Any, source_ids: list[int]) -> None:
        """One record, with its sources strongest first (as `scope.sources_of` lists them)."""
        self.add(low, high, 1)
        for rank, source_id in enumerate(source_ids):
            self.cite(source_id, (rank, ""))

    def cite(self, source_id: int, strength: tuple[int, str]) -> None:
        known = self.sources.get(source_id)
        if known is None or strength < known:
            self.sources[source_id] = strength

    @property
    def source_ids(self) -> list[int]:
        return sorted(self.sources, key=lambda pk: (self.sources[pk], pk))

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


def _years(first: int, last: int) -> range:
    return range(first, min(last, first + MAX_YEARS_PER_RECORD) + 1)


# Which deployments each chart counts (all of them are readable and not proxies).
HEADCOUNT = Q(period_start__isnull=False, person__isnull=True) & (
    Q(workers_low__isnull=False) | Q(workers_high__isnull=False)
)
PAIRS = {
    "wages": ("monthly_wage_usd_low", "monthly_wage_usd_high"),
    "shares": ("state_share_low", "state_share_high"),
}


def _given(low_field: str, high_field: str) -> Q:
    return Q(**{f"{low_field}__isnull": False}) | Q(**{f"{high_field}__isnull": False})


# Deployments grouped by host, years and sector: every chart is folded from these groups, so the
# database reads the deployments once and the claims once, and Python sees groups, not records.
GROUP = ("host_country", "host_region", "first_year", "last_year", "sector")


def _grouped(scope: Scope) -> QuerySet[Deployment]:
    return _deployments(scope).annotate(
        first_year=Year("period_start"), last_year=Year(Coalesce("period_end", "period_start"))
    )


def _group_rows(scope: Scope) -> Any:
    aggregates: dict[str, Any] = {
        "records": Count("id"),
        "w_low": Min("workers_low", filter=HEADCOUNT),
        "w_high": Max("workers_high", filter=HEADCOUNT),
        "w_records": Count("id", filter=HEADCOUNT),
    }
    for name, (low_field, high_field) in PAIRS.items():
        given = _given(low_field, high_field)
        # One bound alone is the whole of what that record says: a wage of "$500" is 500–500.
        aggregates[f"{name}_low"] = Min(Coalesce(low_field, high_field), filter=given)
        aggregates[f"{name}_high"] = Max(Coalesce(high_field, low_field), filter=given)
        aggregates[f"{name}_records"] = Count("id", filter=given)
    return (
        _grouped(scope)
        .values(*GROUP)
        .annotate(**aggregates)
        .order_by()
        .values_list(*GROUP, *aggregates)
    )


def _cited_rows(scope: Scope) -> Any:
    """(*GROUP, source, best credibility for each chart): the readable sources behind each group,
    for every record, headcounts, wages and shares. The source's reliability is looked up after
    (`_reliabilities`): one key fewer to sort 100,000 claims by."""
    credibility = "supporting_claims__credibility"
    aggregates: dict[str, Any] = {
        "best": Min(credibility),
        "w_best": Min(credibility, filter=HEADCOUNT),
    }
    for name, (low_field, high_field) in PAIRS.items():
        aggregates[f"{name}_best"] = Min(credibility, filter=_given(low_field, high_field))
    return (
        _grouped(scope)
        .filter(supporting_claims__source__access_level__in=scope.levels)
        .values(*GROUP, source=F("supporting_claims__source_id"))
        .annotate(**aggregates)
        .order_by()
        .values_list(*GROUP, "source", *aggregates)
    )


def _reliabilities(source_ids: set[int]) -> dict[int, str]:
    return dict(Source.objects.filter(pk__in=source_ids).values_list("pk", "reliability"))


def plain_rows(queryset: Any) -> list[tuple[Any, ...]]:
    """A values_list queryset's rows as the database driver gives them, without Django's
    per-value converters (a third of the charts' time at 100,000 deployments).

    Only for values that need none: text, integers, and numbers `Range` turns into floats
    (decimals come back as floats from SQLite, as Decimals from PostgreSQL).
    """
    query = queryset.query
    # The columns in the order the compiler writes them (Django 5.2 keeps it in `selected`).
    selected = list(query.selected or [])
    if not selected:
        selected = [*query.extra_select, *query.values_select, *query.annotation_select]
    order = [selected.index(name) for name in queryset._fields]
    sql, params = query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if order == list(range(len(selected))):
        return rows
    return [tuple(row[i] for i in order) for row in rows]


@dataclass
class Folded:
    """Every chart's ranges, folded from the groups."""

    workers: dict[Host, dict[int, Range]] = field(default_factory=lambda: defaultdict(dict))
    sectors: dict[Host, dict[str, Range]] = field(default_factory=lambda: defaultdict(dict))
    pairs: dict[str, dict[Host, Range]] = field(
        default_factory=lambda: {name: {} for name in PAIRS}
    )
    pair_years: dict[str, dict[Host, list[int]]] = field(
        default_factory=lambda: {name: defaultdict(list) for name in PAIRS}
    )


@lru_cache(maxsize=4096)
def _categories(sector: str) -> tuple[str, ...]:
    return tuple(categories_of(sector))


def _in_own_connection(read: Callable[[], T]) -> T:
    """`read()` in a worker thread, which has its own database connection: closed at the end."""
    try:
        return read()
    finally:
        connections.close_all()  # this thread's connections only


def both(first: Callable[[], T], second: Callable[[], U]) -> tuple[T, U]:
    """`first()` here and `second()` in another thread at the same time, when that reads the same
    data: outside a transaction (inside one, only this connection sees its own writes). The
    database drivers let go of the interpreter while a query runs, so two queries take as long
    as the slower one on a machine with a core to spare."""
    if connection.in_atomic_block:
        return first(), second()
    with ThreadPoolExecutor(max_workers=1) as pool:
        later = pool.submit(_in_own_connection, second)
        return first(), later.result()


def fold(scope: Scope) -> Folded:
    """Read the groups and their sources (two queries, at once) and fold them into every chart's
    ranges."""
    folded = Folded()
    groups, cited = both(
        lambda: plain_rows(_group_rows(scope)), lambda: plain_rows(_cited_rows(scope))
    )
    for row in groups:
        country, region, first, last, sector, records, w_low, w_high, w_records = row[:9]
        host = (country, region)
        if w_records:
            by_year = folded.workers[host]
            for year in _years(first, last):
                by_year.setdefault(year, Range()).add(w_low, w_high, w_records)
        cells = folded.sectors[host]
        for key in _categories(sector):
            cells.setdefault(key, Range()).add(None, None, records)
        for index, name in enumerate(PAIRS):
            low, high, count = row[9 + 3 * index : 12 + 3 * index]
            if count:
                folded.pairs[name].setdefault(host, Range()).add(low, high, count)
                if first is not None:
                    folded.pair_years[name][host].append(first)
    reliability_of = _reliabilities({row[5] for row in cited})
    for row in cited:
        country, region, first, last, sector, source_id, best, w_best = row[:8]
        reliability = reliability_of.get(source_id, "")
        host = (country, region)
        # setdefault, not indexing: the two queries are two reads, and a write between them may
        # add a group the first did not see (the next request rebuilds: the version moved).
        if w_best is not None:
            by_year = folded.workers[host]
            for year in _years(first, last):
                by_year.setdefault(year, Range()).cite(source_id, (w_best, reliability))
        cells = folded.sectors[host]
        for key in _categories(sector):
            cells.setdefault(key, Range()).cite(source_id, (best, reliability))
        for index, name in enumerate(PAIRS):
            pair_best = row[8 + index]
            if pair_best is not None:
                folded.pairs[name].setdefault(host, Range()).cite(
                    source_id, (pair_best, reliability)
                )
    return folded


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


def workers_over_time(
    scope: Scope, folded: Folded | None = None
) -> tuple[list[dict[str, Any]], set[int]]:
    """One series per host: for each year from its first to its last, the range of headcounts
    given for it, or `NO_DATA` (nulls) for a year without any."""
    folded = folded or fold(scope)
    series: list[dict[str, Any]] = []
    used: set[int] = set()
    for (country, region), by_year in folded.workers.items():
        if not by_year:
            continue
        points = []
        for year in range(min(by_year), max(by_year) + 1):
            if year not in by_year:
                points.append({"year": year, **NO_DATA, "source_ids": []})
                continue
            point = by_year[year]
            used.update(point.sources)
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


def sectors_by_host(
    scope: Scope, folded: Folded | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, str]], set[int]]:
    """For each host, how many deployment records name each sector category, with their sources."""
    folded = folded or fold(scope)
    used_keys: set[str] = set()
    hosts: list[dict[str, Any]] = []
    used: set[int] = set()
    for (country, region), by_category in folded.sectors.items():
        if not by_category:
            continue
        counts = {}
        for key, cell in by_category.items():
            used_keys.add(key)
            used.update(cell.sources)
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
    scope: Scope, name: str, folded: Folded | None = None
) -> tuple[list[dict[str, Any]], set[int]]:
    """For each host, the range of a low–high pair of fields (`PAIRS[name]`) over all years,
    with its sources."""
    folded = folded or fold(scope)
    found: list[dict[str, Any]] = []
    used: set[int] = set()
    for (country, region), value in folded.pairs[name].items():
        used.update(value.sources)
        span = folded.pair_years[name].get((country, region)) or []
        found.append(
            value.as_dict(
                country=country,
                region=region,
                label=host_label(country, region),
                first_year=min(span) if span else None,
                last_year=max(span) if span else None,
            )
        )
    found.sort(key=lambda r: (-(r["high"] or 0), r["label"]))
    return found, used


def chart_data(user: UserLike | None = None, *, published_only: bool = False) -> dict[str, Any]:
    """Every chart's data, JSON-ready (see the module docstring for the rules)."""
    scope = scope_for(user, published_only=published_only)
    folded = fold(scope)
    workers, workers_sources = workers_over_time(scope, folded)
    sectors, categories, sector_sources = sectors_by_host(scope, folded)
    wages, wage_sources = ranges_by_host(scope, "wages", folded)
    shares, share_sources = ranges_by_host(scope, "shares", folded)
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
