"""Rcapture's closed-population models as Poisson log-linear models on the full table.

Baillargeon & Rivest (2007, J. Stat. Softw. 19(5)) write the classical capture–recapture models
as Poisson regressions on the 2^t − 1 observable cells: log μ_ω = α + (terms in ω), with the
unseen count estimated by exp(α̂) and N̂ = n + exp(α̂). With k_ω = Σ_j ω_j the number of lists
that saw history ω:

* **M0**: one column k_ω (every list has the same catch probability, no heterogeneity).
* **Mt**: the main effects ω_j (lists differ; individuals do not).
* **Mh**: M0 plus one heterogeneity column f(k_ω): Poisson2 2^k − 1, Darroch k²/2, Gamma3.5
  −log(1 + k/3.5); or Chao's lower bound, the columns (k − j + 1)₊ for j = 3..t, which
  makes the fit extrapolate to k = 0 from the k = 1, 2 cells only.
* **Mth**: Mt plus the same heterogeneity terms.

Each function returns the Poisson point estimate and the standard error Rcapture prints, the
AIC and BIC as Rcapture computes them (full Poisson log-likelihood; BIC penalty log n with n
the number of observed individuals), and the multinomial profile-likelihood interval of
Rcapture's `closedpCI.t`, solved continuously rather than on a grid. `mt_plus` fits Mt with
extra user columns (Rcapture's `mX`), such as a two-list interaction or a one-history
indicator.

No R code was copied: the model definitions follow the paper and methods-mse.md.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq, minimize_scalar
from scipy.special import gammaln
from scipy.stats import chi2, norm

from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.results import Estimate, Interval

FloatArray = NDArray[np.float64]

POISSON_THETA = 2.0  # Rcapture's default for "Poisson": f(k) = θ^k − 1
GAMMA_THETA = 3.5  # Rcapture's default for "Gamma": f(k) = −log(θ + k) + log θ

# A coefficient this large on the log scale means a fitted count below e^-30 of its neighbours:
# the MLE is at the boundary (the coefficient is drifting to ±∞), not a real number.
_BOUNDARY_COEFFICIENT = 25.0


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
# Designs


def _captures(histories: CaptureHistories) -> FloatArray:
    """k_ω: how many lists saw each observable history."""
    return np.asarray(histories.patterns.sum(axis=1), dtype=float)


def _heterogeneity(kind: str, k: FloatArray, t: int) -> tuple[list[FloatArray], list[str]]:
    """The heterogeneity column(s) of Rcapture's Mh/Mth models, all zero at k = 0."""
    if kind == "chao":
        return (
            [np.maximum(k - j + 1, 0.0) for j in range(3, t + 1)],
            [f"η{j}" for j in range(3, t + 1)],
        )
    if kind == "poisson":
        return [POISSON_THETA**k - 1], ["η"]
    if kind == "darroch":
        return [k * k / 2], ["η"]
    if kind == "gamma":
        return [-np.log(GAMMA_THETA + k) + np.log(GAMMA_THETA)], ["η"]
    raise ValueError(f"unknown heterogeneity form {kind!r}")


_LABELS = {
    "chao": "Chao (LB)",
    "poisson": "Poisson2",
    "darroch": "Darroch",
    "gamma": "Gamma3.5",
}


@dataclass(frozen=True)
class _Model:
    method: str  # the registry name, e.g. "Mth-poisson"
    label: str  # Rcapture's row name, e.g. "Mth Poisson2"
    columns: list[FloatArray]
    names: list[str]
    etas: int = 0  # how many of the last columns are heterogeneity (η) columns
    chao: bool = False  # negative η columns are set to 0 (Rcapture's neg=TRUE)
    heterogeneity: bool = False  # a single η (the last column) whose sign matters


def _build(histories: CaptureHistories, base: str, kind: str | None) -> _Model:
    k = _captures(histories)
    if base in ("M0", "Mh"):
        columns, names = [k], ["k"]
    else:
        columns = [histories.patterns[:, j].astype(float) for j in range(histories.t)]
        names = list(histories.lists)
    if kind is None:
        return _Model(base, base, columns, names)
    extra, extra_names = _heterogeneity(kind, k, histories.t)
    return _Model(
        f"{base}-{kind}",
        f"{base} {_LABELS[kind]}",
        columns + extra,
        names + extra_names,
        etas=len(extra),
        chao=kind == "chao",
        heterogeneity=kind != "chao",
    )


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


