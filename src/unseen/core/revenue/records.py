"""The revenue model's data files: sources, default ranges, scenarios and published figures.

The files are in ``data/`` beside this module (their columns are in ``data/README.md``; ADR 0042).
Every number cites one or more source keys, every key is a row of ``sources.csv``, and a bad cell
is reported as ``file:row:column: reason`` (the header is row 1) with every other bad cell of the
file. Pure Python: the platform loads the same sources as records (`unseen revenue_sources load`).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from unseen.core.revenue.inputs import FAMILIES, Range, RevenueError

DATA = Path(__file__).parent / "data"
SOURCE_KINDS = (
    "interview",
    "sighting",
    "document",
    "media_report",
    "official_statistic",
    "sanctions_list",
    "dataset",
    "public_report",
)
RELIABILITIES = tuple("ABCDEF")
DATE_PRECISIONS = ("day", "month", "year")
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class RevenueDataError(RevenueError):
    """A data file is wrong; `errors` lists every bad cell as ``file:row:column: reason``."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True)
class SourceRow:
    """A source the data files cite, as `evidence.Source` keeps it."""

    key: str
    kind: str
    title: str
    date: date | None
    date_precision: str
    url: str
    reliability: str
    language: str
    notes: str


@dataclass(frozen=True)
class DefaultRow:
    """A default range for a blank input, for some countries (or any) and a sector prefix."""

    input: str
    countries: tuple[str, ...]  # ("*",) for any country
    sector: str  # a lower-case prefix; "" for any
    range: Range
    sources: tuple[str, ...]
    note: str
    row: int


@dataclass(frozen=True)
class ScenarioInput:
    """One input of one segment of a scenario, with its sources."""

    scenario: str
    segment: int
    input: str
    range: Range
    sources: tuple[str, ...]
    says: str


@dataclass(frozen=True)
class ScenarioRow:
    """A named scenario: its title and a note (its numbers are `ScenarioInput` rows)."""

    name: str
    title: str
    note: str


@dataclass(frozen=True)
class PublishedFigure:
    """A revenue figure published by others (USD a year); one end may be open."""

    key: str
    source: str
    derives_from: str
    period: str
    low: float | None
    high: float | None
    basis: str
    credibility: int


class _Reader:
    """Rows of one file, with every problem gathered as ``file:row:column: reason``."""

    def __init__(self, directory: Path, name: str, columns: Sequence[str]):
        self.name = name
        self.errors: list[str] = []
        path = directory / name
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                header = list(reader.fieldnames or [])
                self.rows = [(number, dict(row)) for number, row in enumerate(reader, start=2)]
        except OSError as error:
            raise RevenueDataError([f"{name}: cannot be read ({error.strerror})"]) from error
        missing = [c for c in columns if c not in header]
        unknown = [c for c in header if c not in columns]
        for column in missing:
            self.errors.append(f"{name}:1:{column}: missing column")
        for column in unknown:
            self.errors.append(f"{name}:1:{column}: unknown column")
        if missing or unknown:
            raise RevenueDataError(self.errors)
        for number, row in self.rows:
            if None in row:
                self.fail(number, "", "more cells than columns (a comma not quoted?)")

    def fail(self, row: int, column: str, reason: str) -> None:
        self.errors.append(f"{self.name}:{row}:{column}: {reason}")

    def text(self, number: int, row: Mapping[str, str | None], column: str) -> str:
        value = row.get(column)
        return value.strip() if isinstance(value, str) else ""

    def required(self, number: int, row: Mapping[str, str | None], column: str) -> str:
        value = self.text(number, row, column)
        if not value:
            self.fail(number, column, "blank; a value is required")
        return value

    def number(self, number: int, row: Mapping[str, str | None], column: str) -> float | None:
        """A number (``5000/12`` as a fraction), or None where blank."""
        value = self.text(number, row, column)
        if not value:
            return None
        try:
            if "/" in value:
                top, bottom = value.split("/")
                result = float(top) / float(bottom)
            else:
                result = float(value)
        except (ValueError, ZeroDivisionError):
            self.fail(number, column, f"{value!r} is not a number")
            return None
        if not math.isfinite(result) or result < 0:
            self.fail(number, column, f"{value!r} is not a finite number ≥ 0")
            return None
        return result

    def range(self, number: int, row: Mapping[str, str | None]) -> Range | None:
        low, high = self.number(number, row, "low"), self.number(number, row, "high")
        if low is None or high is None:
            for column, value in (("low", low), ("high", high)):
                if value is None and not self.text(number, row, column):
                    self.fail(number, column, "blank; a value is required")
            return None
        if low > high:
            self.fail(number, "low", f"low {low:g} is above high {high:g}")
            return None
        return Range(low, high)

    def keys(
        self, number: int, row: Mapping[str, str | None], column: str, known: Iterable[str]
    ) -> tuple[str, ...]:
        keys = tuple(self.text(number, row, column).split())
        if not keys:
            self.fail(number, column, "no source key: every number must cite a source")
        known = set(known)
        for key in keys:
            if key not in known:
                self.fail(number, column, f"unknown source key {key!r} (not in sources.csv)")
        return keys

    def check(self) -> None:
        if self.errors:
            raise RevenueDataError(self.errors)


