"""Inline-SVG geometry for two parts of a revenue run's page: the shape and the Sobol' indices.

Drawn on the server (no script): `_revenue_shape.html` draws the stored histogram with the median
and the 90% interval marked, and says plainly when the total has several humps;
`_revenue_sobol.html` draws first-order and total indices as bars. Both read the run's stored
results only (a run made before these existed has neither key, and shows neither part).
"""

from typing import Any

from unseen.core import revenue
from unseen.core.revenue.report import money

WIDTH = 640
HEIGHT = 160
LABEL_WIDTH = 260
BAR_WIDTH = 320
#: Rows of the Sobol' chart after the every-country ones: the largest by-country indices.
SOBOL_ROWS = 12


def _scale(value: float, low: float, high: float, width: float = WIDTH) -> float:
    if high <= low:
        return width / 2
    return round(min(max((value - low) / (high - low), 0.0), 1.0) * width, 1)


def shape_chart(document: dict[str, Any]) -> dict[str, Any] | None:
    """The histogram of the total as SVG bars, with median, interval and humps; None if not stored."""
    shapes = document.get("shape")
    if not shapes:
        return None
    histogram = document["histogram"]
    edges, counts = histogram["edges"], histogram["counts"]
    low, high = edges[0], edges[-1]
    top = max(counts) or 1
    plot = HEIGHT - 20
    bars = []
    for left, right, count in zip(edges, edges[1:], counts, strict=False):
        x = _scale(left, low, high)
        height = round(count / top * plot, 1)
        bars.append(
            {
                "x": x,
                "width": max(round(_scale(right, low, high) - x - 1, 1), 0.5),
                "y": round(plot - height, 1),
                "height": height,
            }
        )
    total = document["total"]
    names = {key: value["name"] for key, value in document["by_country"].items()}
    warnings = [
        {"key": key, "where": names.get(key, ""), "text": shape["warning"]}
        for key, shape in shapes.items()
        if shape["multimodal"]
    ]
    main = shapes.get("total", {})
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "plot": plot,
        "bars": bars,
        "median": {"x": _scale(total["p50"], low, high), "value": money(total["p50"])},
        "interval": {
            "x": _scale(total["p05"], low, high),
            "width": round(_scale(total["p95"], low, high) - _scale(total["p05"], low, high), 1),
            "low": money(total["p05"]),
            "high": money(total["p95"]),
        },
        "humps": [
            {"x": _scale(hump["at"], low, high), "at": money(hump["at"]), "mass": hump["mass"]}
            for hump in main.get("humps", [])
        ],
        "low": money(low),
        "high": money(high),
        "multimodal": bool(main.get("multimodal")),
        "median_density": main.get("median_density"),
        "warnings": warnings,
        "rule": main.get("rule", ""),
    }


def sobol_chart(document: dict[str, Any]) -> dict[str, Any] | None:
    """First-order and total indices as rows of SVG bars (0 to 1); None if not stored."""
    sobol = document.get("sobol")
    if not sobol or not sobol["indices"]:
        return None
    everywhere = [i for i in sobol["indices"] if i["country"] is None]
    by_country = [i for i in sobol["indices"] if i["country"] is not None and i["total"] >= 0.001]
    rows = []
    for index in [*everywhere, *by_country[:SOBOL_ROWS]]:
        first, total = max(index["first"], 0.0), max(index["total"], 0.0)
        rows.append(
            {
                **index,
                "label": f"{revenue.FAMILY_LABELS[index['input']]}, {index['name']}",
                "first_width": round(min(first, 1.0) * BAR_WIDTH, 1),
                "total_width": round(min(total, 1.0) * BAR_WIDTH, 1),
                "interactions": max(index["total"] - index["first"], 0.0),
            }
        )
    row_height = 22
    for i, row in enumerate(rows):
        row["y"] = i * row_height
    return {
        "rows": rows,
        "width": LABEL_WIDTH + BAR_WIDTH + 20,
        "height": len(rows) * row_height + 24,
        "label_width": LABEL_WIDTH,
        "bar_width": BAR_WIDTH,
        "axis_y": len(rows) * row_height + 4,
        "ticks": [
            {"x": LABEL_WIDTH + round(t * BAR_WIDTH, 1), "label": f"{t:g}"}
            for t in (0, 0.25, 0.5, 0.75, 1)
        ],
        "samples": sobol["samples"],
        "resamples": sobol["resamples"],
        "evaluations": sobol["evaluations"],
        "correlation": sobol["correlation"],
        "hidden": max(len(by_country) - SOBOL_ROWS, 0),
    }


def shape_and_sobol(document: dict[str, Any]) -> dict[str, Any]:
    """The two charts' entries for `revenue_runs.figures`."""
    return {"shape": shape_chart(document), "sobol": sobol_chart(document)}
