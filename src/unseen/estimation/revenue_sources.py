"""The revenue model's sources and the figures others published, as records (ADR 0042).

`load()` turns ``unseen/core/revenue/data/sources.csv`` into `evidence.Source` records (found by
exact title, so a source the deployments file already created is the same record; created public
otherwise, as the publications are) and ``published.csv`` into `evidence.PublishedFigure` records,
each with a claim from the source that published it. `unseen demo` runs it, and so does
`unseen revenue_sources load` on a platform without the demo. Loading twice changes nothing.

The pages then turn a source key into a link as the reader may see it (`source_links`): the
record's page in the workspace, its address on the public site; a source the reader may not
read is shown by its key alone, without its title.
"""

import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from unseen.accounts.models import AccessLevel, UserLike, visible_access_levels
from unseen.core.revenue import records
from unseen.evidence.models import Credibility, PublishedFigure, Source

#: Figures of this quantity are drawn beside the revenue model's interval.
REVENUE = "revenue"


@transaction.atomic
def load(access_level: str = AccessLevel.PUBLIC) -> dict[str, int]:
    """Create the sources and published figures that are not there yet; returns what was made.

    Raises:
        records.RevenueDataError: a data file is wrong (file, row, column and reason).
    """
    sources = records.sources()
    figures = records.published()
    existing = {
        source.title: source
        for source in Source.objects.filter(
            title__in=[row.title for row in sources.values()], is_synthetic=False
        ).order_by("id")
    }
    made = {"revenue sources": 0, "published figures": 0}
    by_key: dict[str, Source] = {}
    for key, row in sources.items():
        source = existing.get(row.title)
        if source is None:
            source = Source.objects.create(
                kind=row.kind,
                title=row.title,
                url=row.url,
                date=row.date,
                date_precision=row.date_precision,
                language=row.language,
                reliability=row.reliability,
                notes=row.notes,
                access_level=access_level,
            )
            existing[row.title] = source
            made["revenue sources"] += 1
        by_key[key] = source
    for figure in figures:
        if PublishedFigure.objects.filter(key=figure.key).exists():
            continue
        record = PublishedFigure.objects.create(
            key=figure.key,
            quantity=REVENUE,
            period=figure.period,
            low=figure.low,
            high=figure.high,
            basis=figure.basis,
            derives_from=by_key.get(figure.derives_from),
            access_level=access_level,
        )
        record.add_claim(by_key[figure.source], Credibility(figure.credibility), _says(figure))
        made["published figures"] += 1
    return made


def _says(figure: records.PublishedFigure) -> str:
    return f"{_range_text(figure.low, figure.high)} a year ({figure.period})"


def money(value: float) -> str:
    """USD as the pages print it: millions below a billion, billions with up to two decimals."""
    if value >= 1e9:
        return f"${value / 1e9:.2f}".rstrip("0").rstrip(".") + " bn"
    return f"${value / 1e6:,.0f} m"


def _range_text(low: float | None, high: float | None) -> str:
    if low is None and high is not None:
        return f"up to {money(high)}"
    if high is None and low is not None:
        return f"more than {money(low)}"
    assert low is not None and high is not None
    if low == high:
        return money(low)
    if (low >= 1e9) == (high >= 1e9):  # one unit: "$1.2–2.3 bn", "$150–200 m"
        unit = money(high).rsplit(" ", 1)[1]
        return f"{money(low).rsplit(' ', 1)[0]}–{money(high)[1:].rsplit(' ', 1)[0]} {unit}"
    return f"{money(low)}–{money(high)}"


def _link(source: Source, public: bool) -> dict[str, Any]:
    return {
        "pk": source.pk,
        "title": source.title,
        "url": source.url,
        "href": (
            source.url
            if public
            else reverse("documentation:detail", kwargs={"kind": "sources", "pk": source.pk})
        ),
        "reliability": source.reliability,
    }


