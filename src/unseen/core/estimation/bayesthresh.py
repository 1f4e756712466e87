"""Bayesian thresholding (Silverman 2020 §6; MultipleSystemsEstimation's "bayesthresh").

Fit every two-list term by MCMC under flat priors, keep the interactions whose posterior mean
is at least `threshold` posterior standard deviations from zero, refit the kept model by MCMC
and report the posterior median of N = n + exp(α_∅) with an equal-tailed credible interval.

A pair of lists that never overlap has its interaction fixed at −∞ before sampling: under a
flat prior its posterior is improper otherwise. Such a term is reported as kept at −∞.

The sampler is random-walk Metropolis on the log-linear coefficients with a Gaussian proposal
shaped by the curvature at the maximum (scaled by 2.38/√d, the usual optimal scale), seeded, so
a run is reproducible. Its acceptance rate and effective sample size are reported with the
estimate; a warning says when the chain mixed poorly.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import mcmc
from .histories import CaptureHistories
from .loglinear import Data, Fit, Model, ModelError, design, fit, pair_masks, term_lists
from .results import Estimate, Interval

THRESHOLD = 2.0
ITERATIONS = 50_000
BURN_IN = 2_000
#: Below this effective sample size for log N the chain is too short to trust its quantiles.
MIN_EFFECTIVE_SAMPLES = 400

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Posterior:
    """Draws of the active coefficients of one fitted model (after burn-in)."""

    fit: Fit
    draws: FloatArray  # iterations × active terms; column 0 is α_∅
    acceptance: float

    def summary(self, mask: int) -> tuple[float, float]:
        """(posterior mean, posterior sd) of a term; (−∞, 0) for a term fixed at −∞."""
        if mask in self.fit.layout.infinite:
            return -np.inf, 0.0
        column = self.draws[:, self.fit.layout.active.index(mask)]
        return float(column.mean()), float(column.std(ddof=1))

    def totals(self) -> FloatArray:
        """The posterior draws of the total: the observed count plus each draw of the unseen."""
        return np.asarray(self.fit.observed + np.exp(self.draws[:, 0]))


def sample(
    model: Model, data: Data, *, iterations: int, burn_in: int, rng: np.random.Generator
) -> Posterior:
    """Random-walk Metropolis under flat priors, started at the maximum-likelihood fit."""
    start = fit(model, data)
    x = design(model.t, start.layout.active)[start.layout.keep]
    y = data.y[start.layout.keep]
    d = x.shape[1]
    proposal = np.linalg.cholesky(start.cov * (2.38**2 / d))

    def loglik(beta: FloatArray) -> float:
        eta = np.minimum(x @ beta, 700.0)
        return float(y @ eta - np.exp(eta).sum())

    beta = start.beta.copy()
    current = loglik(beta)
    draws = np.empty((iterations, d))
    accepted = 0
    steps = rng.standard_normal((iterations + burn_in, d)) @ proposal.T
    thresholds = np.log(rng.random(iterations + burn_in))
    for i in range(iterations + burn_in):
        candidate = beta + steps[i]
        value = loglik(candidate)
        if thresholds[i] < value - current:
            beta, current = candidate, value
            if i >= burn_in:
                accepted += 1
        if i >= burn_in:
            draws[i - burn_in] = beta
    return Posterior(start, draws, accepted / iterations)


def effective_samples(chain: FloatArray) -> float:
    """Effective sample size from the initial positive sequence of autocorrelations (Geyer)."""
    n = len(chain)
    centred = chain - chain.mean()
    variance = float(centred @ centred) / n
    if variance == 0:
        return float(n)
    spectrum = np.fft.rfft(centred, 2 * n)
    autocorrelation = np.fft.irfft(spectrum * np.conj(spectrum))[:n] / (n * variance)
    total = 0.0
    for lag in range(1, n - 1, 2):
        pair = autocorrelation[lag] + autocorrelation[lag + 1]
        if pair <= 0:
            break
        total += pair
    return float(n / (1 + 2 * total))


def bayesian_thresholding(
    histories: CaptureHistories,
    *,
    level: float = 0.95,
    seed: int | None = None,
    threshold: float = THRESHOLD,
    iterations: int = ITERATIONS,
    burn_in: int = BURN_IN,
) -> Estimate:
    """Posterior median of N after keeping the interactions the data clearly support."""
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, not {level}")
    rng = np.random.default_rng(seed)
    data = Data.of(histories.t, histories.counts)
    pairs = pair_masks(histories.t)
    warnings: list[str] = []
    try:
        full = sample(
            Model.of(histories.t, pairs), data, iterations=iterations, burn_in=burn_in, rng=rng
        )
    except ModelError as error:
        return Estimate(
            "bayes-threshold",
            "",
            float("inf"),
            histories.observed,
            warnings=(f"non-existence: the model with every pair cannot be fitted ({error})",),
        )
    kept: list[int] = []
    ratios: dict[str, float | None] = {}
    for mask in pairs:
        mean, sd = full.summary(mask)
        name = ":".join(histories.lists[j] for j in term_lists(histories.t, mask))
        if not np.isfinite(mean):
            kept.append(mask)  # a non-overlapping pair stays at −∞
            ratios[name] = None
            continue
        ratio = abs(mean) / sd if sd > 0 else float("inf")
        ratios[name] = ratio
        if ratio >= threshold:
            kept.append(mask)
    chosen = Model.of(histories.t, kept)
    posterior = sample(chosen, data, iterations=iterations, burn_in=burn_in, rng=rng)
    totals = posterior.totals()
    tail = (1 - level) / 2
    low, median, high = (float(v) for v in np.quantile(totals, [tail, 0.5, 1 - tail]))
    ess = effective_samples(np.log(totals - histories.observed))
    if ess < MIN_EFFECTIVE_SAMPLES:
        warnings.append(
            f"the chain mixed poorly (effective sample size {ess:.0f} for N): run more "
            "iterations before trusting the interval"
        )
    infinite = [
        ":".join(histories.lists[j] for j in term_lists(histories.t, mask))
        for mask in posterior.fit.layout.infinite
    ]
    if infinite:
        warnings.append(
            f"the terms {', '.join(infinite)} are fixed at −∞ (the lists never overlap)"
        )
    details: dict[str, Any] = {
        "ratios": ratios,
        "acceptance": posterior.acceptance,
        "effective_samples": ess,
        "iterations": iterations,
        "burn_in": burn_in,
        "mle_estimate": posterior.fit.estimate,
        "lists": list(histories.lists),
        "diagnostics": mcmc.summary(totals, acceptance=posterior.acceptance),
    }
    return Estimate(
        method="bayes-threshold",
        model=chosen.name(histories.lists),
        estimate=median,
        observed=histories.observed,
        interval=Interval("credible", level, low, high),
        bic=posterior.fit.bic,
        aic=posterior.fit.aic,
        warnings=tuple(warnings),
        details=details,
    )
