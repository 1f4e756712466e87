"""Properties every estimate must have, whatever the table (hypothesis)."""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from unseen.core.estimation import mse
from unseen.core.estimation.histories import CaptureHistories, all_patterns

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def tables(draw, positive: bool = False, max_lists: int = 4):
    t = draw(st.integers(2, max_lists))
    low = 1 if positive else 0
    counts = draw(st.lists(st.integers(low, 80), min_size=2**t - 1, max_size=2**t - 1))
    lists = [f"L{j}" for j in range(t)]
    rows = zip((tuple(p) for p in all_patterns(t)), counts, strict=True)
    histories = CaptureHistories.from_counts(lists, rows)
    assume(histories.observed > 0)
    return histories


def permuted(histories: CaptureHistories, order: list[int]) -> CaptureHistories:
    rows = ((tuple(p[order]), c) for p, c in zip(histories.patterns, histories.counts, strict=True))
    return CaptureHistories.from_counts([histories.lists[j] for j in order], rows)


def with_empty_list(histories: CaptureHistories) -> CaptureHistories:
    rows = (((*p, 0), c) for p, c in zip(histories.patterns, histories.counts, strict=True))
    return CaptureHistories.from_counts([*histories.lists, "EMPTY"], rows)


def doubled(histories: CaptureHistories) -> CaptureHistories:
    rows = ((tuple(p), 2 * c) for p, c in zip(histories.patterns, histories.counts, strict=True))
    return CaptureHistories.from_counts(histories.lists, rows)


def informative_enough(histories: CaptureHistories) -> bool:
    try:
        mse.informative(histories)
    except mse.EstimationError:
        return False
    return True


@FAST
@given(tables())
@pytest.mark.parametrize("method", ["main-effects", "stepwise-poisson", "stepwise-aic"])
def test_it_never_estimates_fewer_than_were_observed(method, histories):
    assume(informative_enough(histories))
    result = mse.estimate(histories, method, ci="wald")
    assert result.estimate >= histories.observed
    if np.isfinite(result.estimate):
        assert result.interval.low >= histories.observed - 1e-9
        assert result.interval.low <= result.estimate <= result.interval.high


@FAST
@given(tables(positive=True), st.data())
@pytest.mark.parametrize("method", ["main-effects", "stepwise-poisson"])
def test_it_ignores_the_order_of_the_lists(method, histories, data):
    order = data.draw(st.permutations(list(range(histories.t))))
    first = mse.estimate(histories, method, ci="wald")
    second = mse.estimate(permuted(histories, order), method, ci="wald")
    assert second.estimate == pytest.approx(first.estimate, rel=1e-7)
    assert second.interval.high == pytest.approx(first.interval.high, rel=1e-6)


def test_it_ignores_the_order_of_the_uk6_lists():
    from tests.core.estimation.mse_data import histories

    uk6 = histories("uk2013_6lists")
    base = mse.estimate(uk6, "stepwise-poisson", ci="wald").estimate
    for order in itertools.islice(itertools.permutations(range(6)), 0, 720, 97):
        again = mse.estimate(permuted(uk6, list(order)), "stepwise-poisson", ci="wald")
        assert again.estimate == pytest.approx(base, rel=1e-7)


@FAST
@given(tables(max_lists=3))
@pytest.mark.parametrize("method", ["main-effects", "stepwise-poisson"])
def test_it_is_unchanged_by_an_empty_list(method, histories):
    assume(informative_enough(histories))
    plain = mse.estimate(histories, method, ci="wald")
    padded = mse.estimate(with_empty_list(histories), method, ci="wald")
    assert padded.estimate == pytest.approx(plain.estimate, rel=1e-9) or (
        np.isinf(padded.estimate) and np.isinf(plain.estimate)
    )
    assert any("EMPTY is empty" in w for w in padded.warnings)


@FAST
@given(tables(positive=True))
def test_it_doubles_the_main_effects_estimate_when_every_count_doubles(histories):
    once = mse.estimate(histories, "main-effects", ci="wald").estimate
    twice = mse.estimate(doubled(histories), "main-effects", ci="wald").estimate
    assert twice == pytest.approx(2 * once, rel=1e-6)
