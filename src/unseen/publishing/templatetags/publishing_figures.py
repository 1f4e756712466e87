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


#: A cell of a chart's table names at most this many sources, strongest first; all of them are
#: in the chart's list of sources, once each. At 100,000 deployments one host-year rests on up to
#: 200 sources: listing them in every cell made the home page 11 MB.
CITED_PER_CELL = 12


@register.filter
def citations(source_ids: list[int] | None, sources: dict[str, dict[str, Any]]) -> SafeString:
    """A cell's sources as numbers (S12) linking to the chart's list of sources (`source_list`),
    the first `CITED_PER_CELL` of them, and how many more."""
    keys = [str(pk) for pk in source_ids or [] if str(pk) in sources]
    if not keys:
        return mark_safe('<span class="muted">—</span>')
    count = len(keys)
    summary = ngettext("%(counter)s source", "%(counter)s sources", count) % {"counter": count}
    links = ", ".join(
        format_html('<a href="#chart-source-{}">S{}</a>', key, key) for key in keys[:CITED_PER_CELL]
    )
    more = count - CITED_PER_CELL
    if more > 0:
        links += format_html(
            " {}",
            ngettext("and %(counter)s more", "and %(counter)s more", more) % {"counter": more},
        )
    return mark_safe(  # noqa: S308 - the links are built by format_html, the summary is escaped
        format_html('<details class="cited"><summary>{}</summary>\n<p>', summary)
        + links
        + "</p></details>"
    )


@register.filter
def source_list(sources: dict[str, dict[str, Any]]) -> SafeString:
    """Every source of a figure once, numbered as `citations` cites them, in number order."""
    memo = _items_of(sources)
    items = []
    for key in sorted(sources, key=lambda key: int(key) if key.isdigit() else 0):
        item = _item(sources, memo, key)
        # Each item is `_source.html`'s <li>; it takes the number its citations link to.
        items.append(
            item.replace("<li>", format_html('<li id="chart-source-{}"><b>S{}</b> ', key, key), 1)
        )
    return mark_safe("".join(items))  # noqa: S308 - rendered templates


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
