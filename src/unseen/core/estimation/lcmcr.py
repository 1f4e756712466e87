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

Each sweep costs a few small (histories × classes) array operations, whatever N is.
"""

import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.results import Estimate, Interval

FloatArray = NDArray[np.float64]

A_ALPHA = 0.25  # LCMCR's default Gamma(a, b) prior on the stick-breaking concentration α
B_ALPHA = 0.25
DEFAULT_CLASSES = 10

# Diagnostic thresholds behind the warnings (see docs/methods/rcapture-and-lcmcr.md).
MIN_ESS = 200  # fewer effective draws than this make the 2.5%/97.5% quantiles rough
GEWEKE_LIMIT = 3.0  # |z| beyond this: the first and last parts of the chain disagree
LAST_CLASS_LIMIT = 0.05  # posterior mean weight of class K above this: K may be too small
SKEW_LIMIT = 3.0  # upper limit more than this many times the median: N is barely bounded
RHAT_LIMIT = 1.05  # split-R̂ above this: quarters of the chain disagree (stuck or drifting)
_TINY = 1e-300  # keeps logs finite when a stick or a λ is numerically 0 or 1
START_RATIO = 3.0  # the sampler starts near N = 3n  # keeps logs finite when a stick or a λ is numerically 0 or 1


def _sticks(v: FloatArray) -> FloatArray:
    """Class weights π from stick-breaking fractions V (V_K = 1 closes the stick)."""
    remaining: FloatArray = np.concatenate([[1.0], np.cumprod(1.0 - v[:-1])])
    return v * remaining


def effective_sample_size(draws: NDArray[Any]) -> float:
    """Effective sample size of one chain by Geyer's initial positive sequence.

    Sums autocorrelations in adjacent pairs while the pair sums stay positive (Geyer 1992),
    which is conservative for the reversible chains a Gibbs sampler produces.
    """
    x = np.asarray(draws, dtype=float)
    m = len(x)
    if m < 4 or np.ptp(x) == 0:
        return float(m)
    x = x - x.mean()
    size = 1 << (2 * m - 1).bit_length()
    spectrum = np.fft.rfft(x, size)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), size)[:m] / m
    rho = acov / acov[0]
    pairs = rho[: m - m % 2].reshape(-1, 2).sum(axis=1)
    positive = np.flatnonzero(pairs <= 0)
    cut = positive[0] if len(positive) else len(pairs)
    # Geyer's monotone refinement: pair sums must not increase.
    gamma = np.minimum.accumulate(pairs[:cut])
    tau = -1.0 + 2.0 * float(gamma.sum())
    return float(m / max(tau, 1e-12))


def geweke_z(draws: NDArray[Any], first: float = 0.1, last: float = 0.5) -> float:
    """Geweke's z: the mean of the first 10% against the last 50%, with ESS-based variances."""
    x = np.asarray(draws, dtype=float)
    a, b = x[: int(first * len(x))], x[int((1 - last) * len(x)) :]
    if len(a) < 4 or len(b) < 4:
        return 0.0
    var_a = a.var(ddof=1) / effective_sample_size(a)
    var_b = b.var(ddof=1) / effective_sample_size(b)
    if var_a + var_b == 0:
        return 0.0
    return float((a.mean() - b.mean()) / np.sqrt(var_a + var_b))


