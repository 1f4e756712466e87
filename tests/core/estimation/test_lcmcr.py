"""The LCMCR Gibbs sampler.

docs/facts/mse-oracles.md holds no LCMCR figure, so the known answer here is exact: with one latent
class the model is list independence with Beta(1, 1) catch probabilities and p(N) ∝ 1/N, whose
posterior of N can be summed in closed form. Beyond that: a simulated population of known size, the
diagnostics behind the warnings, reproducibility, and speed.
"""

import csv
import time
from pathlib import Path

import numpy as np
import pytest
from scipy.special import gammaln

from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.lcmcr import effective_sample_size, lcmcr, split_rhat

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
    result = lcmcr(UK4, classes=1, seed=7, iterations=10_000, burn_in=1_000)
    assert result.estimate == pytest.approx(median, rel=0.02)
    assert result.interval.low == pytest.approx(low, rel=0.03)
    assert result.interval.high == pytest.approx(high, rel=0.03)


def test_it_stays_near_a_long_run_on_the_uk_four_lists():
    # Not an ORACLES figure (there is none for LCMCR): two 200,000-sweep chains of this sampler
    # (one with an extra collapsed update of the missed) both gave a median of 11,800
    # (95% 9,750–14,700). A default-length run with this seed lands within 5% and says how
    # few effective draws it has.
    result = lcmcr(UK4, seed=1)
    assert result.method == "lcmcr"
    assert result.interval.kind == "credible"
    assert result.estimate == pytest.approx(11_800, rel=0.05)
    assert result.interval.low == pytest.approx(9_750, rel=0.10)
    assert result.interval.high == pytest.approx(14_700, rel=0.10)
    assert result.details["split_rhat"] < 1.05


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
