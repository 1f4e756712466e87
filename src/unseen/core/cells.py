"""Parsers for single cells. Each returns a plain value or raises ValueError with a reason a user reads."""

import decimal
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .tables import RowCheck

_INTEGER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$|^[+-]?\d+$")


def count(text: str) -> int:
    """A whole number of people or things, 0 or more ("1,200" allowed)."""
    stripped = text.strip()
    if not _INTEGER.match(stripped):
        raise ValueError(f"{stripped!r} is not a whole number")
    value = int(stripped.replace(",", ""))
    if value < 0:
        raise ValueError(f"{value} is negative; counts cannot be")
    return value


def amount(text: str) -> decimal.Decimal:
    """A sum of money (or hours), 0 or more."""
    stripped = text.strip().replace(",", "")
    try:
        value = decimal.Decimal(stripped)
    except decimal.InvalidOperation:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text.strip()!r} is not a number")
    if value < 0:
        raise ValueError(f"{value} is negative; amounts cannot be")
    return value


def fraction(text: str) -> decimal.Decimal:
    """A share from 0 to 1; "90%" is read as 0.9."""
    stripped = text.strip()
    percent = stripped.endswith("%")
    try:
        value = decimal.Decimal(stripped.rstrip("%").strip())
    except decimal.InvalidOperation:
        raise ValueError(f"{stripped!r} is not a number") from None
    if percent:
        value /= 100
    if not value.is_finite() or not 0 <= value <= 1:
        raise ValueError(f"{stripped} is outside 0–1 (a share is a fraction, e.g. 0.9)")
    return value


def percent(text: str) -> decimal.Decimal:
    """A share in per cent, from 0 to 100; "51%" and "51" are both 51."""
    stripped = text.strip()
    try:
        value = decimal.Decimal(stripped.rstrip("%").strip())
    except decimal.InvalidOperation:
        raise ValueError(f"{stripped!r} is not a number") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError(f"{stripped} is outside 0–100 (a share in per cent, e.g. 51)")
    return value


def coordinate(limit: int, name: str) -> Callable[[str], float]:
    """A parser for a latitude or longitude (`name`) within ±`limit` degrees."""

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise ValueError(f"{text.strip()!r} is not a {name}") from None
        if not -limit <= value <= limit:
            raise ValueError(f"{name} {value} is outside ±{limit}")
        return value

    return parse


latitude = coordinate(90, "latitude")
longitude = coordinate(180, "longitude")


@dataclass(frozen=True)
class Choice:
    """A parser for one of `values` (case-insensitive); `aliases` map other spellings onto them.

    A callable object rather than a closure so that the import guide can list the values.
    """

    values: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()

    def __call__(self, text: str) -> str:
        """The value `text` names, or ValueError listing the values."""
        key = text.strip().lower()
        for value in self.values:
            if value.lower() == key:
                return value
        for alias, value in self.aliases:
            if alias.lower() == key:
                return value
        raise ValueError(f"{text.strip()!r} is not one of: {', '.join(self.values)}")


def choice(values: Iterable[str], aliases: dict[str, str] | None = None) -> Choice:
    """A parser for one of `values` (case-insensitive); `aliases` map other spellings onto them."""
    return Choice(tuple(values), tuple((aliases or {}).items()))


@dataclass(frozen=True)
class Text:
    """A parser for free text, stripped, refused beyond `limit` characters.

    A callable object rather than a closure so that the import guide can state the limit.
    """

    limit: int

    def __call__(self, value: str) -> str:
        """`value` stripped, or ValueError when it is too long."""
        stripped = value.strip()
        if len(stripped) > self.limit:
            raise ValueError(f"longer than {self.limit} characters")
        return stripped


def text(limit: int) -> Text:
    """A parser for free text, stripped, refused beyond `limit` characters."""
    return Text(limit)


def ordered(low: str, high: str) -> RowCheck:
    """A row check: `low` must not exceed `high` when both are given."""

    def check(row: dict[str, Any]) -> list[tuple[str, str]]:
        if row.get(low) is not None and row.get(high) is not None and row[low] > row[high]:
            return [(low, f"{row[low]} is above {high} ({row[high]})")]
        return []

    return check


def one_of_required(*columns: str) -> RowCheck:
    """A row check that at least one of `columns` is filled; the error names the first."""

    def check(row: dict[str, Any]) -> list[tuple[str, str]]:
        if all(row.get(column) in (None, "") for column in columns):
            return [(columns[0], f"give at least one of: {', '.join(columns)}")]
        return []

    return check


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe.

    A number written as text ("-3.5") is no formula and stays a number. Every CSV a person may
    open in a spreadsheet goes through this: exports, and tables downloaded from the pages.
    """
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
