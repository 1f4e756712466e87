"""The ranges that fill a blank wage, share or months, each with its sources (never a headcount).

The ranges are rows of ``data/defaults.csv`` (ADR 0042), each citing the keys of its sources in
``data/sources.csv``; `DEFAULTS` is the shipped table, read once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from unseen.core.revenue.inputs import Range, RevenueError
from unseen.core.revenue.records import DATA, DefaultRow, read_defaults


@dataclass(frozen=True)
class Default:
    """A range used where the sources are silent, with where it comes from.

    ``source`` is the text the run's assumptions print; ``sources`` the keys of the records it
    rests on (``data/sources.csv``).
    """

    range: Range
    source: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class DefaultTable:
    """Default ranges for blank wages, shares and months, by country where the sources allow.

    A blank input takes the row for its country (or, for months, its sector) where there is one,
    else the row for any country (``*``).
    """

    rows: Sequence[DefaultRow]

    @classmethod
    def read(cls, directory: Path = DATA) -> DefaultTable:
        """The table in ``directory/defaults.csv``.

        Raises:
            RevenueDataError: naming the file, row and column of every bad cell.
        """
        return cls(read_defaults(directory))

    def lookup(self, family: str, country: str, sector: str) -> Default:
        """The default range for a blank input of `family` (wage, share, months) in a cell."""
        if family not in ("wage", "share", "months"):
            raise RevenueError(f"no default for {family}: a headcount is never invented")
        sector = sector.strip().lower()

        def rank(row: DefaultRow) -> tuple[int, int]:
            return (0 if country in row.countries else 1, 0 if row.sector else 1)

        fitting = [
            row
            for row in self.rows
            if row.input == family
            and (country in row.countries or "*" in row.countries)
            and (not row.sector or sector.startswith(row.sector))
        ]
        if not fitting:
            raise RevenueError(f"no default for {family} in {country}")
        best = min(fitting, key=rank)
        return Default(best.range, best.note, best.sources)


DEFAULTS = DefaultTable.read()