# ---------------------------------------------------------------------------------------------
# Fitting one model


def _unbounded(histories: CaptureHistories, model: _Model, level: float) -> Estimate:
    return Estimate(
        method=model.method,
        model=model.label,
        estimate=float("inf"),
        observed=histories.observed,
        interval=Interval("profile", level, float(histories.observed), float("inf")),
        warnings=(
            "No one was seen on two or more lists: with no overlap there is nothing to "
            "estimate the missed from, and N is unbounded.",
        ),
    )


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, not {level}")


def _fit_model(histories: CaptureHistories, model: _Model, level: float) -> Estimate:
    _check_level(level)
    counts = histories.counts.astype(float)
    n = histories.observed
    if n == 0:
        raise ValueError("no one was observed: there is nothing to estimate from")
    if counts[_captures(histories) >= 2].sum() == 0:
        return _unbounded(histories, model, level)

    columns, names = list(model.columns), list(model.names)
    # Heterogeneity columns come last (see _build); track them by position, not by name, so
    # that a list called "eta" cannot be mistaken for one.
    is_eta = [i >= len(model.columns) - model.etas for i in range(len(columns))]
    warnings: list[str] = []
    dropped: list[str] = []
    while True:
        design = np.column_stack([np.ones(len(counts)), *columns])
        rank = np.linalg.matrix_rank(design)
        if rank < design.shape[1]:
            raise ValueError(
                f"{model.label} is not identifiable with {histories.t} lists: its "
                f"{design.shape[1]} parameters have rank {rank} on the observable cells"
            )
        fit = _poisson_fit(design, counts)
        if not model.chao:
            break
        # Chao's lower bound needs η_j ≥ 0 (a mixture can only make log f_k convex); a
        # negative η is set to zero, i.e. its column is removed and the model refitted.
        negative = {i for i in range(len(columns)) if is_eta[i] and fit.beta[i + 1] < 0}
        if not negative:
            break
        dropped.extend(names[i] for i in sorted(negative))
        columns = [c for i, c in enumerate(columns) if i not in negative]
        names = [m for i, m in enumerate(names) if i not in negative]
        is_eta = [e for i, e in enumerate(is_eta) if i not in negative]
    if dropped:
        warnings.append(
            "Chao lower bound: negative heterogeneity parameter(s) "
            f"{', '.join(dropped)} set to 0 and the model refitted (as Rcapture does with neg=TRUE)."
        )

    coefficients = dict(zip(["intercept", *names], fit.beta.tolist(), strict=True))
    drifting = [
        name
        for name, value in coefficients.items()
        if name != "intercept" and abs(value) > _BOUNDARY_COEFFICIENT
    ]
    if not fit.converged or drifting:
        which = f" ({', '.join(drifting)} drifting to ±∞)" if drifting else ""
        warnings.append(
            f"The Poisson fit did not converge{which}: the maximum-likelihood estimate is on "
            "the boundary and N̂ is not reliable."
        )
    eta = float(fit.beta[-1])
    if model.heterogeneity and eta < 0:
        warnings.append(
            f"{model.label}: the heterogeneity parameter is negative ({eta:.3g}), "
            "which no mixture of catch probabilities can produce; the model does not fit the "
            "form of heterogeneity it assumes and its N̂ should not be used."
        )

    dark = float(np.exp(fit.beta[0]))
    estimate = n + dark
    variance_intercept = float(fit.covariance[0, 0])
    # Rcapture's s.e.: the Poisson variation of the unseen count plus the delta method.
    stderr = float(np.sqrt(dark + dark * dark * variance_intercept))
    k = design.shape[1]
    loglik = _loglik(counts, fit.mu)
    aic = -2 * loglik + 2 * k
    bic = -2 * loglik + k * np.log(n)

    profile_n, low, high, profile_warnings = _profile_interval(design, counts, fit, estimate, level)
    warnings.extend(profile_warnings)
    details: dict[str, Any] = {
        "stderr": stderr,
        "deviance": _deviance(counts, fit.mu),
        "df": len(counts) - k,
        "loglik": loglik,
        "parameters": k,
        "coefficients": coefficients,
        "unseen": dark,
        "profile_estimate": profile_n,
        "iterations": fit.iterations,
        "converged": fit.converged,
    }
    if dropped:
        details["eta_set_to_zero"] = dropped
    return Estimate(
        method=model.method,
        model=model.label,
        estimate=estimate,
        observed=n,
        interval=Interval("profile", level, low, high),
        aic=float(aic),
        bic=float(bic),
        warnings=tuple(warnings),
        details=details,
    )


