"""Wald, profile and BCa intervals against docs/facts/mse-oracles.md (Wald/profile 0.5%, BCa 5%)."""

import numpy as np
import pytest

from tests.core.estimation.mse_data import close, histories, table
from unseen.core.estimation.intervals import bca, profile, wald
from unseen.core.estimation.loglinear import Model, fit
from unseen.core.estimation.selection import main_effects, stepwise_aic, stepwise_poisson

PROFILE = 0.005
WALD = 0.005
BCA = 0.05


def limits_match(interval, low, high, relative):
    return close(interval.low, low, relative) and close(interval.high, high, relative)


# (table, selection, profile N, 95% limits, 80% limits or None) from docs/facts/mse-oracles.md
PROFILE_CASES = [
    ("uk2013_6lists", "bhs", 11408.9, (9982.3, 13181.7), (10442.3, 12522.9)),
    ("uk2013_6lists", "bhs0.001", 14211.1, (12608.4, 16131.1), (13131.4, 15426.1)),
    ("uk2013_6lists", "main", 12208.6, (10983.9, 13648.2), (11386.0, 13122.9)),
    ("uk2013_5lists", "bhs", 11303.9, (9889.2, 13063.1), (10345.3, 12409.2)),
    ("uk2013_5lists", "main", 13437.9, (11985.1, 15165.9), None),
    ("uk2013_4lists", "bhs", 11006.9, (9587.7, 12771.9), (10045.2, 12115.9)),
    ("uk2013_4lists", "bhs0.001", 11979.8, (10507.4, 13780.6), None),
    ("uk2013_4lists", "main", 10688.3, (9504.1, 12108.4), None),
    ("rcapture_hiv", "[c1:c2]", 12308.0, (10266.0, 14992.3), None),
    (
        "rcapture_hiv",
        "[c1:c2, c1:c3, c1:c4, c2:c3, c2:c4, c3:c4]",
        23269.8,
        (10027.6, 50046.3),
        None,
    ),
]


def chosen_fit(name: str, how: str):
    data = table(name)
    if how == "bhs":
        return stepwise_aic(data).fit
    if how == "bhs0.001":
        return stepwise_aic(data, 0.001).fit
    if how == "main":
        return main_effects(data).fit
    return fit(Model.parse(histories(name).lists, how), data)


@pytest.mark.parametrize(("name", "how", "top", "ci95", "ci80"), PROFILE_CASES)
def test_it_reproduces_the_profile_likelihood_intervals(name, how, top, ci95, ci80):
    result = chosen_fit(name, how)
    p95 = profile(result, table(name), 0.95)
    assert round(p95.estimate, 1) == pytest.approx(top, abs=0.11)
    assert limits_match(p95.interval, *ci95, PROFILE), p95.interval
    if ci80:
        p80 = profile(result, table(name), 0.80)
        assert limits_match(p80.interval, *ci80, PROFILE), p80.interval


@pytest.mark.parametrize(
    ("name", "how", "low", "high"),
    [
        ("uk2013_6lists", "main", 10988.8, 13621.3),
        ("uk2013_6lists", "csv", 9977.3, 13145.7),
        ("uk2013_5lists", "main", 11985.2, 15133.4),
        ("uk2013_5lists", "csv", 9884.4, 13027.4),
    ],
)
def test_it_reproduces_the_wald_log_intervals(name, how, low, high):
    data = table(name)
    result = main_effects(data).fit if how == "main" else stepwise_poisson(data).fit
    interval = wald(result, 0.95)
    assert limits_match(interval, low, high, WALD), interval
    assert interval.kind == "wald"


def test_it_reports_the_observed_count_when_the_profile_lower_limit_falls_below_it():
    # A small table whose likelihood is flat towards N = n.
    data_counts = np.array([1, 1, 40])  # almost everyone on both lists
    result = fit(Model.main_effects(2), data_counts)
    from unseen.core.estimation.loglinear import Data

    interval = profile(result, Data.of(2, data_counts), 0.95).interval
    assert interval.low == pytest.approx(42.0)
    assert interval.high > result.estimate


