"""The `mse` entry point: method registry, defaults, warnings and side-by-side runs."""

import pytest

from tests.core.estimation.mse_data import histories
from unseen.core.estimation import mse
from unseen.core.estimation.histories import CaptureHistories


def test_it_registers_every_method_named_in_the_design():
    assert set(mse.METHODS) == {
        "main-effects",
        "stepwise-aic",
        "stepwise-poisson",
        "bic",
        "M0",
        "Mt",
        "Mh-chao",
        "Mh-poisson",
        "Mh-darroch",
        "Mh-gamma",
        "Mb",
        "Mbh",
        "bayes-threshold",
        "lcmcr",
        "dga",
    }


def test_it_defaults_to_csv_stepwise_with_its_model_name():
    result = mse.estimate(histories("uk2013_5lists"), ci="wald")
    assert result.method == "stepwise-poisson"
    assert result.model == "[LA:NG, LA:PFNCA, NG:GO, NG:GP, PFNCA:GP, GO:GP]"
    assert round(result.estimate, 1) == 11313.0
    assert result.observed == 2744
    assert result.to_json()["ci"]["kind"] == "wald"


def test_it_uses_each_rules_own_interval_by_default():
    result = mse.estimate(histories("uk2013_4lists"), "stepwise-aic")
    assert result.interval.kind == "profile"
    assert result.details["profile_estimate"] == pytest.approx(11006.9, abs=0.1)


def test_it_warns_about_non_overlapping_pairs():
    result = mse.estimate(histories("uk2013_6lists"), "main-effects")
    assert any("non-overlapping pairs (LA:GP, LA:NCA)" in w for w in result.warnings)


def test_it_warns_when_selection_rules_disagree():
    results = mse.estimate_all(histories("uk2013_5lists"), ci="wald", methods=mse.LOGLINEAR)
    by_method = {r.method: r for r in results}
    assert {"main-effects", "stepwise-aic", "stepwise-poisson", "bic"} <= set(by_method)
    assert any("sensitive to the selection rule" in w for w in by_method["bic"].warnings)
    assert round(by_method["bic"].estimate, 1) == 25311.3


def test_it_drops_empty_and_duplicate_lists_with_a_warning():
    h = CaptureHistories.from_counts(
        ["A", "B", "C", "D"],
        [((1, 0, 0, 1), 30), ((0, 1, 0, 0), 20), ((1, 1, 0, 1), 10)],
    )
    result = mse.estimate(h, "main-effects", ci="wald")
    assert any("list C is empty" in w for w in result.warnings)
    assert any("list D is identical to list A" in w for w in result.warnings)
    assert result.estimate == pytest.approx(120.0)  # Lincoln–Petersen on A and B


def test_it_reports_an_unbounded_estimate_when_the_lists_never_overlap():
    h = CaptureHistories.from_counts(["A", "B"], [((1, 0), 30), ((0, 1), 20)])
    result = mse.estimate(h, "main-effects", ci="wald")
    assert result.estimate == float("inf")
    assert result.to_json()["estimate"] is None
    assert any("no finite estimate" in w for w in result.warnings)


def test_it_refuses_unknown_methods_intervals_and_levels():
    h = histories("uk2013_4lists")
    with pytest.raises(mse.EstimationError, match="unknown method"):
        mse.estimate(h, "jackknife")
    with pytest.raises(mse.EstimationError, match="unknown interval"):
        mse.estimate(h, "main-effects", ci="exact")
    with pytest.raises(mse.EstimationError, match="level"):
        mse.estimate(h, "main-effects", level=95)


def test_it_runs_other_modules_methods_only_when_installed():
    h = histories("rcapture_hiv")
    try:
        result = mse.estimate(h, "Mt")
    except mse.MethodUnavailable:
        assert "Mt" not in mse.available_methods()
    else:
        assert "Mt" in mse.available_methods()
        assert result.observed == 1896
