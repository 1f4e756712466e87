"""What keeps linkage quality from falling with scale (issue 22, item 7).

A million records made two things go wrong that small data never shows: a common name made the
folded-name blocking rule too large, and its tightened form (name and birth year) dropped every
pair in which one record has no birth year; and the first training session, blocked on the
folded name, was mostly namesakes. Both are reproduced here on a few records, by making the
limits small.
"""

import pandas as pd

from unseen.core.linkage import linking, planning, training
from unseen.core.linkage.persons import Block


def records(n_namesakes: int) -> pd.DataFrame:
    """SYNTHETIC: a pair of one person in two sources, one without a birth year, among namesakes."""
    rows = [
        {"record_id": "a1", "source": "a", "full_name": "Kim Chol Su", "birth_date": "1980-05-01"},
        {"record_id": "b1", "source": "b", "full_name": "Kim Chol Su", "birth_date": ""},
    ]
    for i in range(n_namesakes):  # two records of each namesake, in sources c and d
        rows.append(
            {
                "record_id": f"c{i}",
                "source": "c" if i % 2 else "d",
                "full_name": "Kim Chol Su",
                "birth_date": f"19{60 + i // 2}-0{1 + i // 2 % 9}-1{i // 2 % 10}",
            }
        )
    rows.append({"record_id": "z", "source": "a", "full_name": "Pak Yong Il", "birth_date": ""})
    return pd.DataFrame(rows)


def test_a_tightening_column_must_agree_or_be_unknown():
    block = Block(("name_sorted",), ("birth_year", "country"))
    assert block.describe(0) == "name_sorted"
    assert block.describe(2) == "name_sorted and birth_year (or unknown) and country (or unknown)"
    assert block.sql(1) == (
        'l."name_sorted" = r."name_sorted" and (l."birth_year" = r."birth_year" '
        'or l."birth_year" is null or r."birth_year" is null)'
    )


def test_a_tightened_name_rule_still_blocks_a_pair_whose_birth_year_one_side_lacks(monkeypatch):
    # 40 namesakes make the name rule too large for 2 pairs per record, so it is tightened by
    # the birth year: the pair a1–b1 (b1 has no birth year) must still be blocked. Before, the
    # tightened rule required the same birth year on both sides and lost it.
    monkeypatch.setattr(planning, "PAIRS_PER_RECORD", 2)
    frame = records(40)
    data = planning.plan([frame], "person")
    _rules, described = planning.choose_blocking(data)
    assert "name_sorted and birth_year (or unknown)" in described
    assert "name_sorted" not in described
    blocked = linking.blocked_pairs([frame])
    pairs = {frozenset(p) for p in zip(blocked["key_l"], blocked["key_r"], strict=True)}
    assert frozenset(("0:a1", "0:b1")) in pairs


def test_training_prefers_a_block_that_can_be_mostly_true_pairs(monkeypatch):
    # 20 namesakes, two records each: the folded name alone gives 20 pairs per record, which
    # cannot be mostly one person's records; with the birth year the block is one pair per
    # namesake. Before, the name alone was used because it has enough pairs.
    monkeypatch.setattr(training, "TRAINING_PAIRS", 5)
    data = planning.plan([records(40)], "person")
    alternatives = (("name_sorted",), ("name_sorted", "birth_year"))
    assert training.agreeing_pairs(data, ("name_sorted",)) > 10 * len(data.order)
    assert list(training.training_order(data, alternatives)) == [
        ("name_sorted", "birth_year"),
        ("name_sorted",),
    ]
