"""Flows of journeys: from plain per-testimony records to what the flows page shows.

Pure Python (no Django). `journeys_from_events` turns rows of journey events and their
indicators (plain dicts, as `QuerySet.values()` gives them) into one `Journey` per testimony;
`compute_flows` gives the Sankey links by stage, the ILO indicators at each stage, the
distributions of durations and the origin→host pairs, every one k-suppressed
(`unseen.core.journeys.suppression`). Everything is counted in testimonies, not in events.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .suppression import (
    DEFAULT_K,
    OTHER,
    UNKNOWN,
    Bin,
    Column,
    Link,
    Path,
    Report,
    checked_k,
    staged_links,
    suppressed_column,
    suppressed_counts,
    suppressed_histogram,
)

SANKEY_STAGES = ("recruitment", "vetting", "host", "exit")
MAP_STAGES = ("origin", "host")
INDICATOR_STAGES = (
    "recruitment",
    "vetting",
    "departure",
    "transit",
    "deployment",
    "exploitation",
    "exit",
)
# Vetting as the Sankey shows it: what the testimony says was asked of the worker.
BRIBE = "bribe"  # a bribe was paid (whatever the checks)
CHECKS = "checks"  # health or loyalty checks, no bribe said to be paid
NO_CHECKS = "none"  # both checks and the bribe said to be absent
# Months; a bin's upper edge is exclusive. Vetting lasts months, contracts years: each its own.
EDGES_BY_DURATION = {
    "vetting": (0.0, 3.0, 6.0, 9.0, 12.0, 18.0, 24.0, 36.0),
    "contract": (0.0, 6.0, 12.0, 18.0, 24.0, 36.0, 48.0, 60.0),
    "exit": (0.0, 6.0, 12.0, 18.0, 24.0, 36.0, 48.0, 60.0),
}
DAYS_PER_MONTH = 365.25 / 12
# Where a journey starts when no event before departure names a country: every testimony
# here is a North Korean worker's, so their journeys start in the DPRK.
DEFAULT_ORIGIN = "KP"


@dataclass(slots=True)  # not frozen: a frozen dataclass is slow to make by the ten thousand
class Journey:
    """One testimony's journey, reduced to what the flows count."""

    testimony: Hashable
    channel: str = UNKNOWN
    vetting: str = UNKNOWN
    origin: str = DEFAULT_ORIGIN
    hosts: frozenset[tuple[str, str]] = frozenset()  # (country, ISIC section), "" if unknown
    exit: str = UNKNOWN
    indicators: frozenset[tuple[str, str]] = frozenset()  # (stage, indicator)
    vetting_months: float | None = None
    contract_months: float | None = None
    exit_months: float | None = None


def host_label(country: str, sector: str) -> str:
    """A host node: country and sector ("RU·F"); either may be unknown ("RU·?", "?·F")."""
    return f"{country or '?'}·{sector or '?'}"


def host_country(label: str) -> str:
    """A host node's coarser node: its country alone ("RU·F" → "RU"), when the country is known."""
    country = label.split("·", 1)[0]
    return country if country and country != "?" else label


def journeys_from_events(
    events: Iterable[Mapping[str, Any]],
    indicators: Iterable[Mapping[str, Any]] = (),
    default_origin: str = DEFAULT_ORIGIN,
) -> list[Journey]:
    """One journey per testimony from event rows (any order) and indicator rows.

    An event row has `testimony_id`, `position`, `stage` and the fields of its stage
    (`channel`, `health_check`, `loyalty_check`, `bribe_paid`, `months_waited`, `country`,
    `sector`, `exit_kind`, `date_start`, `date_start_precision`, `date_end`,
    `date_end_precision`); an indicator row has `testimony_id`, `stage` and `indicator`.
    """
    by_testimony: dict[Hashable, list[Mapping[str, Any]]] = defaultdict(list)
    for row in events:
        by_testimony[row["testimony_id"]].append(row)
    found: dict[Hashable, set[tuple[str, str]]] = defaultdict(set)
    for row in indicators:
        found[row["testimony_id"]].add((row["stage"], row["indicator"]))
    return [
        _journey(
            t,
            sorted(rows, key=lambda r: r.get("position") or 0),
            found.get(t, set()),
            default_origin,
        )
        for t, rows in by_testimony.items()
    ]


