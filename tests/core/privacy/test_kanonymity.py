from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from unseen.core.privacy.generalise import region_of, year_band
from unseen.core.privacy.kanonymity import (
    Ladder,
    anonymise,
    as_released,
    hide,
    keep,
    smallest_group,
)

LADDERS = (
    Ladder("sex", (keep, hide)),
    Ladder("birth_year", (lambda v: year_band(int(v)) if v else "", hide)),
    Ladder("home_province", (keep, region_of, hide)),
)


def rows(*tuples):
    return [{"sex": s, "birth_year": y, "home_province": p} for s, y, p in tuples]


def test_it_measures_k_as_the_smallest_group():
    assert smallest_group([("a",), ("a",), ("b",)]) == 1
    assert smallest_group([]) == 0


def test_it_keeps_the_finest_level_when_it_already_meets_k():
    table = rows(*[("m", "1980", "Chagang")] * 5)
    release = anonymise(table, LADDERS, 5, 0)
    assert release.levels == {"sex": 0, "birth_year": 0, "home_province": 0}
    assert release.k == 5 and not release.suppressed and not release.refused


def test_it_generalises_before_it_suppresses():
    table = rows(
        ("m", "1981", "North Hamgyong"),
        ("m", "1983", "South Hamgyong"),
        ("m", "1985", "Ryanggang"),
        ("m", "1987", "North Hamgyong"),
        ("m", "1989", "South Hamgyong"),
    )
    release = anonymise(table, LADDERS, 5, 0)
    assert release.levels["home_province"] == 1 and release.k == 5
    assert {key[2] for key in release.keys} == {"North-east"}


def test_it_suppresses_the_small_groups_left_within_the_limit():
    table = rows(*[("m", "1980", "Chagang")] * 6, ("f", "1950", "Kangwon"))
    release = anonymise(table, LADDERS, 5, 1)
    assert release.suppressed == [6] and release.k == 6 and not release.refused


def test_it_refuses_when_too_few_records_exist_for_k():
    release = anonymise(rows(("m", "1980", "Chagang"), ("m", "1980", "Chagang")), LADDERS, 5, 0)
    assert release.refused and release.k == 0


def test_it_releases_everything_at_the_finest_level_when_overridden():
    release = as_released(rows(("m", "1980", "Chagang"), ("f", "1990", "Kangwon")), LADDERS)
    assert release.released == [0, 1] and release.k == 1


PEOPLE = st.lists(
    st.tuples(
        st.sampled_from(["m", "f", ""]),
        st.sampled_from(["", *map(str, range(1950, 2000))]),
        st.sampled_from(["", "Chagang", "Kangwon", "North Hamgyong", "Pyongyang", "Nowhere"]),
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(PEOPLE, st.integers(min_value=1, max_value=8), st.integers(min_value=0, max_value=10))
def test_it_never_releases_a_group_smaller_than_k(people, k, limit):
    table = rows(*people)
    release = anonymise(table, LADDERS, k, limit)
    sizes = Counter(release.keys[i] for i in release.released)
    assert all(size >= k for size in sizes.values())
    assert sorted(release.released + release.suppressed) == list(range(len(table)))
    if not release.refused:
        assert len(release.suppressed) <= limit
    if release.released:
        assert release.k == min(sizes.values())
