"""What the map draws: deployments by host country, sites and sightings, each with its evidence.

Pure builders over querysets. `map_data(user=...)` reads what the user may read and links into the
app; `map_data(published_only=True)` reads public records and public sources only, for pages
anyone can open, and links to source citations instead.

Headcounts by country: for the chosen year (or, without one, each country's latest year), the
range runs from the lowest to the highest figure of the deployments covering that year. Sources
disagree about the same workers, so their figures are an envelope, never added up. Proxies (entries,
plans) are left out. Hosts that are regions ("World", "QA/AE") are listed, not drawn.
"""

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
from django.db.models import Count, F, Func, IntegerField, Max, Min, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber

import unseen.ui
from unseen.accounts.models import UserLike
from unseen.core.places import country_name
from unseen.documentation.models import Deployment, Sighting, at_precision
from unseen.documentation.sectors import choices as sector_choices
from unseen.documentation.sectors import sector_q
from unseen.evidence.models import DatePrecision
from unseen.registry.models import CoordinatePrecision, Site

from .scope import PUBLIC, Scope, scope_for, source_table, sources_of

WORLD_ATLAS = Path(unseen.ui.__file__).parent / "static/vendor/world-atlas/countries-110m.json"

# How far the true place may lie from the stored point, in metres; None: too vague to draw.
PRECISION_RADIUS_M: dict[str, int | None] = {
    CoordinatePrecision.EXACT: 100,
    CoordinatePrecision.NEIGHBOURHOOD: 2_000,
    CoordinatePrecision.CITY: 15_000,
    CoordinatePrecision.REGION: 150_000,
    CoordinatePrecision.COUNTRY: None,
}
# A point whose precision nobody stated is drawn as vaguely as a region: never more exact than known.
UNSTATED = "unstated"
UNSTATED_RADIUS_M = 150_000

RECORDS_PER_HOST = 25  # record links listed per country; the count says how many there are
SOURCES_PER_HOST = 50  # sources listed per country, strongest first
MAX_POINTS = 5_000  # sites or sightings drawn at most (the newest sightings first)

# Countries too small for the 1:110m outlines, placed by hand (latitude, longitude).
SMALL_COUNTRIES = {
    "MT": (35.90, 14.45),
    "BH": (26.07, 50.55),
    "SG": (1.35, 103.82),
    "HK": (22.32, 114.17),
    "MO": (22.19, 113.54),
    "MV": (3.20, 73.22),
    "MU": (-20.25, 57.55),
    "SC": (-4.68, 55.49),
    "AD": (42.55, 1.60),
    "LI": (47.16, 9.55),
    "MC": (43.74, 7.42),
    "SM": (43.94, 12.46),
    "KM": (-11.88, 43.87),
    "ST": (0.33, 6.73),
    "CV": (15.12, -23.61),
}


def radius_for(precision: str) -> int | None:
    """Radius in metres of the circle a point is drawn with; None when it is not drawn."""
    if not precision:
        return UNSTATED_RADIUS_M
    return PRECISION_RADIUS_M.get(precision, UNSTATED_RADIUS_M)