def split_rhat(draws: NDArray[Any], parts: int = 4) -> float:
    """Gelman–Rubin R̂ of one chain cut into `parts` pieces (1 when they agree).

    A single chain stuck in one region for a while and then another shows up as pieces
    with different means: R̂ well above 1.
    """
    x = np.asarray(draws, dtype=float)
    length = len(x) // parts
    if length < 2:
        return float("nan")
    pieces = x[: length * parts].reshape(parts, length)
    within = float(pieces.var(axis=1, ddof=1).mean())
    between = float(length * pieces.mean(axis=1).var(ddof=1))
    if within == 0:
        return 1.0 if between == 0 else float("inf")
    pooled = (length - 1) / length * within + between / length
    return float(np.sqrt(pooled / within))


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
) -> dict[str, NDArray[Any]]:
    """Run the Gibbs sampler; return the retained draws of N, α and the class weights.

    Args:
        histories: the full table (zero cells allowed; they simply allocate nothing).
        seed: seed of the numpy Generator; the same seed gives the same draws.
        iterations: sweeps after burn-in; every `thinning`-th is kept.
        burn_in: sweeps discarded first.
        thinning: keep one sweep in this many.
        classes: K, the truncation of the stick-breaking prior.

    Returns:
        {"N": (draws,), "alpha": (draws,), "pi": (draws, K), "occupied": (draws,)}.
    """
    rng = np.random.default_rng(seed)
    x = histories.patterns.astype(float)  # (H, J)
    counts = histories.counts.astype(np.int64)
    keep = counts > 0
    x, counts = x[keep], counts[keep]  # empty histories contribute nothing to any update
    n = int(counts.sum())
    lists = x.shape[1]
    k_classes = classes

    # Start with α = 1, random sticks, and catch probabilities near what a population of
    # START_RATIO × n would give. Starting with high catch probabilities puts the chain in
    # the low-N region, which can hold it for thousands of sweeps (see the docs).
    alpha = 1.0
    v = rng.beta(1.0, alpha, size=k_classes)
    v[-1] = 1.0
    pi = _sticks(v)
    seen_share = (x.T @ counts) / n  # the share of the observed each list saw
    jitter = rng.uniform(0.5, 1.5, (lists, k_classes))
    lam = np.clip(seen_share[:, None] / START_RATIO * jitter, 1e-3, 0.999)

    kept = iterations // thinning
    out_n = np.empty(kept, dtype=np.int64)
    out_alpha = np.empty(kept)
    out_pi = np.empty((kept, k_classes))
    out_occupied = np.empty(kept, dtype=np.int64)
    total = burn_in + kept * thinning
    saved = 0
    for sweep in range(total):
        log_lam = np.log(np.maximum(lam, _TINY))
        log_miss = np.log(np.maximum(1.0 - lam, _TINY))
        log_pi = np.log(np.maximum(pi, _TINY))

        # 1. The missed: how many, then which classes. q_k is P(class k and seen by no list).
        q = np.exp(log_pi + log_miss.sum(axis=0))
        pi0 = float(q.sum())
        # NegBin(n, 1 − π_0) counts failures before n successes: the posterior under p(N) ∝ 1/N.
        n0 = int(rng.negative_binomial(n, min(max(1.0 - pi0, _TINY), 1.0)))
        missed = rng.multinomial(n0, q / pi0) if n0 else np.zeros(k_classes, dtype=np.int64)

        # 2. The observed: each history's count spread over classes.
        log_post = log_pi + x @ (log_lam - log_miss) + log_miss.sum(axis=0)
        log_post -= log_post.max(axis=1, keepdims=True)
        weights = np.exp(log_post)
        weights /= weights.sum(axis=1, keepdims=True)
        allocation = rng.multinomial(counts, weights)  # (H, K)

        # 3. Catch probabilities: the missed count towards "not seen" on every list.
        members = allocation.sum(axis=0) + missed
        seen = x.T @ allocation  # (J, K)
        lam = rng.beta(1.0 + seen, 1.0 + members - seen)

        # 4–5. Stick-breaking weights and their concentration.
        if k_classes > 1:
            later = np.concatenate([np.cumsum(members[::-1])[::-1][1:], [0]])
            v = rng.beta(1.0 + members[:-1], alpha + later[:-1])
            v = np.minimum(v, 1.0 - 1e-12)  # a stick of exactly 1 would starve later classes
            v = np.append(v, 1.0)
            rate = B_ALPHA - float(np.log1p(-v[:-1]).sum())
            alpha = float(rng.gamma(A_ALPHA + k_classes - 1, 1.0 / rate))
            pi = _sticks(v)

        if sweep >= burn_in and (sweep - burn_in) % thinning == thinning - 1:
            out_n[saved] = n + n0
            out_alpha[saved] = alpha
            out_pi[saved] = pi
            out_occupied[saved] = int(np.count_nonzero(members))
            saved += 1
    return {"N": out_n, "alpha": out_alpha, "pi": out_pi, "occupied": out_occupied}


def lcmcr(
    histories: CaptureHistories,
    *,
    level: float = 0.95,
    seed: int | None = None,
    iterations: int = 10_000,
    burn_in: int | None = None,
    thinning: int = 1,
    classes: int = DEFAULT_CLASSES,
) -> Estimate:
    """Population size by the latent-class model of Manrique-Vallier (2016).

    Args:
        histories: the full table of observable histories (t ≥ 2; LCMCR is meant for t ≥ 3,
            since with two lists the classes cannot be told apart from the data).
        level: probability of the equal-tailed credible interval, in (0, 1).
        seed: seed of the sampler; None draws one, which is recorded in details["seed"] so
            the run can be repeated exactly.
        iterations: Gibbs sweeps after burn-in.
        burn_in: sweeps discarded before sampling; default `iterations` (as LCMCR's
            10,000 burn-in for 10,000 sampling sweeps).
        thinning: keep one sweep in this many (thinning saves memory, not accuracy).
        classes: K, the number of latent classes (truncation of the Dirichlet process).

    Returns:
        The posterior median of N as `estimate`, the equal-tailed credible interval, and in
        details: seed, the sampler settings, a posterior summary, convergence diagnostics
        (effective sample size, Geweke z, split R̂), the mean α, occupied classes and weight of the last
        class, and the retained draws of N (details["samples"]) for summing over strata.

    Raises:
        ValueError: for no observations, a `level` outside (0, 1), or non-positive settings.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, not {level}")
    burn_in = iterations if burn_in is None else burn_in
    if iterations < 1 or burn_in < 0 or thinning < 1 or classes < 1:
        raise ValueError("iterations, thinning and classes must be positive, burn_in ≥ 0")
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
    )
    seconds = time.perf_counter() - start
    total = draws["N"]

    tail = (1 - level) / 2
    low, median, high = np.quantile(total, [tail, 0.5, 1 - tail])
    ess = effective_sample_size(total)
    z = geweke_z(total)
    rhat = split_rhat(total)
    last_weight = float(draws["pi"][:, -1].mean()) if classes > 1 else 0.0

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

    quantiles = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)
    details: dict[str, Any] = {
        "seed": run_seed,
        "iterations": iterations,
        "burn_in": burn_in,
        "thinning": thinning,
        "classes": classes,
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
        "occupied_classes_mean": float(draws["occupied"].mean()),
        "last_class_weight_mean": last_weight,
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
