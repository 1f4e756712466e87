"""What moves the total, and what a published figure would take, without drawing.

The tornado (one input at a time between its ends) and the inverse questions (nk-facts §9 C).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from unseen.core.revenue.inputs import FAMILIES, RevenueError
from unseen.core.revenue.planning import Cell, Plan

# Physical limits: no more than all of the pay can be withheld, no more than 12 months paid.
CAPS = {"workers": math.inf, "wage": math.inf, "share": 1.0, "months": 12.0}


@dataclass(frozen=True)
class Bar:
    """The total with one input at its low and at its high end, every other input at its median.

    The input is set in one country, or everywhere.
    """

    family: str
    country: str  # "" for the input everywhere at once
    name: str
    input_low: float | None  # None when several cells with different ranges swing together
    input_high: float | None
    total_low: float
    total_high: float

    @property
    def swing(self) -> float:
        """How far the total moves between this input's low and high."""
        return self.total_high - self.total_low

    def to_json(self) -> dict[str, Any]:
        """The bar as JSON."""
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
        """The tornado as JSON: the base total and the bars."""
        return {"base": self.base, "bars": [bar.to_json() for bar in self.bars]}


def tornado(cells: Sequence[Cell]) -> Tornado:
    """Swing each input family low→high with every other input at its median.

    The ends are its sourced range's (for a pooled input, the envelope's); first in every country at
    once, then one country at a time.

    The all-medians total is ``base``.
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
        """Whether the target is reached with every input within its sourced range."""
        return self.at_high >= self.target

    def to_json(self) -> dict[str, Any]:
        """The answer as JSON."""
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
    """Which combinations of headcount, wage and share reach `target`.

    And how far they lie from the sourced ranges (the reasoning of nk-facts §9 C, with the cells'
    numbers).

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
