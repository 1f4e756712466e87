"""How one input of one cell is drawn: a distribution over a range, or a pooled mixture of ranges.

Sampling is written for a million draws (in-place arithmetic, reused buffers), and the exact
quantiles serve the tornado and the inverse questions, which must not depend on the draws.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from unseen.core.revenue.inputs import FAMILIES, Range, RevenueError

DISTRIBUTIONS = ("uniform", "triangular", "log-uniform")
DEFAULT_DISTRIBUTION = "uniform"


def _transform(
    distribution: str, low: float | np.ndarray, high: float | np.ndarray, u: np.ndarray
) -> np.ndarray:
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
        """The lowest value any range allows."""
        return min(r.low for r in self.ranges)

    @property
    def high(self) -> float:
        """The highest value any range allows."""
        return max(r.high for r in self.ranges)

    @property
    def point(self) -> bool:
        """Whether the spec is a single value (no uncertainty)."""
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
            u: np.ndarray = rng.random(n, out=out) if out is not None else rng.random(n)
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

    def ppf(self, u: np.ndarray, overwrite: bool = False) -> np.ndarray:
        """The inverse CDF at u (values in [0, 1]): a monotone map of uniform numbers onto the spec.

        `sample` draws a mixture by picking a range and a place in it, which gives the right
        distribution but is not monotone in u; a copula (and the Sobol indices) need the monotone
        map, so rank correlations carry over. One range: exact. A mixture of uniform ranges: exact
        too, as its CDF is piecewise linear between the ranges' ends (a point range is a step).
        A mixture of triangular or log-uniform ranges: the CDF tabulated at 1,025 points per range
        and inverted linearly between them. With `overwrite`, u may be used as scratch space.
        """
        u = np.asarray(u, dtype=float)
        if self.point:
            return np.full(u.shape, self.low)
        if len(self.ranges) == 1:
            (only,) = self.ranges
            return _transform(self.distribution, only.low, only.high, u if overwrite else u.copy())
        xs, fs = self._cdf_table()
        inverted: np.ndarray = np.interp(u, fs, xs)
        return inverted

    def _cdf_table(self) -> tuple[np.ndarray, np.ndarray]:
        """Points (x, F(x)) of the mixture's CDF, in order, for inverting it by interpolation."""
        grid: list[float] = []
        for r in self.ranges:
            if r.point or self.distribution == "uniform":
                grid += [r.low, r.high]
            elif self.distribution == "log-uniform" and r.low > 0:
                grid += list(np.geomspace(r.low, r.high, 1025))
            else:
                grid += list(np.linspace(r.low, r.high, 1025))
        xs: list[float] = []
        fs: list[float] = []
        for x in sorted(set(grid)):
            below = self._cdf_below(x)  # P(X < x): a point range makes a step at x
            value = self.cdf(x)
            if value > below:
                xs.append(x)
                fs.append(below)
            xs.append(x)
            fs.append(value)
        return np.array(xs), np.array(fs)

    def _cdf_below(self, x: float) -> float:
        return sum(
            (1.0 if x > r.low else 0.0) if r.point else _cdf(self.distribution, r.low, r.high, x)
            for r in self.ranges
        ) / len(self.ranges)

    def cdf(self, x: float) -> float:
        """P(X ≤ x) under the spec, each range of a mixture weighted equally."""
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
        """The exact mean of the spec, each range of a mixture weighted equally."""

        def one(r: Range) -> float:
            if r.point or self.distribution in ("uniform", "triangular"):
                return (r.low + r.high) / 2
            if r.low > 0:  # log-uniform
                return (r.high - r.low) / math.log(r.high / r.low)
            return (r.low + r.high) / 2

        return sum(one(r) for r in self.ranges) / len(self.ranges)

    def second_moment(self) -> float:
        """The exact E[X²] of the spec, each range of a mixture weighted equally."""

        def one(r: Range) -> float:
            a, b = r.low, r.high
            if (
                r.point
                or self.distribution == "uniform"
                or (self.distribution == "log-uniform" and a <= 0)
            ):
                return (a * a + a * b + b * b) / 3
            if self.distribution == "triangular":  # symmetric: variance (b − a)²/24
                return ((a + b) / 2) ** 2 + (b - a) ** 2 / 24
            return (b * b - a * a) / (2 * math.log(b / a))  # log-uniform

        return sum(one(r) for r in self.ranges) / len(self.ranges)

    def text(self) -> str:
        """The range, or the pooled ranges, as written in reports."""
        ranges = " | ".join(r.text(self.family) for r in self.ranges)
        return ranges if len(self.ranges) == 1 else f"pooled {{{ranges}}}"


def by_family(choice: str | Mapping[str, str] | None) -> dict[str, str]:
    """One distribution name per input family, from one name for all, a name per family, or None.

    Raises:
        RevenueError: on an unknown family or distribution.
    """
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
