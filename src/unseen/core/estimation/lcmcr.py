"""LCMCR: the Bayesian latent-class model of Manrique-Vallier (2016), with our own Gibbs sampler.

Model (Manrique-Vallier 2016, Biometrics 72(4); HRDAG's LCMCR package uses the same priors):

* every individual, seen or not, belongs to one of K latent classes; class weights π follow a
  stick-breaking prior truncated at K: V_k ~ Beta(1, α) for k < K, V_K = 1,
  π_k = V_k Π_{l<k} (1 − V_l), with α ~ Gamma(shape 0.25, rate 0.25);
* within class k the lists act independently: list j sees an individual with probability
  λ_jk ~ Beta(1, 1);
* the population size has the improper prior p(N) ∝ 1/N.

Heterogeneity in catchability is thus a mixture of independent-list classes; dependence
between lists arises only through that mixture.

The blocked Gibbs sampler works on counts per history, not per individual, because individuals
with the same history are exchangeable given the parameters:

1. (n_0, their classes) | λ, π: with q_k = π_k Π_j (1 − λ_jk) and π_0 = Σ_k q_k, the number
   missed is n_0 ~ NegBin(n, 1 − π_0) (this is where the 1/N prior enters), and the missed
   are spread over classes by Multinomial(n_0, q / π_0);
2. classes of the observed | λ, π: each history's count n_ω is spread over classes by
   Multinomial(n_ω, p(k | ω)) with p(k | ω) ∝ π_k Π_j λ_jk^{ω_j} (1 − λ_jk)^{1 − ω_j};
3. λ_jk | classes ~ Beta(1 + seen_jk, 1 + members_k − seen_jk) (the missed count as unseen);
4. V_k | classes ~ Beta(1 + m_k, α + Σ_{l>k} m_l);
5. α | V ~ Gamma(0.25 + K − 1, rate 0.25 − Σ_{k<K} log(1 − V_k)).

As in R's LCMCR (0.4.13), the Beta draws are made on the log scale from two log-Gamma draws, so
log(1 − V_k) stays exact when V_k is within 1e-16 of 1 (it often is: α is small and the later
classes empty), and n_0 is redrawn while it exceeds 20n. The defaults are the package's: K = 5,
10,000 burn-in sweeps, 10,000 sampling sweeps thinned by 10. How this sampler and the package's
differ, and what each gives on the UK 2013 lists, is in docs/methods/rcapture-and-lcmcr.md.

Each sweep costs a few small (histories × classes) array operations, whatever N is.
"""

import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from unseen.core.estimation import mcmc
from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.results import Estimate, Interval

FloatArray = NDArray[np.float64]

# The defaults of R's LCMCR 0.4.13: lcmCR(K = 5, a_alpha = 0.25, b_alpha = 0.25) and
# lcmCR_PostSampl(burnin = 10000, samples = 1000, thinning = 10).
A_ALPHA = 0.25  # Gamma(shape, rate) prior on the stick-breaking concentration α
B_ALPHA = 0.25
DEFAULT_CLASSES = 5
DEFAULT_ITERATIONS = 10_000  # sampling sweeps (samples × thinning)
DEFAULT_BURN_IN = 10_000
DEFAULT_THINNING = 10
#: LCMCR redraws n₀ while it exceeds this many times n: the prior on N stops at (1 + this)·n.
MAX_MISSING_RATIO = 20
_MAX_REDRAWS = 1_000  # after this many redraws of n₀ the cap itself is taken (and counted)

# Diagnostic thresholds behind the warnings (see docs/methods/rcapture-and-lcmcr.md).
MIN_ESS = mcmc.MIN_ESS
GEWEKE_LIMIT = mcmc.GEWEKE_LIMIT
RHAT_LIMIT = mcmc.RHAT_LIMIT
LAST_CLASS_LIMIT = 0.05  # posterior mean weight of class K above this: K may be too small
SKEW_LIMIT = 3.0  # upper limit more than this many times the median: N is barely bounded
CAP_LIMIT = 0.01  # share of sweeps whose first draw of n₀ passed the cap: the cap shapes N
START_RATIO = 3.0  # the sampler starts near N = 3n

effective_sample_size = mcmc.effective_sample_size
geweke_z = mcmc.geweke_z
split_rhat = mcmc.split_rhat


