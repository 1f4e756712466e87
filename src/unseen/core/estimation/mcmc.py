"""Mixing diagnostics for one MCMC chain of N, and the small summary a run stores to show them.

Used by LCMCR and Bayesian thresholding. Every function takes the retained draws of one chain
in order. See docs/methods/rcapture-and-lcmcr.md ("Reading the diagnostics").

* `effective_sample_size`: Geyer's initial monotone sequence estimator.
* `split_rhat`: Gelman–Rubin R̂ of the chain cut into quarters (1 when they agree).
* `geweke_z`: the mean of the first 10% against the last 50%, with ESS-based variances.
* `summary`: those three plus a thinned trace of N (at most `TRACE_POINTS` values), which is
  what a run keeps in its results so the page can draw the trace without the full chain.
"""

from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Fewer effective draws than this make the 2.5% and 97.5% quantiles rough.
MIN_ESS = 200
#: |z| beyond this: the first and last parts of the chain disagree.
GEWEKE_LIMIT = 3.0
#: Split R̂ above this: quarters of the chain disagree (stuck or drifting).
RHAT_LIMIT = 1.05
#: The most values of N a stored trace keeps.
TRACE_POINTS = 500


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


def thinned(draws: NDArray[Any], points: int = TRACE_POINTS) -> tuple[list[float], int]:
    """At most `points` evenly spaced draws (the first kept), and the step between them."""
    x = np.asarray(draws, dtype=float)
    step = max(1, -(-len(x) // points))  # ceiling division
    return [float(v) for v in x[::step]], step


def summary(draws: NDArray[Any], *, sweeps_per_draw: int = 1, **extra: Any) -> dict[str, Any]:
    """What a run stores about one chain of N: diagnostics and a thinned trace.

    Args:
        draws: the retained draws of N, in order.
        sweeps_per_draw: sampler sweeps between retained draws (the thinning).
        extra: method-specific numbers to keep with them (classes occupied, acceptance, …).

    Returns:
        {"draws", "effective_sample_size", "split_rhat", "geweke_z", "trace",
        "trace_step" (sweeps between trace points), **extra}.
    """
    trace, step = thinned(draws)
    return {
        "draws": len(draws),
        "effective_sample_size": effective_sample_size(draws),
        "split_rhat": split_rhat(draws),
        "geweke_z": geweke_z(draws),
        "trace": trace,
        "trace_step": step * sweeps_per_draw,
        **extra,
    }
