"""The LCMCR Gibbs sampler.

Known answers: R's LCMCR 0.4.13 on the UK 2013 four lists under its documented defaults
(docs/facts/mse-oracles.md §14, run with the package rebuilt from its CRAN source); and, exactly,
the one-class model, which is list independence with Beta(1, 1) catch probabilities and
p(N) ∝ 1/N, whose posterior of N can be summed in closed form. Beyond that: a simulated
population of known size, the diagnostics behind the warnings, reproducibility, and speed.
"""

import csv
import time
from pathlib import Path

import numpy as np
import pytest
from scipy.special import digamma, gammaln

from unseen.core.estimation import report
from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.lcmcr import (
    MAX_MISSING_RATIO,
    _log_beta_pair,
    effective_sample_size,
    lcmcr,
    split_rhat,
)

DATA = Path(__file__).parent / "data"


def load(name: str) -> CaptureHistories:
    with (DATA / name).open(newline="") as handle:
        rows = list(csv.reader(handle))
    return CaptureHistories.from_counts(
        rows[0][:-1], (([int(v) for v in row[:-1]], int(row[-1])) for row in rows[1:])
    )


UK4 = load("uk2013_4lists.csv")


def exact_one_class_quantiles(histories: CaptureHistories, quantiles: list[float]) -> list[int]:
    """Quantiles of p(N | data) ∝ (N−1)!/(N−n)! Π_j B(n_j + 1, N − n_j + 1) for K = 1."""
    n = histories.observed
    totals = np.array(list(histories.list_totals().values()))
    grid = np.arange(n, 50 * n)
    log_post = gammaln(grid) - gammaln(grid - n + 1)
    for seen in totals:
        log_post += gammaln(grid - seen + 1) - gammaln(grid + 2)
    weights = np.exp(log_post - log_post.max())
    cumulative = np.cumsum(weights) / weights.sum()
    return [int(grid[np.searchsorted(cumulative, q)]) for q in quantiles]


def test_it_matches_the_exact_posterior_with_one_class():
    low, median, high = exact_one_class_quantiles(UK4, [0.025, 0.5, 0.975])
    assert (low, median, high) == (9395, 10553, 11940)  # the closed form, for the record
    result = lcmcr(UK4, classes=1, seed=7, iterations=10_000, burn_in=1_000, thinning=1)
    assert result.estimate == pytest.approx(median, rel=0.02)
    assert result.interval.low == pytest.approx(low, rel=0.03)
    assert result.interval.high == pytest.approx(high, rel=0.03)


# R's LCMCR 0.4.13 on uk2013_4lists.csv under its documented defaults, K = 5, a_alpha = b_alpha =
# 0.25, burnin = 10,000, then 1,000 samples thinned by 10 (docs/facts/mse-oracles.md §14). Pooled
# over three 2,000,000-sweep runs (seeds 21–23) the median is 12,001 and the 95% interval
# 10,165–14,623; eight default-length runs (seeds 1–8) gave medians 11,830–12,195.
R_UK4_MEDIAN, R_UK4_LOW, R_UK4_HIGH = 12_001, 10_165, 14_623


def test_it_matches_r_lcmcr_on_the_uk_four_lists_under_the_packages_defaults():
    result = lcmcr(UK4, seed=1)
    details = result.details
    assert (details["classes"], details["a_alpha"], details["b_alpha"]) == (5, 0.25, 0.25)
    assert (details["burn_in"], details["iterations"], details["thinning"]) == (10_000, 10_000, 10)
    assert details["draws"] == 1_000
    assert result.estimate == pytest.approx(R_UK4_MEDIAN, rel=0.03)
    assert result.interval.low == pytest.approx(R_UK4_LOW, rel=0.08)
    assert result.interval.high == pytest.approx(R_UK4_HIGH, rel=0.08)
    assert details["split_rhat"] < 1.05


def test_it_draws_a_stick_near_one_without_losing_its_complement():
    # V ~ Beta(1 + 5000, 0.05), as for the last occupied class when α is small and the later
    # classes are empty: E log(1 − V) = ψ(0.05) − ψ(5001.05) ≈ −29.1, below the −27.6 that a
    # draw of V rounded near 1 (and clipped at 1 − 1e-12, as this sampler once did) allows.
    rng = np.random.default_rng(0)
    a, b = np.full(20_000, 5_001.0), np.full(20_000, 0.05)
    log_v, log_rest = _log_beta_pair(rng, a, b)
    expected = digamma(0.05) - digamma(5_001.05)
    assert log_rest.mean() == pytest.approx(expected, abs=0.5)
    assert log_rest.min() < -100
    assert np.exp(log_v).mean() == pytest.approx(5_001 / 5_001.05, rel=1e-4)