def _log_gamma(rng: np.random.Generator, shape: NDArray[Any]) -> FloatArray:
    """log G with G ~ Gamma(shape, 1), accurate for small shapes.

    For shape < 1/2, log G = log U / shape + log Gamma(shape + 1) (Robert & Casella 2004,
    p. 45): a tiny stick or catch probability keeps its logarithm instead of rounding to 0.
    """
    shape = np.asarray(shape, dtype=float)
    small = shape < 0.5
    if not small.any():
        plain: FloatArray = np.log(rng.standard_gamma(shape))
        return plain
    boosted = rng.standard_gamma(np.where(small, shape + 1.0, shape))
    uniform = rng.random(shape.shape)
    with np.errstate(divide="ignore"):
        tiny = np.log(np.maximum(uniform, np.finfo(float).tiny)) / np.where(small, shape, 1.0)
    out: FloatArray = np.log(boosted) + np.where(small, tiny, 0.0)
    return out


def _log_beta_pair(
    rng: np.random.Generator, a: NDArray[Any], b: NDArray[Any]
) -> tuple[FloatArray, FloatArray]:
    """(log X, log(1 − X)) for X ~ Beta(a, b), both computed without forming 1 − X."""
    log_a, log_b = _log_gamma(rng, a), _log_gamma(rng, b)
    total = np.logaddexp(log_a, log_b)
    return log_a - total, log_b - total


def _log_sticks(log_v: FloatArray, log_rest: FloatArray) -> FloatArray:
    """log π from log V_k and log(1 − V_k), k < K (V_K = 1 closes the stick)."""
    before = np.concatenate([[0.0], np.cumsum(log_rest)])
    out: FloatArray = np.concatenate([log_v, [0.0]]) + before
    return out


def _resolve_seed(seed: int | None) -> int:
    """The seed to run with: the caller's, or a fresh one that is recorded so runs can repeat."""
    if seed is not None:
        return int(seed)
    return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> 1)


def sample_posterior(
    histories: CaptureHistories,
    *,
    seed: int,
    iterations: int,
    burn_in: int,
    thinning: int,
    classes: int,
    a_alpha: float = A_ALPHA,
    b_alpha: float = B_ALPHA,
) -> dict[str, NDArray[Any]]:
    """Run the Gibbs sampler; return the retained draws of N, α and the class weights.

    Args:
        histories: the full table (zero cells allowed; they simply allocate nothing).
        seed: seed of the numpy Generator; the same seed gives the same draws.
        iterations: sweeps after burn-in; every `thinning`-th is kept.
        burn_in: sweeps discarded first.
        thinning: keep one sweep in this many.
        classes: K, the truncation of the stick-breaking prior.
        a_alpha: shape of the Gamma prior on α.
        b_alpha: rate of the Gamma prior on α.

    Returns:
        {"N": (draws,), "alpha": (draws,), "pi": (draws, K), "occupied": (draws,),
        "capped": (1,) the number of sweeps whose first draw of n₀ passed the cap}.
    """
    rng = np.random.default_rng(seed)
    x = histories.patterns.astype(float)  # (H, J)
    counts = histories.counts.astype(np.int64)
    keep = counts > 0
    x, counts = x[keep], counts[keep]  # empty histories contribute nothing to any update
    n = int(counts.sum())
    lists = x.shape[1]
    k_classes = classes
    cap = MAX_MISSING_RATIO * n

    # Start with α = 1, random sticks (V ~ Beta(1, 1), as LCMCR), and catch probabilities near
    # what a population of START_RATIO × n would give. LCMCR starts them at each list's share
    # of the observed, the low-N end, where a chain can linger for thousands of sweeps.
    alpha = 1.0
    log_v, log_rest = _log_beta_pair(rng, np.ones(k_classes - 1), np.ones(k_classes - 1))
    log_pi = _log_sticks(log_v, log_rest)
    seen_share = (x.T @ counts) / n  # the share of the observed each list saw
    jitter = rng.uniform(0.5, 1.5, (lists, k_classes))
    lam = np.clip(seen_share[:, None] / START_RATIO * jitter, 1e-3, 0.999)
    log_lam, log_miss = np.log(lam), np.log1p(-lam)

    kept = iterations // thinning
    out_n = np.empty(kept, dtype=np.int64)
    out_alpha = np.empty(kept)
    out_pi = np.empty((kept, k_classes))
    out_occupied = np.empty(kept, dtype=np.int64)
    total = burn_in + kept * thinning
    saved = 0
    capped = 0
    for sweep in range(total):
        # 1. The missed: how many, then which classes. q_k is P(class k and seen by no list).
        log_q = log_pi + log_miss.sum(axis=0)
        q = np.exp(log_q - log_q.max())
        pi0 = float(np.exp(log_q).sum())
        # NegBin(n, 1 − π_0) counts failures before n successes: the posterior under p(N) ∝ 1/N.
        # As LCMCR, redraw while n₀ > 20n: the prior on N is cut at 21n.
        success = min(max(1.0 - pi0, 1e-300), 1.0)
        n0 = int(rng.negative_binomial(n, success))
        if n0 > cap:
            capped += 1
            for _ in range(_MAX_REDRAWS):
                n0 = int(rng.negative_binomial(n, success))
                if n0 <= cap:
                    break
            else:
                n0 = cap
        missed = rng.multinomial(n0, q / q.sum()) if n0 else np.zeros(k_classes, dtype=np.int64)

        # 2. The observed: each history's count spread over classes.
        log_post = log_pi + x @ (log_lam - log_miss) + log_miss.sum(axis=0)
        log_post -= log_post.max(axis=1, keepdims=True)
        weights = np.exp(log_post)
        weights /= weights.sum(axis=1, keepdims=True)
        allocation = rng.multinomial(counts, weights)  # (H, K)

        # 3. Catch probabilities: the missed count towards "not seen" on every list.
        members = allocation.sum(axis=0) + missed
        seen = x.T @ allocation  # (J, K)
        log_lam, log_miss = _log_beta_pair(rng, 1.0 + seen, 1.0 + members - seen)

        # 4–5. Stick-breaking weights and their concentration, in logs: with α small and no
        # one in the later classes, 1 − V_k is far below double precision's 1e-16.
        if k_classes > 1:
            later = np.cumsum(members[::-1])[::-1][1:]  # Σ_{l>k} m_l for k < K
            log_v, log_rest = _log_beta_pair(rng, 1.0 + members[:-1], alpha + later.astype(float))
            log_pi = _log_sticks(log_v, log_rest)
            rate = b_alpha - float(log_rest.sum())
            alpha = float(rng.gamma(a_alpha + k_classes - 1, 1.0 / rate))

        if sweep >= burn_in and (sweep - burn_in) % thinning == thinning - 1:
            out_n[saved] = n + n0
            out_alpha[saved] = alpha
            out_pi[saved] = np.exp(log_pi)
            out_occupied[saved] = int(np.count_nonzero(members))
            saved += 1
    return {
        "N": out_n,
        "alpha": out_alpha,
        "pi": out_pi,
        "occupied": out_occupied,
        "capped": np.array([capped]),
    }