def _journey(
    testimony: Hashable,
    rows: Sequence[Mapping[str, Any]],
    indicators: set[tuple[str, str]],
    default_origin: str,
) -> Journey:
    channel = UNKNOWN
    vetting = UNKNOWN
    origin = ""
    hosts: set[tuple[str, str]] = set()
    exit_kind = UNKNOWN
    vetting_months: float | None = None
    contract = 0.0
    contract_known = False
    first_deployment: dt.date | None = None
    exit_date: dt.date | None = None
    for row in rows:
        stage = row["stage"]
        if stage in ("recruitment", "vetting", "departure") and not origin:
            origin = row.get("country") or ""
        if stage == "recruitment" and row.get("channel") and channel == UNKNOWN:
            channel = row["channel"]
        elif stage == "vetting":
            vetting = _stronger_vetting(vetting, _vetting(row))
            waited = row.get("months_waited")
            span = _months(row)
            if waited is not None:
                vetting_months = (vetting_months or 0.0) + float(waited)
            elif span is not None:
                vetting_months = (vetting_months or 0.0) + span
        elif stage == "deployment":
            hosts.add((row.get("country") or "", row.get("sector") or ""))
            span = _months(row)
            if span is not None:
                contract += span
                contract_known = True
            start = row.get("date_start")
            if start is not None and (first_deployment is None or start < first_deployment):
                first_deployment = start
        elif stage == "exit" and row.get("exit_kind"):
            exit_kind = row["exit_kind"]
            exit_date = row.get("date_start") or row.get("date_end")
    exit_months = None
    if first_deployment is not None and exit_date is not None and exit_date >= first_deployment:
        exit_months = (exit_date - first_deployment).days / DAYS_PER_MONTH
    return Journey(
        testimony=testimony,
        channel=channel,
        vetting=vetting,
        origin=origin or default_origin,
        hosts=frozenset(hosts),
        exit=exit_kind,
        indicators=frozenset(indicators),
        vetting_months=vetting_months,
        contract_months=contract if contract_known else None,
        exit_months=exit_months,
    )


VETTING_RANKS = (UNKNOWN, "none", "checks", "bribe")  # rank → vetting, as `_vetting` orders them


# The columns of the rows `journeys_from_summaries` reads, in order (tuples: no dict per row).
SUMMARY_COLUMNS = (
    "testimony_id",
    "channel",
    "vetting_rank",
    "months_waited",
    "vetting_start",
    "vetting_end",
    "vetting_precision",
    "exit_kind",
    "exit_date",
    "origin",
)
DEPLOYMENT_COLUMNS = (
    "testimony_id",
    "country",
    "sector",
    "date_start",
    "date_start_precision",
    "date_end",
    "date_end_precision",
)