def _ring(arcs: list[list[tuple[float, float]]], indices: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def _centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """(area, latitude, longitude) of a ring's area centroid (flat, in degrees: enough to place a marker).

    A ring cut at the antimeridian (Russia's spans -180 to 180) is unwrapped first.
    """
    xs = [x for x, _y in ring]
    if max(xs) - min(xs) > 180:
        ring = [(x + 360 if x < 0 else x, y) for x, y in ring]
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        ys = [y for _x, y in ring]
        return 0.0, sum(ys) / len(ys), sum(xs) / len(xs)
    longitude = cx / (3 * area)
    return abs(area / 2), cy / (3 * area), longitude - 360 if longitude > 180 else longitude


@lru_cache(maxsize=1)
def country_points() -> dict[str, tuple[float, float]]:
    """ISO 3166 numeric code -> (latitude, longitude) of the centre of the country's largest part."""
    topology = json.loads(WORLD_ATLAS.read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        x = y = 0
        decoded: list[tuple[float, float]] = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            decoded.append((x * sx + tx, y * sy + ty))
        arcs.append(decoded)
    points = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        if "id" not in geometry:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        parts = [_centroid(_ring(arcs, polygon[0])) for polygon in polygons]
        _area, latitude, longitude = max(parts)
        points[geometry["id"]] = (round(latitude, 3), round(longitude, 3))
    return points


def country_numeric(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return str(country.numeric) if country is not None else ""


def country_point(code: str) -> tuple[float, float] | None:
    """Where a country's marker goes, or None for a code we cannot place."""
    if code in SMALL_COUNTRIES:
        return SMALL_COUNTRIES[code]
    return country_points().get(country_numeric(code))


def host_label(country: str, region: str) -> str:
    if country:
        return country_name(country)
    if "/" in region:
        return " / ".join(country_name(code) for code in region.split("/"))
    return region


@dataclass
class HostFigure:
    """Headcount figures about one host in one year, combined."""

    country: str
    region: str
    year: int
    workers_low: int | None = None
    workers_high: int | None = None
    figures: int = 0  # deployments that give a headcount
    individuals: int = 0  # deployments of one named person

    def add(self, low: int | None, high: int | None, figures: int, individuals: int) -> None:
        if low is not None:
            self.workers_low = low if self.workers_low is None else min(self.workers_low, low)
        if high is not None:
            self.workers_high = high if self.workers_high is None else max(self.workers_high, high)
        self.figures += figures
        self.individuals += individuals


def counted_deployments(scope: Scope, sector: str = "") -> QuerySet[Deployment]:
    """Readable deployments that count workers (a headcount or one person), with a start year."""
    deployments = (
        scope.records(Deployment)
        .filter(is_proxy=False, period_start__isnull=False)
        .filter(
            Q(workers_low__isnull=False) | Q(workers_high__isnull=False) | Q(person__isnull=False)
        )
    )
    if sector:
        deployments = deployments.filter(sector_q(sector))
    return deployments


class Year(Func):
    """The year of a date as an integer, computed by the database.

    Django's `ExtractYear` on SQLite calls back into Python once per row, which alone took a
    third of a second over 100,000 deployments; SQLite stores dates as ISO text, so the year is
    its first four characters.
    """

    arity = 1
    output_field = IntegerField()
    template = "CAST(EXTRACT(YEAR FROM %(expressions)s) AS INTEGER)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(substr(%(expressions)s, 1, 4) AS INTEGER)", **extra
        )


def host_year_groups(deployments: QuerySet[Deployment]) -> list[dict[str, Any]]:
    """(host, first year, last year) groups with their lowest and highest headcounts.

    Grouped by the database on the years (`Year`): a few hundred groups come back, not a row per
    deployment. A period that ends before it starts covers its start year only.
    """
    rows = (
        deployments.annotate(
            start_year=Year("period_start"), end_year=Year(Coalesce("period_end", "period_start"))
        )
        .values("host_country", "host_region", "start_year", "end_year")
        .annotate(
            low=Min("workers_low"),
            high=Max("workers_high"),
            figures=Count("id", filter=Q(person__isnull=True)),
            individuals=Count("id", filter=Q(person__isnull=False)),
        )
        .order_by()
    )
    groups: list[dict[str, Any]] = []
    for row in rows:
        start, end = row["start_year"], row["end_year"]
        if start is None:
            continue
        groups.append(
            {
                "host_country": row["host_country"],
                "host_region": row["host_region"],
                "first_year": start,
                "last_year": max(start, end),
                "low": row["low"],
                "high": row["high"],
                "figures": row["figures"],
                "individuals": row["individuals"],
            }
        )
    return groups


def covering_year(year: int) -> Q:
    """Deployments whose period covers `year` (no end: the start year only), as index-friendly ranges."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return Q(period_start__lte=last) & (
        Q(period_end__gte=first) | Q(period_end__isnull=True, period_start__gte=first)
    )


def host_figures(scope: Scope, *, year: int | None = None, sector: str = "") -> list[HostFigure]:
    """One figure per host: for `year`, or for the host's latest year when no year is given."""
    deployments = counted_deployments(scope, sector)
    if year is not None:
        deployments = deployments.filter(covering_year(year))
    groups = host_year_groups(deployments)
    latest: dict[tuple[str, str], int] = {}
    for group in groups:
        host = (group["host_country"], group["host_region"])
        latest[host] = max(latest.get(host, 0), group["last_year"])
    figures: dict[tuple[str, str], HostFigure] = {}
    for group in groups:
        host = (group["host_country"], group["host_region"])
        wanted = year if year is not None else latest[host]
        if not group["first_year"] <= wanted <= group["last_year"]:
            continue
        figure = figures.setdefault(host, HostFigure(host[0], host[1], wanted))
        figure.add(group["low"], group["high"], group["figures"], group["individuals"])
    return sorted(
        figures.values(),
        key=lambda f: (-(f.workers_high or f.workers_low or f.individuals), f.country, f.region),
    )


def figure_deployments(scope: Scope, figure: HostFigure, sector: str = "") -> QuerySet[Deployment]:
    """The deployments behind one host's figure."""
    return counted_deployments(scope, sector).filter(
        covering_year(figure.year), host_country=figure.country, host_region=figure.region
    )


def behind_figures(
    scope: Scope, figures: list[HostFigure], sector: str = ""
) -> QuerySet[Deployment]:
    """The deployments behind all of `figures` (each host in its figure's year), in one query."""
    hosts = Q(pk__in=[])
    for figure in figures:
        hosts |= Q(host_country=figure.country, host_region=figure.region) & covering_year(
            figure.year
        )
    return counted_deployments(scope, sector).filter(hosts)


def _deployment_label(
    period_start: dt.date | None,
    person_id: int | None,
    workers_low: int | None,
    workers_high: int | None,
    sector: str,
) -> str:
    year = period_start.year if period_start else "?"
    if person_id is not None:
        count = "1 person"
    elif workers_low == workers_high or workers_high is None:
        count = f"{workers_low:,}" + ("+" if workers_high is None else "")
    elif workers_low is None:
        count = f"≤ {workers_high:,}"
    else:
        count = f"{workers_low:,}–{workers_high:,}"
    return f"{year}: {count} · {sector or 'workers'}"


Host = tuple[str, str]


def _shown_records(scope: Scope, behind: QuerySet[Deployment]) -> dict[Host, list[dict[str, Any]]]:
    """The deployments each host's popup lists: the largest first, at most `RECORDS_PER_HOST`.

    One query, ranked per host by the database, rather than one query per host.
    """
    largest_first = [F("workers_high").desc(nulls_last=True), F("id").asc()]
    rows = (
        behind.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("host_country"), F("host_region")],
                order_by=largest_first,
            )
        )
        .filter(rank__lte=RECORDS_PER_HOST)
        .values_list(
            "host_country",
            "host_region",
            "id",
            "period_start",
            "person_id",
            "workers_low",
            "workers_high",
            "sector",
            "rank",
        )
    )
    shown: dict[Host, list[tuple[int, dict[str, Any]]]] = {}
    for country, region, pk, start, person_id, low, high, sector, rank in rows:
        shown.setdefault((country, region), []).append(
            (
                rank,
                {
                    "id": pk,
                    "label": _deployment_label(start, person_id, low, high, sector),
                    "url": scope.url(Deployment, pk),
                },
            )
        )
    return {host: [item for _rank, item in sorted(items)] for host, items in shown.items()}