def uk_bootstrap(name: str, replicates: int = 1000):
    data = table(name)
    estimate = stepwise_poisson(data).fit.estimate
    return bca(lambda d: stepwise_poisson(d).fit.estimate, data, estimate, 0.95, replicates, 1234)


UK6_BCA = [9267.0, 9560.8, 9682.3, 12576.5, 13296.1, 14306.8]
UK5_BCA = [8784.8, 9059.7, 9623.9, 12531.1, 13327.1, 14700.5]
TAILS = [0.025, 0.05, 0.10, 0.90, 0.95, 0.975]


def test_it_reproduces_the_uk6_bca_bootstrap():
    boot = uk_bootstrap("uk2013_6lists")
    assert boot.acceleration == pytest.approx(-0.0129, abs=0.0005)
    for got, expected in zip(boot.limits(TAILS), UK6_BCA, strict=True):
        assert close(got, expected, BCA), (got, expected)
    assert (boot.interval.low, boot.interval.high) == tuple(boot.limits([0.025, 0.975]))
    # The percentile bootstrap is strongly right-skewed (median 12,218; 97.5% 24,366).
    assert close(float(np.median(boot.replicates)), 12218, BCA)
    assert close(float(np.quantile(boot.replicates, 0.975)), 24366, 0.10)


@pytest.mark.slow
def test_it_reproduces_the_uk5_bca_bootstrap():
    boot = uk_bootstrap("uk2013_5lists")
    assert boot.acceleration == pytest.approx(-0.0122, abs=0.0005)
    for got, expected in zip(boot.limits(TAILS), UK5_BCA, strict=True):
        assert close(got, expected, BCA), (got, expected)


def test_it_repeats_a_bootstrap_exactly_with_the_same_seed():
    data = table("uk2013_4lists")
    rule = lambda d: main_effects(d).fit.estimate  # noqa: E731
    first = bca(rule, data, rule(data), 0.9, 50, 7)
    again = bca(rule, data, rule(data), 0.9, 50, 7)
    other = bca(rule, data, rule(data), 0.9, 50, 8)
    assert first.interval == again.interval
    assert np.array_equal(first.replicates, again.replicates)
    assert not np.array_equal(first.replicates, other.replicates)


def test_it_widens_intervals_with_the_level():
    result = stepwise_aic(table("uk2013_4lists")).fit
    narrow, wide = wald(result, 0.8), wald(result, 0.99)
    assert wide.low < narrow.low < result.estimate < narrow.high < wide.high


def test_it_refuses_a_level_outside_zero_and_one():
    with pytest.raises(ValueError, match="level"):
        wald(main_effects(table("uk2013_4lists")).fit, 1.5)


@pytest.mark.slow
def test_the_bic_bootstrap_lower_limit_matches_silverman_chan_vincent():
    # SCV (2024) Table 6, five lists, max order 2: [11,456, 43,894]. Our lower limit matches
    # within 5% at any seed we tried (11,734-11,882). The upper limit is not reproducible: with
    # z0 about 0.6 and a about 0.11 the BCa upper quantile is the bootstrap's extreme tail (it
    # moves from 48,334 to 55,970 between seeds 1234 and 1, and is 52,170 with 4,000 replicates),
    # so we only check that it lies far above the point estimate's 22,991.
    from unseen.core.estimation import selection

    data = table("uk2013_5lists")
    chosen = selection.bic(data, max_order=2, top=100)
    assert chosen.fit.estimate == pytest.approx(22_991.3, abs=0.1)
    candidates = [model for model, *_ in chosen.ranking]
    boot = bca(
        lambda d: selection.bic(d, candidates=candidates).fit.estimate,
        data,
        chosen.fit.estimate,
        0.95,
        1000,
        1234,
    )
    assert close(boot.interval.low, 11_456, BCA)
    assert boot.interval.high > 1.5 * chosen.fit.estimate
