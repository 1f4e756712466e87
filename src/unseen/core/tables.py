"""Reading CSV and XLSX files into rows, and checking every cell against a schema.

Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2. All bad
cells are reported together, never only the first, so a user fixes a file in one pass.
"""

import csv
import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Parser = Callable[[str], Any]
RowCheck = Callable[[dict[str, Any]], list[tuple[str, str]]]


@dataclass(frozen=True, order=True)
class CellError:
    """A bad cell (row ≥ 2), a bad header (row 1) or an unreadable file (row 0)."""

    row: int
    column: str
    reason: str

    def format(self, filename: str) -> str:
        if self.row == 0:
            return f"{filename}: {self.reason}"
        return f"{filename}:{self.row}:{self.column}: {self.reason}"


class TableError(Exception):
    """The file cannot be imported; `errors` lists every reason."""

    def __init__(self, errors: Sequence[CellError]):
        self.errors = sorted(errors)
        super().__init__(f"{len(self.errors)} error(s)")


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    errors: list[CellError] = field(default_factory=list)


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser = str
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class Schema:
    """The columns one import kind takes, and the checks that span several cells of a row."""

    kind: str
    columns: tuple[Column, ...]
    row_checks: tuple[RowCheck, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


def read_table(path: Path) -> Table:
    """Read a .csv, .tsv or .xlsx file; values come back as stripped strings.

    Raises:
        TableError: when the file cannot be read or has no header.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in {".csv", ".tsv", ".txt"}:
            return _read_delimited(path, "\t" if suffix == ".tsv" else ",")
        if suffix in {".xlsx", ".xlsm"}:
            return _read_xlsx(path)
    except FileNotFoundError:
        raise TableError([CellError(0, "", "no such file")]) from None
    except UnicodeDecodeError:
        raise TableError(
            [CellError(0, "", "not UTF-8 text (save the file as UTF-8 CSV)")]
        ) from None
    except (OSError, csv.Error, ValueError, KeyError) as error:
        raise TableError([CellError(0, "", f"cannot read the file ({error})")]) from None
    raise TableError([CellError(0, "", f"unsupported file type {suffix!r} (use .csv or .xlsx)")])


def _normalise_header(columns: Iterable[Any]) -> list[str]:
    return [str(column).strip().lower() if column is not None else "" for column in columns]


def _read_delimited(path: Path, delimiter: str) -> Table:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            raise TableError([CellError(0, "", "the file is empty")])
        columns = _normalise_header(header)
        while columns and columns[-1] == "":
            columns.pop()
        rows = []
        errors = []
        for number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            if any(value.strip() for value in values[len(columns) :]):
                errors.append(
                    CellError(
                        number, "", f"{len(values)} cells but {len(columns)} columns in the header"
                    )
                )
            rows.append(
                (
                    number,
                    {
                        col: (values[i].strip() if i < len(values) else "")
                        for i, col in enumerate(columns)
                    },
                )
            )
    return Table(columns, rows, errors)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float | decimal.Decimal):
        return str(value)
    return str(value).strip()


def _read_xlsx(path: Path) -> Table:
    import openpyxl  # imported here: only spreadsheet imports pay for it

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = next(values, None)
        if header is None:
            raise TableError([CellError(0, "", "the first sheet is empty")])
        columns = _normalise_header(header)
        while columns and columns[-1] == "":
            columns.pop()
        rows = []
        for number, cells in enumerate(values, start=2):
            texts = [_cell_text(cell) for cell in cells]
            if not any(texts):
                continue
            rows.append(
                (
                    number,
                    {col: (texts[i] if i < len(texts) else "") for i, col in enumerate(columns)},
                )
            )
    finally:
        workbook.close()
    return Table(columns, rows)


def validate(
    table: Table, schema: Schema
) -> tuple[list[tuple[int, dict[str, Any]]], list[CellError]]:
    """Parse every cell; return the parsed rows (with their numbers) and every error found.

    Blank cells become None. A column the schema does not know, a required column that is
    missing, a required cell left blank and a cell its parser rejects are all errors.
    """
    errors: list[CellError] = []
    known = {column.name: column for column in schema.columns}
    for name in table.columns:
        if name not in known:
            errors.append(
                CellError(
                    1,
                    name or "(blank)",
                    f"unknown column; {schema.kind} take: {', '.join(schema.names)}",
                )
            )
    seen = set(table.columns)
    for column in schema.columns:
        if column.required and column.name not in seen:
            errors.append(CellError(1, column.name, "required column is missing"))
    if errors:
        return [], errors
    errors = list(table.errors)
    if not table.rows:
        return [], [CellError(0, "", "no rows to import")]

    present = [known[name] for name in table.columns]
    parsed_rows = []
    for number, raw in table.rows:
        parsed: dict[str, Any] = {}
        bad: set[str] = set()
        for column in present:
            text = raw.get(column.name, "")
            if text == "":
                if column.required:
                    errors.append(CellError(number, column.name, "required, but blank"))
                    bad.add(column.name)
                parsed[column.name] = None
                continue
            try:
                parsed[column.name] = column.parse(text)
            except ValueError as error:
                errors.append(CellError(number, column.name, str(error)))
                bad.add(column.name)
        for column in schema.columns:
            parsed.setdefault(column.name, None)
        if not bad:
            for check in schema.row_checks:
                errors.extend(CellError(number, col, reason) for col, reason in check(parsed))
        parsed_rows.append((number, parsed))
    return parsed_rows, errors