def lcmcr(
    histories: CaptureHistories,
    *,
    level: float = 0.95,
    seed: int | None = None,
    iterations: int = DEFAULT_ITERATIONS,
    burn_in: int = DEFAULT_BURN_IN,
    thinning: int = DEFAULT_THINNING,
    classes: int = DEFAULT_CLASSES,
    a_alpha: float = A_ALPHA,
    b_alpha: float = B_ALPHA,
) -> Estimate:
    """Population size by the latent-class model of Manrique-Vallier (2016).

    The defaults are those of R's LCMCR 0.4.13 (`lcmCR` and `lcmCR_PostSampl`): K = 5
    classes, α ~ Gamma(0.25, 0.25), 10,000 burn-in sweeps, then 10,000 sweeps of which every
    10th is kept (1,000 draws).

    Args:
        histories: the full table of observable histories (t ≥ 2; LCMCR is meant for t ≥ 3,
            since with two lists the classes cannot be told apart from the data).
        level: probability of the equal-tailed credible interval, in (0, 1).
        seed: seed of the sampler; None draws one, which is recorded in details["seed"] so
            the run can be repeated exactly.
        iterations: Gibbs sweeps after burn-in (LCMCR's samples × thinning).
        burn_in: sweeps discarded before sampling.
        thinning: keep one sweep in this many (thinning saves memory, not accuracy).
        classes: K, the number of latent classes (truncation of the Dirichlet process).
        a_alpha: shape of the Gamma prior on the concentration α (LCMCR's a_alpha).
        b_alpha: rate of that prior (LCMCR's b_alpha).

    Returns:
        The posterior median of N as `estimate`, the equal-tailed credible interval, and in
        details: seed, the sampler settings, a posterior summary, convergence diagnostics
        (effective sample size, Geweke z, split R̂), the mean α, occupied classes and weight
        of the last class, "diagnostics" (those with a trace of at most 500 draws of N, which
        a saved run keeps) and the retained draws of N ("samples") for summing over strata.

    Raises:
        ValueError: for no observations, a `level` outside (0, 1), or non-positive settings.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, not {level}")
    if iterations < 1 or burn_in < 0 or thinning < 1 or classes < 1:
        raise ValueError("iterations, thinning and classes must be positive, burn_in ≥ 0")
    if a_alpha <= 0 or b_alpha <= 0:
        raise ValueError("a_alpha and b_alpha must be positive")
    if iterations // thinning < 1:
        raise ValueError("iterations // thinning must leave at least one draw")
    n = histories.observed
    if n == 0:
        raise ValueError("no one was observed: there is nothing to estimate from")
    run_seed = _resolve_seed(seed)
    start = time.perf_counter()
    draws = sample_posterior(
        histories,
        seed=run_seed,
        iterations=iterations,
        burn_in=burn_in,
        thinning=thinning,
        classes=classes,
        a_alpha=a_alpha,
        b_alpha=b_alpha,
    )
    seconds = time.perf_counter() - start
    total = draws["N"]
    sweeps = burn_in + len(total) * thinning
    capped_share = int(draws["capped"][0]) / sweeps

    tail = (1 - level) / 2
    low, median, high = np.quantile(total, [tail, 0.5, 1 - tail])
    last_weight = float(draws["pi"][:, -1].mean()) if classes > 1 else 0.0
    diagnostics = mcmc.summary(
        total,
        sweeps_per_draw=thinning,
        occupied_classes_mean=float(draws["occupied"].mean()),
        last_class_weight_mean=last_weight,
        classes=classes,
    )
    ess = diagnostics["effective_sample_size"]
    z = diagnostics["geweke_z"]
    rhat = diagnostics["split_rhat"]

    warnings: list[str] = []
    if histories.t < 3:
        warnings.append(
            "LCMCR with two lists: the latent classes are not identified by the data, so the "
            "estimate mostly reflects the priors."
        )
    if ess < MIN_ESS:
        warnings.append(
            f"Only {ess:.0f} effective draws of N: run more iterations before trusting the "
            "interval's limits."
        )
    if rhat > RHAT_LIMIT:
        warnings.append(
            f"The chain has not mixed (split R̂ = {rhat:.2f}): quarters of the chain give "
            "different answers, as when it lingers in one region of N; increase burn_in and "
            "iterations, or compare runs with other seeds."
        )
    if abs(z) > GEWEKE_LIMIT:
        warnings.append(
            f"The chain has not settled (Geweke z = {z:.1f}): the start and end of the "
            "sampled chain disagree; increase burn_in and iterations."
        )
    if classes > 1 and last_weight > LAST_CLASS_LIMIT:
        warnings.append(
            f"The last of the {classes} latent classes carries {last_weight:.0%} of the weight "
            "on average: the truncation may bind; rerun with more classes."
        )
    if high > SKEW_LIMIT * median:
        warnings.append(
            f"The posterior of N has a long right tail (upper limit {high:,.0f} is over "
            f"{SKEW_LIMIT:g} times the median): the data barely bound the number missed."
        )
    if capped_share > CAP_LIMIT:
        warnings.append(
            f"In {capped_share:.0%} of sweeps the number missed passed {MAX_MISSING_RATIO} "
            "times the number observed and was drawn again, as R's LCMCR does: that cap, not "
            "the data, bounds N from above."
        )

    quantiles = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)
    details: dict[str, Any] = {
        "seed": run_seed,
        "iterations": iterations,
        "burn_in": burn_in,
        "thinning": thinning,
        "classes": classes,
        "a_alpha": a_alpha,
        "b_alpha": b_alpha,
        "draws": len(total),
        "posterior": {
            "mean": float(total.mean()),
            "sd": float(total.std(ddof=1)) if len(total) > 1 else 0.0,
            "quantiles": {
                q: float(v) for q, v in zip(quantiles, np.quantile(total, quantiles), strict=True)
            },
        },
        "effective_sample_size": ess,
        "geweke_z": z,
        "split_rhat": rhat,
        "alpha_mean": float(draws["alpha"].mean()),
        "occupied_classes_mean": diagnostics["occupied_classes_mean"],
        "last_class_weight_mean": last_weight,
        "capped_share": capped_share,
        "diagnostics": diagnostics,
        "seconds": seconds,
        "samples": total.tolist(),
    }
    return Estimate(
        method="lcmcr",
        model="",  # no log-linear model; the classes are in details
        estimate=float(median),
        observed=n,
        interval=Interval("credible", level, float(low), float(high)),
        warnings=tuple(warnings),
        details=details,
    )
