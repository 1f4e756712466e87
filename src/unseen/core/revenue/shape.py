"""The shape of a run's distribution: one hump, or several, and which pooled input makes them.

Pooling rows that disagree widely (a small imported row beside a 30,023-worker row) makes an
input a mixture of far-apart ranges, and the total then has one hump per row: its median can fall
in the valley between them, where almost no draws fall. The median and the 90% interval alone do
not show this, so a run says so (docs/methods/revenue.md, "The shape of the distribution").

The rule (`humps`):

1. The density is a binned Gaussian kernel estimate: the draws between their 0.5th and 99.5th
   percentiles in `GRID` bins, smoothed with a Gaussian kernel of Silverman's rule-of-thumb
   bandwidth, 0.9·min(σ, IQR/1.34)·n^(-1/5) (Silverman 1986, eq. 3.31), never under one bin.
2. The humps are the density's local maxima (`scipy.signal.find_peaks`) whose *prominence* is at
   least `DIP` (one half) of their height: the density falls to half a hump's height or lower
   before it rises to a higher one. Smaller wiggles (noise, the kinks of a product of uniforms) are
   not humps.
3. A hump must hold at least `MIN_MASS` (5%) of the draws, counted between the valleys on either
   side; a lesser one is dropped (a long thin tail is not a second hump).

Two humps or more: the run is *multimodal*. The density at the median, as a share of the highest
hump's, says whether the median is a typical value. With a million draws any test of unimodality
(Hartigan's dip test, Silverman's bandwidth test) rejects a wiggle nobody can see, and neither is
in scipy or statsmodels; the rule above asks instead whether the valley is deep and the humps
large, the practical question. The bimodality coefficient is reported beside it for reference but
does not decide: a uniform distribution sits exactly at its threshold 5/9, and skewed one-humped
totals pass it.

`pooled_causes` names the pooled inputs: for each input pooled from several rows, the share of
the total's variance that the choice of row alone explains, Var(E[T | row]) / Var(T), computed
exactly from the rows' means (with the inputs independent; see `pooled_causes`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unseen.core.revenue.inputs import FAMILIES, FAMILY_LABELS, Range
from unseen.core.revenue.planning import Cell
from unseen.core.revenue.simulation import Revenue, quantiles

GRID = 512
DIP = 0.5
MIN_MASS = 0.05
MOMENT_SAMPLE = 100_000


@dataclass(frozen=True)
class Hump:
    """One hump of the density: where it peaks, its height and the share of draws under it."""

    at: float
    height: float
    mass: float

    def to_json(self) -> dict[str, float]:
        """The hump as JSON."""
        return {"at": self.at, "height": self.height, "mass": self.mass}


@dataclass(frozen=True)
class Cause:
    """A pooled input and the share of the total's variance that its choice of row explains."""

    family: str
    country: str
    name: str
    ranges: tuple[tuple[float, float], ...]
    rows: str
    share_of_variance: float

    def text(self) -> str:
        """The cause as a sentence fragment."""
        ranges = "; ".join(Range(low, high).text(self.family) for low, high in self.ranges)
        return (
            f"{FAMILY_LABELS[self.family]} in {self.name}, pooled from {self.rows} ({ranges}): "
            f"which row a draw takes explains {self.share_of_variance:.0%} of the variance"
        )

    def to_json(self) -> dict[str, Any]:
        """The cause as JSON."""
        return {
            "input": self.family,
            "country": self.country,
            "name": self.name,
            "ranges": [list(r) for r in self.ranges],
            "rows": self.rows,
            "share_of_variance": self.share_of_variance,
        }


