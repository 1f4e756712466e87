"""Records to link: reading a file of them, and the keys compared.

Each entity's columns are `entities`', re-exported here.

`read_records` reads a CSV (or TSV) file of persons, sites or organisations and refuses it,
naming file, row and column, when a `record_id` repeats, when no column can tell records apart
or when the file cannot be read; columns it does not know are ignored with a warning.
`prepare` turns the text columns into what the Splink models compare: folded name keys
(`names.person_name_keys`), birth dates as digits, birth years, words of places and employers,
cleaned identifiers. Every derived value is computed once per distinct input value: names and
places repeat a lot.
"""

import csv
import gc
import multiprocessing as mp
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from unseen.core.linkage.entities import COLUMNS, ENTITIES, EVIDENCE, record_key
from unseen.core.linkage.names import (
    PersonNameKeys,
    fold_place_name,
    fold_token,
    person_name_keys,
)
from unseen.core.tables import CellError, TableError

__all__ = [
    "COLUMNS",
    "ENTITIES",
    "EVIDENCE",
    "prepare",
    "read_records",
    "record_key",
]


def read_records(path: Path, entity: str = "person") -> tuple[pd.DataFrame, list[str]]:
    """Read a file of records to link, every cell as text ("" where blank).

    Returns:
        The records (only the entity's columns) and warnings about ignored columns.

    Raises:
        TableError: the file cannot be read, has no `record_id` column or no column to compare,
            or has a blank or repeated `record_id` (every such row is reported).
    """
    columns = COLUMNS[entity]
    # pandas rather than `core.tables.read_table`: a million rows as dicts of cells would cost
    # more time and memory than linking them; the checks linking needs are the few below.
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            sep=delimiter,
            encoding="utf-8-sig",
            quoting=csv.QUOTE_MINIMAL,
        )
    except FileNotFoundError:
        raise TableError([CellError(0, "", "no such file")]) from None
    except IsADirectoryError:
        raise TableError([CellError(0, "", "is a directory, not a file")]) from None
    except pd.errors.EmptyDataError:
        raise TableError([CellError(0, "", "the file is empty")]) from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise TableError([CellError(0, "", f"cannot be read as CSV: {reason}")]) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "record_id" not in frame.columns:
        raise TableError([CellError(1, "record_id", "required column is missing")])
    unknown = [c for c in frame.columns if c not in columns]
    usable = [c for c in frame.columns if c in EVIDENCE[entity]]
    if not usable:
        raise TableError(
            [
                CellError(
                    1,
                    "(header)",
                    f"no column to compare records by; {entity} columns are: " + ", ".join(columns),
                )
            ]
        )
    if frame.columns.duplicated().any():
        repeated = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise TableError([CellError(1, name, "column appears twice") for name in repeated])
    ids = frame["record_id"].str.strip()
    errors = [
        CellError(int(i) + 2, "record_id", "required, but blank")
        for i in np.flatnonzero((ids == "").to_numpy())
    ]
    repeated_mask = ids.duplicated(keep=False) & (ids != "")
    if repeated_mask.any():
        first_row = ids[repeated_mask].reset_index().groupby("record_id")["index"].min()
        for i in np.flatnonzero(ids.duplicated(keep="first").to_numpy() & (ids != "").to_numpy()):
            first = int(first_row[ids.iat[i]]) + 2
            errors.append(
                CellError(int(i) + 2, "record_id", f"duplicate record_id (first on row {first})")
            )
    if errors:
        raise TableError(errors)
    warnings = [f"column {name!r} is not a {entity} column; ignored" for name in unknown]
    frame = frame.assign(record_id=ids)
    return frame[[c for c in columns if c in frame.columns]], warnings


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as stripped text, "" where blank or missing."""
    if name not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    # Stripped once per distinct value: a million cells repeat far fewer values.
    return _per_value(frame[name], lambda value: str(value).strip(), "")


def _mapped(series: pd.Series, function: Callable[[str], Any]) -> pd.Series:
    """Apply a function once per distinct non-blank value (None for a blank one)."""
    return _per_value(series, lambda value: function(value) if value else None, None)


def _per_value(series: pd.Series, function: Callable[[Any], Any], missing: Any) -> pd.Series:
    """`function` of each cell, computed once per distinct value; `missing` where NA."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    # fromiter, not array: a value that is a list must stay one object.
    results = np.fromiter(
        (*(function(value) for value in uniques), missing), dtype=object, count=len(uniques) + 1
    )
    return pd.Series(results[codes], index=series.index, dtype=object)


