"""Reading a capture-history table from a CSV or XLSX file (`unseen mse FILE.csv`).

Two layouts are accepted (docs/design.md §5):

* aggregated: one 0/1 column per list plus a ``count`` column; a pattern may repeat (its
  counts add up) and zero-count rows are allowed, including the all-zero pattern with count 0;
* one row per entity: only 0/1 list columns, no ``count``.

Without `lists`, every column but ``count`` (and a stratum column, if named) must be a list.
With `lists`, only the named columns are lists and other columns are ignored.

"Counts implied but no count column" is decided this way: with no ``count`` column, a column
whose every value is a whole number ≥ 0 and at least one exceeds 1 is taken for a count column
under another name (``n``, ``freq``, …). Reading it as a list would fail every cell, so it is
reported once, at the header, with the fix ("name it count").

Every problem is collected and raised together as `TableError`, each `CellError` naming the
spreadsheet row (header = 1) and the column: a value other than 0/1, a blank, a negative or
fractional count, an all-zero history with a positive count (or an entity on no list), fewer
than two lists.
"""

import csv
from collections.abc import Sequence
from pathlib import Path

from unseen.core.estimation.histories import CaptureHistories
from unseen.core.tables import CellError, Limits, Table, TableError, read_table

COUNT = "count"


def _original_header(path: Path, columns: list[str]) -> dict[str, str]:
    """Lower-cased column name → the name as written.

    read_table lower-cases headers, but list names such as "LA" are shown back to users and used in
    model names.
    """
    names = {column: column for column in columns}
    if path.suffix.lower() not in {".csv", ".tsv", ".txt"}:
        return names
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
            header = next(csv.reader(handle, delimiter=delimiter), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return names
    for raw in header:
        key = raw.strip().lower()
        if key in names and raw.strip():
            names[key] = raw.strip()
    return names


def _is_count_like(values: list[str]) -> bool:
    numbers = []
    for value in values:
        try:
            numbers.append(int(value.replace(",", "")))
        except ValueError:
            return False
    return bool(numbers) and min(numbers) >= 0 and max(numbers) > 1


def _parse_count(text: str) -> tuple[int | None, str]:
    if text == "":
        return None, "count is blank"
    try:
        value = int(text.replace(",", ""))
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return None, f"count {text!r} is not a whole number"
        if not number.is_integer():
            return None, f"count {text!r} is not a whole number"
        value = int(number)
    if value < 0:
        return None, f"count {value} is negative"
    return value, ""


def _list_columns(
    table: Table, lists: Sequence[str] | None, exclude: set[str]
) -> tuple[list[str], list[CellError]]:
    errors: list[CellError] = []
    if lists is None:
        chosen = [c for c in table.columns if c not in exclude]
        for column in chosen:
            if column == "":
                errors.append(CellError(1, "(blank)", "a column has no name"))
        if COUNT not in table.columns:
            for column in chosen:
                values = [raw.get(column, "") for _number, raw in table.rows]
                if _is_count_like(values):
                    errors.append(
                        CellError(
                            1,
                            column,
                            "looks like counts (whole numbers above 1), but counts must be in a "
                            "column named `count`; rename it, or name the list columns with "
                            "--lists",
                        )
                    )
        return chosen, errors
    chosen = []
    for name in lists:
        key = name.strip().lower()
        if key not in table.columns:
            errors.append(
                CellError(1, name, f"no such column; the file has: {', '.join(table.columns)}")
            )
        elif key in chosen:
            errors.append(CellError(1, name, "named twice in --lists"))
        elif key == COUNT:
            errors.append(CellError(1, name, "`count` holds counts and cannot be a list"))
        else:
            chosen.append(key)
    return chosen, errors


def histories_from_table(
    table: Table,
    lists: Sequence[str] | None = None,
    names: dict[str, str] | None = None,
    exclude: Sequence[str] = (),
) -> tuple[CaptureHistories | None, list[CellError]]:
    """Check a read table and build its capture histories.

    Args:
        table: from `core.tables.read_table`.
        lists: the list columns (case-insensitive); None means every column but `count` and
            `exclude`.
        names: display names of the (lower-cased) columns.
        exclude: columns that are neither lists nor `count` (e.g. a stratum column).

    Returns:
        (histories, []) or (None, every error found).
    """
    names = names or {c: c for c in table.columns}
    errors = list(table.errors)
    if not table.rows:
        return None, [*errors, CellError(0, "", "the file has no data rows")]
    columns, header_errors = _list_columns(table, lists, {COUNT, *exclude})
    errors.extend(header_errors)
    if len(columns) < 2 and not header_errors:
        found = f"one ({names.get(columns[0], columns[0])})" if columns else "none"
        errors.append(
            CellError(
                1,
                names.get(columns[0], columns[0]) if columns else "",
                f"MSE needs at least two lists; found {found}",
            )
        )
    if errors:
        return None, errors
    has_count = COUNT in table.columns
    rows: list[tuple[list[int], int]] = []
    for number, raw in table.rows:
        pattern: list[int] = []
        bad = False
        for column in columns:
            text = raw.get(column, "")
            if text in {"0", "1"}:
                pattern.append(int(text))
                continue
            bad = True
            reason = "blank; must be 0 or 1" if text == "" else f"{text!r} is not 0 or 1"
            errors.append(CellError(number, names.get(column, column), reason))
        count = 1
        if has_count:
            value, reason = _parse_count(raw.get(COUNT, ""))
            if value is None:
                errors.append(CellError(number, names.get(COUNT, COUNT), reason))
                bad = True
            else:
                count = value
        if bad:
            continue
        if not any(pattern) and count > 0:
            if has_count:
                errors.append(
                    CellError(
                        number,
                        names.get(COUNT, COUNT),
                        f"an all-zero history with count {count}: no one can be observed on no "
                        "list (the unseen are what MSE estimates); remove the row or set it to 0",
                    )
                )
            else:
                errors.append(
                    CellError(
                        number,
                        names.get(columns[0], columns[0]),
                        "this entity is on no list (all zeros); every row must be on at least "
                        "one list",
                    )
                )
            continue
        rows.append((pattern, count))
    if errors:
        return None, errors
    display = [names.get(column, column) for column in columns]
    return CaptureHistories.from_counts(display, rows), []


def read_histories(
    path: Path, lists: Sequence[str] | None = None, limits: Limits | None = None
) -> CaptureHistories:
    """Read a CSV/XLSX file into a full capture-history table.

    One beyond `limits` is refused before it is read (`core.tables.Limits`).

    Raises:
        TableError: listing every bad cell or header (see the module docstring).
    """
    table = read_table(path, limits)
    histories, errors = histories_from_table(table, lists, _original_header(path, table.columns))
    if histories is None:
        raise TableError(errors)
    return histories


def read_strata(
    path: Path, stratum: str, lists: Sequence[str] | None = None, limits: Limits | None = None
) -> dict[str, CaptureHistories]:
    """Read a file with a stratum column into one table per stratum (in order of appearance).

    Raises:
        TableError: as `read_histories`, plus a missing or blank stratum column.
    """
    table = read_table(path, limits)
    key = stratum.strip().lower()
    if key not in table.columns:
        raise TableError([CellError(1, stratum, "no such column (the stratum column)")])
    names = _original_header(path, table.columns)
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    errors: list[CellError] = []
    for number, raw in table.rows:
        value = raw.get(key, "")
        if value == "":
            errors.append(CellError(number, names[key], "stratum is blank"))
            continue
        groups.setdefault(value, []).append((number, raw))
    strata: dict[str, CaptureHistories] = {}
    for value, rows in groups.items():
        histories, found = histories_from_table(
            Table(table.columns, rows, []), lists, names, exclude=[key]
        )
        errors.extend(found)
        if histories is not None:
            strata[value] = histories
    if errors:
        raise TableError(sorted(set(errors)))
    return strata
