"""Drawing a plan: annual revenue by country and in total, as draws, and their summaries."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from unseen.core.revenue.inputs import FAMILIES, InputRow, RevenueError
from unseen.core.revenue.planning import Cell, Plan, plan

DEFAULT_DRAWS = 100_000
DEFAULT_SEED = 1234
#: The pair of inputs that `correlation` ties together within each cell.
CORRELATED = ("wage", "share")


def copula_parameter(rank_correlation: float) -> float:
    """The normal copula's correlation r that gives Spearman's rank correlation `rank_correlation`.

    For a bivariate normal, Spearman's ρ_S = (6/π)·arcsin(r/2) (Pearson 1907; Kruskal 1958), so
    r = 2·sin(π·ρ_S/6). Rank correlation survives the monotone maps onto the marginals, so the
    drawn wages and shares have rank correlation ρ_S whatever their ranges and distributions.

    Raises:
        RevenueError: outside [-1, 1].
    """
    if not -1.0 <= rank_correlation <= 1.0:
        raise RevenueError("the correlation must lie between -1 and 1")
    return 2.0 * math.sin(math.pi * rank_correlation / 6.0)


def correlated_uniforms(u_first: np.ndarray, u_own: np.ndarray, r: float) -> np.ndarray:
    """The second variable's uniform under a normal copula with correlation r.

    From the first variable's uniform and the second's own (independent) uniform:
    Φ(r·Φ⁻¹(u_first) + √(1 − r²)·Φ⁻¹(u_own)).
    """
    from scipy.special import ndtr, ndtri

    tiny = 1e-15  # Φ⁻¹(0) is -∞; a uniform of exactly 0 or 1 moves by 1e-15
    z = r * ndtri(np.clip(u_first, tiny, 1 - tiny))
    z += math.sqrt(max(0.0, 1.0 - r * r)) * ndtri(np.clip(u_own, tiny, 1 - tiny))
    result: np.ndarray = ndtr(z)
    return result


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
    """The mean and the 5th, 50th and 95th percentiles of some draws."""

    mean: float
    p05: float
    p50: float
    p95: float

    @classmethod
    def of(cls, draws: np.ndarray | float, scratch: np.ndarray | None = None) -> Summary:
        """The summary of draws; a single value summarises as itself."""
        if isinstance(draws, float | int) or np.ndim(draws) == 0:
            value = float(draws)
            return cls(value, value, value, value)
        p05, p50, p95 = quantiles(draws, (0.05, 0.5, 0.95), scratch)
        return cls(float(np.mean(draws)), p05, p50, p95)

    def to_json(self) -> dict[str, float]:
        """The summary as JSON."""
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
    correlation: float = 0.0
    _summaries: dict[str, Summary] = field(default_factory=dict, repr=False)
    _scratch: np.ndarray | None = field(default=None, repr=False)

    @property
    def year(self) -> int:
        """The year the plan's cells describe."""
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
        """The assumptions behind the run, as written under its results."""
        return assumptions(self.plan, self.draws, self.seed, self.correlation)


def tied_draws(cell: Cell, draws: int, rng: np.random.Generator, r: float) -> dict[str, np.ndarray]:
    """A cell's wage and share drawn together under a normal copula with correlation r.

    Two standard normals z₁, z₂ (in that order, from `rng`); the wage is its inverse CDF at Φ(z₁)
    and the share its inverse CDF at Φ(r·z₁ + √(1 − r²)·z₂).
    """
    from scipy.special import ndtr

    lead = rng.standard_normal(draws)
    own = rng.standard_normal(draws)
    own *= math.sqrt(max(0.0, 1.0 - r * r))
    own += r * lead
    return {
        "wage": cell.inputs["wage"].ppf(ndtr(lead, out=lead), overwrite=True),
        "share": cell.inputs["share"].ppf(ndtr(own, out=own), overwrite=True),
    }


def _tied(cell: Cell, correlation: float) -> bool:
    """Whether the cell's wage and share are drawn together (both drawn, correlation not 0)."""
    return correlation != 0 and not any(cell.inputs[f].point for f in CORRELATED)


def simulate_cells(
    cells: Sequence[Cell], draws: int, rng: np.random.Generator, correlation: float = 0.0
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Draw every cell; return draws per key (cells of one key summed) and their sum, in order.

    `correlation` is Spearman's rank correlation of wage and share within each cell (a normal
    copula; `copula_parameter`). At 0 (the default) nothing changes: the inputs are drawn
    independently, with the same random numbers in the same order as before it existed.
    """
    r = copula_parameter(correlation)
    values: dict[str, float | np.ndarray] = {}
    product, scratch = np.empty(draws), np.empty(draws)  # reused by every cell
    for cell in cells:
        # Points multiply as a scalar; drawn inputs multiply into `product`, in place.
        scalar, drawn = 1.0, False
        tied: dict[str, np.ndarray] = {}
        if _tied(cell, correlation):
            tied = tied_draws(cell, draws, rng, r)
        for family in FAMILIES:
            spec = cell.inputs[family]
            if spec.point:
                scalar *= spec.low
                continue
            target = scratch if drawn else product
            value = tied[family] if family in tied else spec.sample(rng, draws, out=target)
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
    correlation: float = 0.0,
    **options: Any,
) -> Revenue:
    """Annual revenue to the state in `year`, by country and in total, as `draws` draws.

    Args:
        rows: sourced rows (planned with `plan(rows, year, **options)`), or a ready `Plan`.
        year: see `plan`.
        draws: how many draws (≥ 1).
        seed: the seed of numpy's Generator; the same seed gives the same numbers.
        correlation: Spearman's rank correlation of wage and share within each cell, in [-1, 1]
            (normal copula); 0, the default, draws them independently, exactly as before.
        **options: passed to `plan` (combine, include_proxies, distributions, borrow_years).

    Raises:
        RevenueError: see `plan`; also when draws < 1 or the correlation is outside [-1, 1].
    """
    if draws < 1:
        raise RevenueError("draws must be at least 1")
    copula_parameter(correlation)  # checks the range before anything is drawn
    the_plan = rows if isinstance(rows, Plan) else plan(rows, year, **options)
    rng = np.random.default_rng(seed)
    by_country, total = simulate_cells(the_plan.cells, draws, rng, correlation)
    world = None
    if the_plan.world is not None:
        # Drawn after the countries, so adding worldwide rows leaves the country draws unchanged.
        world = simulate_cells([the_plan.world], draws, rng, correlation)[1]
    return Revenue(
        plan=the_plan,
        draws=draws,
        seed=seed,
        countries=tuple(by_country),
        by_country=by_country,
        total=total,
        world=world,
        correlation=float(correlation),
    )


def assumptions(the_plan: Plan, draws: int, seed: int, correlation: float = 0.0) -> str:
    """The run's assumptions as text: model, distributions, policy, and what was left out or filled."""
    lines = [
        f"Revenue to the state in {the_plan.year} (USD/year) = Σ over host country × sector of "
        "workers × gross monthly wage × share withheld × paid months; "
        f"{draws:,} draws, seed {seed}; "
        + (
            "inputs drawn independently."
            if correlation == 0
            else f"wage and share within each cell drawn with rank correlation {correlation:g} "
            "(normal copula); other inputs, and different cells, drawn independently."
        ),
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
