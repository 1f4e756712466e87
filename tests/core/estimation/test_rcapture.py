"""Rcapture's closed-population models against the figures Rcapture 1.4-4 prints.

The figures are in docs/facts/mse-oracles.md §12.

Tolerances follow docs/facts/mse-oracles.md: deterministic figures to about 0.1% (or the printed
precision), profile limits to 0.5% (Rcapture interpolates on a grid; we solve continuously).
"""

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unseen.core.estimation import rcapture
from unseen.core.estimation.histories import CaptureHistories, all_patterns

DATA = Path(__file__).parent / "data"


def load(name: str) -> CaptureHistories:
    with (DATA / name).open(newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    return CaptureHistories.from_counts(
        header[:-1], (([int(v) for v in row[:-1]], int(row[-1])) for row in body)
    )


HARE = load("rcapture_hare.csv")
HIV = load("rcapture_hiv.csv")

# Rcapture closedp.t on the hare data: abundance, stderr, deviance, df, AIC, BIC.
HARE_TABLE = [
    ("M0", 75.4, 3.5, 68.516, 61, 154.707, 159.146),
    ("Mt", 75.1, 3.4, 58.314, 56, 154.505, 170.041),
    ("Mh-chao", 79.8, 6.4, 58.023, 58, 150.214, 161.311),
    ("Mh-poisson", 81.5, 5.7, 59.107, 60, 147.298, 153.956),
    ("Mh-darroch", 90.4, 11.6, 61.600, 60, 149.791, 156.449),
    ("Mh-gamma", 100.6, 21.7, 62.771, 60, 150.961, 157.619),
    ("Mth-chao", 79.6, 6.3, 47.115, 52, 151.305, 175.720),
    ("Mth-poisson", 81.1, 5.6, 48.137, 55, 146.327, 164.083),
    ("Mth-darroch", 90.5, 11.7, 50.706, 55, 148.896, 166.652),
    ("Mth-gamma", 101.6, 22.4, 51.956, 55, 150.147, 167.903),
    ("Mb", 81.1, 8.3, 67.027, 60, 155.217, 161.876),
]


def printed(value: float, decimals: int) -> float:
    """Half a unit in the last printed place: the most a correctly rounded figure can be off."""
    return 0.5 * 10**-decimals + 1e-9


@pytest.mark.parametrize(("method", "n", "se", "deviance", "df", "aic", "bic"), HARE_TABLE)
def test_it_reproduces_rcapture_closedp_on_the_hare_data(method, n, se, deviance, df, aic, bic):
    result = rcapture.MODELS[method](HARE)
    assert result.method == method
    assert result.observed == 68
    assert result.estimate == pytest.approx(n, abs=printed(n, 1))
    assert result.details["stderr"] == pytest.approx(se, abs=printed(se, 1))
    assert result.details["deviance"] == pytest.approx(deviance, abs=printed(deviance, 3))
    assert result.details["df"] == df
    assert result.aic == pytest.approx(aic, abs=printed(aic, 3))
    assert result.bic == pytest.approx(bic, abs=printed(bic, 3))


def test_it_reproduces_rcapture_mbh_on_the_hare_data_except_its_standard_error():
    result = rcapture.mbh(HARE)
    assert result.estimate == pytest.approx(74.2, abs=printed(74.2, 1))
    assert result.details["deviance"] == pytest.approx(63.257, abs=printed(63.257, 3))
    assert result.details["df"] == 59
    assert result.aic == pytest.approx(153.447, abs=printed(153.447, 3))
    assert result.bic == pytest.approx(162.325, abs=printed(162.325, 3))
    # Rcapture prints 14.6; ours is Zippin's removal variance, and the result says so.
    assert any("Zippin" in warning for warning in result.warnings)


def test_it_reproduces_the_behavioural_models_on_the_hiv_data():
    assert rcapture.mb(HIV).estimate == pytest.approx(4_045.9, abs=0.05)
    assert rcapture.mbh(HIV).estimate == pytest.approx(2_465.1, abs=0.05)


def test_the_removal_models_cannot_bound_n_when_first_captures_do_not_fall():
    rising = CaptureHistories.from_counts(
        ["a", "b", "c"], [((1, 0, 0), 5), ((0, 1, 0), 9), ((0, 0, 1), 20), ((1, 1, 0), 2)]
    )
    result = rcapture.mb(rising)
    assert result.estimate == float("inf")
    assert "cannot bound N" in result.warnings[0]


def test_it_reproduces_the_hare_mth_poisson2_profile_interval():
    result = rcapture.mth_poisson(HARE)
    assert result.details["profile_estimate"] == pytest.approx(80.1, abs=0.05)
    assert result.interval is not None
    assert result.interval.kind == "profile"
    assert result.interval.level == 0.95
    assert result.interval.low == pytest.approx(71.8, rel=5e-3)
    assert result.interval.high == pytest.approx(93.8, rel=5e-3)


def test_it_reproduces_mt_plus_an_indicator_for_the_hare_seen_every_time():
    result = rcapture.mt_plus(HARE, {"111111": rcapture.indicator(HARE, [1] * 6)})
    assert result.estimate == pytest.approx(76.8, abs=0.05)
    assert result.details["stderr"] == pytest.approx(3.9, abs=0.05)
    assert result.aic == pytest.approx(146.085, abs=printed(146.085, 3))
    assert result.details["profile_estimate"] == pytest.approx(76.0, abs=0.05)
    assert result.interval.low == pytest.approx(70.1, rel=5e-3)
    assert result.interval.high == pytest.approx(85.4, rel=5e-3)


def test_it_reproduces_rcapture_closedp_on_the_hiv_data():
    m0 = rcapture.m0(HIV)
    assert m0.estimate == pytest.approx(11_576.7, rel=1e-3)
    assert m0.details["stderr"] == pytest.approx(946.1, rel=1e-3)

    mt = rcapture.mt(HIV)
    assert mt.estimate == pytest.approx(11_124.6, abs=0.05)
    assert mt.details["stderr"] == pytest.approx(904.8, abs=0.05)
    assert mt.details["deviance"] == pytest.approx(13.026, abs=printed(13.026, 3))
    assert mt.details["df"] == 10
    assert mt.aic == pytest.approx(90.062, abs=printed(90.062, 3))
    assert mt.bic == pytest.approx(117.800, abs=printed(117.800, 3))

    assert rcapture.mth_chao(HIV).estimate == pytest.approx(11_701.0, abs=0.05)


def test_it_reproduces_the_hiv_model_with_the_one_important_interaction():
    result = rcapture.mt_plus(HIV, {"c1:c2": rcapture.interaction(HIV, "c1", "c2")})
    assert result.model == "Mt + c1:c2"
    assert result.estimate == pytest.approx(12_318.5, abs=0.05)
    assert result.details["stderr"] == pytest.approx(1_188.7, abs=0.05)
    assert result.aic == pytest.approx(86.650, abs=printed(86.650, 3))
    assert result.bic == pytest.approx(119.935, abs=printed(119.935, 3))
    assert result.details["profile_estimate"] == pytest.approx(12_308.0, rel=1e-3)
    assert result.interval.low == pytest.approx(10_266.0, rel=5e-3)
    assert result.interval.high == pytest.approx(14_992.3, rel=5e-3)


def test_it_reproduces_the_hiv_model_with_every_pairwise_interaction():
    pairs = {
        f"{a}:{b}": rcapture.interaction(HIV, a, b) for a, b in itertools.combinations(HIV.lists, 2)
    }
    result = rcapture.mt_plus(HIV, pairs)
    assert result.estimate == pytest.approx(23_443.5, rel=1e-3)
    assert result.details["stderr"] == pytest.approx(9_594.9, rel=1e-3)
    assert result.details["profile_estimate"] == pytest.approx(23_269.8, rel=1e-3)
    assert result.interval.low == pytest.approx(10_027.6, rel=5e-3)
    assert result.interval.high == pytest.approx(50_046.3, rel=5e-3)


def test_it_sets_negative_chao_etas_to_zero_and_says_so():
    # Hare: η5 comes out negative, so Rcapture (neg=TRUE) drops it: 58 df instead of 57.
    result = rcapture.mh_chao(HARE)
    assert result.details["eta_set_to_zero"] == ["η5"]
    assert any("set to 0" in warning for warning in result.warnings)
    # HIV: no one was seen by all four centres, so η4 would drift to −∞ without the rule.
    hiv = rcapture.mth_chao(HIV)
    assert hiv.details["eta_set_to_zero"] == ["η4"]
    assert not any("did not converge" in warning for warning in hiv.warnings)


def test_it_reduces_mh_chao_to_chaos_closed_form_with_three_lists():
    # With the η columns gone the fit extrapolates from f1 and f2 alone: per-cell
    # μ0 = μ1² / μ2, i.e. f1² (t − 1) / (2 t f2) (Chao's lower bound with its (t−1)/t factor).
    histories = CaptureHistories.from_counts(
        ["a", "b", "c"],
        [
            ((1, 0, 0), 40),
            ((0, 1, 0), 30),
            ((0, 0, 1), 50),
            ((1, 1, 0), 10),
            ((0, 1, 1), 12),
            ((1, 1, 1), 30),
        ],
    )
    result = rcapture.mh_chao(histories)
    f1, f2, t = 120, 22, 3
    assert result.details["coefficients"]["η3"] > 0  # kept: the frequencies are saturated
    assert result.estimate == pytest.approx(172 + f1**2 * (t - 1) / (2 * t * f2), rel=1e-8)


def test_it_reports_an_unbounded_estimate_when_no_one_is_seen_twice():
    histories = CaptureHistories.from_counts(["a", "b", "c"], [((1, 0, 0), 5), ((0, 1, 0), 7)])
    result = rcapture.mt(histories)
    assert result.estimate == float("inf")
    assert result.interval.high == float("inf")
    assert any("unbounded" in warning for warning in result.warnings)


def test_it_drops_an_empty_list_from_mt_models_with_a_warning():
    with_empty = CaptureHistories.from_counts(
        ["a", "b", "c"], [((1, 0, 0), 20), ((0, 1, 0), 30), ((1, 1, 0), 10)]
    )
    result = rcapture.mt(with_empty)
    assert result.estimate == pytest.approx(60 + 20 * 30 / 10, rel=1e-9)  # Lincoln–Petersen
    assert "c saw no one" in result.warnings[0]


def test_it_refuses_a_model_the_lists_cannot_identify():
    two = CaptureHistories.from_counts(["a", "b"], [((1, 0), 20), ((0, 1), 30), ((1, 1), 10)])
    with pytest.raises(ValueError, match="not identifiable"):
        rcapture.mh_poisson(two)


def test_it_refuses_a_level_outside_zero_and_one():
    with pytest.raises(ValueError, match="level"):
        rcapture.m0(HARE, level=1.0)


def test_it_narrows_the_profile_interval_at_a_lower_level():
    wide = rcapture.mt(HARE, level=0.95).interval
    narrow = rcapture.mt(HARE, level=0.8).interval
    assert wide.low < narrow.low < narrow.high < wide.high


def test_it_warns_when_the_profile_interval_reaches_the_number_observed():
    # Almost everyone is seen by every list: the data cannot rule out that no one was missed.
    histories = CaptureHistories.from_counts(
        ["a", "b", "c"], [((1, 1, 1), 50), ((1, 1, 0), 1), ((0, 1, 1), 1)]
    )
    result = rcapture.mt(histories)
    assert result.interval.low == 52
    assert any("number observed" in warning for warning in result.warnings)


def test_it_warns_about_a_negative_heterogeneity_parameter():
    # Catch counts piled at k = 1 and k = 3 with few at k = 2: log f_k is concave, the opposite
    # of what a mixture produces.
    histories = CaptureHistories.from_counts(
        ["a", "b", "c"],
        [
            ((1, 0, 0), 30),
            ((0, 1, 0), 30),
            ((0, 0, 1), 30),
            ((1, 1, 0), 30),
            ((1, 0, 1), 30),
            ((0, 1, 1), 30),
            ((1, 1, 1), 10),
        ],
    )
    result = rcapture.mh_darroch(histories)
    assert result.details["coefficients"]["η"] < 0
    assert any("heterogeneity parameter is negative" in warning for warning in result.warnings)


tables = st.integers(min_value=3, max_value=4).flatmap(
    lambda t: st.tuples(
        st.just(t),
        st.lists(st.integers(min_value=0, max_value=60), min_size=2**t - 1, max_size=2**t - 1),
    )
)


def _table(t: int, counts: list[int]) -> CaptureHistories:
    names = [f"L{i}" for i in range(t)]
    return CaptureHistories.from_counts(
        names, zip(map(tuple, all_patterns(t)), counts, strict=True)
    )


@settings(max_examples=25, deadline=None)
@given(tables, st.sampled_from(["M0", "Mt", "Mh-poisson", "Mth-darroch"]))
def test_it_never_estimates_fewer_than_were_observed(table, method):
    t, counts = table
    histories = _table(t, counts)
    if histories.observed == 0:
        return
    try:
        result = rcapture.MODELS[method](histories)
    except ValueError as refusal:
        # Tables whose lists are empty lose them as non-informative; too few lists left is a
        # refusal with a reason, never an estimate below the observed.
        assert "lists" in str(refusal)
        return
    assert result.estimate >= histories.observed
    if result.estimate == float("inf"):
        return
    assert result.interval.low >= histories.observed - 1e-9
    assert result.interval.low <= result.details["profile_estimate"] <= result.interval.high


@settings(max_examples=10, deadline=None)
@given(tables, st.randoms(use_true_random=False))
def test_it_gives_the_same_answer_whatever_the_list_order(table, random):
    t, counts = table
    histories = _table(t, counts)
    if histories.observed == 0:
        return
    order = list(histories.lists)
    random.shuffle(order)
    shuffled = histories.subset(order)
    for method in ("M0", "Mt", "Mh-chao", "Mth-poisson"):
        a, b = rcapture.MODELS[method](histories), rcapture.MODELS[method](shuffled)
        assert a.estimate == pytest.approx(b.estimate, rel=1e-6)
        assert a.interval.high == pytest.approx(b.interval.high, rel=1e-5)


def test_it_is_fast_enough_to_fit_every_model_many_times():
    # Rcapture's ten closedp.t models with profile intervals on 6 lists: well under a second.
    import time

    start = time.perf_counter()
    for function in rcapture.MODELS.values():
        function(HARE)
    assert time.perf_counter() - start < 2.0
    assert np.isfinite([f(HIV).estimate for f in rcapture.MODELS.values()]).all()
