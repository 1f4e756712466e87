"""What `_sensitivity.html` draws: the stored sensitivity (`EstimateRun.sensitivity`) as a table,
a small dot chart (inline SVG) and one sentence, in the reader's language, with every list the
reader may not see named "List N" (`EstimateRun.shown_to`).

No SciPy here: the page reads what the run stored.
"""

import math
from typing import Any

from django.utils.translation import gettext as _

from unseen.accounts.models import UserLike

from .models import EstimateRun

#: Okabe–Ito colours: told apart by readers with the common colour-vision deficiencies.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442")
LABEL_WIDTH = 170
PLOT_WIDTH = 430
RIGHT_MARGIN = 20
STEP = 7  # vertical distance between two methods' marks in one row
PAD = 6  # space above and below a row's marks
AXIS = 28  # height of the axis at the bottom


def _label(row: dict[str, Any]) -> str:
    subject = row.get("subject") or []
    kind = row["kind"]
    if kind == "full":
        return _("All lists")
    if kind == "drop":
        return _("Without %(list)s") % {"list": subject[0]}
    if kind == "merge":
        return _("%(lists)s merged") % {"lists": " + ".join(subject)}
    if kind == "stratum":
        return _("Stratum %(name)s") % {"name": subject[0]}
    return _("Sum of the strata")


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round numbers between low and high for the axis."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def _chart(rows: list[dict[str, Any]], methods: list[str], observed: int) -> dict[str, Any] | None:
    values = [float(observed)]
    for row in rows:
        for cell in row["cells"]:
            if not cell or cell.get("estimate") is None:
                continue
            values.append(cell["estimate"])
            ci = cell.get("ci") or {}
            values += [v for v in (ci.get("low"), ci.get("high")) if v is not None]
    if len(values) < 2:
        return None
    low, high = min(values), max(values)
    if high <= low:
        high = low + 1.0
    pad = (high - low) * 0.03
    low, high = max(0.0, low - pad), high + pad

    def x(value: float | None) -> float:
        if value is None:  # unbounded: to the right edge
            return float(LABEL_WIDTH + PLOT_WIDTH)
        return LABEL_WIDTH + (value - low) / (high - low) * PLOT_WIDTH

    band = 2 * PAD + STEP * max(len(methods) - 1, 0)
    marks = []
    labels = []
    for r, row in enumerate(rows):
        top = r * band
        labels.append(
            {"y": top + band / 2 + 4, "text": row["label"], "shade": r % 2 == 1, "top": top}
        )
        for m, cell in enumerate(row["cells"]):
            if not cell or cell.get("estimate") is None:
                continue
            y = top + PAD + m * STEP
            ci = cell.get("ci") or {}
            has_ci = ci.get("low") is not None
            marks.append(
                {
                    "y": y,
                    "x": round(x(cell["estimate"]), 1),
                    "x1": round(x(ci.get("low")), 1) if has_ci else None,
                    "x2": round(x(ci.get("high")), 1) if has_ci else None,
                    "open": has_ci and ci.get("high") is None,
                    "colour": PALETTE[m % len(PALETTE)],
                    "title": f"{row['label']}, {methods[m]}: {cell['estimate']:,.0f}",
                }
            )
    height = band * len(rows)
    return {
        "width": LABEL_WIDTH + PLOT_WIDTH + RIGHT_MARGIN,
        "height": height + AXIS,
        "plot_height": height,
        "band": band,
        "left": LABEL_WIDTH,
        "right": LABEL_WIDTH + PLOT_WIDTH,
        "marks": marks,
        "labels": labels,
        "observed_x": round(x(float(observed)), 1),
        "ticks": [
            {"x": round(x(t), 1), "text": f"{t:,.0f}"}
            for t in _ticks(low, high)
            if low <= t <= high
        ],
        "legend": [
            {"method": method, "colour": PALETTE[m % len(PALETTE)]}
            for m, method in enumerate(methods)
        ],
    }


def _sentence(document: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """How much leaving out a list moves the answer, per method, then the verdict."""
    spans = document.get("spans", {})
    out = []
    full = rows[0]["by_method"] if rows and rows[0]["kind"] == "full" else {}
    for method in document["methods"]:
        span = spans.get(method)
        base = (full.get(method) or {}).get("estimate")
        if not span or base is None:
            continue
        if span["unbounded"]:
            out.append(
                _("%(method)s: leaving out one list makes the estimate unbounded.")
                % {"method": method}
            )
            continue
        out.append(
            _(
                "%(method)s: from %(low)s (%(low_row)s, %(low_change)s) to %(high)s "
                "(%(high_row)s, %(high_change)s), a factor of %(factor)s."
            )
            % {
                "method": method,
                "low": f"{span['low']:,.0f}",
                "low_row": rows[span["low_row"]]["label"],
                "low_change": f"{(span['low'] / base - 1) * 100:+.0f}%",
                "high": f"{span['high']:,.0f}",
                "high_row": rows[span["high_row"]]["label"],
                "high_change": f"{(span['high'] / base - 1) * 100:+.0f}%",
                "factor": f"{span['factor']:.2f}",
            }
        )
    return out


def sensitivity_display(run: EstimateRun, user: UserLike) -> dict[str, Any] | None:
    """The template's data, or None for a run saved before sensitivity was computed."""
    if not run.sensitivity or "rows" not in run.sensitivity:
        return None
    document = run.shown_to(user, run.sensitivity)
    methods = list(document["methods"])
    rows = []
    for row in document["rows"]:
        label = _label(row)
        rows.append(
            {
                "kind": row["kind"],
                "label": label,
                "observed": row["observed"],
                "note": row.get("note", ""),
                "by_method": row["results"],
                "cells": [row["results"].get(method) for method in methods],
            }
        )
    chart = _chart([r for r in rows if any(r["cells"])], methods, document["observed"])
    headers = []
    for index, method in enumerate(methods):
        kinds = [cell["ci"] for row in rows if (cell := row["cells"][index]) and cell.get("ci")]
        label = f"{kinds[0]['level']:.0%} {kinds[0]['kind']}" if kinds else ""
        headers.append((method, label))
    return {
        "document": document,
        "methods": methods,
        "rows": rows,
        "headers": headers,
        "chart": chart,
        "moves": _sentence(document, rows),
        "unstable": [
            m
            for m in methods
            if m in document.get("spans", {}) and not document["spans"][m]["stable"]
        ],
        "merges": [" + ".join(group) for group in document.get("inputs", {}).get("merges", [])],
        "stratum": document.get("inputs", {}).get("stratum", ""),
    }