def _prepare(histories: CaptureHistories, base: str) -> tuple[CaptureHistories, list[str]]:
    """Mt-type models cannot fit a list that saw no one (its effect is −∞): drop it, and say so.

    M0 and Mh keep it: there an empty occasion is ordinary evidence of low catch probability.
    """
    if base in ("M0", "Mh"):
        return histories, []
    kept, empty = histories.without_empty_lists()
    if len(kept.lists) < 2:
        raise ValueError("fewer than two lists saw anyone")
    if empty:
        return kept, [f"List(s) {', '.join(empty)} saw no one and were left out of the fit."]
    return kept, []


def _run(histories: CaptureHistories, base: str, kind: str | None, level: float) -> Estimate:
    prepared, notes = _prepare(histories, base)
    result = _fit_model(prepared, _build(prepared, base, kind), level)
    if not notes:
        return result
    return Estimate(
        method=result.method,
        model=result.model,
        estimate=result.estimate,
        observed=result.observed,
        interval=result.interval,
        aic=result.aic,
        bic=result.bic,
        warnings=(*notes, *result.warnings),
        details=result.details,
    )


# ---------------------------------------------------------------------------------------------
# Public models. `seed` is accepted so every method has the same signature; these are exact.


def m0(histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None) -> Estimate:
    """Model M0: every list catches every individual with the same probability.

    Args:
        histories: the full table of observable histories (t ≥ 2 lists).
        level: the profile interval's confidence level, in (0, 1).
        seed: ignored (the fit is deterministic); present for a uniform method signature.

    Returns:
        The Poisson N̂ = n + exp(α̂), Rcapture's AIC/BIC, the multinomial profile interval,
        and details (stderr, deviance, df, coefficients, profile_estimate).

    Raises:
        ValueError: if no one was observed or `level` is outside (0, 1).
    """
    return _run(histories, "M0", None, level)


def mt(histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None) -> Estimate:
    """Model Mt: lists differ in catch probability; individuals are alike (independence).

    Same contract as `m0`; a list that saw no one is dropped with a warning.
    """
    return _run(histories, "Mt", None, level)


