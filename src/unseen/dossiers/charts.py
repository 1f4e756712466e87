"""A dossier's pictures as inline SVG: headcounts over time, and a small map of sites.

Drawn here as text, not by a charting library or a tile server: the PDF must fetch nothing
(`unseen.core.pdf`), and the same data must give the same bytes, so every number is rounded to
a fixed number of decimals and every element comes in the order of the data it was given.

The map's country outlines are Natural Earth's 1:110m Admin 0 boundaries (public domain), as
the world-atlas package ships them for the app's map (`ui/static/vendor/world-atlas/`, see the
README there); nothing else is added. The projection is equirectangular, its x scaled by the
cosine of the middle latitude, over the box around the points: at the scale of one country or
one region that is close enough to the shape people know, and it needs no library.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from math import cos, radians
from pathlib import Path

import unseen.ui

WORLD_ATLAS = Path(unseen.ui.__file__).parent / "static/vendor/world-atlas/countries-110m.json"

INK = "#222"
FAINT = "#888"
BAR = "#7a3b3b"
BAR_LIGHT = "#d9b8b8"
LAND = "#f3f1ea"
HOST_LAND = "#ecd9d9"
BORDER = "#b9b4a6"


def _n(value: float) -> str:
    """A coordinate as text: one decimal, no "-0.0", the same text on every machine."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


# --- headcounts over time --------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRange:
    year: int
    low: int
    high: int


