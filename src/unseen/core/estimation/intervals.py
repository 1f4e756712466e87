"""Confidence intervals for a log-linear MSE estimate (methods-mse.md §2).

* `wald`: n + exp(α̂_∅ ± z·se(α̂_∅)), the Wald interval on the log dark figure (SparseMSE).
* `profile`: the multinomial profile-likelihood interval of Rcapture `closedpCI.t`, but with N
  continuous and the limits found by root finding rather than read off a grid.
* `bca`: a bootstrap that resamples the n individuals and reruns the whole selection rule on
  every replicate, with bias correction and jackknife acceleration (Chan, Silverman & Vincent
  2021 §3.3). It therefore covers the uncertainty of choosing the model, which the other two,
  conditional on one model, do not.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq, minimize_scalar
from scipy.special import ndtr, ndtri
from scipy.stats import chi2

from unseen.core.estimation.loglinear import Data, Fit, profile_loglik
from unseen.core.estimation.results import Interval

DEFAULT_REPLICATES = 1000
DEFAULT_SEED = 1234
#: The profile upper limit is searched up to n + this × the dark figure; beyond, "unbounded".
_PROFILE_SEARCH_FACTOR = 1e6


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, not {level}")


def wald(result: Fit, level: float = 0.95) -> Interval:
    """n + exp(α̂_∅ ± z_{1−α/2}·se(α̂_∅)); always inside [n, ∞)."""
    _check_level(level)
    z = float(ndtri(0.5 + level / 2.0))
    half = z * result.se_log_dark
    return Interval(
        "wald",
        level,
        result.observed + float(np.exp(result.log_dark - half)),
        result.observed + float(np.exp(result.log_dark + half)),
    )


@dataclass(frozen=True)
class Profile:
    """A profile-likelihood interval and the N that maximises ℓ_p (Rcapture's "profile N")."""

    interval: Interval
    estimate: float


def profile(result: Fit, data: Data, level: float = 0.95) -> Profile:
    """Rcapture's multinomial profile-likelihood interval for the fitted model, on continuous N.

    The interval is {N ≥ n : 2[ℓ_p(N̂_m) − ℓ_p(N)] ≤ χ²_{1,level}}. A lower limit below n is
    reported as n; an upper limit beyond n + 10⁶ × the dark figure is reported as ∞.
    """
    _check_level(level)
    lay = result.layout
    n = float(result.observed)
    critical = float(chi2.ppf(level, 1))
    warm: dict[str, Any] = {"beta": np.array(result.beta)}

    def loglik(total: float) -> float:
        value, beta = profile_loglik(lay, data, total, warm["beta"])
        warm["beta"] = beta
        return value

    # Maximise on log(N − n): the dark figure spans orders of magnitude, N itself does not.
    log_dark = result.log_dark
    best = minimize_scalar(
        lambda x: -loglik(n + float(np.exp(x))),
        bounds=(log_dark - 4.0, log_dark + 4.0),
        method="bounded",
        options={"xatol": 1e-10},
    )
    top_n = n + float(np.exp(best.x))
    top = -float(best.fun)

    def excess(total: float) -> float:
        return 2.0 * (top - loglik(total)) - critical

    tolerance = 1e-9 * top_n
    low = n if excess(n) <= 0 else float(brentq(excess, n, top_n, xtol=tolerance))
    high = float("inf")
    dark = top_n - n
    step = max(dark, 1.0)
    inner = top_n
    while step <= _PROFILE_SEARCH_FACTOR * max(dark, 1.0):
        outer = top_n + step
        if excess(outer) > 0:
            high = float(brentq(excess, inner, outer, xtol=tolerance))
            break
        inner, step = outer, step * 2.0
    return Profile(Interval("profile", level, low, high), top_n)


@dataclass(frozen=True)
class Bootstrap:
    """A BCa interval and what it was computed from.

    Attributes:
        interval: the BCa interval.
        replicates: N̂*_b for every replicate (∞ where the rule found no finite estimate).
        bias: z₀ = Φ⁻¹(#{N̂* < N̂}/B).
        acceleration: â from the jackknife over distinct histories.
        failures: replicates where the rule failed (counted as ∞).
    """

    interval: Interval
    replicates: NDArray[np.float64]
    bias: float
    acceleration: float
    failures: int
    details: dict[str, Any] = field(default_factory=dict)

    def limits(self, probabilities: NDArray[np.float64] | list[float]) -> list[float]:
        """BCa limits at other tail probabilities (e.g. 0.025, 0.05, 0.1, 0.9, 0.95, 0.975)."""
        return [
            float(v)
            for v in _bca_quantiles(self.replicates, self.bias, self.acceleration, probabilities)
        ]


def _safe(rule: Callable[[Data], float], data: Data) -> tuple[float, bool]:
    try:
        value = float(rule(data))
    except ValueError:  # SelectionError / ModelError: no finite estimate on this table
        return float("inf"), False
    return (value, True) if np.isfinite(value) else (float("inf"), False)


def _quantiles(
    values: NDArray[np.float64], probabilities: NDArray[np.float64]
) -> NDArray[np.float64]:
    # R's quantile(type = 8), as SparseMSE uses. Infinite replicates sort last; numpy would turn
    # ∞ − ∞ into NaN when interpolating between two of them, so those limits are ∞.
    out = np.quantile(values, probabilities, method="median_unbiased")
    return np.where(np.isnan(out), np.inf, out)


def _bca_quantiles(
    replicates: NDArray[np.float64],
    bias: float,
    acceleration: float,
    probabilities: NDArray[np.float64] | list[float],
) -> NDArray[np.float64]:
    z = ndtri(np.asarray(probabilities, dtype=float))
    adjusted = ndtr(bias + (bias + z) / (1.0 - acceleration * (bias + z)))
    return _quantiles(replicates, adjusted)


def bca(
    rule: Callable[[Data], float],
    data: Data,
    estimate: float,
    level: float = 0.95,
    replicates: int = DEFAULT_REPLICATES,
    seed: int | None = DEFAULT_SEED,
) -> Bootstrap:
    """The bias-corrected and accelerated bootstrap interval for a whole estimation procedure.

    Args:
        rule: maps a table to its N̂; it is rerun, selection and all, on every replicate and on
            every jackknife table. Raising ValueError means "no finite estimate" (counted ∞).
        data: the observed table.
        estimate: N̂ on the observed table.
        level: confidence level.
        replicates: B; each is n* ~ Multinomial(n, n_ω / n).
        seed: for numpy's default Generator (PCG64), so runs repeat exactly.

    The acceleration comes from the delete-one jackknife over individuals; only distinct
    histories matter, so it takes one rerun per non-empty cell, weighted by its count.
    z₀ is computed from #{N̂* < N̂}/B, clipped to [1/(2B), 1 − 1/(2B)] so that a bootstrap
    lying wholly on one side gives a finite (if extreme) correction.
    """
    _check_level(level)
    if replicates < 10:
        raise ValueError("the bootstrap needs at least 10 replicates")
    rng = np.random.default_rng(seed)
    n = data.observed
    draws = rng.multinomial(n, data.y / n, size=replicates)
    values = np.empty(replicates)
    failures = 0
    for b in range(replicates):
        values[b], ok = _safe(rule, Data.of(data.t, draws[b]))
        failures += not ok

    share = float(np.mean(values < estimate))
    share = min(max(share, 0.5 / replicates), 1.0 - 0.5 / replicates)
    bias = float(ndtri(share))

    cells = np.flatnonzero(data.counts > 0)
    jack = np.empty(len(cells))
    weights = data.counts[cells].astype(float)
    for k, cell in enumerate(cells):
        counts = data.counts.copy()
        counts[cell] -= 1
        jack[k], _ok = _safe(rule, Data.of(data.t, counts))
    finite = np.isfinite(jack)
    if finite.all():
        mean = float(weights @ jack / weights.sum())
        d = mean - jack
        spread = float(weights @ d**2)
        acceleration = float(weights @ d**3 / (6.0 * spread**1.5)) if spread > 0 else 0.0
    else:
        acceleration = 0.0  # an unbounded jackknife table: fall back to bias correction only

    tail = (1.0 - level) / 2.0
    low, high = _bca_quantiles(values, bias, acceleration, [tail, 1.0 - tail])
    return Bootstrap(
        Interval("bca", level, float(low), float(high)),
        values,
        bias,
        acceleration,
        failures,
        {"jackknife_unbounded": int((~finite).sum())},
    )
