"""The synthetic worker generator: realistic variation, known truth, and what folding recovers."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unseen.core.linkage.names import fold_token, person_name_keys_many
from unseen.core.linkage.synthetic import (
    COLUMNS,
    FEMALE_SYLLABLES,
    MALE_SYLLABLES,
    STYLES,
    generate_workers,
    romanise_name,
    south_form,
    split_by_source,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOSTS = {"RU", "CN", "AE", "KW", "QA", "MN", "PL"}


@pytest.fixture(scope="module")
def workers() -> pd.DataFrame:
    return generate_workers(2000, seed=1, sources=3)


def key_agreement(frame: pd.DataFrame, keys: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Per key column: (share of true pairs with equal keys, share of false pairs with equal keys).

    Pairs where either key is missing count as unequal: recall is over all true pairs.
    """
    truth = frame["truth"].to_numpy()
    sizes = pd.Series(truth).value_counts()
    true_pairs = int((sizes * (sizes - 1) // 2).sum())
    false_pairs = len(truth) * (len(truth) - 1) // 2 - true_pairs
    out = {}
    for column in keys.columns:
        known = keys[column].notna().to_numpy()
        grouped = pd.DataFrame({"key": keys[column].to_numpy()[known], "truth": truth[known]})
        per_key = grouped.groupby("key").size()
        equal = int((per_key * (per_key - 1) // 2).sum())
        per_person = grouped.groupby(["key", "truth"]).size()
        equal_true = int((per_person * (per_person - 1) // 2).sum())
        out[column] = (equal_true / true_pairs, (equal - equal_true) / false_pairs)
    return out


def raw_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """Keys without folding: lower-case letters, first word as the family name."""

    def letters(value: object) -> str | None:
        if not isinstance(value, str):
            return None
        return "".join(ch for ch in value.lower() if ch.isalpha()) or None

    rows = []
    for full, given_name, family, hangul in zip(
        frame["full_name"], frame["given_name"], frame["family_name"], frame["name_hangul"],
        strict=True,
    ):  # fmt: skip
        fam, giv = letters(family), letters(given_name)
        if fam is None and giv is None:
            words = (full if isinstance(full, str) else hangul or "").split()
            fam = letters(words[0]) if words else None
            giv = letters("".join(words[1:]))
        parts = [p for p in (fam, giv) if p]
        rows.append((fam, giv, " ".join(parts) or None, " ".join(sorted(parts)) or None))
    return pd.DataFrame(rows, columns=["family", "given", "full", "tokens_sorted"])


def test_it_is_deterministic_for_a_seed():
    a = generate_workers(300, seed=7, sources=4)
    b = generate_workers(300, seed=7, sources=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(generate_workers(300, seed=8, sources=4))


def test_it_has_the_person_columns_and_a_truth(workers):
    assert list(workers.columns) == COLUMNS
    assert workers["record_id"].is_unique
    assert workers["record_id"].notna().all() and workers["source"].notna().all()
    assert set(workers["source"]) == {"interviews", "roster", "press"}


def test_each_source_lists_a_person_at_most_once_and_everyone_somewhere(workers):
    assert not workers.duplicated(["truth", "source"]).any()
    assert set(workers["truth"]) == set(range(2000))
    per_person = workers.groupby("truth").size()
    assert (per_person >= 2).mean() > 0.5  # enough people to link


def test_workers_look_like_workers_sent_abroad(workers):
    people = workers.drop_duplicates("truth")
    sex = workers.dropna(subset=["sex"]).drop_duplicates("truth")["sex"]
    assert 0.8 < (sex == "M").mean() < 0.9
    years = workers["birth_year"].dropna()
    assert years.between(1969, 2001).all()  # a date error can move a year by one
    assert set(workers["country"]) <= HOSTS and len(set(people["country"])) >= 5


def test_each_source_writes_names_its_own_way(workers):
    by_source = dict(iter(workers.groupby("source")))
    roster, press, interviews = by_source["roster"], by_source["press"], by_source["interviews"]
    # The roster: the North's spelling in separate columns (Ri, Rim, Ryu ...), some in Hangul.
    assert roster["full_name"].isna().all()
    families = set(roster["family_name"].dropna().str.capitalize())
    assert {"Ri", "Pak", "Choe", "Jong"} <= families and "Lee" not in families
    assert roster["name_hangul"].notna().mean() > 0.3
    assert roster["name_hangul"].dropna().str.contains("리").any()
    # The press: McCune–Reischauer, diacritics and apostrophes.
    assert press["full_name"].str.contains("[ŏŭ]").mean() > 0.3
    assert press["full_name"].str.contains("'").any()
    assert press["full_name"].str.startswith("Yi ").any()
    # Interviews: Western habits, mostly family name first, some given name first.
    assert interviews["full_name"].str.match(r"(Lee|Park|Choi) [A-Z][a-z]+-[a-z]+$").any()
    assert interviews["full_name"].str.match(r"[A-Z][a-z]+-[a-z]+ (Lee|Park|Kim)$").any()


def test_more_sources_bring_hangul_only_and_strict_revised_romanisation():
    frame = generate_workers(500, seed=3, sources=6)
    by_source = dict(iter(frame.groupby("source")))
    registry = by_source["registry"]
    assert registry[["full_name", "given_name", "family_name"]].isna().all().all()
    assert registry["name_hangul"].notna().all()
    assert by_source["sightings"]["full_name"].str.match(r"(Gim|I|Bak) ").any()
    assert "interviews-2" in by_source


def test_birth_dates_go_missing_or_keep_only_the_year(workers):
    by_source = dict(iter(workers.groupby("source")))
    full = {s: f["birth_date"].notna().mean() for s, f in by_source.items()}
    year_only = {s: (f["birth_date"].isna() & f["birth_year"].notna()).mean()
                 for s, f in by_source.items()}  # fmt: skip
    assert full["roster"] > 0.8 and full["press"] < 0.2
    assert year_only["press"] > 0.4
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in workers["birth_date"].dropna())


def test_sites_are_named_differently_and_people_move(workers):
    pairs = workers.merge(workers, on="truth", suffixes=("_a", "_b"))
    pairs = pairs[pairs["source_a"] < pairs["source_b"]]
    assert (pairs["site_a"] != pairs["site_b"]).mean() > 0.3
    assert workers["site"].str.contains("[а-я]").any() and workers["site"].str.contains("号").any()
    # Moves stay within a country.
    assert (pairs["country_a"] == pairs["country_b"]).all()


def test_common_names_are_shared_by_different_people(workers):
    keys = person_name_keys_many(
        workers["full_name"], workers["given_name"], workers["family_name"],
        workers["name_hangul"],
    )  # fmt: skip
    people_per_name = (
        pd.DataFrame({"full": keys["full"], "truth": workers["truth"]})
        .dropna()
        .drop_duplicates()
        .groupby("full")
        .size()
    )
    assert (people_per_name > 1).sum() >= 50
    families = keys.assign(truth=workers["truth"]).drop_duplicates("truth")["family"]
    assert 0.17 < (families == "kim").mean() < 0.26
    assert 0.11 < (families == "i").mean() < 0.19


def test_typos_come_at_the_rate_asked_for():
    clean = generate_workers(500, seed=4, typo_rate=0.0)
    noisy = generate_workers(500, seed=4, typo_rate=0.5)
    columns = ["full_name", "given_name", "family_name", "name_hangul"]
    changed = (clean[columns].fillna("") != noisy[columns].fillna("")).any(axis=1).mean()
    assert 0.4 < changed < 0.6
    # Typos have their own random stream: everything else stays as it was.
    pd.testing.assert_frame_equal(clean.drop(columns=columns), noisy.drop(columns=columns))


# Measured: how often the keys of the same person agree, before and after folding ------------


def test_folding_makes_most_true_pairs_agree_and_few_false_ones(workers):
    folded = key_agreement(
        workers,
        person_name_keys_many(
            workers["full_name"], workers["given_name"], workers["family_name"],
            workers["name_hangul"],
        ),
    )  # fmt: skip
    raw = key_agreement(workers, raw_keys(workers))
    # Measured on seed 1 (2,000 people, 3 sources, 5% typos): raw full names agree on 4.9% of
    # true pairs, folded ones on 92.1%; folded family names 97.2%, given names 94.1%.
    assert raw["full"][0] < 0.10
    assert folded["full"][0] > 0.90 and folded["tokens_sorted"][0] > 0.90
    assert folded["family"][0] > 0.95 and folded["given"][0] > 0.92
    # False pairs: 0.012% share a folded full name (Kim Chol Su is many people).
    assert folded["full"][1] < 0.0005


def test_without_typos_only_ambiguous_name_orders_disagree():
    frame = generate_workers(2000, seed=1, sources=3, typo_rate=0.0)
    keys = person_name_keys_many(
        frame["full_name"], frame["given_name"], frame["family_name"], frame["name_hangul"]
    )
    agreement = key_agreement(frame, keys)
    assert agreement["tokens_sorted"][0] == 1.0
    assert agreement["full"][0] > 0.99


# The generator's spellings and the folding agree, syllable by syllable ------------------------

SYLLABLES = sorted({s for s, _ in MALE_SYLLABLES + FEMALE_SYLLABLES})


@FAST
@given(st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=3), st.sampled_from(STYLES))
def test_every_style_folds_like_the_hangul(syllables, style):
    north = "".join(syllables)
    south = south_form(north[0]) + north[1:]
    spelled = romanise_name(north if style == "north" else south, style)
    assert fold_token("-".join(spelled)) == fold_token(north) == fold_token(south)


def test_the_south_drops_an_initial_r_and_n():
    assert [south_form(s) for s in "리류룡로녀김"] == list("이유용노여김")
    assert romanise_name("리철수", "north") == ["ri", "chol", "su"]
    assert romanise_name("이철수", "mr") == ["i", "ch'ŏl", "su"]
    assert romanise_name("이철수", "western") == ["i", "chul", "soo"]
    assert romanise_name("리영길", "north") == ["ri", "yong", "gil"]  # voiced inside a name


def test_split_by_source_gives_one_frame_per_source_in_order(workers):
    frames = split_by_source(workers)
    assert [f["source"].iloc[0] for f in frames] == ["interviews", "roster", "press"]
    assert sum(len(f) for f in frames) == len(workers)
    assert all(f.index.equals(pd.RangeIndex(len(f))) for f in frames)


def test_it_refuses_impossible_sizes():
    with pytest.raises(ValueError, match="persons"):
        generate_workers(-1, seed=1)
    with pytest.raises(ValueError, match="sources"):
        generate_workers(10, seed=1, sources=0)
    assert len(generate_workers(0, seed=1)) == 0


def test_it_is_fast_enough_for_a_million_record_benchmark():
    # 100,000 records; a million take about ten times as long (measured: ~17 s on 2 busy cores).
    import time

    start = time.perf_counter()
    frame = generate_workers(55_000, seed=1, sources=3)
    elapsed = time.perf_counter() - start
    assert len(frame) > 90_000
    assert elapsed < 15
    assert np.issubdtype(frame["truth"].dtype, np.integer)


def test_distinct_sites_have_distinct_names_however_many():
    from unseen.core.linkage.synthetic.sites import _sites

    table = _sites(np.random.default_rng(3), 10_000)  # more than cities × kinds × 39
    for form in range(3):
        assert len(set(table["names"][:, form])) == 10_000