def _host_sources(scope: Scope, behind: QuerySet[Deployment]) -> dict[Host, list[int]]:
    """For each host, ids of the readable sources behind its figure's deployments, strongest first,
    at most `SOURCES_PER_HOST`. One grouped query for every host."""
    rows = (
        behind.filter(supporting_claims__source__access_level__in=scope.levels)
        .values("host_country", "host_region", source=F("supporting_claims__source_id"))
        .annotate(best=Min("supporting_claims__credibility"))
        .order_by()
        .values_list("host_country", "host_region", "source", "best")
    )
    ranked: dict[Host, list[tuple[int, int]]] = {}
    for country, region, source_id, best in rows:
        ranked.setdefault((country, region), []).append((best, source_id))
    return {
        host: [source_id for _best, source_id in sorted(pairs)[:SOURCES_PER_HOST]]
        for host, pairs in ranked.items()
    }


def _hosts(
    scope: Scope, year: int | None, sector: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[int]]:
    countries, regions, all_sources = [], [], set()
    figures = host_figures(scope, year=year, sector=sector)
    behind = behind_figures(scope, figures, sector)
    shown = _shown_records(scope, behind) if figures else {}
    sources = _host_sources(scope, behind) if figures else {}
    for figure in figures:
        host = (figure.country, figure.region)
        source_ids = sources.get(host, [])
        all_sources.update(source_ids)
        item: dict[str, Any] = {
            "country": figure.country,
            "region": figure.region,
            "name": host_label(figure.country, figure.region),
            "year": figure.year,
            "workers_low": figure.workers_low,
            "workers_high": figure.workers_high,
            "figures": figure.figures,
            "individuals": figure.individuals,
            "records": shown.get(host, []),
            "record_count": figure.figures + figure.individuals,
            "source_ids": source_ids,
        }
        point = country_point(figure.country) if figure.country else None
        if point is None:
            regions.append(item)
            continue
        item["numeric"] = country_numeric(figure.country)
        if scope.links_to_app:
            item["list_url"] = f"/app/deployments/?country={figure.country}&year={figure.year}"
        else:
            # The host country's public page (publishing:country), with its sites and figures.
            item["page_url"] = f"/countries/{figure.country}/"
        item["lat"], item["lon"] = point
        countries.append(item)
    return countries, regions, all_sources