def journeys_from_summaries(
    summaries: Iterable[Sequence[Any]],
    deployments: Iterable[Sequence[Any]],
    default_origin: str = DEFAULT_ORIGIN,
) -> list[Journey]:
    """Journeys from one summary row per testimony and its deployment rows (a faster reading).

    A summary row holds `SUMMARY_COLUMNS` in order: `vetting_rank` is 0 unknown, 1 no checks,
    2 checks, 3 bribe (the strongest of its vetting events), `months_waited` their sum; a
    deployment row holds `DEPLOYMENT_COLUMNS`. Dates may be dates or ISO text. Indicators are
    counted apart (`IndicatorCounts`).
    """
    hosts: dict[Hashable, set[tuple[str, str]]] = defaultdict(set)
    contract: dict[Hashable, float] = {}
    first: dict[Hashable, dt.date] = {}
    for t, country, sector, raw_start, start_precision, raw_end, end_precision in deployments:
        hosts[t].add((country or "", sector or ""))
        start, end = _date(raw_start), _date(raw_end)
        span = _span(start, end, start_precision, end_precision)
        if span is not None:
            contract[t] = contract.get(t, 0.0) + span
        if start is not None and (t not in first or start < first[t]):
            first[t] = start
    out = []
    for (
        t,
        channel,
        vetting_rank,
        waited,
        vetting_start,
        vetting_end,
        vetting_precision,
        exit_kind,
        exit_date,
        origin,
    ) in summaries:
        vetting_months = float(waited) if waited is not None else None
        if vetting_months is None:
            vetting_months = _span(
                _date(vetting_start), _date(vetting_end), vetting_precision, vetting_precision
            )
        start, ended = first.get(t), _date(exit_date)
        out.append(
            Journey(
                testimony=t,
                channel=channel or UNKNOWN,
                vetting=VETTING_RANKS[vetting_rank or 0],
                origin=origin or default_origin,
                hosts=frozenset(hosts.get(t, ())),
                exit=exit_kind or UNKNOWN,
                vetting_months=vetting_months,
                contract_months=contract.get(t),
                exit_months=(ended - start).days / DAYS_PER_MONTH
                if start is not None and ended is not None and ended >= start
                else None,
            )
        )
    return out


@dataclass
class IndicatorCounts:
    """Testimonies per (stage, indicator), and how to count the union of some at a stage."""

    counts: dict[str, dict[str, int]]
    union: Callable[[str, set[str]], int]


_VETTING_ORDER = {UNKNOWN: 0, NO_CHECKS: 1, CHECKS: 2, BRIBE: 3}


def _vetting(row: Mapping[str, Any]) -> str:
    checks = (row.get("health_check"), row.get("loyalty_check"))
    bribe = row.get("bribe_paid")
    if bribe == "present":
        return BRIBE
    if "present" in checks:
        return CHECKS
    if bribe == "absent" and all(c == "absent" for c in checks):
        return NO_CHECKS
    return UNKNOWN


def _stronger_vetting(a: str, b: str) -> str:
    return a if _VETTING_ORDER[a] >= _VETTING_ORDER[b] else b


def _date(value: dt.date | str | None) -> dt.date | None:
    """A date, from a date or its ISO text (as a database may give it)."""
    if value is None or isinstance(value, dt.date):
        return value
    return _iso_date(value[:10])


# Partial dates repeat (a month is its first day): tens of thousands of rows, a few hundred dates.
_iso_date = lru_cache(maxsize=1 << 16)(dt.date.fromisoformat)


def _months(row: Mapping[str, Any]) -> float | None:
    """The span of an event in months; a date known only to the year counts in whole years."""
    return _span(
        _date(row.get("date_start")),
        _date(row.get("date_end")),
        row.get("date_start_precision"),
        row.get("date_end_precision"),
    )


def _span(
    start: dt.date | None, end: dt.date | None, start_precision: Any, end_precision: Any
) -> float | None:
    if start is None or end is None:
        return None
    if "year" in (start_precision, end_precision):
        return 12.0 * float(end.year - start.year)
    days: int = (end - start).days
    return days / DAYS_PER_MONTH


@dataclass
class IndicatorRow:
    """One indicator's testimonies at each stage."""

    indicator: str
    cells: dict[str, int | None]  # stage → testimonies (0: none; None: merged into "other")


@dataclass
class Flows:
    """Everything the flows page shows, already k-suppressed."""

    k: int
    testimonies: int
    sankey: list[Link]
    map: list[Link]
    indicator_rows: list[IndicatorRow]
    indicator_other: dict[str, int | None]  # stage → "other" testimonies (None: withheld)
    indicator_stages: list[str]
    durations: dict[str, list[Bin]]
    durations_unknown: dict[str, int]
    report: Report
    withheld: bool = False  # fewer than k testimonies in all: nothing is shown
    extras: dict[str, Any] = field(default_factory=dict)


