from pathlib import Path

import openpyxl
import pytest

from tests import spreadsheets
from unseen.core import cells
from unseen.core.tables import (
    MB,
    CellError,
    Column,
    Limits,
    Schema,
    TableError,
    read_table,
    validate,
)

SCHEMA = Schema(
    "things",
    (
        Column("name", cells.text(20), required=True),
        Column("low", cells.count),
        Column("high", cells.count),
        Column("share", cells.fraction),
    ),
    (cells.ordered("low", "high"),),
)


def write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_reports_every_bad_cell_with_spreadsheet_row_numbers(tmp_path):
    table = read_table(write(tmp_path, "name,low,high,share\nok,1,2,0.5\n,-3,2,1.5\nx,5,2,\n"))
    rows, errors = validate(table, SCHEMA)
    assert errors == [
        CellError(3, "name", "required, but blank"),
        CellError(3, "low", "-3 is negative; counts cannot be"),
        CellError(3, "share", "1.5 is outside 0–1 (a share is a fraction, e.g. 0.9)"),
        CellError(4, "low", "5 is above high (2)"),
    ]
    assert rows[0] == (2, {"name": "ok", "low": 1, "high": 2, "share": cells.fraction("0.5")})


def test_it_refuses_unknown_and_missing_columns_in_the_header(tmp_path):
    _rows, errors = validate(read_table(write(tmp_path, "low,colour\n1,red\n")), SCHEMA)
    assert CellError(1, "colour", "unknown column; things take: name, low, high, share") in errors
    assert CellError(1, "name", "required column is missing") in errors


def test_it_skips_blank_lines_but_counts_them(tmp_path):
    rows, errors = validate(read_table(write(tmp_path, "name,low\na,1\n,\nb,x\n")), SCHEMA)
    assert errors == [CellError(4, "low", "'x' is not a whole number")]
    assert [number for number, _ in rows] == [2, 4]


def test_it_reads_xlsx_cells_as_text(tmp_path):
    path = tmp_path / "t.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "low", "high"])
    sheet.append(["camp", 1200.0, 1500])
    book.save(path)
    rows, errors = validate(read_table(path), SCHEMA)
    assert errors == []
    assert rows == [(2, {"name": "camp", "low": 1200, "high": 1500, "share": None})]


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"\xff\xfe\x00bad", "t.csv", "not UTF-8"),
        (b"", "t.csv", "empty"),
        (b"x", "t.pdf", "unsupported"),
    ],
)
def test_it_explains_unreadable_files(tmp_path, content, name, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TableError) as caught:
        read_table(path)
    assert reason in caught.value.errors[0].reason
    assert caught.value.errors[0].format("t").startswith("t: ")


def test_it_accepts_thousands_separators_and_percentages():
    assert cells.count("1,200") == 1200
    assert cells.fraction("90%") == cells.fraction("0.9")
    with pytest.raises(ValueError):
        cells.count("1,20")


def test_it_reports_rows_with_too_many_cells_beside_other_errors(tmp_path):
    table = read_table(write(tmp_path, "name,low,\nok,1,,\nbad,1,2,3\nx,y\n"))
    _rows, errors = validate(table, SCHEMA)
    assert errors == [
        CellError(3, "", "4 cells but 2 columns in the header"),
        CellError(4, "low", "'y' is not a whole number"),
    ]


def refusal(path: Path, limits: Limits) -> str:
    with pytest.raises(TableError) as caught:
        read_table(path, limits)
    [error] = caught.value.errors
    return error.format(path.name)


def test_it_refuses_a_spreadsheet_bomb_by_its_unpacked_size(tmp_path):
    path = spreadsheets.bomb(tmp_path / "bomb.xlsx", unpacked_mb=51)
    assert path.stat().st_size < 200 * 1024
    # No ratio limit here: the unpacked size alone must refuse it, before openpyxl parses a byte.
    limits = Limits(max_unpacked_bytes=50 * MB, max_packing_ratio=None)
    assert refusal(path, limits) == (
        "bomb.xlsx: the spreadsheet unpacks to 51 MB, more than the 50 MB limit for a table"
    )


def test_it_refuses_a_spreadsheet_bomb_by_its_packing_ratio_even_without_limits(tmp_path):
    path = spreadsheets.bomb(tmp_path / "bomb.xlsx", unpacked_mb=20)
    with pytest.raises(TableError) as caught:
        read_table(path)
    [error] = caught.value.errors
    assert error.row == 0
    assert "times its size, more than the limit of 100 times for a table" in error.reason


def test_it_refuses_a_sheet_that_declares_more_rows_than_the_limit(tmp_path):
    path = spreadsheets.declaring_rows(tmp_path / "big.xlsx", declared=300_002, written=3)
    assert refusal(path, Limits(max_rows=300_000)) == (
        "big.xlsx: more than 300,000 rows, the limit for a table"
    )
    assert len(read_table(path, Limits(max_rows=300_000 + 1)).rows) == 2


def test_it_counts_rows_a_sheet_does_not_declare(tmp_path):
    path = tmp_path / "rows.xlsx"
    book = openpyxl.Workbook()
    for number in range(6):
        book.active.append([f"r{number}"])
    book.save(path)
    assert len(read_table(path, Limits(max_rows=5)).rows) == 5
    assert "more than 4 rows" in refusal(path, Limits(max_rows=4))


def test_it_refuses_a_csv_beyond_the_size_and_row_limits(tmp_path):
    path = write(tmp_path, "name\n" + "x\n" * 10)
    assert len(read_table(path, Limits(max_rows=10, max_text_bytes=25)).rows) == 10
    assert refusal(path, Limits(max_rows=9)) == "t.csv: more than 9 rows, the limit for a table"
    big = write(tmp_path, "name\n" + "x" * (MB + 1) + "\n", "big.csv")
    assert refusal(big, Limits(max_text_bytes=MB)) == (
        "big.csv: the file is 1 MB, more than the 1 MB limit for a table"
    )


def test_it_says_a_broken_xlsx_is_not_a_zip(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"name\nx\n")
    assert refusal(path, Limits()) == "t.xlsx: not an XLSX file (it is not a zip archive)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("=1+2", "'=1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("-3.5", "-3.5"), ("+7", "+7"), ("Kim", "Kim")],
)
def test_a_cell_a_spreadsheet_would_run_is_made_inert(text, expected):
    from unseen.core.cells import neutralise

    assert neutralise(text) == expected