_DATE = re.compile(r"^(\d{4})(?:[-./ ]?(\d{1,2})(?:[-./ ]?(\d{1,2}))?)?$")
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")
_SEXES = {
    "m": "M", "male": "M", "man": "M", "남": "M", "남자": "M", "남성": "M",
    "f": "F", "female": "F", "woman": "F", "w": "F", "여": "F", "여자": "F", "여성": "F",
}  # fmt: skip
_LETTERS = re.compile(r"[^a-z]")
_SPACES = re.compile(r"\s+")


def _birth_digits(text: str) -> str | None:
    """YYYYMMDD, YYYYMM or YYYY; kept when impossible (19561331): it may be a typo of the truth."""
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    if month is None:
        return year
    if day is None:
        return f"{year}{int(month):02d}"
    return f"{year}{int(month):02d}{int(day):02d}"


def _month(text: str) -> float:
    """A date (YYYY-MM-DD, YYYY-MM or YYYY) as a count of months; a bare year is its July."""
    digits = _birth_digits(text)
    if digits is None:
        return np.nan
    month = int(digits[4:6]) if len(digits) >= 6 else 7
    return float(int(digits[:4]) * 12 + min(max(month, 1), 12) - 1)


def _seen(frame: pd.DataFrame, out: pd.DataFrame) -> None:
    """When a source saw the person, in months: `seen_from` and `seen_to`.

    From `first_seen` to `last_seen`; either one stands for both where the other is blank
    (sources often give one date).
    """
    first = _per_value(_column(frame, "first_seen"), _month, np.nan).astype(float)
    last = _per_value(_column(frame, "last_seen"), _month, np.nan).astype(float)
    start, end = first.fillna(last), last.fillna(first)
    # A period written back to front is read the right way round.
    out["seen_from"] = np.fmin(start, end).astype("Int64")
    out["seen_to"] = np.fmax(start, end).astype("Int64")


def _year(text: str) -> float:
    match = _YEAR.search(text)
    return float(match.group(1)) if match else np.nan


def _words(text: str) -> str | None:
    """Folded words of a place or company name, sorted (word order varies between sources)."""
    return " ".join(sorted(set(fold_place_name(text).split()))) or None


_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")  # \w is str.isalnum() and "_"


def _identifier(text: str) -> str | None:
    return _NOT_ALPHANUMERIC.sub("", text.upper()) or None


def _squash(key: str | None) -> str | None:
    """A folded key without its syllable and word separators, for string similarity."""
    return key.replace("-", "").replace(" ", "") if key else None


# A record's name: full, given, family (Latin letters) and Hangul, each "" where blank.
Name = tuple[str, str, str, str]

_NAME_COLUMNS = (
    "name_family", "name_given", "name_concat", "name_swapped", "name_sorted", "name_keys",
    "name_spelling", "name_hangul",
)  # fmt: skip


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector.

    Folding names makes millions of small tuples, lists and keys, none of them in a reference
    cycle, and each batch of allocations set the collector walking every object of the process:
    half the time of folding a million records' names (30 s against 14 s in one process).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _name_rows(names: list[Name]) -> list[tuple[Any, ...]]:
    """The `_NAME_COLUMNS` of each name.

    Latin and Hangul are folded apart ("compare on both": a record may have both), each distinct one
    once.
    """
    with _no_cycle_collection():
        return _folded_rows(names)


def _folded_rows(names: list[Name]) -> list[tuple[Any, ...]]:
    folded: dict[Name, PersonNameKeys] = {}

    def keys(name: Name) -> PersonNameKeys:
        if name not in folded:
            folded[name] = person_name_keys(*(part or None for part in name))
        return folded[name]

    rows = []
    for full, given, family, hangul in names:
        latin = keys((full, given, family, ""))
        korean = keys(("", "", "", hangul)) if hangul else None
        spelled = _LETTERS.sub("", (full + given + family).lower())
        rows.append(
            (
                *_name_columns(latin, korean),
                spelled or None,
                _SPACES.sub("", hangul) or None,
            )
        )
    return rows


