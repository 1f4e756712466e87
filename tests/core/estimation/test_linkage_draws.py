"""Estimates over alternative linkages (ADR 0037): draws keep every verdict, are seeded, widen
the interval when links are uncertain and leave it alone when they are certain."""

import numpy as np
import pytest

from unseen.core.estimation import linkage_draws as ld

NAMES = ["A", "B", "C"]


def test_every_draw_keeps_every_verdict_even_through_chains():
    # Records 0-1-2 chain with likely links, but 0 and 2 were decided apart; 3 and 4 were
    # decided the same although the model gave them 0.02; 5 and 6 are from one source.
    lists = np.eye(3, dtype=int)[[0, 1, 2, 0, 1, 0, 0]]
    g = ld.graph(
        lists,
        left=[0, 1, 3, 5, 6],
        right=[1, 2, 4, 1, 1],
        probability=[0.9, 0.9, 0.02, 0.8, 0.8],
        must=[(3, 4)],
        cannot=[(0, 2)],
        groups=[0, 1, 2, 0, 1, 0, 0],
    )
    linked_01 = 0
    for labels in ld.draw_clusterings(g, 300, seed=5):
        assert labels[0] != labels[2]  # never joined, not even through record 1
        assert labels[3] == labels[4]  # always joined
        # One-to-one: records 0, 5 and 6 (one source) never share a cluster by a drawn link.
        assert len({labels[0], labels[5], labels[6]}) == 3
        linked_01 += labels[0] == labels[1]
    assert 150 < linked_01 < 300  # the 0-1 link is drawn, and sometimes refused


def test_a_decided_match_within_one_source_is_joined_and_a_pair_cannot_be_decided_both_ways():
    lists = np.eye(2, dtype=int)[[0, 0, 0]]
    g = ld.graph(lists, [0], [2], [0.5], must=[(0, 1)], groups=[0, 0, 0])
    for labels in ld.draw_clusterings(g, 50, seed=1):
        assert labels[0] == labels[1]
        assert labels[2] != labels[0]  # the same source is already in the cluster
    with pytest.raises(ValueError, match="both"):
        ld.graph(lists, [0], [2], [0.5], must=[(0, 1)], cannot=[(1, 0)])
    with pytest.raises(ValueError, match="outside"):
        ld.graph(lists, [0], [2], [1.5])


def test_the_same_seed_gives_the_same_draws_and_another_seed_others():
    g, _ = _synthetic(seed=3, n=600)
    first = [labels.copy() for labels in ld.draw_clusterings(g, 5, seed=11)]
    again = [labels.copy() for labels in ld.draw_clusterings(g, 5, seed=11)]
    other = [labels.copy() for labels in ld.draw_clusterings(g, 5, seed=12)]
    assert all(np.array_equal(x, y) for x, y in zip(first, again, strict=True))
    assert not all(np.array_equal(x, y) for x, y in zip(first, other, strict=True))


def test_histories_count_a_cluster_on_every_list_any_of_its_records_is_on():
    lists = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]])
    g = ld.graph(lists, [], [], [])
    table = ld.histories_of(g, np.array([0, 0, 1, 2]), NAMES)
    assert table.count_of((1, 1, 0)) == 1
    assert table.count_of((0, 0, 1)) == 1
    assert table.count_of((1, 0, 0)) == 1
    assert table.observed == 3


def test_uncertain_links_widen_the_interval():
    g, base = _synthetic(seed=1, n=3000)
    found = ld.estimate_over_draws(g, base, NAMES, ["main-effects"], draws=40, seed=2)
    (entry,) = found["methods"]
    assert entry["draws_used"] == 40
    assert entry["widths"]["linkage"] > 0
    assert entry["widths"]["combined"] > entry["widths"]["sampling"] * 1.05
    assert entry["combined"][0] < entry["draws_median"] < entry["combined"][1]
    assert 0 < entry["linkage_share_of_variance"] < 1
    assert found["observed_range"][0] < found["observed_range"][1]


def test_certain_links_leave_the_interval_as_it_was():
    g, base = _synthetic(seed=1, n=3000, certain=True)
    found = ld.estimate_over_draws(g, base, NAMES, ["main-effects", "Mt"], draws=10, seed=2)
    for entry in found["methods"]:
        assert entry["widths"]["linkage"] == 0
        assert entry["combined"] == pytest.approx(entry["sampling"], rel=1e-6)
        assert entry["combined_over_sampling"] == pytest.approx(1.0, abs=1e-4)
    assert found["uncertain_pairs"] == 0


def test_the_mixture_of_one_draw_has_that_draws_interval_and_an_open_end_stays_open():
    one = ld.Draw(estimate=1500.0, observed=1000, low=1300.0, high=1900.0)
    summary = ld.combine(one, [one], 0.95)
    assert summary["combined"] == pytest.approx([1300.0, 1900.0], rel=1e-5)
    unbounded = ld.Draw(estimate=1500.0, observed=1000, low=1300.0, high=float("inf"))
    summary = ld.combine(unbounded, [unbounded] * 3, 0.95)
    assert summary["combined"][1] == float("inf")


def _synthetic(seed: int, n: int, certain: bool = False):
    """Three independent lists of n people; a true pair's probability mostly high, a false
    candidate pair's mostly low; the base clustering links at 0.5 (one-to-one)."""
    rng = np.random.default_rng(seed)
    caught = rng.random((n, 3)) < [0.3, 0.4, 0.5]
    person, column = np.nonzero(caught)
    lists = np.eye(3, dtype=int)[column]
    records = len(person)
    by_person: dict[int, list[int]] = {}
    for r, p in enumerate(person):
        by_person.setdefault(int(p), []).append(r)
    left, right = [], []
    for members in by_person.values():
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                left.append(x)
                right.append(y)
    true = len(left)
    fa, fb = rng.integers(0, records, records), rng.integers(0, records, records)
    keep = (person[fa] != person[fb]) & (column[fa] != column[fb])
    left += fa[keep].tolist()
    right += fb[keep].tolist()
    is_true = np.arange(len(left)) < true
    if certain:
        probability = is_true.astype(float)
    else:
        weight = np.where(is_true, rng.normal(2.5, 2, len(left)), rng.normal(-3, 2, len(left)))
        probability = 1 / (1 + np.exp(-weight))
    g = ld.graph(lists, left, right, probability, groups=column)
    hard = ld.graph(lists, left, right, (probability >= 0.5).astype(float), groups=column)
    base = next(ld.draw_clusterings(hard, 1, seed=0))
    return g, base
