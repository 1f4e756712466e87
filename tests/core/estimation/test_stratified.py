"""Stratified estimation: per-stratum estimates add up, intervals combine, thin strata refused."""

import pytest

from tests.core.estimation.mse_data import histories
from unseen.core.estimation import mse
from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.stratified import (
    StratumRefused,
    check_overlap,
    estimate_stratified,
)


def test_it_sums_stratum_estimates_and_combines_their_intervals():
    strata = {"uk4": histories("uk2013_4lists"), "hiv": histories("rcapture_hiv")}
    result = estimate_stratified(strata, "main-effects", ci="wald")
    alone = {name: mse.estimate(h, "main-effects", ci="wald") for name, h in strata.items()}
    assert result.total.estimate == pytest.approx(sum(r.estimate for r in alone.values()))
    assert result.total.observed == 2428 + 1896
    low, high = result.total.interval.low, result.total.interval.high
    # Wider than neither stratum alone, narrower than adding the limits (variances add).
    widths = [r.interval.high - r.interval.low for r in alone.values()]
    assert max(widths) < high - low < sum(widths)
    assert low < result.total.estimate < high
    assert result.total.interval.kind == "wald"
    assert set(result.total.details["strata"]) == {"uk4", "hiv"}


def test_it_keeps_the_skew_of_profile_intervals():
    strata = {"a": histories("uk2013_4lists"), "b": histories("uk2013_4lists")}
    total = estimate_stratified(strata, "stepwise-aic", ci="profile").total
    assert total.interval.high - total.estimate > total.estimate - total.interval.low


def test_it_refuses_a_stratum_whose_lists_barely_overlap():
    thin = CaptureHistories.from_counts(
        ["A", "B", "C"], [((1, 0, 0), 50), ((0, 1, 0), 40), ((0, 0, 1), 30), ((1, 1, 0), 2)]
    )
    with pytest.raises(StratumRefused, match="stratum north: only 2 of 122"):
        estimate_stratified({"south": histories("uk2013_4lists"), "north": thin})


def test_it_refuses_a_stratum_where_most_pairs_are_disjoint():
    disjoint = CaptureHistories.from_counts(
        ["A", "B", "C", "D"],
        [((1, 0, 0, 0), 50), ((0, 1, 0, 0), 40), ((1, 1, 0, 0), 30), ((0, 0, 1, 1), 20)],
    )
    with pytest.raises(StratumRefused, match="pairs of lists have no one in common"):
        check_overlap("x", disjoint)


def test_it_prefixes_stratum_warnings_with_the_stratum():
    strata = {"uk5": histories("uk2013_5lists")}
    total = estimate_stratified(strata, "main-effects", ci="wald").total
    assert any(w.startswith("stratum uk5: non-overlapping pairs (LA:GP)") for w in total.warnings)