def source_links(keys: Iterable[str], user: UserLike, public: bool = False) -> dict[str, Any]:
    """{key: link} for the keys whose source `user` may read (the public site: public only).

    A key with no readable record maps to None: the page shows the key, never a title.
    """
    wanted = set(keys)
    rows = records.sources()
    titles = {rows[key].title: key for key in wanted if key in rows}
    levels = [AccessLevel.PUBLIC] if public else visible_access_levels(user)
    found = Source.objects.filter(
        title__in=list(titles), is_synthetic=False, access_level__in=levels
    ).order_by("id")
    links: dict[str, Any] = dict.fromkeys(wanted)
    for source in found:
        key = titles[source.title]
        if links[key] is None:
            links[key] = _link(source, public)
    return links


def cited_keys(document: dict[str, Any]) -> set[str]:
    """Every source key a run's stored results cite (defaults used and scenario inputs)."""
    keys: set[str] = set()
    for use in document.get("defaults_used", []):
        keys.update(use.get("sources", []))
    for scenario in document.get("scenarios", []):
        for item in scenario.get("inputs", []):
            keys.update(item.get("sources", []))
    return keys


def published_figures(user: UserLike, public: bool = False) -> dict[str, Any]:
    """The revenue figures others published that `user` may read, with their sources as the
    reader may see them, and the groups of figures that trace back to one original source."""
    levels = [AccessLevel.PUBLIC] if public else visible_access_levels(user)
    figures = (
        PublishedFigure.objects.filter(quantity=REVENUE, access_level__in=levels)
        .select_related("derives_from")
        .prefetch_related("supporting_claims__source")
        .order_by("period", "key")
    )
    rows: list[dict[str, Any]] = []
    for figure in figures:
        claims = sorted(
            (c for c in figure.supporting_claims.all() if c.source.access_level in levels),
            key=lambda c: (c.credibility, c.pk),
        )
        source = claims[0].source if claims else None
        origin = figure.derives_from
        if origin is not None and origin.access_level not in levels:
            origin = None
        rows.append(
            {
                "key": figure.key,
                "period": figure.period,
                "low": figure.low,
                "high": figure.high,
                "text": _range_text(figure.low, figure.high),
                "basis": figure.basis,
                "credibility": claims[0].credibility if claims else None,
                "source": _link(source, public) if source else None,
                "derives_from": _link(origin, public) if origin else None,
                # the chain is followed between readable sources only
                "source_id": source.pk if source else None,
                "origin_id": origin.pk if origin else None,
            }
        )
    by_id = {r["source"]["pk"]: r["source"] for r in rows if r["source"]}
    by_id.update({r["derives_from"]["pk"]: r["derives_from"] for r in rows if r["derives_from"]})
    traces = records.traces(
        (r["key"], str(r["source_id"]), str(r["origin_id"] or "")) for r in rows if r["source_id"]
    )
    labels = {r["key"]: r for r in rows}
    groups: list[dict[str, Any]] = [
        {
            "original": by_id.get(int(trace.original)),
            "figures": [labels[key] for key in trace.figures],
            "count": len(trace.figures),
        }
        for trace in traces
    ]
    for group in groups:
        for row in group["figures"]:
            row["traces_to"] = group["original"]
    return {"figures": rows, "traces": groups}


