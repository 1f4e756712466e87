"""The removal models Mb and Mbh (behavioural response; Otis et al. 1978), as Rcapture fits them."""

import numpy as np
from scipy.stats import norm

from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.rcapture.fitting import FloatArray, _deviance, _loglik, _poisson_fit
from unseen.core.estimation.rcapture.models import _check_level
from unseen.core.estimation.results import Estimate, Interval


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
