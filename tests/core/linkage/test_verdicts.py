"""What a verdict would change, read from the clusters of the run under review; fields compared
with Korean-aware names."""

import pytest

from unseen.core.linkage.verdicts import (
    Agreement,
    Change,
    Effect,
    compare_values,
    person_name_fold,
    place_name_fold,
    verdict_effects,
)

NOTHING = Effect(Change.NOTHING, 0)


def test_the_same_merges_two_clusters_into_one_of_their_sizes_and_different_changes_nothing():
    effects = verdict_effects(frozenset({1, 2, 3}), frozenset({4, 5}))
    assert not effects.together
    assert (effects.size_a, effects.size_b) == (3, 2)
    assert effects.same == Effect(Change.MERGE, 5)
    assert effects.different == NOTHING
    assert effects.unsure == NOTHING


def test_two_records_alone_merge_into_a_cluster_of_two():
    assert verdict_effects(frozenset({7}), frozenset({9})).same == Effect(Change.MERGE, 2)


def test_in_one_cluster_the_same_changes_nothing_and_different_splits_it():
    cluster = frozenset({1, 2, 3, 4})
    effects = verdict_effects(cluster, cluster)
    assert effects.together
    assert effects.same == NOTHING
    assert effects.different == Effect(Change.SPLIT, 4)
    assert effects.unsure == NOTHING


def test_a_verdict_in_force_keeping_members_apart_blocks_the_merge_in_either_order():
    a, b = frozenset({1, 2}), frozenset({3, 4})
    assert verdict_effects(a, b, [(2, 4)]).same == Effect(Change.BLOCKED, 4)
    assert verdict_effects(a, b, [(4, 2)]).same == Effect(Change.BLOCKED, 4)
    # A verdict within one cluster, or with a record outside both, blocks nothing.
    assert verdict_effects(a, b, [(1, 2), (3, 99)]).same == Effect(Change.MERGE, 4)


def test_clusters_that_overlap_without_being_one_are_refused():
    with pytest.raises(ValueError, match="never share"):
        verdict_effects(frozenset({1, 2}), frozenset({2, 3}))
    with pytest.raises(ValueError, match="cluster"):
        verdict_effects(frozenset(), frozenset({3}))


@pytest.mark.parametrize(
    ("a", "b", "fold", "expected"),
    [
        ("Lee Chul-soo", "Ri Chol Su", person_name_fold("full_name"), Agreement.FOLDED),
        ("Chol Su Ri", "RI Chol Su", person_name_fold("full_name"), Agreement.FOLDED),
        ("리철수", "이철수", person_name_fold("name_hangul"), Agreement.FOLDED),
        ("Chul-soo", "철수", person_name_fold("given_name"), Agreement.FOLDED),
        ("Kim Chol Su", "Pak Chol Su", person_name_fold("full_name"), Agreement.DIFFERENT),
        ("Vostok-Stroy LLC", "ООО «Восток-Строй»", place_name_fold, Agreement.FOLDED),
        ("Vostok-Stroy LLC", "Amur Timber", place_name_fold, Agreement.DIFFERENT),
        ("KP", " kp ", None, Agreement.EQUAL),
        ("Lee Chul-soo", "Ri Chol Su", None, Agreement.DIFFERENT),  # no folding asked: differ
        (1984, 1985, None, Agreement.DIFFERENT),
        ("", "Ri Chol Su", person_name_fold("full_name"), Agreement.MISSING),
        (None, None, None, Agreement.MISSING),
    ],
)
def test_values_compare_with_romanisation_folded_names(a, b, fold, expected):
    assert compare_values(a, b, fold) == expected
