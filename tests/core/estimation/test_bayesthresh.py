"""Bayesian thresholding against the MultipleSystemsEstimation vignette
(docs/facts/mse-oracles.md §2)."""

import numpy as np
import pytest

from tests.core.estimation.mse_data import histories
from unseen.core.estimation import mse
from unseen.core.estimation.bayesthresh import bayesian_thresholding, effective_samples

UK5 = histories("uk2013_5lists")


@pytest.fixture(scope="module")
def uk5():
    return bayesian_thresholding(UK5, seed=1)


def test_it_fixes_the_non_overlapping_pair_at_minus_infinity(uk5):
    assert "LA:GP" in uk5.model
    assert uk5.details["ratios"]["LA:GP"] is None
    assert any("LA:GP are fixed at −∞" in warning for warning in uk5.warnings)


def test_la_pfnca_sits_on_the_threshold_under_a_flat_prior(uk5):
    # Its posterior mean is two posterior standard deviations from zero, give or take the
    # Monte Carlo error: whether it is kept decides between about 11,500 and 12,200.
    assert uk5.details["ratios"]["LA:PFNCA"] == pytest.approx(2.0, abs=0.15)
    assert uk5.details["ratios"]["LA:NG"] > 3
    assert uk5.details["ratios"]["NG:PFNCA"] < 1


def test_with_the_borderline_pair_kept_it_reproduces_the_vignettes_posterior_median():
    result = bayesian_thresholding(UK5, seed=1, threshold=1.9)
    assert result.model == "[LA:NG, LA:PFNCA, LA:GP, NG:GP, PFNCA:GP, GO:GP]"
    assert result.estimate == pytest.approx(12_188, rel=0.05)
    assert result.interval.kind == "credible"
    assert result.interval.low < result.estimate < result.interval.high


def test_the_same_seed_gives_the_same_numbers(uk5):
    again = bayesian_thresholding(UK5, seed=1)
    assert again.estimate == uk5.estimate
    assert again.interval == uk5.interval


def test_it_never_reports_fewer_than_were_observed(uk5):
    assert uk5.interval.low >= UK5.observed
    assert uk5.details["effective_samples"] > 400


def test_it_keeps_mixing_diagnostics_and_a_thinned_trace_for_the_run_page(uk5):
    diagnostics = uk5.details["diagnostics"]
    assert diagnostics["draws"] == 50_000
    assert len(diagnostics["trace"]) == 500
    assert diagnostics["trace_step"] == 100
    assert diagnostics["split_rhat"] < 1.05
    assert 0.1 < diagnostics["acceptance"] < 0.6
    assert min(diagnostics["trace"]) >= UK5.observed


def test_it_is_a_method_of_unseen_mse():
    result = mse.estimate(UK5, "bayes-threshold", seed=3)
    assert result.method == "bayes-threshold"
    assert result.observed == 2744
    assert 10_000 < result.estimate < 13_500


def test_effective_samples_of_independent_draws_is_about_the_chain_length():
    draws = np.random.default_rng(0).standard_normal(10_000)
    assert effective_samples(draws) == pytest.approx(10_000, rel=0.1)
    sticky = np.repeat(draws[:1000], 10)  # each value repeated ten times
    assert effective_samples(sticky) < 2_000