def compute_flows(
    journeys: Sequence[Journey], k: int = DEFAULT_K, indicators: IndicatorCounts | None = None
) -> Flows:
    """Everything the flows page shows, k-suppressed, from journeys the reader may read."""
    k = checked_k(k)
    report = Report(k)
    if len(journeys) < k:
        return Flows(
            k=k,
            testimonies=0,
            sankey=[],
            map=[],
            indicator_rows=[],
            indicator_other={},
            indicator_stages=[],
            durations={},
            durations_unknown={},
            report=report,
            withheld=bool(journeys),
        )
    # Journeys are counted by shape first: thousands share a few hundred shapes, and a path of
    # frozensets is built (and hashed) once per shape rather than once per testimony.
    shapes = Counter((j.channel, j.vetting, j.hosts, j.exit, j.origin) for j in journeys)
    sankey_paths: Counter[Path] = Counter()
    map_paths: Counter[Path] = Counter()
    for (channel, vetting, hosts, exit_, origin), n in shapes.items():
        sankey_paths[
            (
                frozenset({channel}),
                frozenset({vetting}),
                frozenset(host_label(c, s) for c, s in hosts) or frozenset({UNKNOWN}),
                frozenset({exit_}),
            )
        ] += n
        countries = frozenset(c for c, _ in hosts if c)
        if countries:
            map_paths[(frozenset({origin}), countries)] += n
    sankey = staged_links(
        sankey_paths, SANKEY_STAGES, k, report, "sankey", coarser={"host": host_country}
    )
    flow_map = staged_links(map_paths, MAP_STAGES, k, report, "map")
    rows, other, stages = _indicators(journeys, k, report, indicators)
    durations: dict[str, list[Bin]] = {}
    unknown: dict[str, int] = {}
    for name, values in (
        ("vetting", [j.vetting_months for j in journeys]),
        ("contract", [j.contract_months for j in journeys]),
        ("exit", [j.exit_months for j in journeys]),
    ):
        durations[name], unknown[name] = suppressed_histogram(
            values, EDGES_BY_DURATION[name], k, report, name
        )
    return Flows(
        k=k,
        testimonies=len(journeys),
        sankey=sankey,
        map=flow_map,
        indicator_rows=rows,
        indicator_other=other,
        indicator_stages=stages,
        durations=durations,
        durations_unknown=unknown,
        report=report,
    )


def _indicators(
    journeys: Sequence[Journey], k: int, report: Report, given: IndicatorCounts | None
) -> tuple[list[IndicatorRow], dict[str, int | None], list[str]]:
    """Per stage, how many testimonies found each indicator there (a column each)."""
    if given is None:
        members: dict[str, dict[str, set[Hashable]]] = defaultdict(lambda: defaultdict(set))
        for j in journeys:
            for stage, indicator in j.indicators:
                members[stage][indicator].add(j.testimony)
        counts = {s: {i: len(ids) for i, ids in m.items()} for s, m in members.items()}
        columns_of: Callable[[str], Column] = lambda s: suppressed_column(  # noqa: E731
            members[s], k, report, "indicators", s
        )
    else:
        counts = given.counts
        columns_of = lambda s: suppressed_counts(  # noqa: E731
            counts[s], lambda labels: given.union(s, labels), k, report, "indicators", s
        )
    stages = [s for s in INDICATOR_STAGES if s in counts] + sorted(
        s for s in counts if s not in INDICATOR_STAGES
    )
    columns = {s: columns_of(s) for s in stages}
    names = sorted({i for s in stages for i in counts[s]})
    rows = []
    for name in names:
        cells: dict[str, int | None] = {}
        for s in stages:
            column = columns[s]
            cells[s] = None if name in column.merged else column.cells.get(name, 0)
        if any(v != 0 for v in cells.values()):
            rows.append(IndicatorRow(name, cells))
    rows.sort(key=lambda r: -sum(v or 0 for v in r.cells.values()))
    other = {s: columns[s].other for s in stages if columns[s].merged}
    return rows, other, stages


__all__ = [
    "BRIBE",
    "CHECKS",
    "DEFAULT_K",
    "NO_CHECKS",
    "OTHER",
    "UNKNOWN",
    "Flows",
    "IndicatorCounts",
    "Journey",
    "compute_flows",
    "host_label",
    "journeys_from_events",
    "journeys_from_summaries",
]