@dataclass(frozen=True)
class Shape:
    """The shape of some draws: their humps, the density at the median, and the likely causes."""

    humps: tuple[Hump, ...]
    median: float
    median_density: float  # the density at the median, as a share of the highest hump's
    bimodality_coefficient: float
    bandwidth: float
    causes: tuple[Cause, ...] = ()

    @property
    def multimodal(self) -> bool:
        """Whether the draws have two humps or more (the rule in the module's docstring)."""
        return len(self.humps) >= 2

    def warning(self, money: Any = None) -> str:
        """A plain sentence for the run's page and the CLI, or "" when the draws have one hump."""
        if not self.multimodal:
            return ""
        show = money or (lambda value: f"{value:,.0f}")
        humps = ", ".join(f"{show(h.at)} ({h.mass:.0%} of draws)" for h in self.humps)
        text = (
            f"The distribution has {len(self.humps)} humps, at {humps}. The median "
            f"{show(self.median)} falls where the density is {self.median_density:.0%} of the "
            "highest hump's"
            + (
                ", so few draws are near it: no single number summarises this run."
                if self.median_density < DIP
                else "."
            )
        )
        if self.causes:
            text += (
                " The humps come from inputs pooled from rows that disagree: "
                + "; ".join(cause.text() for cause in self.causes)
                + ". Check those rows, or compare the combination policies widest and most-reliable (--combine)."
            )
        return text

    def to_json(self) -> dict[str, Any]:
        """The shape as JSON."""
        return {
            "multimodal": self.multimodal,
            "humps": [h.to_json() for h in self.humps],
            "median": self.median,
            "median_density": self.median_density,
            "bimodality_coefficient": self.bimodality_coefficient,
            "bandwidth": self.bandwidth,
            "rule": f"binned Gaussian KDE (Silverman bandwidth), humps with prominence ≥ {DIP:g} "
            f"of their height and ≥ {MIN_MASS:.0%} of draws",
            "causes": [c.to_json() for c in self.causes],
            "warning": self.warning(),
        }


