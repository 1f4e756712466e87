"""What the North Korean state earns from workers it sends abroad: a Monte Carlo model over
sourced ranges (issue 5; the method is written up in docs/methods/revenue.md).

Revenue to the state in one year is R = Σ over cells of N × W × s × m, where a *cell* is a host
country × sector (× the chosen year) and

* N (``workers``) is the stock of workers,
* W (``wage``) the gross monthly pay of one worker in USD,
* s (``share``) the fraction of gross pay that never reaches the worker (state, dispatching
  company and minders together, as the sources rarely separate them: nk-facts.md §0),
* m (``months``) the paid months in a year.

Every input is a range [low, high] drawn independently in each of D draws; by-country draws are
sums of their cells' draws and the total draw is the sum of the country draws, draw by draw, so
the country distributions and the total are always consistent.

The rules the model applies to the sourced table, each reported back to the user (nothing is
filled in silently):

* **Distribution.** Uniform between low and high by default (the sources give ranges, not modes;
  uniform is the least committal choice with those ends). ``triangular`` (mode at the midpoint)
  or ``log-uniform`` (equal weight per order of magnitude, for headcounts that differ by
  factors) can be chosen for all inputs or per family. A range with low == high is a point.
* **One-sided ranges.** A range with only one end ("at least 50,000", "up to 1,500") is taken as
  a point at the given end; every such reading is listed in the notes.
* **Blanks.** A cell with no headcount is left out of the total and listed (a headcount is never
  invented). A blank wage, share or months takes a default range with its source
  (`DEFAULTS`), and every default used is listed.
* **Proxies.** Rows whose sector starts with ``entries`` or ``planned`` count border entries or
  announced plans, not workers: left out unless ``include_proxies``.
* **Regions.** Totals are built from country rows only. Worldwide rows ("ALL"/"World") are run
  through the same model as an external comparison and never added; other regions ("Southeast
  Asia", "Qatar/UAE") are left out and listed, as they would double-count country rows.
* **Sectors.** Different sectors of one country and year are different workers and add up,
  except that a sector starting with ``mixed`` describes the whole country: then every row of
  that country and year is one cell, its rows being alternative estimates of the same workers.
* **Overlaps.** Where several rows report the same input of one cell the `COMBINE` policy
  decides, input by input: ``pooled`` (the default: each draw picks one of the rows at random,
  with equal weight, and draws from that row's range, a mixture that keeps each source's own
  range), ``widest`` (the envelope of the rows' ranges) or ``most-reliable`` (the rows of the
  highest confidence only, their envelope if several tie).

The functions are pure: plain dataclasses in, plain dataclasses and numpy arrays out; the same
seed gives the same numbers (numpy's PCG64 `Generator`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from unseen.core import cells, schemas
from unseen.core.places import WORLD, Host, country_name
from unseen.core.tables import (
    CellError,
    Column,
    Limits,
    Schema,
    TableError,
    read_table,
    validate,
)

FAMILIES = ("workers", "wage", "share", "months")
FAMILY_LABELS = {
    "workers": "workers",
    "wage": "gross monthly wage (USD)",
    "share": "share withheld",
    "months": "paid months a year",
}
DISTRIBUTIONS = ("uniform", "triangular", "log-uniform")
DEFAULT_DISTRIBUTION = "uniform"
COMBINE = ("pooled", "widest", "most-reliable")
DEFAULT_COMBINE = "pooled"
DEFAULT_DRAWS = 100_000
DEFAULT_SEED = 1234
CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
# Physical limits: no more than all of the pay can be withheld, no more than 12 months paid.
CAPS = {"workers": math.inf, "wage": math.inf, "share": 1.0, "months": 12.0}


class RevenueError(ValueError):
    """The inputs cannot give an estimate (e.g. no country headcount for the year asked)."""


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """A closed interval [low, high] of one input, both ends finite and 0 ≤ low ≤ high.

    Raises:
        ValueError: on a negative, non-finite or reversed range.
    """

    low: float
    high: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError(f"range {self.low}–{self.high} is not finite")
        if self.low < 0:
            raise ValueError(f"{self.low} is negative")
        if self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")

    @property
    def point(self) -> bool:
        return self.low == self.high

    def text(self, family: str = "") -> str:
        def one(value: float) -> str:
            if family == "share":
                return f"{value:.3g}"
            return f"{value:,.0f}" if value >= 100 else f"{value:g}"

        return one(self.low) if self.point else f"{one(self.low)}–{one(self.high)}"


@dataclass(frozen=True)
class InputRow:
    """One sourced estimate: the columns of nk-deployments.csv, read as ranges.

    ``row`` is the spreadsheet row (header = 1) or a record id; ``label`` names it in reports
    ("row 12", "deployment 7"). A blank input is None. ``notes`` say how a one-sided range was read.
    """

    row: int
    host: Host
    year: int
    sector: str
    workers: Range | None = None
    wage: Range | None = None
    share: Range | None = None
    months: Range | None = None
    source: str = ""
    confidence: str = "medium"
    label: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.share is not None and self.share.high > 1:
            raise ValueError(f"share {self.share.high} is above 1")
        if self.months is not None and self.months.high > 12:
            raise ValueError(f"months {self.months.high} is above 12")
        if self.confidence not in CONFIDENCE_RANK:
            raise ValueError(f"confidence {self.confidence!r} is not high, medium or low")

    @property
    def ref(self) -> str:
        return self.label or f"row {self.row}"

    @property
    def is_proxy(self) -> bool:
        return schemas.is_proxy_sector(self.sector)

    @property
    def whole_country(self) -> bool:
        """A "mixed" sector describes all of a country's workers, not one sector's."""
        return self.sector.strip().lower().startswith("mixed")

    def get(self, family: str) -> Range | None:
        value: Range | None = getattr(self, family)
        return value


def one_sided(
    low: float | None, high: float | None, family: str, ref: str
) -> tuple[Range | None, str]:
    """Read a possibly one-sided range: a lone end becomes a point there, with a note saying so."""
    if low is None and high is None:
        return None, ""
    if low is None:
        assert high is not None
        return Range(high, high), f"{ref}: {family} has only a high end ({high:g}); read as a point"
    if high is None:
        return Range(low, low), f"{ref}: {family} has only a low end ({low:g}); read as a point"
    return Range(low, high), ""


def row_from_fields(
    row: int,
    host: Host,
    year: int,
    sector: str,
    values: Mapping[str, tuple[float | None, float | None]],
    *,
    source: str = "",
    confidence: str = "medium",
    label: str = "",
) -> InputRow:
    """Build an `InputRow` from (low, high) pairs per family, either end possibly blank."""
    ref = label or f"row {row}"
    ranges: dict[str, Range | None] = {}
    notes = []
    for family in FAMILIES:
        low, high = values.get(family, (None, None))
        ranges[family], note = one_sided(
            None if low is None else float(low), None if high is None else float(high), family, ref
        )
        if note:
            notes.append(note)
    return InputRow(
        row=row,
        host=host,
        year=year,
        sector=sector,
        source=source,
        confidence=confidence,
        label=label,
        notes=tuple(notes),
        **ranges,
    )


def _months(text: str) -> Any:
    value = cells.amount(text)
    if value > 12:
        raise ValueError(f"{value} months is more than a year")
    return value


# The access levels the platform knows (accounts.AccessLevel); a file may carry the column.
_VOCABULARY = schemas.Vocabulary(
    access_levels=("public", "internal", "confidential"),
    source_kinds=(),
    reliabilities=(),
    site_kinds=(),
    organisation_kinds=(),
    coordinate_precisions=(),
    sexes=(),
)


def input_schema() -> Schema:
    """The deployments schema (docs/design.md §5) plus two optional columns, ``months_low/high``."""
    base = schemas.deployments(_VOCABULARY)
    return Schema(
        "revenue inputs",
        (*base.columns, Column("months_low", _months), Column("months_high", _months)),
        (*base.row_checks, cells.ordered("months_low", "months_high")),
    )


def read_inputs(path: Path, limits: Limits | None = None) -> list[InputRow]:
    """Read and check a file with the columns of nk-deployments.csv; one beyond `limits` is
    refused before it is read (`core.tables.Limits`).

    Raises:
        TableError: listing every bad cell (row, column, reason): a low above its high, a share
            outside 0–1, a negative wage, an unknown column, a blank required cell, ...
    """
    table = read_table(path, limits)
    parsed, errors = validate(table, input_schema())
    if errors:
        raise TableError(errors)
    rows = []
    for number, row in parsed:
        try:
            rows.append(
                row_from_fields(
                    number,
                    row["host_country"],
                    row["year"],
                    row["sector"],
                    {
                        "workers": (row["workers_low"], row["workers_high"]),
                        "wage": (row["monthly_wage_usd_low"], row["monthly_wage_usd_high"]),
                        "share": (row["state_share_low"], row["state_share_high"]),
                        "months": (row["months_low"], row["months_high"]),
                    },
                    source=row["source"],
                    confidence=row["confidence"],
                )
            )
        except ValueError as error:  # the schema's checks should have caught it; belt and braces
            errors.append(CellError(number, "", str(error)))
    if errors:
        raise TableError(errors)
    return rows


# --- defaults for blank inputs ----------------------------------------------------------------


@dataclass(frozen=True)
class Default:
    """A range used where the sources are silent, with where it comes from."""

    range: Range
    source: str


GULF = ("KW", "QA", "AE", "OM", "BH", "SA")
_WAGE_GLOBAL = Default(
    Range(300, 1000),
    "US State Department via AFP/Taipei Times 2017-12-04: $300–1,000/month (nk-facts §3.1)",
)
_SHARE_GLOBAL = Default(
    Range(0.5, 0.9),
    "0.5–0.9 in most sources; State Dept 0.7–0.9, host officials ~0.5 (nk-facts §7)",
)
_MONTHS_YEAR = Default(Range(12, 12), "12 paid months for construction and factories (nk-facts §7)")
_MONTHS_LOGGING = Default(
    Range(6, 12),
    "logging has an official off-season of about six months (Daily NK, nk-facts §7)",
)


@dataclass(frozen=True)
class DefaultTable:
    """Default ranges for blank wages, shares and months, by country where the sources allow."""

    wage: Mapping[str, Default]
    share: Mapping[str, Default]
    wage_global: Default = _WAGE_GLOBAL
    share_global: Default = _SHARE_GLOBAL

    def lookup(self, family: str, country: str, sector: str) -> Default:
        if family == "wage":
            return self.wage.get(country, self.wage_global)
        if family == "share":
            return self.share.get(country, self.share_global)
        if family == "months":
            return _MONTHS_LOGGING if sector.strip().lower().startswith("logging") else _MONTHS_YEAR
        raise RevenueError(f"no default for {family}: a headcount is never invented")


_GULF_WAGE = Default(
    Range(300, 1000),
    "Gulf: $300–500 (UAE, Chosun Ilbo 2009) to ~$1,000 (AP 2017-07-28) (nk-facts §3.1)",
)
_GULF_SHARE = Default(
    Range(0.5, 0.8),
    "Gulf: ~0.5 to the state proper, 0.8 in all deductions (AP 2017-07-28, nk-facts §3.1)",
)
DEFAULTS = DefaultTable(
    wage={
        "RU": Default(
            Range(500, 1000),
            "Russia: ~$500 (Amb. Matsegora 2018, an interested party) to $800–1,000 "
            "(Daily NK ~2015, construction; NIS 2024 ~$800) (nk-facts §3.1)",
        ),
        "CN": Default(
            Range(126, 300),
            "China: ~$126 contracted in seafood (RFA 2015) to $300 in garment "
            "(Washington Post 2016) (nk-facts §3.1)",
        ),
        "MN": Default(Range(600, 700), "Mongolia: $600–700 (Yonhap 2013-07-02, nk-facts §3.1)"),
        **dict.fromkeys(GULF, _GULF_WAGE),
    },
    share={
        "CN": Default(
            Range(0.625, 0.7),
            "China: ≥62.5% (RFA 2015 seafood), two-thirds (Washington Post 2016), "
            "'as much as 70%' (AP 2017) (nk-facts §3.1)",
        ),
        **dict.fromkeys(GULF, _GULF_SHARE),
    },
)


# --- specs and cells ----------------------------------------------------------------------------


def _transform(distribution: str, low: Any, high: Any, u: Any) -> Any:
    """Map uniform(0, 1) numbers u onto [low, high] by the inverse CDF (vectorised)."""
    if distribution == "uniform":
        # In place: at a million draws, temporaries cost more than the arithmetic.
        u *= high - low
        u += low
        return u
    if distribution == "triangular":  # symmetric: mode at the midpoint
        width = high - low
        return np.where(u < 0.5, low + width * np.sqrt(u / 2), high - width * np.sqrt((1 - u) / 2))
    if distribution == "log-uniform":
        # A range starting at 0 has no log-uniform distribution; it falls back to uniform.
        safe_low = np.where(low > 0, low, 1.0)
        safe_high = np.where(low > 0, high, 1.0)
        logged = np.exp(np.log(safe_low) + (np.log(safe_high) - np.log(safe_low)) * u)
        return np.where(low > 0, logged, low + (high - low) * u)
    raise ValueError(f"unknown distribution {distribution!r}; choose from {DISTRIBUTIONS}")


def _cdf(distribution: str, low: float, high: float, x: float) -> float:
    if x < low:
        return 0.0
    if x >= high:
        return 1.0
    if distribution == "triangular":
        mid, width = (low + high) / 2, high - low
        if x <= mid:
            return 2 * ((x - low) / width) ** 2
        return 1 - 2 * ((high - x) / width) ** 2
    if distribution == "log-uniform" and low > 0:
        return math.log(x / low) / math.log(high / low)
    return (x - low) / (high - low)


@dataclass(frozen=True)
class Spec:
    """One input of one cell: a distribution over one range, or a mixture of ranges (pooled).

    A mixture gives each range the same weight: each draw picks one range, then a value in it.
    """

    family: str
    ranges: tuple[Range, ...]
    distribution: str = DEFAULT_DISTRIBUTION
    origin: str = ""
    default: bool = False

    def __post_init__(self) -> None:
        if not self.ranges:
            raise ValueError("a spec needs at least one range")
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(f"unknown distribution {self.distribution!r}")

    @property
    def low(self) -> float:
        return min(r.low for r in self.ranges)

    @property
    def high(self) -> float:
        return max(r.high for r in self.ranges)

    @property
    def point(self) -> bool:
        return self.low == self.high

    def sample(
        self, rng: np.random.Generator, n: int, out: np.ndarray | None = None
    ) -> float | np.ndarray:
        """n draws (into `out` if given), or the value itself when the spec is a point.

        A point draws no random numbers (it broadcasts, and costs nothing), so adding a point
        input leaves the other draws as they were.
        """
        if self.point:
            return self.low
        if len(self.ranges) == 1:
            (only,) = self.ranges
            # Filling a reused buffer avoids the page faults of a fresh 8 MB array per input.
            u = rng.random(n, out=out) if out is not None else rng.random(n)
            return _transform(self.distribution, only.low, only.high, u)
        # One uniform per draw picks the range and the place in it: with u·k = c + v, the
        # integer part c is the range (each with probability 1/k) and v is again uniform on
        # [0, 1) and independent of c. Half the random numbers and no index draws.
        k = len(self.ranges)
        u = rng.random(n, out=out) if out is not None else rng.random(n)
        u *= k
        pick = u.astype(np.intp)
        np.minimum(pick, k - 1, out=pick)  # u·k may round up to k
        u -= pick
        lows = np.array([r.low for r in self.ranges])
        highs = np.array([r.high for r in self.ranges])
        # Point components in a mixture: high - low = 0 gives the point whatever v is.
        if self.distribution == "uniform":
            u *= np.take(highs - lows, pick)
            u += np.take(lows, pick)
            return u
        return _transform(self.distribution, np.take(lows, pick), np.take(highs, pick), u)

    def cdf(self, x: float) -> float:
        total = 0.0
        for r in self.ranges:
            total += (
                (1.0 if x >= r.low else 0.0)
                if r.point
                else _cdf(self.distribution, r.low, r.high, x)
            )
        return total / len(self.ranges)

    def quantile(self, q: float) -> float:
        """The q-quantile, exactly (bisection on the mixture's CDF; no sampling)."""
        low, high = self.low, self.high
        if low == high:
            return low
        for _ in range(100):
            mid = (low + high) / 2
            if self.cdf(mid) < q:
                low = mid
            else:
                high = mid
        return (low + high) / 2

    def mean(self) -> float:
        def one(r: Range) -> float:
            if r.point or self.distribution in ("uniform", "triangular"):
                return (r.low + r.high) / 2
            if r.low > 0:  # log-uniform
                return (r.high - r.low) / math.log(r.high / r.low)
            return (r.low + r.high) / 2

        return sum(one(r) for r in self.ranges) / len(self.ranges)

    def text(self) -> str:
        ranges = " | ".join(r.text(self.family) for r in self.ranges)
        return ranges if len(self.ranges) == 1 else f"pooled {{{ranges}}}"


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
    rows: tuple[str, ...]
    host: str
    sector: str
    reason: str

    def text(self) -> str:
        return f"{', '.join(self.rows)} ({self.host}, {self.sector}): {self.reason}"


@dataclass(frozen=True)
class DefaultUse:
    key: str
    name: str
    sector: str
    family: str
    default: Default

    def text(self) -> str:
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


def _distributions(choice: str | Mapping[str, str] | None) -> dict[str, str]:
    if choice is None:
        return dict.fromkeys(FAMILIES, DEFAULT_DISTRIBUTION)
    if isinstance(choice, str):
        chosen = dict.fromkeys(FAMILIES, choice)
    else:
        unknown = set(choice) - set(FAMILIES)
        if unknown:
            raise RevenueError(f"unknown input {sorted(unknown)}; inputs are {', '.join(FAMILIES)}")
        chosen = {family: choice.get(family, DEFAULT_DISTRIBUTION) for family in FAMILIES}
    for name in chosen.values():
        if name not in DISTRIBUTIONS:
            raise RevenueError(f"unknown distribution {name!r}; choose {', '.join(DISTRIBUTIONS)}")
    return chosen


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
    chosen = _distributions(distributions)
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


# --- simulation -------------------------------------------------------------------------------------


def quantiles(
    draws: np.ndarray, qs: Sequence[float], scratch: np.ndarray | None = None
) -> list[float]:
    """The same numbers as ``np.quantile(draws, qs)`` (linear interpolation), about 3× faster.

    numpy partitions the whole array around every index it needs; here each partition works on
    the part left over by the previous one, and the neighbour that interpolation needs is a min
    of the part to its right. At a million draws the summaries otherwise cost more than the draws.
    """
    n = draws.size
    if n == 0:
        raise ValueError("no draws")
    if scratch is None or scratch.shape != draws.shape:
        scratch = np.empty(n)
    np.copyto(scratch, draws)  # partitioned in place; `draws` stay in draw order
    positions = [(n - 1) * q for q in qs]
    floors = sorted({min(math.floor(h), n - 1) for h in positions})
    bounds: list[tuple[int, int, list[int]]] = [(0, n, floors)]
    while bounds:
        lo, hi, wanted = bounds.pop()
        if not wanted:
            continue
        k = wanted[len(wanted) // 2]
        scratch[lo:hi].partition(k - lo)
        bounds.append((lo, k, [w for w in wanted if w < k]))
        bounds.append((k + 1, hi, [w for w in wanted if w > k]))
    results = []
    for h in positions:
        k = min(math.floor(h), n - 1)
        below = float(scratch[k])
        if h == k or k + 1 >= n:
            results.append(below)
            continue
        # After the partitions everything right of k is ≥ scratch[k]; the next order statistic
        # is the smallest of them up to the next partition point (or the end).
        nxt = next((f for f in floors if f > k), n)
        above = float(scratch[k + 1]) if nxt == k + 1 else float(scratch[k + 1 : nxt].min())
        results.append(below + (h - k) * (above - below))
    return results


@dataclass(frozen=True)
class Summary:
    mean: float
    p05: float
    p50: float
    p95: float

    @classmethod
    def of(cls, draws: np.ndarray | float, scratch: np.ndarray | None = None) -> Summary:
        if isinstance(draws, float | int) or np.ndim(draws) == 0:
            value = float(draws)
            return cls(value, value, value, value)
        p05, p50, p95 = quantiles(draws, (0.05, 0.5, 0.95), scratch)
        return cls(float(np.mean(draws)), p05, p50, p95)

    def to_json(self) -> dict[str, float]:
        return {"mean": self.mean, "p05": self.p05, "p50": self.p50, "p95": self.p95}


@dataclass
class Revenue:
    """A finished run: the plan, and annual revenue to the state as draws (USD per year).

    ``by_country[k]`` are the draws of country k (the sum of its cells); ``total`` is the sum of
    the country draws in ``countries`` order, draw by draw. ``world`` (the worldwide rows run
    through the same model) is a comparison and is not part of ``total``.
    """

    plan: Plan
    draws: int
    seed: int
    countries: tuple[str, ...]
    by_country: dict[str, np.ndarray]
    total: np.ndarray
    world: np.ndarray | None
    _summaries: dict[str, Summary] = field(default_factory=dict, repr=False)
    _scratch: np.ndarray | None = field(default=None, repr=False)

    @property
    def year(self) -> int:
        return self.plan.year

    def summary(self, key: str = "total") -> Summary:
        """Mean and 5th/50th/95th percentiles of the total, a country, or "world"."""
        if key not in self._summaries:
            if key == "total":
                draws = self.total
            elif key == "world":
                if self.world is None:
                    raise KeyError("no worldwide comparison")
                draws = self.world
            else:
                draws = self.by_country[key]
            # A country of point inputs only is constant: skip the partitions.
            if draws[0] == draws[-1] and np.ptp(draws) == 0:
                self._summaries[key] = Summary.of(float(draws[0]))
            else:
                if self._scratch is None:
                    self._scratch = np.empty(self.draws)
                self._summaries[key] = Summary.of(draws, self._scratch)
        return self._summaries[key]

    @property
    def assumptions(self) -> str:
        return assumptions(self.plan, self.draws, self.seed)


def simulate_cells(
    cells: Sequence[Cell], draws: int, rng: np.random.Generator
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Draw every cell; return draws per key (cells of one key summed) and their sum, in order."""
    values: dict[str, float | np.ndarray] = {}
    product, scratch = np.empty(draws), np.empty(draws)  # reused by every cell
    for cell in cells:
        # Points multiply as a scalar; drawn inputs multiply into `product`, in place.
        scalar, drawn = 1.0, False
        for family in FAMILIES:
            spec = cell.inputs[family]
            if spec.point:
                scalar *= spec.low
                continue
            target = scratch if drawn else product
            value = spec.sample(rng, draws, out=target)
            if value is not target:
                target[...] = value
            if drawn:
                product *= scratch
            drawn = True
        before = values.get(cell.key)
        if not drawn:
            values[cell.key] = scalar if before is None else before + scalar
        elif isinstance(before, np.ndarray):
            product *= scalar
            before += product
        else:
            fresh = np.multiply(product, scalar)
            if before is not None:
                fresh += before
            values[cell.key] = fresh
    by_key = {
        key: value if isinstance(value, np.ndarray) else np.full(draws, value)
        for key, value in values.items()
    }
    total = np.zeros(draws)
    for key in by_key:
        total += by_key[key]
    return by_key, total


def simulate(
    rows: Sequence[InputRow] | Plan,
    year: int | None = None,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    **options: Any,
) -> Revenue:
    """Annual revenue to the state in `year`, by country and in total, as `draws` draws.

    Args:
        rows: sourced rows (planned with `plan(rows, year, **options)`), or a ready `Plan`.
        year: see `plan`.
        draws: how many draws (≥ 1).
        seed: the seed of numpy's Generator; the same seed gives the same numbers.
        **options: passed to `plan` (combine, include_proxies, distributions, borrow_years).

    Raises:
        RevenueError: see `plan`; also when draws < 1.
    """
    if draws < 1:
        raise RevenueError("draws must be at least 1")
    the_plan = rows if isinstance(rows, Plan) else plan(rows, year, **options)
    rng = np.random.default_rng(seed)
    by_country, total = simulate_cells(the_plan.cells, draws, rng)
    world = None
    if the_plan.world is not None:
        # Drawn after the countries, so adding worldwide rows leaves the country draws unchanged.
        world = simulate_cells([the_plan.world], draws, rng)[1]
    return Revenue(
        plan=the_plan,
        draws=draws,
        seed=seed,
        countries=tuple(by_country),
        by_country=by_country,
        total=total,
        world=world,
    )


def assumptions(the_plan: Plan, draws: int, seed: int) -> str:
    """The run's assumptions as text: model, distributions, policy, and what was left out or filled."""
    lines = [
        f"Revenue to the state in {the_plan.year} (USD/year) = Σ over host country × sector of "
        "workers × gross monthly wage × share withheld × paid months; "
        f"{draws:,} draws, seed {seed}; inputs drawn independently.",
        "Distributions: "
        + ", ".join(f"{family} {the_plan.distributions[family]}" for family in FAMILIES)
        + " between each range's low and high (a point where low = high).",
        f"Rows reporting the same input of one cell combined by '{the_plan.combine}'"
        + {
            "pooled": " (each draw picks one row's range, equal weights).",
            "widest": " (the envelope of their ranges).",
            "most-reliable": " (highest-confidence rows only; their envelope if several).",
        }[the_plan.combine],
        "Totals are built from country rows; worldwide rows are a separate comparison, never "
        "added; other region rows are left out.",
        "Proxies (entries, planned dispatches) "
        + ("COUNTED AS WORKERS." if the_plan.include_proxies else "left out of headcounts."),
        "A one-sided range is read as a point at its given end; a cell without a headcount is "
        "left out (headcounts are never filled in).",
    ]
    if the_plan.defaults_used:
        lines.append("Defaults used for blank inputs:")
        lines.extend(f"  - {use.text()}" for use in the_plan.defaults_used)
    else:
        lines.append("Defaults used for blank inputs: none.")
    if the_plan.excluded:
        lines.append("Left out:")
        lines.extend(f"  - {item.text()}" for item in the_plan.excluded)
    if the_plan.notes:
        lines.append("Notes:")
        lines.extend(f"  - {note}" for note in the_plan.notes)
    return "\n".join(lines)


# --- sensitivity: the tornado ---------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """The total with one input (in one country, or everywhere) at its low and at its high end,
    every other input at its median."""

    family: str
    country: str  # "" for the input everywhere at once
    name: str
    input_low: float | None  # None when several cells with different ranges swing together
    input_high: float | None
    total_low: float
    total_high: float

    @property
    def swing(self) -> float:
        return self.total_high - self.total_low

    def to_json(self) -> dict[str, Any]:
        return {
            "input": self.family,
            "country": self.country or None,
            "name": self.name,
            "input_low": self.input_low,
            "input_high": self.input_high,
            "total_low": self.total_low,
            "total_high": self.total_high,
            "swing": self.swing,
        }


@dataclass(frozen=True)
class Tornado:
    """Deterministic one-at-a-time sensitivity around the all-medians total, widest swing first."""

    base: float
    bars: tuple[Bar, ...]

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "bars": [bar.to_json() for bar in self.bars]}


def tornado(cells: Sequence[Cell]) -> Tornado:
    """Swing each input family low→high (its sourced range's ends; for a pooled input the ends of
    the envelope) with every other input at its median, first in every country at once, then one
    country at a time. The all-medians total is ``base``.
    """
    medians = [{f: cell.inputs[f].quantile(0.5) for f in FAMILIES} for cell in cells]
    base = sum(cell.at(m) for cell, m in zip(cells, medians, strict=True))
    bars: list[Bar] = []
    scopes: list[tuple[str, str]] = [("", "all countries")]
    scopes += sorted({(cell.key, cell.name) for cell in cells})
    for key, name in scopes:
        members = [i for i, cell in enumerate(cells) if not key or cell.key == key]
        if not members:
            continue
        for family in FAMILIES:
            low_total = high_total = base
            for i in members:
                cell, m = cells[i], medians[i]
                spec = cell.inputs[family]
                low_total += cell.at({**m, family: spec.low}) - cell.at(m)
                high_total += cell.at({**m, family: spec.high}) - cell.at(m)
            ends = {(cells[i].inputs[family].low, cells[i].inputs[family].high) for i in members}
            # One range swung: its ends; several different ranges swung together: no single pair.
            input_low, input_high = ends.pop() if len(ends) == 1 else (None, None)
            bars.append(Bar(family, key, name, input_low, input_high, low_total, high_total))
    bars.sort(key=lambda bar: (-bar.swing, bar.country, FAMILIES.index(bar.family)))
    return Tornado(base, tuple(bars))


# --- inverse questions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Required:
    """What it would take to reach `target` USD a year from these cells.

    * ``at_low``/``at_median``/``at_high``: the total with every input at its sourced low,
      median or high end;
    * ``one_input[f]``: the multiple of f's sourced upper bound needed (in every cell) with every
      other input at its upper bound, and whether it is possible at all (a share cannot pass 1,
      months cannot pass 12);
    * ``joint``: the one multiple k of every upper bound that reaches the target (share and months
      capped), and the multiple each input then carries;
    * ``grid``: the nk-facts §9 C table: for a headcount N and share s (12 months), the average
      gross monthly wage needed, as a multiple of the highest sourced wage, and the state's take
      per worker and year.
    """

    target: float
    at_low: float
    at_median: float
    at_high: float
    one_input: Mapping[str, Mapping[str, Any]]
    joint: Mapping[str, Any]
    grid: tuple[Mapping[str, float | None], ...]
    wage_high: float

    @property
    def within_ranges(self) -> bool:
        return self.at_high >= self.target

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "within_sourced_ranges": self.within_ranges,
            "at_low": self.at_low,
            "at_median": self.at_median,
            "at_high": self.at_high,
            # JSON has no ∞: an input that cannot reach the target from zero is written as null.
            "one_input": {
                family: {k: (None if _infinite(x) else x) for k, x in v.items()}
                for family, v in self.one_input.items()
            },
            "joint": dict(self.joint),
            "grid": [dict(row) for row in self.grid],
            "sourced_wage_high": self.wage_high,
        }


def _infinite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _total_at(cells: Sequence[Cell], values: Sequence[Mapping[str, float]]) -> float:
    return sum(cell.at(v) for cell, v in zip(cells, values, strict=True))


def required_wage(target: float, workers: float, share: float, months: float = 12) -> float:
    """The average gross monthly wage that `workers` need for the state to take `target` a year."""
    return target / (workers * share * months)


def required_for(
    target: float,
    cells: Sequence[Cell] | Plan,
    *,
    headcounts: Sequence[float] | None = None,
    shares: Sequence[float] | None = None,
    months: float = 12,
) -> Required:
    """Which combinations of headcount, wage and share reach `target`, and how far they lie from
    the sourced ranges (the reasoning of nk-facts §9 C, with the cells' numbers).

    Args:
        target: revenue to the state, USD per year (> 0).
        cells: the cells to scale, or a `Plan` (its country cells; its worldwide rows' headcount
            ends join the grid's default headcounts).
        headcounts: the N of the grid; default the cells' total workers at their low and high
            ends (and a plan's worldwide headcount ends).
        shares: the s of the grid; default the highest sourced share, and 1 (all pay withheld).
        months: the paid months of the grid.

    Raises:
        RevenueError: on a target ≤ 0 or no cells.
    """
    if not target > 0:
        raise RevenueError("the target must be a positive amount")
    comparison: list[float] = []
    if isinstance(cells, Plan):
        if cells.world is not None:
            comparison = [cells.world.inputs["workers"].low, cells.world.inputs["workers"].high]
        cells = cells.cells
    if not cells:
        raise RevenueError("no cells to reach a target with")
    lows = [{f: c.inputs[f].low for f in FAMILIES} for c in cells]
    highs = [{f: c.inputs[f].high for f in FAMILIES} for c in cells]
    medians = [{f: c.inputs[f].quantile(0.5) for f in FAMILIES} for c in cells]
    at_high = _total_at(cells, highs)

    one_input: dict[str, dict[str, Any]] = {}
    for family in FAMILIES:
        multiple = target / at_high if at_high > 0 else math.inf
        cap = CAPS[family]
        top = max(h[family] for h in highs)
        best = (
            _total_at(cells, [{**h, family: cap} for h in highs])
            if math.isfinite(cap)
            else math.inf
        )
        one_input[family] = {
            "multiple_of_high": multiple,
            "needed_max": top * multiple,  # the largest cell's value after scaling
            "possible": best >= target,
            "limit": cap if math.isfinite(cap) else None,
        }

    def joint_total(k: float) -> float:
        return _total_at(cells, [{f: min(k * h[f], CAPS[f]) for f in FAMILIES} for h in highs])

    low, high = 0.0, 1.0
    while joint_total(high) < target and high < 1e12:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if joint_total(mid) < target:
            low = mid
        else:
            high = mid
    k = high
    joint = {
        "multiple": k,
        "by_input": {
            family: max(
                min(k * h[family], CAPS[family]) / h[family] if h[family] else 0.0 for h in highs
            )
            for family in FAMILIES
        },
    }

    total_workers = (sum(lo["workers"] for lo in lows), sum(h["workers"] for h in highs))
    grid_headcounts = sorted(set(headcounts or (*total_workers, *comparison)))
    wage_high = max(h["wage"] for h in highs)
    share_high = min(1.0, max(h["share"] for h in highs))
    grid_shares = sorted(set(shares or (share_high, 1.0)))
    grid = tuple(
        {
            "workers": n,
            "share": s,
            "months": months,
            "wage_needed": required_wage(target, n, s, months),
            "multiple_of_sourced_wage_high": (
                required_wage(target, n, s, months) / wage_high if wage_high > 0 else None
            ),
            "take_per_worker_year": target / n,
        }
        for n in grid_headcounts
        if n > 0
        for s in grid_shares
        if s > 0
    )
    return Required(
        target=target,
        at_low=_total_at(cells, lows),
        at_median=_total_at(cells, medians),
        at_high=at_high,
        one_input=one_input,
        joint=joint,
        grid=grid,
        wage_high=wage_high,
    )


# --- scenarios --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A named set of assumptions, run side by side with the others.

    ``segments`` replace the file's rows by aggregate worldwide inputs (family → range); a scenario
    without segments runs the file's rows as they are.
    """

    name: str
    title: str
    sources: tuple[str, ...]
    note: str
    segments: tuple[Mapping[str, Range], ...] | None = None

    def cells(self, distributions: Mapping[str, str]) -> tuple[Cell, ...]:
        assert self.segments is not None
        return tuple(
            Cell(
                WORLD,
                WORLD,
                f"{self.name} segment {i + 1}",
                (f"scenario {self.name}",),
                {
                    family: Spec(family, (segment[family],), distributions[family], self.title)
                    for family in FAMILIES
                },
            )
            for i, segment in enumerate(self.segments)
        )


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            "sourced-ranges",
            "Sourced ranges: the file's rows for the year, documented defaults for blanks",
            ("nk-deployments.csv (each row's source)", "nk-facts.md §3.1, §7 (defaults)"),
            "Country rows of the chosen year; see the run's assumptions for every default used.",
        ),
        Scenario(
            "civil-society-2012",
            "The assumptions that travelled with $1.2–2.3 bn (NKDB 2015 / Darusman 2015)",
            (
                "NKDB, Yoon & Lee, Mar 2015: 50,000–60,000 workers, ~90% taken "
                "(via Dong-A Ilbo 2015-03-10)",
                "UN SR Darusman, Oct 2015: workers keep $120–150/month (via Newsweek 2015-10-28)",
                "nk-facts.md §9 A",
            ),
            "Read generously: the $120–150 kept is the 10% left, so gross pay is $1,200–1,500. "
            "Even so neither end reaches $1.2 bn ($0.65–0.97 bn at the ends, nk-facts §9 A).",
            (
                {
                    "workers": Range(50_000, 60_000),
                    "wage": Range(1_200, 1_500),
                    "share": Range(0.9, 0.9),
                    "months": Range(12, 12),
                },
            ),
        ),
        Scenario(
            "us-state-2017",
            "US State Department 2017 ranges",
            (
                "R. Tillerson, 2017 TIP Report release, 2017-06-27: 50,000–80,000 workers",
                "US State Dept via AFP/Taipei Times 2017-12-04: $300–1,000/month, 70–90% taken",
                "nk-facts.md §9 B",
            ),
            "Worldwide aggregate; $0.13–0.86 bn at the ends (nk-facts §9 B).",
            (
                {
                    "workers": Range(50_000, 80_000),
                    "wage": Range(300, 1_000),
                    "share": Range(0.7, 0.9),
                    "months": Range(12, 12),
                },
            ),
        ),
        Scenario(
            "un-panel-2023",
            "UN Panel of Experts 2023: ~100,000 workers, ~$500 m",
            (
                "UN Panel of Experts (1718 Committee) report dated 2024-03-07 "
                "(believed S/2024/215, verify), via RFA 2024-03-21",
                "nk-facts.md §7: $500 m ÷ 100,000 ≈ $5,000 per worker-year ≈ $417/month",
            ),
            "The Panel gives revenue and workers, not wage and share: its implied take of "
            "$417/month is entered as the wage with the whole of it withheld (share 1).",
            (
                {
                    "workers": Range(100_000, 100_000),
                    "wage": Range(5_000 / 12, 5_000 / 12),
                    "share": Range(1.0, 1.0),
                    "months": Range(12, 12),
                },
            ),
        ),
    )
}


@dataclass(frozen=True)
class ScenarioRun:
    scenario: Scenario
    revenue: Revenue | None  # for "sourced-ranges"
    draws: np.ndarray
    assumptions: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.scenario.name,
            "title": self.scenario.title,
            "sources": list(self.scenario.sources),
            "note": self.scenario.note,
            "total": Summary.of(self.draws).to_json(),
        }


def scenario_names(names: Iterable[str]) -> list[str]:
    """Expand "all" and check names, keeping the order given.

    Raises:
        RevenueError: on an unknown name.
    """
    expanded: list[str] = []
    for name in names:
        for one in SCENARIOS if name == "all" else (name,):
            if one not in SCENARIOS:
                raise RevenueError(
                    f"unknown scenario {one!r}; there are: {', '.join(SCENARIOS)}, all"
                )
            if one not in expanded:
                expanded.append(one)
    return expanded


def run_scenarios(
    names: Iterable[str],
    rows: Sequence[InputRow] | Plan,
    year: int | None = None,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    **options: Any,
) -> list[ScenarioRun]:
    """Run scenarios side by side with the same draws and seed ("all" runs every one).

    Raises:
        RevenueError: on an unknown scenario, or see `simulate`.
    """
    runs = []
    if isinstance(rows, Plan):
        chosen = dict(rows.distributions)
    else:
        chosen = _distributions(options.get("distributions"))
    for name in scenario_names(names):
        scenario = SCENARIOS[name]
        if scenario.segments is None:
            revenue = simulate(rows, year, draws=draws, seed=seed, **options)
            runs.append(ScenarioRun(scenario, revenue, revenue.total, revenue.assumptions))
            continue
        _by_key, total = simulate_cells(scenario.cells(chosen), draws, np.random.default_rng(seed))
        text = f"{scenario.title}. {scenario.note} Sources: " + "; ".join(scenario.sources)
        runs.append(ScenarioRun(scenario, None, total, text))
    return runs
