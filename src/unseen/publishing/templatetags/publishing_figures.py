"""Filters for the text alternatives of the map and charts."""

import threading
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext

register = template.Library()

# Each source's list item, rendered once per table and language rather than once per cell: the
# charts' tables cite the same few hundred sources tens of thousands of times at 100,000
# deployments (`_sources.html` included per cell took a second a page). Keyed by the identity of
# the `sources` table it was rendered from, which is kept alive with it.
_items: dict[tuple[int, str], tuple[dict[str, Any], dict[str, str]]] = {}
_items_lock = threading.Lock()


def _items_of(sources: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The memo of rendered items for this `sources` table in the active language."""
    memo_key = (id(sources), get_language() or "")
    with _items_lock:
        held = _items.get(memo_key)
        if held is None or held[0] is not sources:
            if len(_items) > 16:
                _items.clear()
            held = _items[memo_key] = (sources, {})
    return held[1]


def _item(sources: dict[str, dict[str, Any]], items: dict[str, str], key: str) -> str:
    rendered = items.get(key)
    if rendered is None:
        rendered = items[key] = render_to_string(
            "publishing/_source.html", {"source": sources[key]}
        )
    return rendered


@register.filter
def citations(source_ids: list[int] | None, sources: dict[str, dict[str, Any]]) -> SafeString:
    """What `_sources.html` renders for `source_ids|cited:sources`, with each source's item
    rendered once (see `_item`)."""
    keys = [str(pk) for pk in source_ids or [] if str(pk) in sources]
    if not keys:
        return mark_safe('<span class="muted">—</span>')
    count = len(keys)
    summary = ngettext("%(counter)s source", "%(counter)s sources", count) % {"counter": count}
    memo = _items_of(sources)
    items = "".join(_item(sources, memo, key) for key in keys)
    return mark_safe(  # noqa: S308 - the items are rendered templates, the summary is escaped
        format_html('<details class="cited"><summary>{}</summary>\n<ul>', summary)
        + items
        + "</ul></details>"
    )


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