def _nice_step(top: int) -> int:
    """A tick step giving 3 to 6 ticks: 1, 2 or 5 times a power of ten."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if top / (step * factor) <= 5:
                return step * factor
        step *= 10


def headcount_chart(
    ranges: Sequence[YearRange], *, title: str, low_label: str, high_label: str
) -> str:
    """Bars from the lowest to the highest figure of each year (a range, never a sum of sources).

    Empty string when there is nothing to draw; the table beside it says the same in numbers.
    """
    if not ranges:
        return ""
    width, height = 640.0, 220.0
    left, right, top, bottom = 56.0, 12.0, 14.0, 30.0
    plot_w, plot_h = width - left - right, height - top - bottom
    first, last = ranges[0].year, ranges[-1].year
    years = last - first + 1
    highest = max(r.high for r in ranges) or 1
    step = _nice_step(highest)
    ceiling = step * -(-highest // step)
    slot = plot_w / years
    bar = max(2.0, min(28.0, slot * 0.6))

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / ceiling

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {_n(width)} '
        f'{_n(height)}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(0, ceiling + 1, step):
        ty = y(tick)
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(ty)}" x2="{_n(width - right)}" y2="{_n(ty)}" '
            f'stroke="#e2e0da" stroke-width="0.6"/>'
        )
        parts.append(
            f'<text x="{_n(left - 6)}" y="{_n(ty + 3)}" text-anchor="end" font-size="9" '
            f'fill="{FAINT}">{tick:,}</text>'
        )
    label_every = max(1, -(-years // 16))
    for r in ranges:
        cx = left + slot * (r.year - first) + slot / 2
        y_high, y_low = y(r.high), y(r.low)
        # A range as a light bar, its low end as a dark one: both figures stay readable.
        parts.append(
            f'<rect x="{_n(cx - bar / 2)}" y="{_n(y_high)}" width="{_n(bar)}" '
            f'height="{_n(max(y_low - y_high, 0.8))}" fill="{BAR_LIGHT}"/>'
        )
        parts.append(
            f'<rect x="{_n(cx - bar / 2)}" y="{_n(y_low)}" width="{_n(bar)}" '
            f'height="{_n(max(top + plot_h - y_low, 0.0))}" fill="{BAR}"/>'
        )
    for year in range(first, last + 1):
        if (year - first) % label_every:
            continue
        cx = left + slot * (year - first) + slot / 2
        parts.append(
            f'<text x="{_n(cx)}" y="{_n(height - bottom + 14)}" text-anchor="middle" '
            f'font-size="9" fill="{INK}">{year}</text>'
        )
    parts.append(
        f'<line x1="{_n(left)}" y1="{_n(top + plot_h)}" x2="{_n(width - right)}" '
        f'y2="{_n(top + plot_h)}" stroke="{INK}" stroke-width="0.8"/>'
    )
    legend_y = height - 4
    parts.append(
        f'<rect x="{_n(left)}" y="{_n(legend_y - 7)}" width="8" height="8" fill="{BAR}"/>'
        f'<text x="{_n(left + 12)}" y="{_n(legend_y)}" font-size="9" fill="{INK}">'
        f"{escape(low_label)}</text>"
        f'<rect x="{_n(left + 150)}" y="{_n(legend_y - 7)}" width="8" height="8" '
        f'fill="{BAR_LIGHT}"/><text x="{_n(left + 162)}" y="{_n(legend_y)}" font-size="9" '
        f'fill="{INK}">{escape(high_label)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


# --- the map ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    number: int  # the label drawn, and the row of the table under the map
    latitude: float
    longitude: float


Ring = list[tuple[float, float]]


@lru_cache(maxsize=1)
def country_rings() -> dict[str, tuple[Ring, ...]]:
    """ISO 3166 numeric code -> the outer rings of the country's polygons, in degrees.

    A ring cut at the antimeridian (Chukotka, Fiji) is unwrapped to run past 180° east, so that
    it is drawn as one shape rather than a line across the whole map.
    """
    topology = json.loads(WORLD_ATLAS.read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        x = y = 0
        decoded: Ring = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            decoded.append((x * sx + tx, y * sy + ty))
        arcs.append(decoded)
    rings: dict[str, tuple[Ring, ...]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        if "id" not in geometry:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        outer = []
        for polygon in polygons:
            ring: Ring = []
            for index in polygon[0]:
                arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
                ring.extend(arc if not ring else arc[1:])
            xs = [x for x, _y in ring]
            if max(xs) - min(xs) > 180:
                ring = [(x + 360 if x < 0 else x, y) for x, y in ring]
            outer.append(ring)
        rings[str(geometry["id"])] = tuple(outer)
    return rings


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float


def _box(points: Sequence[MapPoint], hosts: Iterable[str]) -> Box:
    """Around the points (and, with none, the host countries), at least 20° across (30° for
    a country alone), padded: enough to see where in the world it is."""
    lats = [p.latitude for p in points]
    lons = [p.longitude for p in points]
    if not points:
        rings = country_rings()
        for host in hosts:
            for ring in rings.get(host, ()):
                lats.extend(y for _x, y in ring)
                lons.extend(x for x, _y in ring)
    if not lats:
        return Box(-170.0, -58.0, 190.0, 80.0)
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    # Without points the host country is the subject: shown with its neighbours around it.
    span = max(east - west, (north - south) * 1.4, 20.0 if points else 30.0)
    cx, cy = (west + east) / 2, (south + north) / 2
    half_w = span * 0.6
    half_h = max((north - south) * 0.6, span * 0.35)
    return Box(cx - half_w, max(cy - half_h, -85.0), cx + half_w, min(cy + half_h, 85.0))


def site_map(
    points: Sequence[MapPoint], *, hosts: Iterable[str] = (), title: str, credit: str
) -> str:
    """Numbered dots over country outlines; host countries (ISO numeric codes) tinted.

    Empty string when there is neither a point nor a host to show.
    """
    hosts = sorted(set(hosts))
    if not points and not hosts:
        return ""
    box = _box(points, hosts)
    x_scale = cos(radians((box.south + box.north) / 2))
    width = 640.0
    # Between 200 and 400 points high: the box grows east-west or north-south to fit, so that
    # shapes keep their proportions.
    height = width * (box.north - box.south) / ((box.east - box.west) * x_scale)
    if height > 400.0:
        grow = ((box.north - box.south) / x_scale * width / 400.0 - (box.east - box.west)) / 2
        box = Box(box.west - grow, box.south, box.east + grow, box.north)
        height = 400.0
    elif height < 200.0:
        grow = ((box.east - box.west) * x_scale * 200.0 / width - (box.north - box.south)) / 2
        box = Box(box.west, box.south - grow, box.east, box.north + grow)
        height = 200.0
    height = round(height, 1)
    sx = width / (box.east - box.west)
    sy = height / (box.north - box.south)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - box.west) * sx, (box.north - lat) * sy

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {_n(width)} '
        f'{_n(height)}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{_n(width)}" height="{_n(height)}" fill="#e8eef2"/>',
    ]
    margin = 2.0
    for code, rings in sorted(country_rings().items()):
        fill = HOST_LAND if code in hosts else LAND
        for ring in rings:
            for shift in (0.0, -360.0, 360.0):
                xs = [x + shift for x, _y in ring]
                ys = [y for _x, y in ring]
                if (
                    max(xs) < box.west - margin
                    or min(xs) > box.east + margin
                    or max(ys) < box.south - margin
                    or min(ys) > box.north + margin
                ):
                    continue
                path = "M" + "L".join(
                    "{},{}".format(*map(_n, xy(x, y))) for x, y in zip(xs, ys, strict=True)
                )
                parts.append(
                    f'<path d="{path}Z" fill="{fill}" stroke="{BORDER}" stroke-width="0.5"/>'
                )
    for point in points:
        px, py = xy(point.longitude, point.latitude)
        parts.append(
            f'<circle cx="{_n(px)}" cy="{_n(py)}" r="4" fill="{BAR}" stroke="#fff" '
            f'stroke-width="1"/><text x="{_n(px + 6)}" y="{_n(py - 5)}" font-size="10" '
            f'font-weight="bold" fill="{INK}">{point.number}</text>'
        )
    parts.append(
        f'<text x="{_n(width - 4)}" y="{_n(height - 4)}" text-anchor="end" font-size="8" '
        f'fill="{FAINT}">{escape(credit)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
