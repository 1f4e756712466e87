"""Filters for the text alternatives of the map and charts."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def cited(source_ids: list[int] | None, sources: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The citations of `source_ids`, looked up in a figure's `sources` table."""
    return [sources[str(pk)] for pk in source_ids or [] if str(pk) in sources]


@register.filter
def open_range(low: float | None, high: float | None) -> str:
    """A range that may be open at either end: '1,000–2,000', '≤ 1,500', '≥ 4,000', '300'."""
    if low is None and high is None:
        return "—"
    if low is None:
        return f"≤ {high:,.0f}"
    if high is None:
        return f"≥ {low:,.0f}"
    if low == high:
        return f"{low:,.0f}"
    return f"{low:,.0f}–{high:,.0f}"


@register.filter
def percent_range(low: float | None, high: float | None) -> str:
    """Shares (0–1) as percentages: '70–90 %'."""
    if low is None and high is None:
        return "—"
    low_text = f"{100 * low:.0f}" if low is not None else "?"
    high_text = f"{100 * high:.0f}" if high is not None else "?"
    return f"{low_text} %" if low_text == high_text else f"{low_text}–{high_text} %"


@register.filter
def category_cell(categories: dict[str, Any], key: str) -> dict[str, Any] | None:
    """One host's cell for a sector category, or None."""
    return categories.get(key)


@register.filter
def source_of(sources: dict[str, dict[str, Any]], pk: int) -> dict[str, Any] | None:
    """One source's citation from a page's `sources` table (keyed by id as text), or None."""
    return sources.get(str(pk))