def read_sources(directory: Path = DATA) -> dict[str, SourceRow]:
    """``sources.csv``: the sources the other files cite, by key."""
    columns = ("key", "kind", "title", "date", "date_precision", "url", "reliability")
    reader = _Reader(directory, "sources.csv", (*columns, "language", "notes"))
    sources: dict[str, SourceRow] = {}
    titles: dict[str, int] = {}
    for number, row in reader.rows:
        key = reader.required(number, row, "key")
        if key and not _KEY.match(key):
            reader.fail(number, "key", f"{key!r}: lower-case letters, digits and hyphens only")
        if key in sources:
            reader.fail(number, "key", f"{key!r} is already a source")
        kind = reader.required(number, row, "kind")
        if kind and kind not in SOURCE_KINDS:
            reader.fail(number, "kind", f"{kind!r} is not one of {', '.join(SOURCE_KINDS)}")
        title = reader.required(number, row, "title")
        if title in titles:
            reader.fail(number, "title", f"the same title as row {titles[title]}")
        titles.setdefault(title, number)
        reliability = reader.required(number, row, "reliability")
        if reliability and reliability not in RELIABILITIES:
            reader.fail(number, "reliability", f"{reliability!r} is not one of A–F")
        day: date | None = None
        text = reader.text(number, row, "date")
        precision = reader.text(number, row, "date_precision")
        if text:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                reader.fail(number, "date", f"{text!r} is not a date (YYYY-MM-DD)")
            if precision not in DATE_PRECISIONS:
                reader.fail(number, "date_precision", "day, month or year for a date")
        elif precision:
            reader.fail(number, "date_precision", "a precision without a date")
        url = reader.text(number, row, "url")
        if url and not url.startswith(("https://", "http://")):
            reader.fail(number, "url", f"{url!r} is not a web address")
        sources[key] = SourceRow(
            key,
            kind,
            title,
            day,
            precision,
            url,
            reliability,
            reader.text(number, row, "language"),
            reader.text(number, row, "notes"),
        )
    reader.check()
    return sources


def read_defaults(directory: Path = DATA) -> tuple[DefaultRow, ...]:
    """``defaults.csv``: the ranges for blank wages, shares and months, each with its sources."""
    known = read_sources(directory)
    columns = ("input", "countries", "sector", "low", "high", "sources", "note")
    reader = _Reader(directory, "defaults.csv", columns)
    rows = []
    for number, row in reader.rows:
        family = reader.required(number, row, "input")
        if family and family not in ("wage", "share", "months"):
            reader.fail(number, "input", f"{family!r}: wage, share or months (never a headcount)")
        countries = tuple(reader.required(number, row, "countries").split())
        for code in countries:
            if code != "*" and not re.fullmatch(r"[A-Z]{2}", code):
                reader.fail(number, "countries", f"{code!r} is not an ISO country code or *")
        value = reader.range(number, row)
        if value is not None and family == "share" and value.high > 1:
            reader.fail(number, "high", f"share {value.high:g} is above 1")
        if value is not None and family == "months" and value.high > 12:
            reader.fail(number, "high", f"{value.high:g} months is more than a year")
        keys = reader.keys(number, row, "sources", known)
        note = reader.required(number, row, "note")
        if value is not None:
            sector = reader.text(number, row, "sector").lower()
            rows.append(DefaultRow(family, countries, sector, value, keys, note, number))
    for family in ("wage", "share", "months"):
        if not any(r.input == family and r.countries == ("*",) and not r.sector for r in rows):
            reader.fail(1, "countries", f"no default for {family} in any country (countries *)")
    reader.check()
    return tuple(rows)


