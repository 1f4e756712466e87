"""Linkage measures against hand-counted answers."""

import pandas as pd
import pytest

from unseen.core.linkage import evaluation


def clusters(assignment: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"key": list(assignment), "cluster_id": list(assignment.values())})


def test_it_counts_pairs_within_clusters_against_the_truth():
    # Truth: {a, b, c} and {d, e}: 3 + 1 = 4 true pairs.
    truth = pd.Series({"0:a": 1, "0:b": 1, "0:c": 1, "0:d": 2, "0:e": 2})
    # Predicted: {a, b} and {c, d, e}: pairs ab, cd, ce, de; correct ab and de.
    scores = evaluation.pairwise_scores(
        clusters({"0:a": "X", "0:b": "X", "0:c": "Y", "0:d": "Y", "0:e": "Y"}), truth
    )
    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (4, 4, 2)
    assert scores.precision == pytest.approx(0.5)
    assert scores.recall == pytest.approx(0.5)
    assert scores.f1 == pytest.approx(0.5)


def test_it_counts_only_pairs_across_tables_when_tables_are_linked():
    # Two tables; entity 1 is twice in table 0 and once in table 1: 2 cross-table true pairs.
    truth = pd.Series({"0:a": 1, "0:b": 1, "1:a": 1, "1:b": 2})
    scores = evaluation.pairwise_scores(
        clusters({"0:a": "X", "0:b": "X", "1:a": "X", "1:b": "Z"}), truth
    )
    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (2, 2, 2)
    assert scores.f1 == pytest.approx(1.0)


def test_it_counts_recall_over_pairs_never_scored():
    truth = pd.Series({"0:a": 1, "0:b": 1, "0:c": 1})
    matched = pd.DataFrame({"key_l": ["0:a"], "key_r": ["0:b"]})
    scores = evaluation.pairwise_scores(matched, truth)
    assert scores.recall == pytest.approx(1 / 3)
    assert scores.precision == pytest.approx(1.0)


def test_it_draws_the_precision_recall_curve_of_scored_pairs():
    truth = pd.Series({"0:a": 1, "0:b": 1, "0:c": 2, "0:d": 3})
    pairs = pd.DataFrame(
        {
            "key_l": ["0:a", "0:a", "0:c"],
            "key_r": ["0:b", "0:c", "0:d"],
            "match_probability": [0.9, 0.6, 0.2],
        }
    )
    table = evaluation.curve(pairs, truth, thresholds=(0.1, 0.5, 0.95)).set_index("threshold")
    assert table.loc[0.1, "precision"] == pytest.approx(1 / 3)
    assert table.loc[0.5, "precision"] == pytest.approx(1 / 2)
    assert table.loc[0.5, "recall"] == pytest.approx(1.0)
    assert table.loc[0.95, "recall"] == pytest.approx(0.0)


def test_it_scores_clusters_by_b_cubed():
    truth = pd.Series({"0:a": 1, "0:b": 1, "0:c": 2})
    scores = evaluation.cluster_scores(clusters({"0:a": "X", "0:b": "X", "0:c": "X"}), truth)
    # a, b: precision 2/3 each; c: 1/3. Recall 1 for everyone.
    assert scores.b3_precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3) / 3)
    assert scores.b3_recall == pytest.approx(1.0)
    assert scores.exact == pytest.approx(0.0)
    assert (scores.predicted_clusters, scores.true_clusters) == (1, 2)


def test_it_measures_blocking_recall_over_all_true_pairs():
    truth = pd.Series({"0:a": 1, "0:b": 1, "0:c": 1, "0:d": 2})
    blocked = pd.DataFrame({"key_l": ["0:a", "0:a", "0:c"], "key_r": ["0:b", "0:d", "0:d"]})
    assert evaluation.blocking_recall(blocked, truth) == pytest.approx(1 / 3)


def test_it_reads_the_truth_of_input_tables_by_record_key():
    first = pd.DataFrame({"record_id": ["1", "2"], "truth": ["p", "q"]})
    second = pd.DataFrame({"record_id": ["1"], "truth": ["p"]})
    truth = evaluation.truth_from([first, second])
    assert truth.to_dict() == {"0:1": "p", "0:2": "q", "1:1": "p"}
