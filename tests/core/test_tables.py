from pathlib import Path

import openpyxl
import pytest

from unseen.core import cells
from unseen.core.tables import CellError, Column, Schema, TableError, read_table, validate

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
