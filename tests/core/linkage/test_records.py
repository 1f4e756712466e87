"""Reading files to link: what is refused (with file, row and column) and what is derived."""

from pathlib import Path

import pandas as pd
import pytest

from unseen.core.linkage import records
from unseen.core.tables import TableError


def write(tmp_path: Path, text: str, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def reasons(path: Path, entity: str = "person") -> list[str]:
    with pytest.raises(TableError) as caught:
        records.read_records(path, entity)
    return [error.format(path.name) for error in caught.value.errors]


def test_it_reads_person_columns_and_warns_about_others(tmp_path):
    path = write(tmp_path, "record_id,full_name,shoe_size\nR1,Ri Chol Su,44\nR2,Lee Chul-soo,\n")
    frame, warnings = records.read_records(path)
    assert list(frame.columns) == ["record_id", "full_name"]
    assert frame["full_name"].tolist() == ["Ri Chol Su", "Lee Chul-soo"]
    assert warnings == ["column 'shoe_size' is not a person column; ignored"]


def test_it_refuses_a_repeated_record_id_naming_both_rows(tmp_path):
    path = write(tmp_path, "record_id,full_name\nR1,Ri Chol Su\nR2,Kim\nR1,Pak\n")
    assert reasons(path) == ["people.csv:4:record_id: duplicate record_id (first on row 2)"]


def test_it_refuses_a_blank_record_id(tmp_path):
    path = write(tmp_path, "record_id,full_name\n,Ri Chol Su\n")
    assert reasons(path) == ["people.csv:2:record_id: required, but blank"]


def test_it_refuses_a_file_without_a_column_to_compare(tmp_path):
    path = write(tmp_path, "record_id,source,colour\nR1,roster,red\n")
    (reason,) = reasons(path)
    assert reason.startswith("people.csv:1:(header): no column to compare records by")


def test_it_refuses_a_file_without_record_ids(tmp_path):
    path = write(tmp_path, "full_name\nRi Chol Su\n")
    assert reasons(path) == ["people.csv:1:record_id: required column is missing"]


def test_it_refuses_files_it_cannot_read(tmp_path):
    assert reasons(tmp_path / "missing.csv") == ["missing.csv: no such file"]
    assert reasons(write(tmp_path, "", "empty.csv")) == ["empty.csv: the file is empty"]
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"record_id,full_name\n\xff\xfe\x00R1,\x80\x81\n")
    (reason,) = reasons(binary)
    assert reason.startswith("binary.csv: cannot be read as CSV")


def test_it_derives_one_folded_name_from_every_spelling():
    frame = pd.DataFrame(
        {
            "record_id": ["1", "2", "3", "4"],
            "full_name": ["Lee Chul-soo", "RI Chol Su", "", "Chul-soo Lee"],
            "name_hangul": ["", "", "리철수", ""],
        }
    )
    prepared = records.prepare(frame, index=1)
    assert prepared["unique_id"].tolist() == ["1:1", "1:2", "1:3", "1:4"]
    assert prepared["name_sorted"].nunique() == 1
    assert prepared.loc[2, "name_hangul"] == "리철수"


def test_it_keeps_birth_dates_as_digits_and_years_from_either_column():
    frame = pd.DataFrame(
        {
            "record_id": ["1", "2", "3", "4"],
            "birth_date": ["1985-03-07", "19850307", "1985", ""],
            "birth_year": ["", "", "", "1986"],
        }
    )
    prepared = records.prepare(frame)
    assert prepared["birth_date"].tolist() == ["19850307", "19850307", "1985", None]
    assert prepared["birth_day"].tolist() == ["19850307", "19850307", None, None]
    assert prepared["birth_year"].tolist() == [1985, 1985, 1985, 1986]


def test_a_frame_numbered_otherwise_is_prepared_row_by_row():
    frame = pd.DataFrame(
        {"record_id": ["a", "b"], "full_name": ["Ri Chol Su", "Kim Il"]}, index=[5, 9]
    )
    prepared = records.prepare(frame)
    assert prepared["unique_id"].tolist() == ["0:a", "0:b"]
    assert prepared["name_family"].tolist() == ["i", "kim"]
    assert list(prepared.index) == [0, 1]


