from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from unseen.core.privacy.generalise import region_of, year_band
from unseen.core.privacy.kanonymity import (
    Dimension,
    Ladder,
    anonymise,
    anonymise_joined,
    as_released,
    drop,
    generalise_joined,
    hide,
    joined_as_released,
    joined_key,
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


DIMENSIONS = (
    Dimension("sex", {("person", "sex"): (keep, hide)}),
    Dimension(
        "region", {("deployment", "region"): (keep, drop), ("incident", "country"): (keep, hide)}
    ),
    Dimension("period", {("deployment", "period"): (keep, lambda v: v[:3] + "0s" if v else "")}),
)


def person(sex, *rows):
    return [("person", {"sex": sex}), *rows]


def deployment(region, period="2010"):
    return ("deployment", {"region": region, "period": period})


def test_it_counts_k_over_every_row_joined_to_an_individual():
    alike = [person("m", deployment("RU")) for _ in range(5)]
    rare = person("m", deployment("Site of foreman Pak's brigade, Tynda"))
    people = [*alike, rare]
    assert smallest_group([(sex,) for sex in "m" * 6]) == 6  # on the persons alone
    assert joined_as_released(people, DIMENSIONS).k == 1  # on the join
    suppressed = anonymise_joined(people, DIMENSIONS, 5, 1)
    assert suppressed.suppressed == [5] and suppressed.k == 5
    generalised = anonymise_joined(people, DIMENSIONS, 6, 0)
    assert generalised.levels["region"] == 1 and generalised.k == 6


def test_it_tells_rows_apart_that_share_values_but_pair_them_differently():
    # Same set of regions and of periods, paired the other way round: not the same individual.
    one = person("m", deployment("RU", "2010"), deployment("CN", "2015"))
    other = person("m", deployment("RU", "2015"), deployment("CN", "2010"))
    assert joined_as_released([one, other], DIMENSIONS).k == 1


def test_it_refuses_when_even_the_top_of_every_ladder_leaves_too_many_alone():
    release = anonymise_joined([person("m"), person("f", deployment("RU"))], DIMENSIONS, 2, 0)
    assert release.refused and len(release.suppressed) == 2


JOINED = st.lists(
    st.tuples(
        st.sampled_from(["m", "f", ""]),
        st.lists(
            st.tuples(
                st.sampled_from(["", "RU", "CN", "Tynda"]), st.sampled_from(["2010", "2021"])
            ),
            max_size=3,
        ),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(JOINED, st.integers(min_value=1, max_value=6), st.integers(min_value=0, max_value=8))
def test_it_never_releases_a_joined_group_smaller_than_k(people, k, limit):
    individuals = [person(sex, *(deployment(r, p) for r, p in rows)) for sex, rows in people]
    release = anonymise_joined(individuals, DIMENSIONS, k, limit)
    # Recomputed from the rows as they would be released, not from the release's own keys.
    keys = [
        joined_key(rows, generalise_joined(rows, DIMENSIONS, release.levels))
        for rows in individuals
    ]
    sizes = Counter(keys[i] for i in release.released)
    assert all(size >= k for size in sizes.values())
    assert sorted(release.released + release.suppressed) == list(range(len(individuals)))
    if not release.refused:
        assert len(release.suppressed) <= limit
    if release.released:
        assert release.k == min(sizes.values())


def test_it_counts_k_on_the_join_with_what_earlier_releases_told():
    # Release 1 told the sex of these ten (five of each). Released alone now, the region would
    # give groups of five; joined on the pseudonym with release 1, groups of two and three.
    people = [
        person(sex, deployment(region))
        for sex, region in zip("mmmmmfffff", "RRRCCRRCCC", strict=True)
    ]
    told = ["sex=" + sex for sex in "mmmmmfffff"]
    assert anonymise_joined([person("", deployment(r)) for r in "RRRCCRRCCC"], DIMENSIONS, 5, 0).k
    release = anonymise_joined(people, DIMENSIONS, 5, 0, earlier=told)
    assert not release.refused
    assert release.levels["sex"] == 0 and release.levels["region"] == 1 and release.k == 5
    # With nothing left to coarsen the join stays below k: refused, nothing held back unsaid.
    split = anonymise_joined(
        [person("", ("deployment", {"region": r, "period": "2010s"})) for r in "RRRCCRRCCC"],
        (Dimension("sex", {("person", "sex"): (keep, hide)}),),
        5,
        0,
        earlier=told,
    )
    assert split.refused and split.k < 5


@settings(max_examples=60, deadline=None)
@given(
    JOINED,
    st.lists(st.sampled_from(["", "a", "b"]), min_size=40, max_size=40),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=0, max_value=8),
)
def test_it_never_releases_a_group_smaller_than_k_on_the_join_with_earlier_releases(
    people, told, k, limit
):
    individuals = [person(sex, *(deployment(r, p) for r, p in rows)) for sex, rows in people]
    earlier = told[: len(individuals)]
    release = anonymise_joined(individuals, DIMENSIONS, k, limit, earlier=earlier)
    keys = [
        (earlier[i], joined_key(rows, generalise_joined(rows, DIMENSIONS, release.levels)))
        for i, rows in enumerate(individuals)
    ]
    sizes = Counter(keys[i] for i in release.released)
    assert all(size >= k for size in sizes.values())
    assert sorted(release.released + release.suppressed) == list(range(len(individuals)))
    if not release.refused:
        assert len(release.suppressed) <= limit
    if release.released:
        assert release.k == min(sizes.values())