def _placed(
    kind: str, precision: str, latitude: float | None, longitude: float | None
) -> dict[str, Any] | None:
    """Where and how big a point is drawn, or None when it cannot be drawn."""
    radius = radius_for(precision)
    if latitude is None or longitude is None or radius is None:
        return None
    return {
        "lat": latitude,
        "lon": longitude,
        "precision": precision or UNSTATED,
        "radius_m": radius,
        "kind": kind,
    }


def _sites(
    scope: Scope, year: int | None, sector: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[int]]:
    sites = scope.records(Site)
    if year is not None or sector:
        deployments = scope.records(Deployment)
        if year is not None:
            deployments = deployments.filter(covering_year(year))
        if sector:
            deployments = deployments.filter(sector_q(sector))
        sites = sites.filter(pk__in=deployments.filter(site__isnull=False).values("site_id"))
    sites = sites.order_by("country", "name", "id")[:MAX_POINTS]
    sites = list(sites)
    evidence = sources_of(scope, Site, [site.pk for site in sites])
    drawn, not_drawn, all_sources = [], [], set()
    for site in sites:
        source_ids = evidence.get(site.pk, [])
        all_sources.update(source_ids)
        item = {
            "id": site.pk,
            "type": "site",
            "label": site.name,
            "site_kind": site.get_kind_display(),
            "country": site.country,
            "country_name": country_name(site.country) if site.country else "",
            "city": site.city,
            "url": scope.url(Site, site.pk),
            "source_ids": source_ids,
        }
        place = _placed("site", site.coordinate_precision, site.latitude, site.longitude)
        if place is None:
            not_drawn.append(item)
        else:
            drawn.append({**item, **place})
    return drawn, not_drawn, all_sources


