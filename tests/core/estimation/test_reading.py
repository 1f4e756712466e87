"""Reading capture-history CSVs: both layouts, and every bad-file case named by row and column."""

import pytest

from tests.core.estimation.mse_data import DATA
from unseen.core.estimation.reading import read_histories, read_strata
from unseen.core.tables import TableError


def write(tmp_path, text, name="lists.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors(path, **kwargs):
    with pytest.raises(TableError) as caught:
        read_histories(path, **kwargs)
    return [(e.row, e.column, e.reason) for e in caught.value.errors]


def test_it_reads_an_aggregated_table_keeping_list_names_as_written():
    histories = read_histories(DATA / "uk2013_6lists.csv")
    assert histories.lists == ("LA", "NG", "PF", "GO", "GP", "NCA")
    assert histories.observed == 2744
    assert len(histories.counts) == 63


def test_it_reads_one_row_per_entity(tmp_path):
    path = write(tmp_path, "A,B\n1,0\n1,1\n0,1\n1,1\n")
    histories = read_histories(path)
    assert histories.count_of((1, 1)) == 2
    assert histories.observed == 4


def test_it_adds_up_repeated_patterns_and_allows_zero_rows(tmp_path):
    path = write(tmp_path, "A,B,count\n1,0,3\n1,0,2\n0,1,4\n1,1,0\n0,0,0\n")
    histories = read_histories(path)
    assert histories.count_of((1, 0)) == 5
    assert histories.observed == 9


def test_it_takes_only_the_named_lists_and_ignores_other_columns(tmp_path):
    path = write(tmp_path, "id,A,B,C,note\n1,1,0,1,x\n2,0,1,1,y\n")
    histories = read_histories(path, lists=["a", "C"])
    assert histories.lists == ("A", "C")
    assert histories.count_of((1, 1)) == 1
    assert histories.count_of((0, 1)) == 1


def test_it_names_row_and_column_of_values_that_are_not_zero_or_one(tmp_path):
    path = write(tmp_path, "A,B,count\n1,2,3\n1,,4\n")
    assert errors(path) == [
        (2, "B", "'2' is not 0 or 1"),
        (3, "B", "blank; must be 0 or 1"),
    ]


def test_it_refuses_negative_and_fractional_counts(tmp_path):
    path = write(tmp_path, "A,B,count\n1,0,-3\n0,1,2.5\n")
    found = errors(path)
    assert found[0][:2] == (2, "count") and "negative" in found[0][2]
    assert found[1][:2] == (3, "count") and "whole number" in found[1][2]


def test_it_refuses_a_single_list(tmp_path):
    path = write(tmp_path, "A,count\n1,3\n")
    ((row, column, reason),) = errors(path)
    assert (row, column) == (1, "A")
    assert "at least two lists" in reason


def test_it_refuses_an_all_zero_history_with_a_positive_count(tmp_path):
    path = write(tmp_path, "A,B,count\n1,0,3\n0,0,5\n")
    ((row, column, reason),) = errors(path)
    assert (row, column) == (3, "count")
    assert "all-zero" in reason


def test_it_refuses_an_entity_on_no_list(tmp_path):
    path = write(tmp_path, "A,B\n1,0\n0,0\n")
    assert errors(path)[0][:2] == (3, "A")


def test_it_asks_for_a_count_column_when_counts_are_implied(tmp_path):
    path = write(tmp_path, "A,B,n\n1,0,54\n0,1,463\n1,1,15\n")
    ((row, column, reason),) = errors(path)
    assert (row, column) == (1, "n")
    assert "`count`" in reason


def test_it_refuses_unknown_list_names(tmp_path):
    path = write(tmp_path, "A,B,C\n1,0,1\n")
    assert errors(path, lists=["A", "Z"])[0][:2] == (1, "Z")


def test_it_reports_every_error_at_once(tmp_path):
    path = write(tmp_path, "A,B,count\n1,x,1\n0,0,2\n1,1,-1\n")
    assert [e[0] for e in errors(path)] == [2, 3, 4]


def test_it_formats_errors_as_file_row_column_reason(tmp_path):
    path = write(tmp_path, "A,B,count\n1,7,1\n")
    with pytest.raises(TableError) as caught:
        read_histories(path)
    assert caught.value.errors[0].format("f.csv") == "f.csv:2:B: '7' is not 0 or 1"


def test_it_reads_strata_into_one_table_each(tmp_path):
    path = write(tmp_path, "region,A,B,count\nnorth,1,0,3\nsouth,0,1,4\nnorth,1,1,2\n")
    strata = read_strata(path, "region")
    assert list(strata) == ["north", "south"]
    assert strata["north"].observed == 5
    assert strata["north"].lists == ("A", "B")


def test_a_subset_of_the_lists_drops_the_entities_none_of_them_saw():
    from unseen.core.estimation.histories import CaptureHistories

    three = CaptureHistories.from_counts(
        ["A", "B", "C"], [((1, 0, 0), 5), ((0, 1, 0), 4), ((1, 1, 0), 3), ((0, 0, 1), 7)]
    )
    two = three.subset(["A", "B"])  # the 7 seen only by C are seen by neither A nor B
    assert list(two.lists) == ["A", "B"]
    assert (two.count_of((1, 0)), two.count_of((0, 1)), two.count_of((1, 1))) == (5, 4, 3)
    assert int(two.counts.sum()) == 12
