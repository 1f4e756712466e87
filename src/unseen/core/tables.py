"""Reading CSV and XLSX files into rows, and checking every cell against a schema.

Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2. All bad
cells are reported together, never only the first, so a user fixes a file in one pass.
"""

import csv
import datetime as dt
import decimal
import re
import zipfile
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
        """The error as `file:row:column: reason` (or `file: reason` for the whole file)."""
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
    """A CSV as read: its header, its rows numbered as in the file, and the errors found."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    errors: list[CellError] = field(default_factory=list)


@dataclass(frozen=True)
class Column:
    """One column of an import kind: its parser, whether it is required, and help for the guide."""

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
        """The column names in order."""
        return [column.name for column in self.columns]


MB = 1024 * 1024
# A member of a spreadsheet that unpacks to more than this many times its packed size is a bomb:
# real sheets, even of one repeated value, pack about 5-20 times (a 100,000-row sheet of repeated
# countries and sectors: 13). Small members are let through whatever their ratio.
MAX_PACKING_RATIO = 100
RATIO_CHECKED_FROM = 1 * MB


@dataclass(frozen=True)
class Limits:
    """How large a table `read_table` takes; None is no limit.

    Sizes are checked before anything is parsed: an XLSX by its zip directory (the unpacked size
    of every member, which Python's zipfile also holds the unpacking to) and by the row count the
    first sheet declares, a CSV by its size on disk. Rows are also counted while reading, since a
    sheet need not declare them. By default only the packing ratio is limited: a spreadsheet that
    unpacks to a hundred times its size is a bomb wherever it is read.
    """

    max_unpacked_bytes: int | None = None  # everything in an XLSX, unpacked
    max_text_bytes: int | None = None  # a CSV or TSV file
    max_rows: int | None = None  # rows below the header, blank ones included
    max_packing_ratio: float | None = MAX_PACKING_RATIO  # any XLSX member from 1 MB unpacked


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")


def _too_large(reason: str) -> TableError:
    return TableError([CellError(0, "", reason)])


def _too_many_rows(limit: int) -> TableError:
    return _too_large(f"more than {limit:,} rows, the limit for a table")


def read_table(path: Path, limits: Limits | None = None) -> Table:
    """Read a .csv, .tsv or .xlsx file; values come back as stripped strings.

    A file beyond `limits` is refused before it is parsed (see `Limits`), with a reason that names
    the limit.

    Raises:
        TableError: when the file cannot be read, has no header or is beyond `limits`.
    """
    suffix = path.suffix.lower()
    limits = limits or Limits()
    try:
        if suffix in {".csv", ".tsv", ".txt"}:
            _check_text_size(path, limits)
            return _read_delimited(path, "\t" if suffix == ".tsv" else ",", limits)
        if suffix in {".xlsx", ".xlsm"}:
            _check_spreadsheet(path, limits)
            return _read_xlsx(path, limits)
    except FileNotFoundError:
        raise TableError([CellError(0, "", "no such file")]) from None
    except UnicodeDecodeError:
        raise TableError(
            [CellError(0, "", "not UTF-8 text (save the file as UTF-8 CSV)")]
        ) from None
    except zipfile.BadZipFile:
        raise TableError([CellError(0, "", "not an XLSX file (it is not a zip archive)")]) from None
    except (OSError, csv.Error, ValueError, KeyError) as error:
        raise TableError([CellError(0, "", f"cannot read the file ({error})")]) from None
    raise TableError([CellError(0, "", f"unsupported file type {suffix!r} (use .csv or .xlsx)")])


def _normalise_header(columns: Iterable[Any]) -> list[str]:
    return [str(column).strip().lower() if column is not None else "" for column in columns]


def _check_text_size(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if limits.max_text_bytes is not None and size > limits.max_text_bytes:
        raise _too_large(
            f"the file is {_megabytes(size)} MB, more than the "
            f"{_megabytes(limits.max_text_bytes)} MB limit for a table"
        )


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d+:[A-Z]*(\d+)\"")
_SHEET_HEAD_BYTES = 4096  # the dimension comes before any row, right after the sheet's properties


def _first_sheet_member(archive: zipfile.ZipFile) -> str | None:
    """The member openpyxl reads as the first sheet; None when the workbook does not say."""
    # Both parts were size-checked with everything else before this reads them.
    workbook = archive.read("xl/workbook.xml")
    first = re.search(rb"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook)
    if first is None or "xl/_rels/workbook.xml.rels" not in archive.namelist():
        return None
    relations = archive.read("xl/_rels/workbook.xml.rels")
    for relation in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", relations):
        tag = relation.group(0)
        if re.search(rb'\bId="' + re.escape(first.group(1)) + rb'"', tag):
            target = re.search(rb'\bTarget="([^"]+)"', tag)
            if target is None:
                return None
            name = target.group(1).decode("utf-8", "replace")
            return name.lstrip("/") if name.startswith("/") else f"xl/{name}"
    return None


def _declared_rows(archive: zipfile.ZipFile) -> int | None:
    try:
        member = _first_sheet_member(archive)
        if member is None:
            return None
        with archive.open(member) as sheet:
            head = sheet.read(_SHEET_HEAD_BYTES)
    except KeyError:
        return None
    found = _DIMENSION.search(head)
    return int(found.group(1)) if found else None


def _check_spreadsheet(path: Path, limits: Limits) -> None:
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if limits.max_unpacked_bytes is not None and unpacked > limits.max_unpacked_bytes:
            raise _too_large(
                f"the spreadsheet unpacks to {_megabytes(unpacked)} MB, more than the "
                f"{_megabytes(limits.max_unpacked_bytes)} MB limit for a table"
            )
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if (
                limits.max_packing_ratio is not None
                and member.file_size >= RATIO_CHECKED_FROM
                and ratio > limits.max_packing_ratio
            ):
                raise _too_large(
                    f"the spreadsheet unpacks to {ratio:.0f} times its size, more than the "
                    f"limit of {limits.max_packing_ratio:g} times for a table"
                )
        if limits.max_rows is not None:
            declared = _declared_rows(archive)
            # The header is row 1; the limit counts the rows below it.
            if declared is not None and declared - 1 > limits.max_rows:
                raise _too_many_rows(limits.max_rows)


def _read_delimited(path: Path, delimiter: str, limits: Limits) -> Table:
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
            if limits.max_rows is not None and number - 1 > limits.max_rows:
                raise _too_many_rows(limits.max_rows)
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


def _read_xlsx(path: Path, limits: Limits) -> Table:
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
            if limits.max_rows is not None and number - 1 > limits.max_rows:
                raise _too_many_rows(limits.max_rows)
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
