"""One Poisson log-linear model on the full table: its design, its fit and its warnings.

A model is its columns (k_ω for M0 and Mh, the main effects ω_j for Mt and Mth) plus, for
Mh and Mth, the heterogeneity column(s) f(k_ω). `_fit_model` fits one, sets Chao's negative
η to zero, and returns the estimate with Rcapture's s.e., AIC, BIC and the profile interval.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.rcapture.fitting import (
    FloatArray,
    _deviance,
    _loglik,
    _poisson_fit,
    _profile_interval,
)
from unseen.core.estimation.results import Estimate, Interval

POISSON_THETA = 2.0  # Rcapture's default for "Poisson": f(k) = θ^k − 1
GAMMA_THETA = 3.5  # Rcapture's default for "Gamma": f(k) = −log(θ + k) + log θ

# A coefficient this large on the log scale means a fitted count below e^-30 of its neighbours:
# the MLE is at the boundary (the coefficient is drifting to ±∞), not a real number.
_BOUNDARY_COEFFICIENT = 25.0


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