def sourced_numbers(
    document: dict[str, Any], user: UserLike, public: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """The defaults a run used and its scenarios' inputs, each number with its sources' links."""
    from unseen.core import revenue

    links = source_links(cited_keys(document), user, public)

    def cite(keys: Iterable[str]) -> list[dict[str, Any]]:
        return [{"key": key, "link": links.get(key)} for key in keys]

    defaults = [
        {
            "country": use["country"],
            "sector": use["sector"],
            "input": revenue.FAMILY_LABELS[use["input"]],
            "range": revenue.Range(use["low"], use["high"]).text(use["input"]),
            "note": use["source"],
            "sources": cite(use.get("sources", [])),
        }
        for use in document.get("defaults_used", [])
    ]
    inputs = [
        {
            "scenario": scenario["name"],
            "segment": item["segment"],
            "input": revenue.FAMILY_LABELS[item["input"]],
            "range": revenue.Range(item["low"], item["high"]).text(item["input"]),
            "says": item["says"],
            "sources": cite(item["sources"]),
        }
        for scenario in document.get("scenarios", [])
        for item in scenario.get("inputs", [])
    ]
    return {"defaults": defaults, "scenario_inputs": inputs}


# The published-figures chart: an inline SVG on a log scale (the figures span ×20).
CHART_WIDTH = 760
CHART_LABEL = 4  # labels from here to CHART_LEFT
CHART_LEFT = 300
CHART_RIGHT = 752
CHART_ROW = 22
CHART_TOP = 8
TICKS = (5e7, 1e8, 2e8, 5e8, 1e9, 2e9, 5e9, 1e10)


def chart(figures: dict[str, Any], total: dict[str, Any] | None) -> dict[str, Any]:
    """What the published-figures chart draws: the model's p05–p95 with its median first, then
    each figure as a range, a point, or an open range drawn to the edge ("up to", "more than")."""
    import math

    bars: list[dict[str, Any]] = []
    if total:
        bars.append(
            {
                "label": gettext("This estimate, 5th to 95th percentile"),
                "low": total["p05"],
                "high": total["p95"],
                "mid": total["p50"],
                "model": True,
            }
        )
    for row in figures["figures"]:
        who = short_name(row["source"]["title"]) if row["source"] else "–"
        label = f"{row['period']} · {who} · {row['text']}"
        bars.append({"label": label, "low": row["low"], "high": row["high"], "mid": None})
    values = [v for bar in bars for v in (bar["low"], bar["high"], bar["mid"]) if v]
    if not values:
        return {"bars": [], "ticks": [], "height": 0, "width": CHART_WIDTH}
    lowest = max(1e6, min(values) / 1.5)
    highest = max(values) * 1.5
    span = math.log10(highest) - math.log10(lowest)

    def x(value: float) -> float:
        share = (math.log10(value) - math.log10(lowest)) / span
        return round(CHART_LEFT + share * (CHART_RIGHT - CHART_LEFT), 1)

    drawn = []
    for i, bar in enumerate(bars):
        y = CHART_TOP + i * CHART_ROW + CHART_ROW / 2
        x1 = x(bar["low"]) if bar["low"] else CHART_LEFT
        x2 = x(bar["high"]) if bar["high"] else CHART_RIGHT
        drawn.append(
            {
                **bar,
                "y": y,
                "x1": x1,
                "x2": x2,
                "width": max(x2 - x1, 0),
                "point": bar["low"] is not None and bar["low"] == bar["high"],
                "open_low": not bar["low"],
                "open_high": not bar["high"],
                "xmid": x(bar["mid"]) - 1 if bar.get("mid") else None,
                "y_bar": y - 4,
                "y_text": y + 3.5,
                "y_mid": y - 7,
                "model": bar.get("model", False),
            }
        )
    height = CHART_TOP * 2 + len(bars) * CHART_ROW + 18
    ticks = [{"x": x(t), "label": money(t)} for t in TICKS if lowest <= t <= highest]
    return {
        "label_x": CHART_LABEL,
        "bars": drawn,
        "ticks": ticks,
        "height": height,
        "axis_y": height - 18,
        "label_y": height - 4,
        "width": CHART_WIDTH,
    }


def short_name(title: str) -> str:
    """Who published a figure, briefly: the citation up to its first comma, bracket or colon."""
    name = re.split(r"[,(:]", title, maxsplit=1)[0].strip()
    return name if len(name) <= 34 else name[:33] + "…"


def page_context(
    document: dict[str, Any] | None, user: UserLike, public: bool = False
) -> dict[str, Any]:
    """What `_revenue_published.html` and `_revenue_evidence.html` need for one run."""
    published = published_figures(user, public)
    return {
        "published": published,
        "published_chart": chart(published, (document or {}).get("total")),
        "sourced": sourced_numbers(document or {}, user, public),
    }
