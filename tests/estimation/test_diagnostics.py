"""The run page's mixing diagnostics for MCMC methods (LCMCR, Bayesian thresholding)."""

import re

import pytest

from tests.core.estimation.mse_data import DATA
from unseen.core.estimation.reading import read_histories
from unseen.estimation import diagnostics
from unseen.estimation.mse_runs import run_estimate

UK4 = DATA / "uk2013_4lists.csv"


@pytest.fixture
def lcmcr_run(db, andy):
    """A real LCMCR run at the package's defaults, saved as the page saves it."""
    return run_estimate(
        "UK 2013, four lists, LCMCR",
        read_histories(UK4),
        ["lcmcr", "main-effects"],
        ci="wald",
        level=0.95,
        bootstrap=200,
        seed=1,
        user=andy,
    )


def test_a_saved_lcmcr_run_keeps_its_diagnostics_and_a_small_trace(lcmcr_run):
    stored = next(r for r in lcmcr_run.results if r["method"] == "lcmcr")
    saved = stored["diagnostics"]
    assert saved["draws"] == 1_000
    assert 250 <= len(saved["trace"]) <= 500
    assert saved["trace_step"] == 20  # every 2nd kept draw, each 10 sweeps apart
    assert {"effective_sample_size", "split_rhat", "geweke_z"} <= set(saved)
    assert "diagnostics" not in next(r for r in lcmcr_run.results if r["method"] == "main-effects")


def test_the_run_page_shows_verdicts_a_trace_and_its_table(client, andy, lcmcr_run):
    client.force_login(andy)
    page = client.get(f"/app/estimates/{lcmcr_run.pk}/").content.decode()
    section = page[page.index("data-diagnostics") :]
    assert 'data-diagnostics-method="lcmcr"' in section
    assert "main-effects" not in section.split("</section>")[0]
    for check in ("Effective sample size of N", "Split R̂", "Geweke z", "Classes occupied"):
        assert check in section
    points = re.search(r'<polyline points="([^"]+)"', section)
    assert points is not None and len(points.group(1).split()) >= 250
    assert "Trace of N: the numbers" in section
    assert section.count("<tr>") > 250  # the table alternative: one row per plotted draw


def test_a_run_without_mcmc_methods_shows_no_diagnostics_section(client, andy, db):
    run = run_estimate(
        "UK 2013, four lists",
        read_histories(UK4),
        ["main-effects"],
        ci="wald",
        level=0.95,
        bootstrap=200,
        seed=1,
        user=andy,
    )
    client.force_login(andy)
    assert "data-diagnostics" not in client.get(f"/app/estimates/{run.pk}/").content.decode()


def test_the_verdicts_follow_the_thresholds_behind_the_warnings():
    stuck = {
        "method": "lcmcr",
        "diagnostics": {
            "draws": 1000,
            "effective_sample_size": 40.0,
            "split_rhat": 1.3,
            "geweke_z": 4.2,
            "occupied_classes_mean": 5.0,
            "last_class_weight_mean": 0.2,
            "trace": [5_000.0, 5_100.0, 11_000.0, 12_000.0],
            "trace_step": 10,
        },
    }
    fine = {
        "method": "bayes-threshold",
        "diagnostics": {
            "draws": 50_000,
            "effective_sample_size": 2_000.0,
            "split_rhat": 1.01,
            "geweke_z": -0.4,
            "acceptance": 0.3,
            "trace": [12_000.0, 12_100.0],
            "trace_step": 100,
        },
    }
    shown = diagnostics.for_results([{"method": "Mt"}, stuck, fine])
    assert [entry["method"] for entry in shown] == ["lcmcr", "bayes-threshold"]
    assert [row["ok"] for row in shown[0]["rows"]] == [False, False, False, False]
    assert not shown[0]["all_ok"]
    assert [row["ok"] for row in shown[1]["rows"]] == [True, True, True, True]
    assert shown[1]["all_ok"]
    assert shown[0]["plot"]["high"] == "12,000" and shown[0]["plot"]["low"] == "5,000"
    assert shown[0]["plot"]["sweeps"] == "30"
