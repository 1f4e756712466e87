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


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month_name>[A-Za-z]{3,9})\.?"
# Each accepted shape puts the year where no one can take it for a day or a month: first (ISO,
# with -, / or . between the parts, and the Korean 2024년 3월 15일), or after a month written as a
# word (15 March 2024, March 15, 2024, March 2024).
_SHAPES = [
    re.compile(
        r"^(?P<year>\d{4})(?:(?P<sep>[-/.]) ?(?P<month>\d{1,2})(?:(?P=sep) ?(?P<day>\d{1,2}))?)?\.?$"
    ),
    re.compile(r"^(?P<year>\d{4}) ?년(?: ?(?P<month>\d{1,2}) ?월(?: ?(?P<day>\d{1,2}) ?일)?)?$"),
    re.compile(rf"^(?:(?P<day>\d{{1,2}}) )?{_MONTH},? (?P<year>\d{{4}})$"),
    re.compile(rf"^{_MONTH} (?P<day>\d{{1,2}}), ?(?P<year>\d{{4}})$"),
]
# Day and month both as numbers before the year: 05/06/2024 is 5 June in Seoul and London and
# 6 May in New York. Refused whichever way round, even when one part is above 12, so that the
# same habit is not accepted one day and refused the next.
_AMBIGUOUS = re.compile(r"^\d{1,2} ?[-/.] ?\d{1,2} ?[-/.] ?\d{2,4}\.?$")
EARLIEST_YEAR = 1900
ACCEPTED_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD; also 2024년 3월 15일 or 15 March 2024"


class DateRefused(ValueError):
    """Why a text is not taken as a date, as a code a form turns into words in the reader's language.

    `reason` is one of: "ambiguous" (day and month both numbers before the year), "shape" (no
    date at all), "not_real" (30 February), "too_early" / "too_late" (outside EARLIEST_YEAR..
    latest), "not_a_day" (a year or a month where a day is needed).
    """

    def __init__(self, reason: str, message: str, *, latest: int = 0):
        super().__init__(message)
        self.reason = reason
        self.earliest = EARLIEST_YEAR
        self.latest = latest


def parse_partial_date(text: str, *, latest_year: int | None = None) -> PartialDate:
    """Read a year, a year and month, or a day, written so that it can mean one date only.

    ISO (2024, 2024-03, 2024-03-15; also with / or . between the parts), Korean (2024년 3월
    15일) and English with the month as a word (15 March 2024, March 15, 2024, Mar 2024).

    Raises:
        DateRefused: for an ambiguous form such as 05/06/2024, another shape, an impossible
            date, or a year outside 1900..latest_year.
    """
    stripped = " ".join(text.split())
    latest = latest_year if latest_year is not None else dt.date.today().year + 1
    if _AMBIGUOUS.match(stripped):
        raise DateRefused(
            "ambiguous",
            f"{stripped!r} could be day/month or month/day (use {ACCEPTED_FORMS})",
            latest=latest,
        )
    parts = next((m.groupdict() for shape in _SHAPES if (m := shape.match(stripped))), None)
    if parts is None or (parts.get("month_name") and parts["month_name"].lower() not in _MONTHS):
        raise DateRefused(
            "shape", f"{stripped!r} is not a date (use {ACCEPTED_FORMS})", latest=latest
        )
    year = int(parts["year"])
    month_name = parts.get("month_name")
    month = _MONTHS[month_name.lower()] if month_name else _number(parts.get("month"))
    day = _number(parts.get("day"))
    if not EARLIEST_YEAR <= year <= latest:
        raise DateRefused(
            "too_early" if year < EARLIEST_YEAR else "too_late",
            f"year {year} is outside {EARLIEST_YEAR}–{latest}",
            latest=latest,
        )
    try:
        if month is None:
            return PartialDate(dt.date(year, 1, 1), Precision.YEAR)
        if day is None:
            return PartialDate(dt.date(year, month, 1), Precision.MONTH)
        return PartialDate(dt.date(year, month, day), Precision.DAY)
    except ValueError as error:
        raise DateRefused(
            "not_real", f"{stripped!r} is not a real date ({error})", latest=latest
        ) from None


def _number(part: str | None) -> int | None:
    return int(part) if part else None


def parse_day(text: str, *, latest_year: int | None = None) -> dt.date:
    """A full date (a day), in any form `parse_partial_date` reads.

    Raises:
        DateRefused: as `parse_partial_date`, or "not_a_day" for a bare year or month.
    """
    parsed = parse_partial_date(text, latest_year=latest_year)
    if parsed.precision is not Precision.DAY:
        raise DateRefused(
            "not_a_day",
            f"{str(parsed)!r} is not a full date (use YYYY-MM-DD)",
            latest=parsed.value.year,
        )
    return parsed.value


def parse_year(text: str, *, latest_year: int | None = None) -> int:
    """A four-digit year between 1900 and next year.

    Raises:
        ValueError: when the text is not such a year.
    """
    stripped = text.strip()
    if not re.fullmatch(r"\d{4}", stripped):
        raise ValueError(f"{stripped!r} is not a year (use four digits, e.g. 2017)")
    return parse_partial_date(stripped, latest_year=latest_year).value.year
