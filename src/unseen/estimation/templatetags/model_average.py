"""The posterior of N of a model-averaged (dga) result, drawn as a small inline SVG."""

from typing import Any

from django import template

register = template.Library()

WIDTH = 320
HEIGHT = 90
PAD = 4


@register.simple_tag
def posterior_plot(average: dict[str, Any], ci: dict[str, Any] | None = None) -> dict[str, Any]:
    """Points of the posterior density, scaled to the plot, with the median and interval marked.

    `average` is a dga result's `model_average`; `ci` its credible interval. Returns {} when
    there is nothing to draw.
    """
    density = average.get("density") or []
    if len(density) < 2:
        return {}
    xs = [float(x) for x, _ in density]
    ys = [float(y) for _, y in density]
    low, high, top = xs[0], xs[-1], max(ys) or 1.0
    span = (high - low) or 1.0

    def x_at(value: float) -> float:
        return round(PAD + (min(max(value, low), high) - low) / span * (WIDTH - 2 * PAD), 1)

    def y_at(value: float) -> float:
        return round(HEIGHT - PAD - value / top * (HEIGHT - 2 * PAD), 1)

    line = " ".join(f"{x_at(x)},{y_at(y)}" for x, y in zip(xs, ys, strict=True))
    area = f"{x_at(low)},{HEIGHT - PAD} {line} {x_at(high)},{HEIGHT - PAD}"
    median = (average.get("posterior") or {}).get("median")
    plot: dict[str, Any] = {
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": HEIGHT - PAD,
        "points": line,
        "area": area,
        "low_label": low,
        "high_label": high,
        "median_x": x_at(median) if median is not None else None,
    }
    if ci and ci.get("low") is not None and ci.get("high") is not None:
        plot["ci_low_x"] = x_at(ci["low"])
        plot["ci_high_x"] = x_at(ci["high"])
    return plot