def read_scenarios(
    directory: Path = DATA,
) -> tuple[tuple[ScenarioRow, ...], tuple[ScenarioInput, ...]]:
    """``scenarios.csv`` and ``scenario_inputs.csv``: named scenarios and their sourced inputs."""
    known = read_sources(directory)
    reader = _Reader(directory, "scenarios.csv", ("name", "title", "note"))
    scenarios: list[ScenarioRow] = []
    for number, row in reader.rows:
        name = reader.required(number, row, "name")
        if any(s.name == name for s in scenarios):
            reader.fail(number, "name", f"{name!r} is already a scenario")
        scenarios.append(
            ScenarioRow(
                name, reader.required(number, row, "title"), reader.required(number, row, "note")
            )
        )
    reader.check()
    names = {s.name for s in scenarios}
    columns = ("scenario", "segment", "input", "low", "high", "sources", "says")
    inputs_reader = _Reader(directory, "scenario_inputs.csv", columns)
    inputs: list[ScenarioInput] = []
    seen: dict[tuple[str, int, str], int] = {}
    for number, row in inputs_reader.rows:
        name = inputs_reader.required(number, row, "scenario")
        if name and name not in names:
            inputs_reader.fail(number, "scenario", f"{name!r} is not in scenarios.csv")
        segment_text = inputs_reader.required(number, row, "segment")
        segment = int(segment_text) if segment_text.isdigit() and int(segment_text) > 0 else 0
        if segment_text and not segment:
            inputs_reader.fail(number, "segment", f"{segment_text!r} is not 1, 2, …")
        family = inputs_reader.required(number, row, "input")
        if family and family not in FAMILIES:
            inputs_reader.fail(number, "input", f"{family!r} is not one of {', '.join(FAMILIES)}")
        if (name, segment, family) in seen:
            inputs_reader.fail(number, "input", f"repeats row {seen[name, segment, family]}")
        seen.setdefault((name, segment, family), number)
        value = inputs_reader.range(number, row)
        if value is not None and family == "share" and value.high > 1:
            inputs_reader.fail(number, "high", f"share {value.high:g} is above 1")
        keys = inputs_reader.keys(number, row, "sources", known)
        says = inputs_reader.required(number, row, "says")
        if value is not None:
            inputs.append(ScenarioInput(name, segment, family, value, keys, says))
    for scenario in scenarios:
        segments = {i.segment for i in inputs if i.scenario == scenario.name}
        for segment in sorted(segments):
            have = {i.input for i in inputs if i.scenario == scenario.name and i.segment == segment}
            for family in FAMILIES:
                if family not in have:
                    inputs_reader.fail(
                        1, "input", f"scenario {scenario.name} segment {segment} has no {family}"
                    )
    inputs_reader.check()
    return tuple(scenarios), tuple(inputs)


def read_published(directory: Path = DATA) -> tuple[PublishedFigure, ...]:
    """``published.csv``: revenue figures published by others, each with its source."""
    known = read_sources(directory)
    columns = ("key", "source", "derives_from", "period", "low", "high", "basis", "credibility")
    reader = _Reader(directory, "published.csv", columns)
    figures: list[PublishedFigure] = []
    for number, row in reader.rows:
        key = reader.required(number, row, "key")
        if key and not _KEY.match(key):
            reader.fail(number, "key", f"{key!r}: lower-case letters, digits and hyphens only")
        if any(f.key == key for f in figures):
            reader.fail(number, "key", f"{key!r} is already a figure")
        (source,) = reader.keys(number, row, "source", known)[:1] or ("",)
        derives = reader.text(number, row, "derives_from")
        if derives and derives not in known:
            reader.fail(number, "derives_from", f"unknown source key {derives!r}")
        low, high = reader.number(number, row, "low"), reader.number(number, row, "high")
        if low is None and high is None:
            reader.fail(number, "low", "low, high or both are required")
        elif low is not None and high is not None and low > high:
            reader.fail(number, "low", f"low {low:g} is above high {high:g}")
        credibility = reader.required(number, row, "credibility")
        if credibility and credibility not in tuple("123456"):
            reader.fail(number, "credibility", f"{credibility!r} is not 1–6")
        figures.append(
            PublishedFigure(
                key,
                source,
                derives,
                reader.required(number, row, "period"),
                low,
                high,
                reader.text(number, row, "basis"),
                int(credibility) if credibility in tuple("123456") else 6,
            )
        )
    reader.check()
    return tuple(figures)


@cache
def sources() -> dict[str, SourceRow]:
    """The shipped sources, by key (read once)."""
    return read_sources()


@cache
def published() -> tuple[PublishedFigure, ...]:
    """The shipped published figures (read once)."""
    return read_published()


def origin(key: str, derives: Mapping[str, str]) -> tuple[str, ...]:
    """The chain from a figure's source to its original.

    `derives` maps a source key to the source it attributes its figure to; the chain stops at a
    source that attributes to none, or where it would loop.
    """
    chain = [key]
    while (nxt := derives.get(chain[-1], "")) and nxt not in chain:
        chain.append(nxt)
    return tuple(chain)


@dataclass(frozen=True)
class Trace:
    """Figures that all trace back to one original source."""

    original: str
    figures: tuple[str, ...]


def traces(figures: Iterable[tuple[str, str, str]]) -> list[Trace]:
    """Group (figure key, source key, derives-from key) by the original their chain ends at.

    A figure that attributes itself to no one is its own source's; only groups of two or more
    figures are returned, largest first.
    """
    figures = list(figures)
    derives: dict[str, str] = {}
    for _key, source, derived in figures:
        if derived and source != derived:
            derives.setdefault(source, derived)
    groups: dict[str, list[str]] = {}
    for key, source, derived in figures:
        start = derived or source
        groups.setdefault(origin(start, derives)[-1], []).append(key)
    found = [Trace(root, tuple(keys)) for root, keys in groups.items() if len(keys) > 1]
    return sorted(found, key=lambda t: (-len(t.figures), t.original))