def test_it_stores_a_small_trace_and_its_diagnostics_in_the_saved_result():
    result = lcmcr(UK4, seed=2, iterations=20_000, burn_in=500, thinning=2)
    diagnostics = result.details["diagnostics"]
    assert diagnostics["draws"] == 10_000
    assert len(diagnostics["trace"]) == 500
    assert diagnostics["trace_step"] == 40  # every 20th kept draw, each 2 sweeps apart
    assert diagnostics["trace"][1] == result.details["samples"][20]
    assert diagnostics["classes"] == 5
    assert 1 <= diagnostics["occupied_classes_mean"] <= 5
    saved = report.document(UK4, [result])["results"][0]
    assert saved["diagnostics"] is diagnostics
    assert "samples" not in saved


def test_it_says_when_the_cap_on_the_number_missed_bounds_n():
    # Three lists that barely overlap: the data do not bound N, so n₀ keeps passing 20n.
    loose = CaptureHistories.from_counts(
        ["a", "b", "c"], [((1, 0, 0), 300), ((0, 1, 0), 300), ((0, 0, 1), 300), ((1, 1, 0), 1)]
    )
    result = lcmcr(loose, seed=4, iterations=2_000, burn_in=500)
    assert result.details["capped_share"] > 0.01
    assert max(result.details["samples"]) <= (1 + MAX_MISSING_RATIO) * loose.observed
    assert any("that cap, not the data" in warning for warning in result.warnings)


def test_it_recovers_a_simulated_population_with_two_kinds_of_people():
    rng = np.random.default_rng(2016)
    size = 4_000
    hidden = rng.random(size) < 0.6  # 60% are hard to reach
    catch = np.where(hidden[:, None], [0.08, 0.1, 0.06, 0.12], [0.4, 0.35, 0.5, 0.3])
    seen = (rng.random((size, 4)) < catch).astype(int)
    histories = CaptureHistories.from_entities("abcd", [row for row in seen if row.any()])
    result = lcmcr(histories, seed=3, classes=5, iterations=10_000, burn_in=5_000)
    assert result.interval.low < size < result.interval.high
    assert result.estimate == pytest.approx(size, rel=0.15)


def test_it_repeats_a_run_exactly_from_its_seed():
    first = lcmcr(UK4, seed=11, iterations=300, burn_in=100)
    again = lcmcr(UK4, seed=11, iterations=300, burn_in=100)
    other = lcmcr(UK4, seed=12, iterations=300, burn_in=100)
    assert first.details["samples"] == again.details["samples"]
    assert first.details["samples"] != other.details["samples"]
    unseeded = lcmcr(UK4, iterations=300, burn_in=100)
    replay = lcmcr(UK4, seed=unseeded.details["seed"], iterations=300, burn_in=100)
    assert replay.details["samples"] == unseeded.details["samples"]


def test_it_thins_and_reports_the_posterior():
    result = lcmcr(UK4, seed=5, iterations=1_000, burn_in=200, thinning=4)
    assert result.details["draws"] == 250
    assert len(result.details["samples"]) == 250
    assert min(result.details["samples"]) >= UK4.observed
    assert result.interval.low <= result.estimate <= result.interval.high
    posterior = result.details["posterior"]
    assert posterior["quantiles"][0.5] == result.estimate


def test_it_warns_when_the_chain_is_too_short_to_trust():
    result = lcmcr(UK4, seed=5, iterations=200, burn_in=0)
    assert any("effective draws" in warning for warning in result.warnings)


def test_it_warns_that_two_lists_cannot_identify_the_classes():
    two = CaptureHistories.from_counts(["a", "b"], [((1, 0), 50), ((0, 1), 40), ((1, 1), 20)])
    result = lcmcr(two, seed=1, iterations=500, burn_in=100)
    assert any("two lists" in warning for warning in result.warnings)


def test_it_refuses_bad_settings():
    with pytest.raises(ValueError, match="level"):
        lcmcr(UK4, level=0)
    with pytest.raises(ValueError, match="positive"):
        lcmcr(UK4, classes=0)
    empty = CaptureHistories.from_counts(["a", "b", "c"], [])
    with pytest.raises(ValueError, match="no one"):
        lcmcr(empty)


def test_it_measures_mixing():
    rng = np.random.default_rng(0)
    independent = rng.normal(size=4_000)
    assert effective_sample_size(independent) == pytest.approx(4_000, rel=0.15)
    sticky = np.repeat(independent[:40], 100)  # each value held for 100 draws
    assert effective_sample_size(sticky) < 200
    assert split_rhat(independent) == pytest.approx(1.0, abs=0.01)
    assert split_rhat(np.concatenate([independent, independent + 5])) > 1.5


def test_it_runs_ten_thousand_iterations_on_four_lists_in_seconds():
    start = time.perf_counter()
    lcmcr(UK4, seed=1, iterations=10_000, burn_in=0)
    assert time.perf_counter() - start < 30