def mh_chao(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mh, Chao's lower bound: N̂ extrapolated from the once- and twice-seen only.

    Negative η_j are set to 0 and the model is refitted (with a warning). Same contract as
    `m0`.
    """
    return _run(histories, "Mh", "chao", level)


def mh_poisson(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mh with Rcapture's Poisson2 heterogeneity column 2^k − 1. Same contract as `m0`."""
    return _run(histories, "Mh", "poisson", level)


def mh_darroch(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mh with Darroch's heterogeneity column k²/2. Same contract as `m0`."""
    return _run(histories, "Mh", "darroch", level)


def mh_gamma(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mh with Rcapture's Gamma3.5 column −log(3.5 + k) + log 3.5. Same contract as `m0`."""
    return _run(histories, "Mh", "gamma", level)


def mth_chao(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mth, Chao's lower bound (Mt plus the Chao columns). Same contract as `mh_chao`."""
    return _run(histories, "Mth", "chao", level)


def mth_poisson(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mth Poisson2: Mt plus the column 2^k − 1. Same contract as `m0`."""
    return _run(histories, "Mth", "poisson", level)


def mth_darroch(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mth Darroch: Mt plus the column k²/2. Same contract as `m0`."""
    return _run(histories, "Mth", "darroch", level)


def mth_gamma(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mth Gamma3.5: Mt plus the column −log(3.5 + k) + log 3.5. Same contract as `m0`."""
    return _run(histories, "Mth", "gamma", level)


# ---------------------------------------------------------------------------------------------
# Behavioural response: removal models (Otis et al. 1978), as Rcapture's closedp fits them.


def _first_captures(histories: CaptureHistories) -> FloatArray:
    """u_j: how many were caught for the first time on occasion j."""
    patterns = histories.patterns
    seen = patterns.any(axis=1)
    first = np.argmax(patterns[seen] == 1, axis=1)
    counts = histories.counts[seen].astype(float)
    return np.bincount(first, weights=counts, minlength=histories.t).astype(float)


def _removal(histories: CaptureHistories, *, heterogeneous: bool, level: float) -> Estimate:
    """Mb (and Mbh): once caught, an individual is caught again at a different rate.

    Only first captures carry information on N: u_j = N(1 − p)^(j−1)p is a log-linear Poisson
    model in j, extrapolated to the never-caught. Mbh lets the first occasion's rate differ
    (its u_1 is kept as observed and the geometric fitted to occasions 2…t). The model's
    deviance, AIC and BIC are those of the whole table with first-capture occasion and number
    of recaptures as covariates (plus a first-occasion indicator for Mbh), as Rcapture reports.
    """
    _check_level(level)
    method, label = ("Mbh", "Mbh") if heterogeneous else ("Mb", "Mb")
    n = histories.observed
    if n == 0:
        raise ValueError("no one was observed: there is nothing to estimate from")
    first = _first_captures(histories)
    start = 1 if heterogeneous else 0
    removal = first[start:]
    occasions = len(removal)
    if occasions < 2 or np.count_nonzero(removal) < 2:
        raise ValueError(f"{label} needs first captures on at least two of the modelled lists")
    design = np.column_stack([np.ones(occasions), np.arange(occasions, dtype=float)])
    fit = _poisson_fit(design, removal)
    intercept, slope = (float(v) for v in fit.beta)
    warnings: list[str] = []
    if slope >= 0:
        # First captures do not decline: nothing says the pool of the uncaught is running out.
        return Estimate(
            method=method,
            model=label,
            estimate=float("inf"),
            observed=n,
            interval=Interval("wald", level, float("inf"), float("inf")),
            warnings=(
                f"{label}: first captures do not fall from one list to the next, so the "
                "removal model cannot bound N.",
            ),
            details={"first_captures": first.tolist()},
        )
    remaining = 1.0 - np.exp(slope)  # p̂, the first-capture probability
    pool = float(np.exp(intercept) / remaining)  # N̂ − u_1 for Mbh, N̂ for Mb
    estimate = float(first[:start].sum()) + pool
    dark = estimate - n
    q = 1.0 - remaining
    # Zippin's variance for the removal estimator (Otis et al. 1978, eq. 3.18).
    qk = q**occasions
    denominator = (1 - qk) ** 2 - (occasions * remaining) ** 2 * q ** (occasions - 1)
    variance = pool * qk * (1 - qk) / denominator if denominator > 0 else float("inf")
    stderr = float(np.sqrt(variance))
    if heterogeneous:
        warnings.append(
            f"{label}'s standard error is Zippin's for the occasions after the first; "
            "Rcapture reports a larger one."
        )

    # Whole-table fit for the model's deviance and information criteria.
    patterns = histories.patterns.astype(float)
    seen = patterns.any(axis=1)
    counts = histories.counts[seen].astype(float)
    first_occasion = np.argmax(patterns[seen] == 1, axis=1).astype(float)
    recaptures = patterns[seen].sum(axis=1) - 1
    columns = [np.ones(len(counts)), first_occasion, recaptures]
    if heterogeneous:
        columns.append((first_occasion == 0).astype(float))
    table = np.column_stack(columns)
    whole = _poisson_fit(table, counts)
    k = table.shape[1]
    loglik = _loglik(counts, whole.mu)

    z = float(norm.ppf(0.5 + level / 2))
    if dark > 0 and np.isfinite(variance):
        # Chao's (1987) log-normal interval for the unseen: never below the number observed.
        spread = float(np.exp(z * np.sqrt(np.log(1 + variance / dark**2))))
        low, high = n + dark / spread, n + dark * spread
    else:
        low, high = float(n), float("inf") if not np.isfinite(variance) else float(n)
    return Estimate(
        method=method,
        model=label,
        estimate=estimate,
        observed=n,
        interval=Interval("wald", level, low, high),
        aic=float(-2 * loglik + 2 * k),
        bic=float(-2 * loglik + k * np.log(n)),
        warnings=tuple(warnings),
        details={
            "stderr": stderr,
            "deviance": _deviance(counts, whole.mu),
            "df": len(histories.counts) - k,
            "loglik": loglik,
            "parameters": k,
            "first_captures": first.tolist(),
            "capture_probability": float(remaining),
            "unseen": dark,
        },
    )


def mb(histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None) -> Estimate:
    """Model Mb: being caught once changes the chance of being caught again (trap response).

    Lists are taken in their given order, as occasions in time: only use it when the lists
    are successive in time.
    """
    return _removal(histories, heterogeneous=False, level=level)


def mbh(histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None) -> Estimate:
    """Model Mbh: Mb with a first list unlike the rest (Rcapture's generalised removal)."""
    return _removal(histories, heterogeneous=True, level=level)


MODELS: Mapping[str, Callable[..., Estimate]] = {
    "M0": m0,
    "Mt": mt,
    "Mh-chao": mh_chao,
    "Mh-poisson": mh_poisson,
    "Mh-darroch": mh_darroch,
    "Mh-gamma": mh_gamma,
    "Mth-chao": mth_chao,
    "Mth-poisson": mth_poisson,
    "Mth-darroch": mth_darroch,
    "Mth-gamma": mth_gamma,
    "Mb": mb,
    "Mbh": mbh,
}
"""Every model above by its method name, in Rcapture's `closedp.t` order."""


# ---------------------------------------------------------------------------------------------
# Custom columns (Rcapture's mX)


def interaction(histories: CaptureHistories, *lists: str) -> FloatArray:
    """The column Π_{j ∈ lists} ω_j: 1 on histories seen by all of `lists`, else 0."""
    if len(lists) < 2:
        raise ValueError("an interaction needs at least two lists")
    columns = [histories.lists.index(name) for name in lists]
    return np.asarray(histories.patterns[:, columns].prod(axis=1), dtype=float)


def indicator(histories: CaptureHistories, pattern: Sequence[int]) -> FloatArray:
    """The column that is 1 on one history (e.g. seen by every list) and 0 elsewhere."""
    target = np.asarray(pattern, dtype=int)
    if target.shape != (histories.t,) or not target.any():
        raise ValueError(f"{pattern!r} is not an observable history of {histories.t} lists")
    return np.asarray(np.all(histories.patterns == target, axis=1), dtype=float)


def mt_plus(
    histories: CaptureHistories,
    extra: Mapping[str, ArrayLike],
    *,
    level: float = 0.95,
    seed: int | None = None,
) -> Estimate:
    """Mt plus user columns, as Rcapture's `closedpCI.t(mX = ~ . + ...)`.

    Args:
        histories: the full table.
        extra: column name → one value per observable history (in `histories.patterns`
            order), e.g. `{"c1:c2": interaction(h, "c1", "c2")}`. Every column must be zero
            on the unobserved history, which `interaction` and `indicator` columns are.
        level: profile interval level.
        seed: ignored.

    Raises:
        ValueError: for a column of the wrong length or a design without full rank.
    """
    base = _build(histories, "Mt", None)
    columns = list(base.columns)
    for name, values in extra.items():
        column = np.asarray(values, dtype=float)
        if column.shape != (len(histories.counts),):
            raise ValueError(f"column {name!r} needs one value per observable history")
        columns.append(column)
    label = "Mt + " + " + ".join(extra) if extra else "Mt"
    model = _Model("Mt+", label, columns, base.names + list(extra))
    return _fit_model(histories, model, level)
