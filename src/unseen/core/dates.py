"""Partial dates: a year, a year and month, or a full day, keeping how much is known."""

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum


class Precision(StrEnum):
    """How much of a date is known: the day, only the month, or only the year."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a precision; unknown parts are stored as the first day or month."""

    value: dt.date
    precision: Precision

    def __str__(self) -> str:
        if self.precision is Precision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision is Precision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()

    @property
    def last_day(self) -> dt.date:
        """The last day this partial date may mean (31 December for a bare year)."""
        if self.precision is Precision.YEAR:
            return dt.date(self.value.year, 12, 31)
        if self.precision is Precision.MONTH:
            following = dt.date(
                self.value.year + self.value.month // 12, self.value.month % 12 + 1, 1
            )
            return following - dt.timedelta(days=1)
        return self.value


_PATTERN = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
EARLIEST_YEAR = 1900


def parse_partial_date(text: str, *, latest_year: int | None = None) -> PartialDate:
    """Read YYYY, YYYY-MM or YYYY-MM-DD.

    Raises:
        ValueError: for another shape, an impossible date, or a year outside 1900..latest_year.
    """
    match = _PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"{text.strip()!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    latest = latest_year if latest_year is not None else dt.date.today().year + 1
    if not EARLIEST_YEAR <= year <= latest:
        raise ValueError(f"year {year} is outside {EARLIEST_YEAR}–{latest}")
    try:
        if month is None:
            return PartialDate(dt.date(year, 1, 1), Precision.YEAR)
        if day is None:
            return PartialDate(dt.date(year, month, 1), Precision.MONTH)
        return PartialDate(dt.date(year, month, day), Precision.DAY)
    except ValueError as error:
        raise ValueError(f"{text.strip()!r} is not a real date ({error})") from None


def parse_year(text: str, *, latest_year: int | None = None) -> int:
    """A four-digit year between 1900 and next year.

    Raises:
        ValueError: when the text is not such a year.
    """
    stripped = text.strip()
    if not re.fullmatch(r"\d{4}", stripped):
        raise ValueError(f"{stripped!r} is not a year (use four digits, e.g. 2017)")
    return parse_partial_date(stripped, latest_year=latest_year).value.year
