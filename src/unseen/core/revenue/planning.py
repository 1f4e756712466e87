"""From sourced rows to the cells of one year, so that nothing is silent.

Which rows count, how overlapping rows combine, which blanks take defaults, and every exclusion,
default and note.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from unseen.core.places import WORLD, country_name
from unseen.core.revenue.defaults import DEFAULTS, Default, DefaultTable
from unseen.core.revenue.distributions import Spec, by_family
from unseen.core.revenue.inputs import (
    CONFIDENCE_RANK,
    FAMILIES,
    FAMILY_LABELS,
    InputRow,
    Range,
    RevenueError,
)

COMBINE = ("pooled", "widest", "most-reliable")
DEFAULT_COMBINE = "pooled"


@dataclass(frozen=True)
class Cell:
    """One host × sector of the year: the rows it rests on and its four inputs."""

    key: str  # ISO 3166 alpha-2, or WORLD for the worldwide comparison / aggregate scenarios
    name: str
    sector: str
    rows: tuple[str, ...]
    inputs: Mapping[str, Spec]

    def at(self, values: Mapping[str, float]) -> float:
        """Revenue with each input at a given value (families not given at their median)."""
        product = 1.0
        for family in FAMILIES:
            value = values.get(family)
            product *= self.inputs[family].quantile(0.5) if value is None else value
        return product

    def mean(self) -> float:
        """E[N W s m] = product of the means, since the inputs are drawn independently."""
        return math.prod(self.inputs[family].mean() for family in FAMILIES)


@dataclass(frozen=True)
class Exclusion:
    """Rows left out of a plan, with the host country, sector and reason."""

    rows: tuple[str, ...]
    host: str
    sector: str
    reason: str

    def text(self) -> str:
        """The exclusion as one line of the report."""
        return f"{', '.join(self.rows)} ({self.host}, {self.sector}): {self.reason}"


@dataclass(frozen=True)
class DefaultUse:
    """A blank input filled with a default range, and where the default comes from."""

    key: str
    name: str
    sector: str
    family: str
    default: Default

    def text(self) -> str:
        """The default used, as one line of the report."""
        return (
            f"{self.name} ({self.sector}): {FAMILY_LABELS[self.family]} "
            f"{self.default.range.text(self.family)} — {self.default.source}"
        )


@dataclass(frozen=True)
class Plan:
    """What goes into a run: the cells, the worldwide comparison, and what was left out or filled."""

    year: int
    combine: str
    cells: tuple[Cell, ...]
    world: Cell | None
    excluded: tuple[Exclusion, ...]
    defaults_used: tuple[DefaultUse, ...]
    notes: tuple[str, ...]
    distributions: Mapping[str, str]
    include_proxies: bool
    borrow_years: int


def combine_ranges(
    family: str, rows: Sequence[InputRow], policy: str, distribution: str
) -> Spec | None:
    """The spec of one input from the rows that report it, under a combination policy.

    Returns None when no row reports the input.

    Raises:
        RevenueError: on an unknown policy.
    """
    reporting = [row for row in rows if row.get(family) is not None]
    if not reporting:
        return None
    refs = ", ".join(row.ref for row in reporting)

    def envelope(chosen: Sequence[InputRow]) -> Range:
        ranges = [row.get(family) for row in chosen]
        return Range(min(r.low for r in ranges if r), max(r.high for r in ranges if r))

    if len(reporting) == 1:
        only = reporting[0].get(family)
        assert only is not None
        return Spec(family, (only,), distribution, refs)
    if policy == "widest":
        return Spec(family, (envelope(reporting),), distribution, f"{refs} (widest)")
    if policy == "most-reliable":
        best = min(CONFIDENCE_RANK[row.confidence] for row in reporting)
        chosen = [row for row in reporting if CONFIDENCE_RANK[row.confidence] == best]
        origin = f"{', '.join(row.ref for row in chosen)} (most reliable: {chosen[0].confidence})"
        return Spec(family, (envelope(chosen),), distribution, origin)
    if policy == "pooled":
        ranges = tuple(row.get(family) for row in reporting)
        return Spec(family, ranges, distribution, f"{refs} (pooled)")  # type: ignore[arg-type]
    raise RevenueError(f"unknown combination policy {policy!r}; choose {', '.join(COMBINE)}")


def _group(rows: Sequence[InputRow]) -> list[tuple[str, list[InputRow]]]:
    """Cells of one country-year: one per sector, or one for all when a row is "mixed"."""
    if any(row.whole_country for row in rows):
        sectors = sorted({row.sector for row in rows})
        label = sectors[0] if len(sectors) == 1 else "all sectors: " + "; ".join(sectors)
        return [(label, list(rows))]
    by_sector: dict[str, list[InputRow]] = {}
    for row in rows:
        by_sector.setdefault(row.sector.strip().lower(), []).append(row)
    return [(group[0].sector, group) for _key, group in sorted(by_sector.items())]


def plan(
    rows: Sequence[InputRow],
    year: int | None = None,
    *,
    combine: str = DEFAULT_COMBINE,
    include_proxies: bool = False,
    distributions: str | Mapping[str, str] | None = None,
    defaults: DefaultTable = DEFAULTS,
    borrow_years: int = 0,
) -> Plan:
    """Decide the cells of one year from sourced rows, recording every exclusion and default.

    Args:
        rows: the sourced estimates (any years; only `year`'s are used).
        year: the year to estimate; None takes the latest year with a country headcount.
        combine: how rows reporting the same input of one cell combine (`COMBINE`).
        include_proxies: count entries and planned dispatches as workers (not advised).
        distributions: one name from `DISTRIBUTIONS` for every input, or a name per family.
        defaults: the ranges used where a wage, share or months is blank.
        borrow_years: when a country has rows in `year` but no headcount, borrow the whole-country
            ("mixed") headcounts of the nearest year within this many years (0: never).

    Raises:
        RevenueError: when no country has a headcount in the year, or on an unknown option.
    """
    if combine not in COMBINE:
        raise RevenueError(f"unknown combination policy {combine!r}; choose {', '.join(COMBINE)}")
    chosen = by_family(distributions)
    counted = [row for row in rows if include_proxies or not row.is_proxy]
    with_headcount = sorted(
        {row.year for row in counted if row.host.country and row.workers is not None}
    )
    if year is None:
        if not with_headcount:
            raise RevenueError("no row gives a country headcount")
        year = with_headcount[-1]
    if year not in with_headcount:
        listed = ", ".join(str(y) for y in with_headcount) or "none"
        raise RevenueError(f"no country headcount for {year}; years with one: {listed}")

    excluded: list[Exclusion] = []
    notes: list[str] = []
    by_country: dict[str, list[InputRow]] = {}
    world_rows: list[InputRow] = []
    for row in rows:
        if row.year != year:
            continue
        if row.is_proxy and not include_proxies:
            excluded.append(
                Exclusion(
                    (row.ref,), row.host.label, row.sector, "proxy (entries or plans), not workers"
                )
            )
        elif row.host.region == WORLD:
            world_rows.append(row)
        elif row.host.region:
            excluded.append(
                Exclusion(
                    (row.ref,),
                    row.host.label,
                    row.sector,
                    "region row: covers several countries; country rows make the total",
                )
            )
        else:
            by_country.setdefault(row.host.country, []).append(row)
        if row.is_proxy and include_proxies:
            notes.append(f"{row.ref}: proxy counted as workers (--include-proxies)")

    if borrow_years > 0:
        for country, country_rows in by_country.items():
            if any(row.workers is not None for row in country_rows):
                continue
            borrowed = _borrow(rows, country, year, borrow_years, include_proxies)
            for row in borrowed:
                notes.append(
                    f"{row.ref}: {row.host.label} {row.year} headcount borrowed for {year} "
                    f"(no headcount in {year}; --borrow-years {borrow_years})"
                )
            # Borrowed rows are whole-country, so the country becomes one cell (see _group).
            country_rows.extend(replace(row, year=year) for row in borrowed)

    defaults_used: list[DefaultUse] = []
    built: list[Cell] = []
    for country in sorted(by_country):
        name = country_name(country)
        for sector, group in _group(by_country[country]):
            cell, used = _cell(country, name, sector, group, combine, chosen, defaults)
            if cell is None:
                excluded.append(
                    Exclusion(
                        tuple(row.ref for row in group), name, sector, "no headcount reported"
                    )
                )
                continue
            notes.extend(note for row in group for note in row.notes)
            built.append(cell)
            defaults_used.extend(used)

    world = None
    if world_rows:
        world, used = _cell(WORLD, WORLD, "worldwide rows", world_rows, combine, chosen, defaults)
        defaults_used.extend(used)
        if world is not None:
            notes.extend(note for row in world_rows for note in row.notes)
        if world is None:
            excluded.append(
                Exclusion(
                    tuple(row.ref for row in world_rows),
                    WORLD,
                    "worldwide rows",
                    "no worldwide headcount: no comparison",
                )
            )
    return Plan(
        year=year,
        combine=combine,
        cells=tuple(built),
        world=world,
        excluded=tuple(excluded),
        defaults_used=tuple(defaults_used),
        notes=tuple(dict.fromkeys(notes)),
        distributions=chosen,
        include_proxies=include_proxies,
        borrow_years=borrow_years,
    )


def _borrow(
    rows: Sequence[InputRow], country: str, year: int, window: int, include_proxies: bool
) -> list[InputRow]:
    candidates = [
        row
        for row in rows
        if row.host.country == country
        and row.whole_country
        and row.workers is not None
        and (include_proxies or not row.is_proxy)
        and 0 < abs(row.year - year) <= window
    ]
    if not candidates:
        return []
    nearest = min(abs(row.year - year) for row in candidates)
    return [row for row in candidates if abs(row.year - year) == nearest]


def _cell(
    key: str,
    name: str,
    sector: str,
    group: Sequence[InputRow],
    combine: str,
    distributions: Mapping[str, str],
    defaults: DefaultTable,
) -> tuple[Cell | None, list[DefaultUse]]:
    inputs: dict[str, Spec] = {}
    used: list[DefaultUse] = []
    for family in FAMILIES:
        spec = combine_ranges(family, group, combine, distributions[family])
        if spec is None:
            if family == "workers":
                return None, []
            default = defaults.lookup(family, key, sector)
            spec = Spec(family, (default.range,), distributions[family], "default", default=True)
            # 12 months is the model's convention, not a filled-in figure; list the rest.
            if not (family == "months" and default.range.point):
                used.append(DefaultUse(key, name, sector, family, default))
        inputs[family] = spec
    return Cell(key, name, sector, tuple(row.ref for row in group), inputs), used
