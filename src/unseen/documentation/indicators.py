"""The indicator matrix: testimonies × the 11 ILO indicators, with counts and shares."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from .models import Finding, Indicator, IndicatorCoding


@dataclass(frozen=True)
class IndicatorRow:
    indicator: str
    label: str
    present: int
    absent: int
    unknown: int

    @property
    def total(self) -> int:
        return self.present + self.absent + self.unknown

    def share(self, count: int) -> float:
        return 100 * count / self.total if self.total else 0.0

    @property
    def present_share(self) -> float:
        return self.share(self.present)

    @property
    def absent_share(self) -> float:
        return self.share(self.absent)

    @property
    def unknown_share(self) -> float:
        return self.share(self.unknown)


@dataclass(frozen=True)
class Matrix:
    testimonies: list[Any]
    cells: dict[int, dict[str, str]]  # testimony id -> indicator -> finding
    rows: list[IndicatorRow]

    def findings_of(self, testimony: Any) -> list[str]:
        coded = self.cells.get(testimony.pk, {})
        return [coded.get(indicator, Finding.UNKNOWN) for indicator in Indicator.values]

    @property
    def grid(self) -> list[tuple[Any, list[str]]]:
        return [(testimony, self.findings_of(testimony)) for testimony in self.testimonies]


def indicator_matrix(testimonies: QuerySet[Any], limit: int = 500) -> Matrix:
    """Counts over every visible testimony; the grid shows the first `limit` of them."""
    cells: dict[int, dict[str, str]] = {}
    for testimony_id, indicator, finding in IndicatorCoding.objects.filter(
        testimony__in=testimonies
    ).values_list("testimony_id", "indicator", "finding"):
        cells.setdefault(testimony_id, {})[indicator] = finding
    total = testimonies.count()
    rows = []
    for indicator in Indicator:
        present = sum(1 for coded in cells.values() if coded.get(indicator) == Finding.PRESENT)
        absent = sum(1 for coded in cells.values() if coded.get(indicator) == Finding.ABSENT)
        rows.append(
            IndicatorRow(
                indicator.value, str(indicator.label), present, absent, total - present - absent
            )
        )
    shown = list(testimonies.select_related("source").order_by("id")[:limit])
    return Matrix(shown, cells, rows)


@dataclass(frozen=True)
class CodedIndicator:
    """One of a testimony's 11 indicators as its page shows it: label, finding and the coder's note."""

    indicator: str
    label: str
    finding: str
    finding_label: str
    note: str


def coded_indicators(testimony: Any) -> list[CodedIndicator]:
    """Every one of the 11 indicators, in the ILO's order; uncoded ones are unknown, without a note."""
    codings = {
        indicator: (finding, note)
        for indicator, finding, note in testimony.codings.values_list(
            "indicator", "finding", "note"
        )
    }
    rows = []
    for indicator in Indicator:
        finding, note = codings.get(indicator.value, (Finding.UNKNOWN, ""))
        rows.append(
            CodedIndicator(
                indicator.value, str(indicator.label), finding, str(Finding(finding).label), note
            )
        )
    return rows
