"""The coverage study's machinery (benchmarks/study_linkage_coverage.py), on few replications:
its probabilities are calibrated, its run clustering is wrong sometimes, and it scores each
interval against the truth. The coverage figures themselves are in
docs/methods/linkage-uncertainty.md, not tested here."""

import argparse
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


@pytest.fixture
def study(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import study_linkage_coverage
    import synthetic_linkage

    return study_linkage_coverage, synthetic_linkage


def test_the_synthetic_probabilities_are_calibrated_and_the_run_clustering_errs(study):
    _, synthetic = study
    lists = synthetic.generate(3000, seed=8)
    g = lists.graph
    true = lists.people[g.left] == lists.people[g.right]
    for low, high in [(0.01, 0.2), (0.2, 0.8), (0.8, 1.0)]:
        chosen = (g.probability >= low) & (g.probability < high)
        assert chosen.sum() > 50
        assert abs(true[chosen].mean() - g.probability[chosen].mean()) < 0.06, (low, high)
    seen = len(np.unique(lists.people))
    assert len(np.unique(lists.base)) != seen  # the run's own clustering is not the truth


def test_the_study_scores_each_interval_against_the_truth(study):
    coverage, _ = study
    args = argparse.Namespace(
        replications=3, draws=8, population=500, method=None, ci="profile", level=0.95,
        seed=2, heterogeneity=0.0, false_per_record=1.0, one_to_one_draws=False,
    )  # fmt: skip
    found = coverage.study(args)["main-effects"]
    for kind in coverage.KINDS:
        assert len(found[f"{kind}_covers"]) == 3
        assert set(found[f"{kind}_covers"]) <= {0.0, 1.0}
    assert all(c >= s for c, s in zip(found["combined_width"], found["linkage_width"], strict=True))
    assert all(abs(e - 500) < 150 for e in found["estimate"])