def test_sites_are_told_apart_and_brought_together_by_their_number():
    import duckdb

    from unseen.core.linkage.persons import numbered_place
    from unseen.core.linkage.records import _words

    levels = numbered_place("site", "Work site", "duckdb").get_comparison("duckdb").as_dict()
    conditions = [
        (level["sql_condition"], level["label_for_charts"])
        for level in levels["comparison_levels"]
        if level["sql_condition"] != "ELSE"
    ]

    def level(a: str, b: str) -> str:
        left, right = _words(a), _words(b)
        for condition, label in conditions:
            query = (
                f"select {condition} from (select ? as site_l, ? as site_r, "  # noqa: S608
                "?::varchar[] as site_words_l, ?::varchar[] as site_words_r)"
            )
            if duckdb.execute(query, [left, right, left.split(), right.split()]).fetchone()[0]:
                return label
        return "else"

    formal, short = "Dandong Garment Factory No. 5", "garment factory 5, Dandong"
    assert level(formal, short) == "site similar, the same number"
    assert level(formal, "Dandong Garment Factory No. 44") == "site similar"
    assert level(formal, formal) == "Exact match on site"
    # The same site named in Russian and in Chinese: the words are not alike, the number is.
    russian, chinese = "Швейная фабрика №5, Даньдун", "丹东服装厂5号"
    assert level(formal, russian) == "site: the same number and another word"
    assert level(formal, chinese) == "site: the same number only"
    assert level("Dandong Garment Factory No. 6", chinese) == "else"
    # No number on either side is not "the same number".
    assert level("Dandong Garment Factory", "Moscow Workers' Dormitory") == "else"


def test_seen_dates_become_a_period_in_months():
    frame = pd.DataFrame(
        {
            "record_id": ["a", "b", "c", "d", "e"],
            "first_seen": ["2016-03-14", "2019", "", "2021-08", "nonsense"],
            "last_seen": ["2018-01-02", "", "2017-05", "2020-02-01", ""],
        }
    )
    prepared = records.prepare(frame)
    month = lambda year, m: year * 12 + m - 1  # noqa: E731
    # From first to last; one date stands for both; a bare year is its July; back to front
    # is read the right way round; what is not a date is unknown.
    assert prepared["seen_from"].tolist() == [
        month(2016, 3), month(2019, 7), month(2017, 5), month(2020, 2), pd.NA,
    ]  # fmt: skip
    assert prepared["seen_to"].tolist() == [
        month(2018, 1), month(2019, 7), month(2017, 5), month(2021, 8), pd.NA,
    ]  # fmt: skip


def test_seen_periods_are_compared_by_the_months_between_them():
    import duckdb

    from unseen.core.linkage.persons import PERSON

    settings = PERSON.settings().get_settings("duckdb").as_dict()
    (seen,) = [c for c in settings["comparisons"] if c["output_column_name"] == "seen"]
    conditions = [
        (level["sql_condition"], level["label_for_charts"])
        for level in seen["comparison_levels"]
        if level["sql_condition"] != "ELSE"
    ]

    def level(a: tuple[str, str], b: tuple[str, str]) -> str:
        both = records.prepare(
            pd.DataFrame({"record_id": ["l", "r"], "first_seen": [a[0], b[0]],
                          "last_seen": [a[1], b[1]]})
        )  # fmt: skip
        values = [both[c].iat[i] for i in (0, 1) for c in ("seen_from", "seen_to")]
        values = [None if pd.isna(v) else int(v) for v in values]
        for condition, label in conditions:
            query = (
                f"select {condition} from (select ? as seen_from_l, ? as seen_to_l, "  # noqa: S608
                "? as seen_from_r, ? as seen_to_r)"
            )
            if duckdb.execute(query, values).fetchone()[0]:
                return label
        return "else"

    assert level(("2016-03", "2018-01"), ("2017-12", "2019-06")) == "seen in overlapping periods"
    assert level(("2016-03", "2018-01"), ("2018-11", "")) == "seen within a year of each other"
    assert level(("2016-03", "2018-01"), ("2020-06", "")) == (
        "seen within three years of each other"
    )
    assert level(("2013", ""), ("2022", "")) == "else"
    assert level(("", ""), ("2022", "")) == "seen_from is NULL"


def test_each_part_of_the_person_model_can_be_left_out_to_measure_it():
    from unseen.core.linkage import persons

    def described(without: tuple[str, ...]) -> dict[str, list[dict]]:
        compared = persons.comparisons("duckdb", without=without)
        return {
            c.get_comparison("duckdb").as_dict()["output_column_name"]: c.get_comparison(
                "duckdb"
            ).as_dict()["comparison_levels"]
            for _column, c in compared
        }

    def weighed(levels: list[dict]) -> int:
        return sum(1 for level in levels if level.get("tf_adjustment_column"))

    full = described(())
    assert "seen" in full and "seen" not in described(("seen",))
    assert weighed(full["name"]) == 3 and weighed(described(("name-frequency",))["name"]) == 0
    bare = described(("place-frequency",))
    assert weighed(full["country"]) == weighed(full["birth_place"]) == 1
    assert weighed(bare["country"]) == weighed(bare["birth_place"]) == 0
    assert len(described(("site-number",))["site"]) == len(full["site"]) - 2
    with pytest.raises(ValueError, match="unknown parts"):
        persons.comparisons("duckdb", without=("names",))