# Below this many distinct names, folding them in one process is quicker than starting others.
_PARALLEL_FROM = 50_000


def _fold_names(names: list[Name]) -> list[tuple[Any, ...]]:
    """`_name_rows` of distinct names, on every core when there are many (folding is pure Python)."""
    cores = min(os.cpu_count() or 1, 8)
    if len(names) < _PARALLEL_FROM or cores < 2 or "fork" not in mp.get_all_start_methods():
        return _name_rows(names)
    size = -(-len(names) // (cores * 4))
    chunks = [names[i : i + size] for i in range(0, len(names), size)]
    with (
        _no_cycle_collection(),  # the rows coming back are as many small objects
        ProcessPoolExecutor(max_workers=cores, mp_context=mp.get_context("fork")) as pool,
    ):
        return [row for chunk in pool.map(_name_rows, chunks) for row in chunk]


def _name_columns(latin: PersonNameKeys, korean: PersonNameKeys | None) -> tuple[Any, ...]:
    """Family, given, concatenated, swapped and sorted keys and orders of a record's names.

    From its Latin and Hangul name keys (Hangul first where it has a name).
    """
    squashed = [
        (k, _squash(k.family) or "", _squash(k.given) or "")
        for k in (latin, korean)
        if k is not None
    ]
    primary, fam_s, giv_s = squashed[-1] if korean is not None and korean.full else squashed[0]
    # Family + given in both orders, from Latin and from Hangul: swapped parts agree, but
    # not the same syllables in another order (Chol Su and Su Chol are two names).
    orders = set()
    for k, family_key, given_key in squashed:
        if k.full:
            orders.update({family_key + "|" + given_key, given_key + "|" + family_key})
    return (
        primary.family,
        primary.given,
        (fam_s + giv_s) or _squash(primary.full),
        (giv_s + fam_s) or _squash(primary.full),
        primary.tokens_sorted,
        sorted(orders) if orders else None,
    )


def _codes(parts: list[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """For each record, the number of its distinct combination of `parts`.

    And the first record of each combination (numbered in order of first appearance).
    """
    codes = np.zeros(len(parts[0]), dtype=np.int64)
    for part in parts:
        part_codes, uniques = pd.factorize(part)
        # Combined two at a time and renumbered, so the product never overflows.
        codes, _ = pd.factorize(codes * max(len(uniques), 1) + part_codes)
    _, first = np.unique(codes, return_index=True)
    return codes, first


def _person_names(frame: pd.DataFrame, out: pd.DataFrame) -> None:
    parts = [_column(frame, c) for c in ("full_name", "given_name", "family_name", "name_hangul")]
    # Each distinct name once (half the records of a million share theirs with another).
    codes, first = _codes(parts)
    distinct: list[Name] = list(zip(*(p.to_numpy()[first] for p in parts), strict=True))
    derived = pd.DataFrame(_fold_names(distinct), columns=list(_NAME_COLUMNS), dtype=object)
    for name in _NAME_COLUMNS:
        out[name] = derived[name].to_numpy()[codes]


def _prepare_person(frame: pd.DataFrame, out: pd.DataFrame) -> None:
    _person_names(frame, out)
    birth = _mapped(_column(frame, "birth_date"), _birth_digits)
    out["birth_date"] = birth
    out["birth_day"] = birth.where(
        birth.str.len() == 8, None
    )  # YYYYMMDD only: a bare year would block everyone born in it
    from_date = birth.map(lambda d: float(d[:4]) if isinstance(d, str) else np.nan).astype(float)
    from_column = _mapped(_column(frame, "birth_year"), _year).astype(float)
    out["birth_year"] = from_date.fillna(from_column).astype("Int64")
    out["sex"] = _mapped(_column(frame, "sex"), lambda s: _SEXES.get(s.lower()))
    out["birth_place"] = _mapped(_column(frame, "birth_place"), lambda s: fold_token(s) or None)
    out["site"] = _mapped(_column(frame, "site"), _words)
    out["site_words"] = _per_value(out["site"], str.split, None)  # the folded key's words
    out["employer"] = _mapped(_column(frame, "employer"), _words)
    out["identifier"] = _mapped(_column(frame, "identifier"), _identifier)
    out["country"] = _mapped(_column(frame, "country"), lambda s: s.upper())
    _address(_column(frame, "address"), out)
    _seen(frame, out)


_DIGITS = re.compile(r"\d+")


def _longest_number(text: str) -> str | None:
    """The longest number in an address (a postcode, or else a house number): a blocking key."""
    numbers = _DIGITS.findall(text)
    return max(numbers, key=len) if numbers else None


def _address(address: pd.Series, out: pd.DataFrame) -> None:
    out["address"] = _mapped(address, _words)
    out["address_words"] = out["address"].map(lambda k: k.split() if isinstance(k, str) else None)
    out["address_number"] = _mapped(address, _longest_number)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return np.nan


def _prepare_site(frame: pd.DataFrame, out: pd.DataFrame) -> None:
    out["name_key"] = _mapped(_column(frame, "name"), _words)
    out["name_words"] = out["name_key"].map(lambda k: k.split() if isinstance(k, str) else None)
    out["kind"] = _mapped(_column(frame, "kind"), lambda s: s.lower())
    out["city"] = _mapped(_column(frame, "city"), _words)
    out["country"] = _mapped(_column(frame, "country"), lambda s: s.upper())
    _address(_column(frame, "address"), out)
    out["latitude"] = _mapped(_column(frame, "latitude"), _number).astype(float)
    out["longitude"] = _mapped(_column(frame, "longitude"), _number).astype(float)
    # A grid of about a kilometre: sites this close are worth comparing whatever their names.
    grid = (out["latitude"] * 100).round().astype("Int64").astype(str) + ","
    grid += (out["longitude"] * 100).round().astype("Int64").astype(str)
    out["grid"] = grid.where(out["latitude"].notna() & out["longitude"].notna(), None)


def _aliases(text: str) -> list[str] | None:
    keys = {k for k in (_words(a) for a in re.split(r"[;|\n]", text)) if k}
    return sorted(keys) or None


def _prepare_organisation(frame: pd.DataFrame, out: pd.DataFrame) -> None:
    out["name_key"] = _mapped(_column(frame, "name"), _words)
    out["name_words"] = out["name_key"].map(lambda k: k.split() if isinstance(k, str) else None)
    names = _column(frame, "name") + ";" + _column(frame, "aliases")
    out["name_keys"] = _mapped(names.str.strip(";"), _aliases)
    out["name_first"] = _mapped(
        _column(frame, "name"), lambda s: next(iter(fold_place_name(s).split()), None)
    )
    out["kind"] = _mapped(_column(frame, "kind"), lambda s: s.lower())
    out["country"] = _mapped(_column(frame, "country"), lambda s: s.upper())
    out["identifier"] = _mapped(_column(frame, "identifier"), _identifier)
    _address(_column(frame, "address"), out)


_PREPARE = {
    "person": _prepare_person,
    "site": _prepare_site,
    "organisation": _prepare_organisation,
}


def prepare(frame: pd.DataFrame, entity: str = "person", *, index: int = 0) -> pd.DataFrame:
    """The columns the entity's model compares, one row per input record, in input order.

    Args:
        frame: the entity's columns as text; missing columns and blank cells are allowed.
        entity: "person", "site" or "organisation".
        index: the frame's place among the frames of a run (0 when deduplicating).

    Returns:
        `unique_id` (the record key "index:record_id"), `record_id`, `source`,
        `source_dataset` (the frame index as text) and the derived columns, None where unknown.
    """
    if entity not in _PREPARE:
        raise ValueError(f"unknown entity {entity!r}; choose from {', '.join(ENTITIES)}")
    if not frame.index.equals(pd.RangeIndex(len(frame))):  # the output is numbered 0, 1, 2 ...
        frame = frame.reset_index(drop=True)
    record_ids = _column(frame, "record_id")
    out = pd.DataFrame(index=frame.index)
    out["unique_id"] = str(index) + ":" + record_ids
    out["record_id"] = record_ids
    source = _column(frame, "source")
    out["source"] = source.where(source != "", None)
    out["source_dataset"] = str(index)
    _PREPARE[entity](frame, out)
    return out
