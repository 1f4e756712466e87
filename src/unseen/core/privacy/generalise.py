"""Coarsening values before release: dates to the month, years to bands, points to a grid."""

import datetime as dt
import decimal
import math
import re

# Latitude cells are GRID_DEGREES tall (about 27.8 km). Longitude cells start GRID_DEGREES wide and
# double where they would be narrower than MIN_CELL_KM at the cell's poleward edge, so every cell is
# at least 10 km across in both directions. Points beyond MAX_LATITUDE are not released at all.
GRID_DEGREES = 0.25
MIN_CELL_KM = 10.0
KM_PER_DEGREE = 111.32
MAX_LATITUDE = 85.0

# Provinces of the DPRK grouped into three regions, the next step up from a province.
PROVINCE_REGIONS = {
    "north hamgyong": "North-east",
    "south hamgyong": "North-east",
    "ryanggang": "North-east",
    "rason": "North-east",
    "north pyongan": "North-west",
    "south pyongan": "North-west",
    "chagang": "North-west",
    "pyongyang": "North-west",
    "nampo": "North-west",
    "kangwon": "South",
    "north hwanghae": "South",
    "south hwanghae": "South",
    "kaesong": "South",
}
ANY = "*"


def month(value: dt.date | None, precision: str = "") -> str:
    """A date as YYYY-MM, or YYYY when only the year is known; blank when unknown."""
    if value is None:
        return ""
    if precision == "year":
        return f"{value.year:04d}"
    return f"{value.year:04d}-{value.month:02d}"


def year_band(year: int | None, width: int = 10) -> str:
    """1984 -> '1980-1989' (width 10); blank when unknown."""
    if year is None:
        return ""
    low = year - year % width
    return f"{low}-{low + width - 1}"


def region_of(province: str) -> str:
    """The region a province lies in; ANY when the province is unknown to the table."""
    if not province:
        return ""
    return PROVINCE_REGIONS.get(province.strip().lower(), ANY)


def province(value: str) -> str:
    """A DPRK province as the table spells it; ANY for text that names no province.

    Typed text may say more than a province ("near the mine at ..."): only the vocabulary leaves.
    """
    if not value:
        return ""
    key = value.strip().lower()
    if key not in PROVINCE_REGIONS:
        return ANY
    return " ".join(word.capitalize() for word in key.split())


def _number(value: str) -> decimal.Decimal | None:
    try:
        return decimal.Decimal(value)
    except decimal.InvalidOperation:
        return None


def _plain(value: decimal.Decimal) -> str:
    # normalize() alone would write 100 as 1E+2.
    return format(value.normalize(), "f")


def band_low(value: str, width: str) -> str:
    """The lower edge of the band of `width` a number falls in: ('137.5', '100') -> '100'."""
    number = _number(value) if value else None
    if number is None:
        return ""
    step = decimal.Decimal(width)
    return _plain((number // step) * step)


def band_high(value: str, width: str, cap: str = "") -> str:
    """The upper edge, never the value itself: ('137.5', '100') -> '200', ('200', '100') -> '300'.

    A value on an edge goes up a band, so a released range is always at least `width` wide.
    """
    number = _number(value) if value else None
    if number is None:
        return ""
    step = decimal.Decimal(width)
    high = (number // step) * step + step
    if cap:
        high = min(high, decimal.Decimal(cap))
    return _plain(high)


def band(value: str, width: str) -> str:
    """A number as the band it falls in: ('13.5', '2') -> '12-14'."""
    low = band_low(value, width)
    return f"{low}-{band_high(value, width)}" if low else ""


def year(value: dt.date | None) -> str:
    """A date as its year; blank when unknown."""
    return f"{value.year:04d}" if value is not None else ""


_YEARS = re.compile(r"\d{4}(-\d{4})?")


def precision_of(released: str) -> str:
    """The date precision that describes a released value: 'year', 'month', or blank (coarser)."""
    if _YEARS.fullmatch(released):
        return "year"
    if re.fullmatch(r"\d{4}-\d{2}", released):
        return "month"
    return ""


def period(start: dt.date | None, end: dt.date | None) -> str:
    """A deployment period in whole years: '2010-2014', '2010', or blank."""
    if start is None and end is None:
        return ""
    low = start.year if start else None
    high = end.year if end else None
    if low is not None and high is not None and low != high:
        return f"{low}-{high}"
    return str(low if low is not None else high)


def period_decade(value: str) -> str:
    """'2010-2014' -> '2010s' (by the start year)."""
    if not value:
        return ""
    return f"{int(value[:4]) // 10 * 10}s"


def longitude_cell(latitude_index: int) -> float:
    """Width in degrees of the longitude cells in one latitude row."""
    edge = min(
        90.0, max(abs(latitude_index * GRID_DEGREES), abs((latitude_index + 1) * GRID_DEGREES))
    )
    width = GRID_DEGREES
    while width < 360 and width * KM_PER_DEGREE * math.cos(math.radians(edge)) < MIN_CELL_KM:
        width *= 2
    return width


def snap(latitude: float | None, longitude: float | None) -> tuple[float, float] | None:
    """The centre of the grid cell a point falls in; None when unknown or too near a pole."""
    if latitude is None or longitude is None or abs(latitude) >= MAX_LATITUDE:
        return None
    row = math.floor(latitude / GRID_DEGREES)
    width = longitude_cell(row)
    column = math.floor(longitude / width)
    centre_lat = (row + 0.5) * GRID_DEGREES
    centre_lon = (column + 0.5) * width
    if centre_lon > 180:
        centre_lon -= 360
    return round(centre_lat, 6), round(centre_lon, 6)


def on_grid(latitude: float, longitude: float) -> bool:
    """Whether a point is a cell centre, as `snap` writes them."""
    return snap(latitude, longitude) == (round(latitude, 6), round(longitude, 6))


def cell_size_km(latitude: float) -> tuple[float, float]:
    """North-south and (narrowest) east-west extent of the cell at `latitude`, in km."""
    row = math.floor(latitude / GRID_DEGREES)
    edge = max(abs(row * GRID_DEGREES), abs((row + 1) * GRID_DEGREES))
    width = longitude_cell(row)
    return GRID_DEGREES * KM_PER_DEGREE, width * KM_PER_DEGREE * math.cos(math.radians(edge))
