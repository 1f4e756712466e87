"""The revenue model's inputs: sourced ranges, one `InputRow` per row of nk-deployments.csv.

The other modules of the package build on these names (the input families, `Range`,
`RevenueError`), so this one imports none of them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unseen.core import cells, schemas
from unseen.core.places import Host
from unseen.core.tables import (
    CellError,
    Column,
    Limits,
    Schema,
    TableError,
    read_table,
    validate,
)

FAMILIES = ("workers", "wage", "share", "months")
FAMILY_LABELS = {
    "workers": "workers",
    "wage": "gross monthly wage (USD)",
    "share": "share withheld",
    "months": "paid months a year",
}
CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}


class RevenueError(ValueError):
    """The inputs cannot give an estimate (e.g. no country headcount for the year asked)."""


@dataclass(frozen=True)
class Range:
    """A closed interval [low, high] of one input, both ends finite and 0 ≤ low ≤ high.

    Raises:
        ValueError: on a negative, non-finite or reversed range.
    """

    low: float
    high: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError(f"range {self.low}–{self.high} is not finite")
        if self.low < 0:
            raise ValueError(f"{self.low} is negative")
        if self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")

    @property
    def point(self) -> bool:
        """Whether the range is a single value."""
        return self.low == self.high

    def text(self, family: str = "") -> str:
        """The range as written in reports; shares keep three significant digits."""

        def one(value: float) -> str:
            if family == "share":
                return f"{value:.3g}"
            return f"{value:,.0f}" if value >= 100 else f"{value:g}"

        return one(self.low) if self.point else f"{one(self.low)}–{one(self.high)}"


@dataclass(frozen=True)
class InputRow:
    """One sourced estimate: the columns of nk-deployments.csv, read as ranges.

    ``row`` is the spreadsheet row (header = 1) or a record id; ``label`` names it in reports
    ("row 12", "deployment 7"). A blank input is None. ``notes`` say how a one-sided range was read.
    """

    row: int
    host: Host
    year: int
    sector: str
    workers: Range | None = None
    wage: Range | None = None
    share: Range | None = None
    months: Range | None = None
    source: str = ""
    confidence: str = "medium"
    label: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.share is not None and self.share.high > 1:
            raise ValueError(f"share {self.share.high} is above 1")
        if self.months is not None and self.months.high > 12:
            raise ValueError(f"months {self.months.high} is above 12")
        if self.confidence not in CONFIDENCE_RANK:
            raise ValueError(f"confidence {self.confidence!r} is not high, medium or low")

    @property
    def ref(self) -> str:
        """How messages name the row: its label, or its row number."""
        return self.label or f"row {self.row}"

    @property
    def is_proxy(self) -> bool:
        """Whether the row's sector stands in for a sector the sources do not break out."""
        return schemas.is_proxy_sector(self.sector)

    @property
    def whole_country(self) -> bool:
        """A "mixed" sector describes all of a country's workers, not one sector's."""
        return self.sector.strip().lower().startswith("mixed")

    def get(self, family: str) -> Range | None:
        """The row's range for one input family, or None where it is blank."""
        value: Range | None = getattr(self, family)
        return value


def one_sided(
    low: float | None, high: float | None, family: str, ref: str
) -> tuple[Range | None, str]:
    """Read a possibly one-sided range: a lone end becomes a point there, with a note saying so."""
    if low is None and high is None:
        return None, ""
    if low is None:
        assert high is not None
        return Range(high, high), f"{ref}: {family} has only a high end ({high:g}); read as a point"
    if high is None:
        return Range(low, low), f"{ref}: {family} has only a low end ({low:g}); read as a point"
    return Range(low, high), ""


def row_from_fields(
    row: int,
    host: Host,
    year: int,
    sector: str,
    values: Mapping[str, tuple[float | None, float | None]],
    *,
    source: str = "",
    confidence: str = "medium",
    label: str = "",
) -> InputRow:
    """Build an `InputRow` from (low, high) pairs per family, either end possibly blank."""
    ref = label or f"row {row}"
    ranges: dict[str, Range | None] = {}
    notes = []
    for family in FAMILIES:
        low, high = values.get(family, (None, None))
        ranges[family], note = one_sided(
            None if low is None else float(low), None if high is None else float(high), family, ref
        )
        if note:
            notes.append(note)
    return InputRow(
        row=row,
        host=host,
        year=year,
        sector=sector,
        source=source,
        confidence=confidence,
        label=label,
        notes=tuple(notes),
        **ranges,
    )


def _months(text: str) -> Any:
    value = cells.amount(text)
    if value > 12:
        raise ValueError(f"{value} months is more than a year")
    return value


# The access levels the platform knows (accounts.AccessLevel); a file may carry the column.
_VOCABULARY = schemas.Vocabulary(
    access_levels=("public", "internal", "confidential"),
    source_kinds=(),
    reliabilities=(),
    site_kinds=(),
    organisation_kinds=(),
    coordinate_precisions=(),
    sexes=(),
)


def input_schema() -> Schema:
    """The deployments schema (docs/design.md §5) plus two optional columns, ``months_low/high``."""
    base = schemas.deployments(_VOCABULARY)
    return Schema(
        "revenue inputs",
        (*base.columns, Column("months_low", _months), Column("months_high", _months)),
        (*base.row_checks, cells.ordered("months_low", "months_high")),
    )


def read_inputs(path: Path, limits: Limits | None = None) -> list[InputRow]:
    """Read and check a file with the columns of nk-deployments.csv.

    One beyond `limits` is refused before it is read (`core.tables.Limits`).

    Raises:
        TableError: listing every bad cell (row, column, reason): a low above its high, a share
            outside 0–1, a negative wage, an unknown column, a blank required cell, ...
    """
    table = read_table(path, limits)
    parsed, errors = validate(table, input_schema())
    if errors:
        raise TableError(errors)
    rows = []
    for number, row in parsed:
        try:
            rows.append(
                row_from_fields(
                    number,
                    row["host_country"],
                    row["year"],
                    row["sector"],
                    {
                        "workers": (row["workers_low"], row["workers_high"]),
                        "wage": (row["monthly_wage_usd_low"], row["monthly_wage_usd_high"]),
                        "share": (row["state_share_low"], row["state_share_high"]),
                        "months": (row["months_low"], row["months_high"]),
                    },
                    source=row["source"],
                    confidence=row["confidence"],
                )
            )
        except ValueError as error:  # the schema's checks should have caught it; belt and braces
            errors.append(CellError(number, "", str(error)))
    if errors:
        raise TableError(errors)
    return rows