def density(
    draws: np.ndarray, ends: tuple[float, float, float, float], spread: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A binned Gaussian kernel density: bin centres, density, counts per bin, and the bandwidth.

    `ends` are the draws' 0.5th, 25th, 75th and 99.5th percentiles, `spread` their standard
    deviation.
    """
    from scipy.ndimage import gaussian_filter1d

    low, q25, q75, high = ends
    n = draws.size
    counts, edges = np.histogram(draws, bins=GRID, range=(low, high))
    width = edges[1] - edges[0]
    spread = min(spread, (q75 - q25) / 1.34) or spread
    bandwidth = max(0.9 * spread * n ** (-0.2), width)
    smooth = gaussian_filter1d(counts.astype(float), bandwidth / width, mode="constant")
    centres = (edges[:-1] + edges[1:]) / 2
    return centres, smooth / (n * width), counts, bandwidth


def moments(draws: np.ndarray) -> tuple[float, float, float]:
    """Standard deviation, skewness and excess kurtosis, bias-corrected, in one pass.

    The formulas of `scipy.stats.skew` and `scipy.stats.kurtosis` with ``bias=False`` (a test
    checks they agree), written out so that the draws are centred once rather than three times.
    """
    n = draws.size
    centred = draws - draws.mean()
    squared = centred * centred
    m2 = float(squared.mean())
    if n < 4 or m2 == 0:
        return math.sqrt(m2), 0.0, 0.0
    m3 = float(np.dot(squared, centred)) / n
    m4 = float(np.dot(squared, squared)) / n
    g1, g2 = m3 / m2**1.5, m4 / m2**2 - 3
    skewness = math.sqrt(n * (n - 1)) / (n - 2) * g1
    excess = ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))
    return math.sqrt(m2), skewness, excess


def humps(draws: np.ndarray) -> Shape:
    """The shape of `draws` (see the module's docstring for the rule)."""
    from scipy.signal import find_peaks

    n = draws.size
    low, q25, median, q75, high = quantiles(draws, (0.005, 0.25, 0.5, 0.75, 0.995))
    # The draws are independent in draw order, so every k-th is a sample of them: the moments of
    # 100,000 (the coefficient to about 0.002) cost a tenth of a million's.
    sample = draws[:: max(1, n // MOMENT_SAMPLE)]
    spread, skewness, excess = moments(sample)
    coefficient = bimodality_coefficient(sample.size, skewness, excess)
    if n < 4 or high <= low:
        # A single value (every input a point): one "hump" of no width.
        return Shape((Hump(median, 0.0, 1.0),), median, 1.0, coefficient, 0.0)
    centres, dens, counts, bandwidth = density(draws, (low, q25, q75, high), spread)
    # Padded with zeros so that a hump at either end of the grid is a peak too.
    padded = np.concatenate(([0.0], dens, [0.0]))
    peaks, props = find_peaks(padded, prominence=0)
    keep = [
        int(p) - 1
        for p, prom in zip(peaks, props["prominences"], strict=True)
        if prom >= DIP * padded[p]
    ]
    while True:
        bounds = _valleys(dens, keep)
        masses = [counts[a:b].sum() / n for a, b in bounds]
        small = [i for i, mass in enumerate(masses) if mass < MIN_MASS]
        if not small or len(keep) <= 1:
            break
        # Drop the lightest hump and look again (its valley merges into a neighbour's).
        keep.pop(min(small, key=lambda i: masses[i]))
    top = max(dens[p] for p in keep) if keep else float(dens.max())
    at_median = float(np.interp(median, centres, dens))
    found = tuple(
        Hump(float(centres[p]), float(dens[p]), float(mass))
        for p, mass in zip(keep, masses, strict=True)
    )
    return Shape(found, median, at_median / top if top > 0 else 1.0, coefficient, bandwidth)


def _valleys(dens: np.ndarray, peaks: Sequence[int]) -> list[tuple[int, int]]:
    """The bins each hump owns: from the lowest point between it and its neighbours."""
    cuts = [0]
    for left, right in itertools.pairwise(peaks):
        cuts.append(left + int(np.argmin(dens[left : right + 1])))
    cuts.append(dens.size)
    return list(itertools.pairwise(cuts))


def bimodality_coefficient(n: int, skewness: float, excess: float) -> float:
    """Sarle's bimodality coefficient (G₁² + 1) / (G₂ + 3(n−1)²/((n−2)(n−3))), bias-corrected.

    Above 5/9 (the uniform's value) suggests bimodality (SAS/STAT PROC CLUSTER; Pfister et al.
    2013); reported for reference only.
    """
    if n < 4:
        return 0.0
    return (skewness * skewness + 1) / (excess + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def pooled_causes(cells: Sequence[Cell], variance: float, key: str = "") -> tuple[Cause, ...]:
    """The pooled inputs whose choice of row explains at least a quarter of the variance.

    For an input pooled from k rows in cell c, with the other inputs independent of it,
    E[T | row j] − E[T] = (μ_j − μ)·Π over the cell's other inputs of their means, so
    Var(E[T | row]) = (1/k)·Σ_j (μ_j − μ)² · (Π μ_other)² — the first-order Sobol index of the
    row choice, exactly. `variance` is Var(T) of the draws (of the total, or of country `key`).
    Largest first.
    """
    if not variance > 0:
        return ()
    found = []
    for cell in cells:
        if key and cell.key != key:
            continue
        for family in FAMILIES:
            spec = cell.inputs[family]
            if len(spec.ranges) < 2:
                continue
            means = [type(spec)(family, (r,), spec.distribution).mean() for r in spec.ranges]
            mu = sum(means) / len(means)
            others = math.prod(cell.inputs[f].mean() for f in FAMILIES if f != family)
            between = sum((m - mu) ** 2 for m in means) / len(means) * others**2
            share = between / variance
            if share >= 0.25:
                rows = spec.origin.replace(" (pooled)", "") or ", ".join(cell.rows)
                found.append(
                    Cause(
                        family,
                        cell.key,
                        cell.name,
                        tuple((r.low, r.high) for r in spec.ranges),
                        rows,
                        min(share, 1.0),
                    )
                )
    found.sort(key=lambda cause: -cause.share_of_variance)
    return tuple(found)


def shape_of(draws: np.ndarray, cells: Sequence[Cell], key: str = "") -> Shape:
    """`humps(draws)`, and when there are several, the pooled inputs that explain them."""
    shape = humps(draws)
    if not shape.multimodal:
        return shape
    causes = pooled_causes(cells, float(np.var(draws)), key)
    return Shape(
        shape.humps,
        shape.median,
        shape.median_density,
        shape.bimodality_coefficient,
        shape.bandwidth,
        causes,
    )


def shapes(revenue: Revenue) -> dict[str, Shape]:
    """The shape of the total, and of each country with an input pooled from several rows.

    (A country without a pooled input is a sum of products of one-humped inputs; only pooling
    rows that disagree has made humps in practice, and looking costs a histogram per country.)
    """
    found = {"total": shape_of(revenue.total, revenue.plan.cells)}
    for key in revenue.countries:
        pooled = any(
            len(cell.inputs[f].ranges) > 1
            for cell in revenue.plan.cells
            if cell.key == key
            for f in FAMILIES
        )
        if pooled:
            found[key] = shape_of(revenue.by_country[key], revenue.plan.cells, key)
    return found