def _sightings(
    scope: Scope, year: int | None, sector: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[int]]:
    sightings = scope.records(Sighting)
    if year is not None:
        sightings = sightings.filter(observed_from__year__lte=year).filter(
            Q(observed_to__year__gte=year) | Q(observed_to__isnull=True, observed_from__year=year)
        )
    if sector:
        sightings = sightings.filter(sector_q(sector, field="work_kind"))
    sightings = list(sightings.order_by("-observed_from", "-id")[:MAX_POINTS])
    evidence = sources_of(scope, Sighting, [sighting.pk for sighting in sightings])
    drawn, not_drawn, all_sources = [], [], set()
    # Public answers carry only the text written for the public: `place` and `description` can be
    # a reporter's own words (a doorstep, a neighbour's name) and are for staff only.
    public = scope == PUBLIC
    for sighting in sightings:
        source_ids = evidence.get(sighting.pk, [])
        all_sources.update(source_ids)
        place = sighting.public_place_label if public else sighting.place
        observed_from = at_precision(sighting.observed_from, sighting.observed_precision)
        observed_to = at_precision(sighting.observed_to, sighting.observed_precision)
        item = {
            "id": sighting.pk,
            "type": "sighting",
            "label": place or host_label(sighting.country, "") or "Sighting",
            "description": sighting.public_description if public else sighting.description,
            "country": sighting.country,
            "country_name": country_name(sighting.country) if sighting.country else "",
            "observed_from": observed_from.isoformat() if observed_from else None,
            "observed_to": observed_to.isoformat() if observed_to else None,
            "observed_precision": sighting.observed_precision or DatePrecision.DAY,
            "workers_low": sighting.workers_low,
            "workers_high": sighting.workers_high,
            "work_kind": sighting.work_kind,
            "url": scope.url(Sighting, sighting.pk),
            "source_ids": source_ids,
        }
        point = _placed(
            "sighting", sighting.coordinate_precision, sighting.latitude, sighting.longitude
        )
        if point is not None and sighting.coordinate_grid_km:
            # The precision the moderator chose, not the band it falls in ("city": 15 km).
            point["radius_m"] = sighting.coordinate_grid_km * 1000
            point["grid_km"] = sighting.coordinate_grid_km
        if point is None:
            not_drawn.append(item)
        else:
            drawn.append({**item, **point})
    return drawn, not_drawn, all_sources


def years(scope: Scope) -> list[int]:
    """Every year from the first to the last that readable headcounts cover."""
    span = counted_deployments(scope).aggregate(
        first=Min("period_start"), last=Max(Coalesce("period_end", "period_start"))
    )
    if span["first"] is None:
        return []
    return list(range(span["first"].year, span["last"].year + 1))


def map_data(
    user: UserLike | None = None,
    *,
    published_only: bool = False,
    year: int | None = None,
    sector: str = "",
) -> dict[str, Any]:
    """Everything the map draws, as JSON-ready data (see the module docstring for the rules)."""
    scope = scope_for(user, published_only=published_only)
    countries, regions, host_sources = _hosts(scope, year, sector)
    sites, sites_not_drawn, site_sources = _sites(scope, year, sector)
    sightings, sightings_not_drawn, sighting_sources = _sightings(scope, year, sector)
    return {
        "scope": scope.name,
        "year": year,
        "sector": sector,
        "countries": countries,
        "regions": regions,
        "sites": sites,
        "sightings": sightings,
        "not_drawn": sites_not_drawn + sightings_not_drawn,
        "sources": source_table(scope, host_sources | site_sources | sighting_sources),
        "radius_m": {key or UNSTATED: value for key, value in PRECISION_RADIUS_M.items()},
    }


def map_filters(user: UserLike | None = None, *, published_only: bool = False) -> dict[str, Any]:
    """The choices the map's filter form offers."""
    scope = scope_for(user, published_only=published_only)
    return {"years": years(scope), "sectors": sector_choices()}
