"""The numerical engine: a Poisson log-linear fit and the multinomial profile likelihood.

`_poisson_fit` maximises the Poisson likelihood of a design by Newton's method; `_loglik` and
`_deviance` are what Rcapture's AIC, BIC and deviance are computed from; `_profile_interval` is
the profile-likelihood interval of Rcapture's `closedpCI.t`, solved continuously.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq, minimize_scalar
from scipy.special import gammaln
from scipy.stats import chi2

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class _Fit:
    """A Poisson log-linear fit: coefficients, fitted means and their covariance."""

    beta: FloatArray
    mu: FloatArray
    covariance: FloatArray
    converged: bool
    iterations: int


def _poisson_fit(
    design: FloatArray,
    counts: FloatArray,
    start: FloatArray | None = None,
    *,
    max_iter: int = 100,
    tol: float = 1e-9,
) -> _Fit:
    """Maximise Σ y log μ − μ with log μ = Xβ by Newton's method with step halving.

    The design must have full column rank (checked by the caller). `converged` is False when
    the parameter steps never fell below `tol`: that is what a coefficient drifting towards
    ±∞ (an MLE on the boundary) looks like, and the caller turns it into a warning.
    """
    if start is None:
        # The usual GLM start: regress log(y + ½) on the design (no log of zero).
        beta = np.asarray(np.linalg.lstsq(design, np.log(counts + 0.5), rcond=None)[0], float)
    else:
        beta = np.array(start, dtype=float)
    eta = design @ beta
    objective = float(np.sum(np.exp(eta) - counts * eta))
    converged = False
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        mu = np.exp(eta)
        gradient = design.T @ (counts - mu)
        hessian = (design * mu[:, None]).T @ design
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        # Step halving keeps Newton monotone when it starts far away (e.g. a large n_0 cell).
        scale = 1.0
        while True:
            candidate = beta + scale * step
            eta_new = design @ candidate
            with np.errstate(over="ignore", invalid="ignore"):
                # A far overshoot overflows exp: that is just a bad step, halved below.
                value = float(np.sum(np.exp(eta_new) - counts * eta_new))
            if np.isfinite(value) and value <= objective + 1e-12 * max(1.0, abs(objective)):
                break
            scale /= 2
            if scale < 1e-6:
                break
        if scale < 1e-6:
            # No step along Newton's direction improves the fit: we are at the optimum to
            # machine precision, or stuck; the step size says which.
            converged = bool(np.max(np.abs(step)) < 1e3 * tol)
            break
        beta, eta, objective = candidate, eta_new, value
        if np.max(np.abs(scale * step)) < tol:
            converged = True
            break
    mu = np.exp(eta)
    hessian = (design * mu[:, None]).T @ design
    try:
        covariance = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        covariance = np.full_like(hessian, np.nan)
    return _Fit(beta, mu, covariance, converged, iteration)


def _loglik(counts: FloatArray, mu: FloatArray) -> float:
    """The full Poisson log-likelihood, −log y! included, as R's glm computes AIC from it."""
    return float(np.sum(counts * np.log(mu) - mu - gammaln(counts + 1)))


def _deviance(counts: FloatArray, mu: FloatArray) -> float:
    positive = counts > 0
    terms = np.zeros_like(mu)
    terms[positive] = counts[positive] * np.log(counts[positive] / mu[positive])
    return float(2 * np.sum(terms - (counts - mu)))


# ---------------------------------------------------------------------------------------------
# The multinomial profile likelihood (Rcapture closedpCI.t)


class _Profile:
    """ℓ_p(N) for a fixed design: complete the table with n_0 = N − n and refit all 2^t cells.

    The completed cell 0 has the intercept only (every other column is zero at k = 0). With an
    intercept the fitted means sum to N, so p̂_ω = μ̂_ω / N and
    ℓ_p(N) = log Γ(N+1) − log Γ(N−n+1) + Σ n_ω log p̂_ω + (N−n) log p̂_0.
    Successive fits are warm-started from the last one, which makes a profile cheap.
    """

    def __init__(self, design: FloatArray, counts: FloatArray, start: FloatArray):
        zero_row = np.zeros((1, design.shape[1]))
        zero_row[0, 0] = 1.0
        self.design = np.vstack([zero_row, design])
        self.counts = counts
        self.n = float(counts.sum())
        self.beta = start.copy()
        self.failed = False

    def __call__(self, total: float) -> float:
        unseen = max(total - self.n, 0.0)
        y = np.concatenate([[unseen], self.counts])
        fit = _poisson_fit(self.design, y, self.beta)
        if np.all(np.isfinite(fit.beta)):
            self.beta = fit.beta
        self.failed |= not fit.converged
        p = fit.mu / fit.mu.sum()
        positive = y > 0
        return float(
            gammaln(total + 1) - gammaln(unseen + 1) + np.sum(y[positive] * np.log(p[positive]))
        )


def _crossing(drop: Any, a: float, b: float, *, fallback: float, profile: Any) -> float:
    """Where the profile likelihood crosses the cut-off between a and b.

    Warm-started profile fits can land on a different optimum when re-evaluated, so the two ends
    may no longer bracket a root; then the wider end is kept (a conservative interval) and the
    fit is counted as failed, which adds the non-convergence warning.
    """
    try:
        return float(brentq(drop, a, b, xtol=1e-7 * max(b, 1.0), rtol=1e-12))
    except ValueError:
        profile.failed = True
        return fallback


def _profile_interval(
    design: FloatArray, counts: FloatArray, fit: _Fit, estimate: float, level: float
) -> tuple[float, float, float, list[str]]:
    """(profile N̂, low, high, warnings) for the multinomial profile likelihood at `level`."""
    profile = _Profile(design, counts, fit.beta)
    n = profile.n
    critical = float(chi2.ppf(level, 1))
    warnings: list[str] = []

    # The maximiser lies just below the Poisson N̂ (same fitted shape, multinomial rather than
    # Poisson count); search a bracket around it.
    high_bracket = max(2 * estimate - n, n + 10.0)
    result = minimize_scalar(
        lambda total: -profile(total),
        bounds=(n, high_bracket),
        method="bounded",
        options={"xatol": 1e-6 * max(1.0, estimate)},
    )
    best = float(result.x)
    peak = -float(result.fun)
    at_observed = profile(n)
    if at_observed > peak:  # the bounded search never evaluates its end points exactly
        best, peak = n, at_observed

    def drop(total: float) -> float:
        return 2 * (peak - profile(total)) - critical

    if 2 * (peak - at_observed) <= critical:
        low = n
        warnings.append(
            f"The {level:.0%} profile interval reaches the number observed ({n:,.0f}): "
            "the data cannot rule out that no one was missed."
        )
    else:
        profile.beta = fit.beta.copy()
        low = _crossing(drop, n, best, fallback=n, profile=profile)

    high = np.inf
    profile.beta = fit.beta.copy()
    inside, step = best, max(best - n, 1.0)
    # Step out with doubling steps until the likelihood has dropped enough; give up far away
    # (about 2^40 times the first step), where the interval is for practical purposes unbounded.
    for _ in range(40):
        candidate = inside + step
        if drop(candidate) > 0:
            high = _crossing(drop, inside, candidate, fallback=candidate, profile=profile)
            break
        inside, step = candidate, 2 * step
    if not np.isfinite(high):
        warnings.append(
            f"The {level:.0%} profile interval has no upper limit: the likelihood stays "
            "flat however many were missed, so the data do not bound N."
        )
    if profile.failed:
        warnings.append(
            "Some profile-likelihood fits did not converge; the interval may be inaccurate."
        )
    return best, low, high, warnings
