"""What the public page of one organisation, site or host country holds; the public search across
them; the public trail of a published estimate or revenue run.

Built from public records and public sources only, as JSON-ready dicts the views cache
(`freshness.cached`) and the templates render. The rules, each the public form of one the app keeps:

- A record's page exists only while the record is public: `None` otherwise, and the view answers
  404 exactly as for a record that never existed.
- Its claims are those whose source is public (the record is); each shows the source's public
  citation and both grades (the source's reliability, the claim's credibility). Claim statements
  and notes are free text written for the team and stay out, as in a public export.
- A relation is shown only when it and both its ends are public (no ghost of a hidden end), and
  never one with a person at an end: persons get no public pages and are not named here.
- Deployments are headcounts (one person's deployment is left out: persons are not shown one by
  one), with their site, dispatcher and employer only where those are public.

Builders read a bounded number of rows (`SHOWN`), so a page costs a handful of queries however
large the organisation or country is; the totals say how many there are.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel
from unseen.core.places import country_name
from unseen.documentation.indexing import fold
from unseen.documentation.models import (
    Deployment,
    Relation,
    RelationKind,
    ends_readable,
)
from unseen.estimation import revenue_runs, revenue_sources
from unseen.estimation.models import EstimateRun, RunKind
from unseen.estimation.provenance import changed_since_publication
from unseen.evidence.models import Claim, Credibility, DatePrecision
from unseen.registry.models import Designation, Organisation, Site

from .figures import NO_DATA, Range
from .mapping import country_point, host_label, radius_for
from .scope import PUBLIC, source_table, sources_of

PUBLIC_LEVEL: list[str] = [AccessLevel.PUBLIC]
SHOWN = 100  # deployments, sites, organisations listed on one page; the total is given too
SEARCH_PAGE = 20


# --- shared pieces ------------------------------------------------------------------------------


def _lang() -> str:
    """The language the page is built in (the cache keeps one page per language)."""
    return get_language() or "en"


def _host(country: str, region: str) -> str:
    """A host's name in the page's language (a region as stored: World, Southeast Asia)."""
    return country_name(country, _lang()) if country else host_label("", region)


def _public(model: type[Any]) -> QuerySet[Any]:
    return model.objects.filter(access_level=AccessLevel.PUBLIC)


def _at_precision(value: dt.date | None, precision: str) -> str:
    """A date as precisely as it is known ("2017", "2017-03", "2017-03-05")."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return value.strftime("%Y-%m")
    return value.isoformat()


def _period(start: dt.date | None, start_p: str, end: dt.date | None, end_p: str) -> str:
    first, last = _at_precision(start, start_p), _at_precision(end, end_p)
    if first and last and first != last:
        return f"{first} – {last}"
    return first or (f"– {last}" if last else "")


def _family(record: Any) -> list[int]:
    """The record and the public records merged into it: its public evidence trail is theirs too."""
    family = record.merged_family()
    if len(family) == 1:
        return family
    model = type(record)
    public = set(_public(model).filter(pk__in=family).values_list("pk", flat=True))
    return [pk for pk in family if pk in public]


def _claims(record: Any) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The record's public claims (public sources only), strongest first, and their sources."""
    model = type(record)
    claims = list(
        Claim.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=_family(record),
            source__access_level=AccessLevel.PUBLIC,
        )
        .order_by("credibility", "source__reliability", "id")
        .values_list("id", "credibility", "field", "source_id", "source__reliability")
    )
    labels = {f.name: str(f.verbose_name) for f in model._meta.concrete_fields}
    rows: list[dict[str, Any]] = [
        {
            "id": pk,
            "credibility": credibility,
            "credibility_label": str(Credibility(credibility).label),
            "field": labels.get(field, field) if field else "",
            "source_id": source_id,
            "reliability": reliability,
        }
        for pk, credibility, field, source_id, reliability in claims
    ]
    return rows, source_table(PUBLIC, {row["source_id"] for row in rows})


def _org_link(org: Organisation | None) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "name": org.name, "kind": "organisation"}


def _relations(record: Any) -> list[dict[str, Any]]:
    """Public relations with both ends public and no person at either end."""
    relations = (
        _public(Relation)
        .filter(ends_readable(PUBLIC_LEVEL))
        .filter(subject_person__isnull=True, object_person__isnull=True)
        .touching(record)  # type: ignore[attr-defined]
        .select_related(
            "subject_organisation",
            "subject_figure",
            "object_organisation",
            "object_figure",
            "object_site",
        )
        .order_by("start", "kind", "id")
    )
    rows = []
    for relation in relations[:SHOWN]:
        ends = []
        for org, figure, site in (
            (relation.subject_organisation, relation.subject_figure, None),
            (relation.object_organisation, relation.object_figure, relation.object_site),
        ):
            if org is not None:
                ends.append(_org_link(org))
            elif site is not None:
                ends.append({"id": site.pk, "name": site.name, "kind": "site"})
            elif figure is not None:
                ends.append({"id": figure.pk, "name": figure.name, "kind": "figure"})
            else:
                ends.append(None)
        subject, obj = ends
        this = {"kind": type(record)._meta.model_name, "id": record.pk}
        for end in (subject, obj):
            if end is not None and end["kind"] == this["kind"] and end["id"] == this["id"]:
                end["self"] = True
        rows.append(
            {
                "id": relation.pk,
                "subject": subject,
                "kind": relation.get_kind_display(),
                "kind_key": relation.kind,
                "object": obj,
                "period": _period(
                    relation.start, relation.start_precision, relation.end, relation.end_precision
                ),
                "role": relation.role,
                "share": float(relation.share_percent)
                if relation.share_percent is not None
                else None,
            }
        )
    return rows


def _range_text(low: Any, high: Any) -> str:
    if low is None and high is None:
        return "—"
    if low is None:
        return f"≤ {high:,}"
    if high is None:
        return f"≥ {low:,}"
    return f"{low:,}" if low == high else f"{low:,}–{high:,}"


def _headcounts(deployments: QuerySet[Deployment]) -> QuerySet[Deployment]:
    """Public deployments that count workers (not one person, not an entry count or a plan)."""
    return deployments.filter(
        access_level=AccessLevel.PUBLIC, person__isnull=True, is_proxy=False
    ).filter(Q(workers_low__isnull=False) | Q(workers_high__isnull=False))


def _deployment_rows(deployments: QuerySet[Deployment]) -> dict[str, Any]:
    """The most recent `SHOWN` deployments with their public site, dispatcher and employer."""
    total = deployments.count()
    shown = list(
        deployments.select_related("site", "dispatcher", "employer").order_by(
            "-period_start", "-id"
        )[:SHOWN]
    )
    evidence = sources_of(PUBLIC, Deployment, [d.pk for d in shown])
    rows = []
    for d in shown:
        site = d.site if d.site is not None and d.site.access_level == AccessLevel.PUBLIC else None
        rows.append(
            {
                "id": d.pk,
                "period": _period(
                    d.period_start, d.period_start_precision, d.period_end, d.period_end_precision
                ),
                "host": d.host_country,
                "host_label": _host(d.host_country, d.host_region),
                "workers": _range_text(d.workers_low, d.workers_high),
                "sector": d.sector,
                "site": {"id": site.pk, "name": site.name} if site else None,
                "dispatcher": _public_org(d.dispatcher),
                "employer": _public_org(d.employer),
                "source_ids": evidence.get(d.pk, []),
            }
        )
    used = {pk for d in shown for pk in evidence.get(d.pk, [])}
    return {
        "rows": rows,
        "total": total,
        "more": max(0, total - len(rows)),
        "sources": source_table(PUBLIC, used),
    }


def _focus(points: list[dict[str, Any]], centre: dict[str, float] | None = None) -> str:
    """Where the page's map opens (JSON for its data-focus): around the points, else the centre."""
    if not points and centre is None:
        return ""
    return json.dumps({"points": points, "centre": centre, "zoom": 9 if points else 4})


def _public_org(org: Organisation | None) -> dict[str, Any] | None:
    if org is None or org.access_level != AccessLevel.PUBLIC:
        return None
    return _org_link(org)


def workers_series(
    deployments: QuerySet[Deployment], label_of: Any = None
) -> tuple[list[dict[str, Any]], set[int]]:
    """The public charts' "workers over time" series (figures.workers_over_time's shape) over
    `deployments`, one series per host: the range of headcounts given for each year."""
    rows = list(
        deployments.filter(period_start__isnull=False)
        .values_list(
            "id",
            "host_country",
            "host_region",
            "period_start",
            "period_end",
            "workers_low",
            "workers_high",
        )
        .order_by()
    )
    evidence = sources_of(PUBLIC, Deployment, [row[0] for row in rows])
    ranges: dict[tuple[str, str], dict[int, Range]] = defaultdict(dict)
    for pk, country, region, start, end, low, high in rows:
        if start is None:  # filtered out above; the type checker cannot know
            continue
        last = max(start.year, end.year) if end is not None else start.year
        for year in range(start.year, min(last, start.year + 80) + 1):
            ranges[(country, region)].setdefault(year, Range()).add_record(
                low, high, evidence.get(pk, [])
            )
    series: list[dict[str, Any]] = []
    used: set[int] = set()
    for (country, region), by_year in ranges.items():
        points = []
        for year in range(min(by_year), max(by_year) + 1):
            if year not in by_year:
                points.append({"year": year, **NO_DATA, "source_ids": []})
                continue
            point = by_year[year]
            used.update(point.source_ids)
            points.append(
                point.as_dict(
                    year=year,
                    open_low=point.low is None,
                    open_high=point.high is None,
                    no_data=False,
                )
            )
        label = label_of(country, region) if label_of else _host(country, region)
        peak = max((p["high"] or p["low"] or 0) for p in points)
        series.append(
            {"country": country, "region": region, "label": label, "peak": peak, "points": points}
        )
    series.sort(key=lambda s: (-s["peak"], s["label"]))
    return series, used


def _workers_chart(deployments: QuerySet[Deployment], label_of: Any = None) -> dict[str, Any]:
    series, used = workers_series(deployments, label_of)
    return {"workers": series, "sources": source_table(PUBLIC, used)}


def _point(record: Any) -> dict[str, Any] | None:
    """Where a public site lies and how precisely, for the page's map (None: not drawn)."""
    radius = radius_for(record.coordinate_precision)
    if record.latitude is None or record.longitude is None or radius is None:
        return None
    return {"lat": record.latitude, "lon": record.longitude, "radius_m": radius}


# --- organisation -------------------------------------------------------------------------------


def organisation_page(pk: int) -> dict[str, Any] | None:
    org = _public(Organisation).filter(pk=pk).first()
    if org is None:
        return None
    claims, sources = _claims(org)
    deployments = _headcounts(Deployment.objects.filter(Q(dispatcher=org) | Q(employer=org)))
    relations = _relations(org)
    # Its sites: those a public relation ties it to, and those its public deployments were at.
    site_ids = {
        r["object"]["id"] for r in relations if r["object"] and r["object"]["kind"] == "site"
    }
    site_ids |= set(
        deployments.filter(site__access_level=AccessLevel.PUBLIC)
        .values_list("site_id", flat=True)
        .order_by()
        .distinct()[:SHOWN]
    )
    sites = [_site_summary(site) for site in _public(Site).filter(pk__in=site_ids)]
    designations = [
        {
            "authority": d.authority,
            "programme": d.programme,
            "reference": d.reference,
            "listed_on": _at_precision(d.listed_on, d.listed_on_precision),
            "ended_on": d.ended_on.isoformat() if d.ended_on else "",
        }
        for d in _public(Designation).filter(organisation=org).order_by("listed_on", "id")
    ]
    return {
        "title": org.name,
        "record": {
            "id": org.pk,
            "name": org.name,
            "kind": org.get_kind_display(),
            "country": org.country,
            "country_name": country_name(org.country, _lang()) if org.country else "",
            "aliases": [
                {"name": a.name, "script": a.script} for a in org.aliases.order_by("script", "name")
            ],
            "identifiers": [
                {"scheme": i.get_scheme_display(), "value": i.value}
                for i in org.identifiers.order_by("scheme", "value")
            ],
        },
        "designations": designations,
        "country_page": bool(org.country) and has_page(org.country),
        "claims": claims,
        "sources": sources,
        "relations": relations,
        "sites": sites,
        "deployments": _deployment_rows(deployments),
        "chart": _workers_chart(deployments),
        "focus": _focus([s["point"] for s in sites if s["point"]]),
    }


def _site_summary(site: Site) -> dict[str, Any]:
    point = _point(site)
    if point is not None:
        point["label"] = site.name
    return {
        "id": site.pk,
        "name": site.name,
        "kind": site.get_kind_display(),
        "country": site.country,
        "country_name": country_name(site.country, _lang()) if site.country else "",
        "city": site.city,
        "point": point,
    }


# --- site ---------------------------------------------------------------------------------------


def site_page(pk: int) -> dict[str, Any] | None:
    site = _public(Site).filter(pk=pk).first()
    if site is None:
        return None
    claims, sources = _claims(site)
    relations = _relations(site)
    deployments = _headcounts(Deployment.objects.filter(site=site))
    operators = [
        r["subject"]
        for r in relations
        if r["kind_key"] == RelationKind.OPERATES_SITE and r["subject"]
    ]
    # Organisations at the site: its public relations' other ends and its deployments' public
    # dispatchers and employers.
    org_ids = {
        end["id"]
        for r in relations
        for end in (r["subject"], r["object"])
        if end and end["kind"] == "organisation"
    }
    for dispatcher, employer in (
        deployments.values_list("dispatcher_id", "employer_id").order_by().distinct()[:1000]
    ):
        org_ids.update(pk for pk in (dispatcher, employer) if pk)
    organisations = [
        {"id": o.pk, "name": o.name, "kind": o.get_kind_display()}
        for o in _public(Organisation).filter(pk__in=org_ids).order_by("name")[:SHOWN]
    ]
    summary = _site_summary(site)
    precision = site.get_coordinate_precision_display() if site.coordinate_precision else ""
    return {
        "title": site.name,
        "record": {**summary, "precision": precision},
        "operators": operators,
        "organisations": organisations,
        "claims": claims,
        "sources": sources,
        "relations": relations,
        "deployments": _deployment_rows(deployments),
        "chart": _workers_chart(deployments, lambda country, region: site.name),
        "focus": _focus([summary["point"]] if summary["point"] else []),
    }


# --- host country -------------------------------------------------------------------------------


def public_countries() -> list[str]:
    """Host countries with a public site or a public deployment: those that have a page."""
    from_sites = (
        _public(Site).exclude(country="").values_list("country", flat=True).order_by().distinct()
    )
    # Any public deployment the public map draws (one person's too): its popup links here.
    from_deployments = (
        _public(Deployment)
        .filter(is_proxy=False)
        .exclude(host_country="")
        .values_list("host_country", flat=True)
        .order_by()
        .distinct()
    )
    return sorted(set(from_sites) | set(from_deployments))


def has_page(code: str) -> bool:
    """Whether a host country has a public page (`public_countries`, for one country)."""
    return (
        _public(Site).filter(country=code).exists()
        or _public(Deployment).filter(host_country=code, is_proxy=False).exists()
    )


def country_page(code: str, charts: dict[str, Any]) -> dict[str, Any] | None:
    """`charts`: the public charts' data (cached for the home page); this country's part is shown."""
    code = code.upper()
    if len(code) != 2 or not code.isalpha():
        return None
    sites = _public(Site).filter(country=code)
    deployments = _headcounts(Deployment.objects.filter(host_country=code))
    if not has_page(code):
        return None
    site_total = sites.count()
    shown_sites = [_site_summary(site) for site in sites.order_by("name", "id")[:SHOWN]]
    org_ids = set(_public(Organisation).filter(country=code).values_list("pk", flat=True)[:SHOWN])
    for dispatcher, employer in (
        deployments.values_list("dispatcher_id", "employer_id").order_by().distinct()[:1000]
    ):
        org_ids.update(pk for pk in (dispatcher, employer) if pk)
    organisations = [
        {"id": o.pk, "name": o.name, "kind": o.get_kind_display(), "country": o.country}
        for o in _public(Organisation).filter(pk__in=org_ids).order_by("name")[:SHOWN]
    ]
    mine = _country_charts(charts, code)
    point = country_point(code)
    return {
        "title": country_name(code, _lang()),
        "code": code,
        "name": country_name(code, _lang()),
        "name_ko": country_name(code, "ko"),
        "sites": shown_sites,
        "site_total": site_total,
        "organisations": organisations,
        "deployments": _deployment_rows(deployments),
        "charts": mine,
        "focus": _focus([], {"lat": point[0], "lon": point[1]} if point else None),
    }


def _country_charts(charts: dict[str, Any], code: str) -> dict[str, Any]:
    """The public charts' data cut down to one host country (sources cited by what is left)."""
    mine = lambda rows: [row for row in rows if row.get("country") == code]  # noqa: E731
    cut = {
        "scope": charts.get("scope", "public"),
        "workers": mine(charts.get("workers", [])),
        "sectors": {
            "hosts": mine(charts.get("sectors", {}).get("hosts", [])),
            "categories": charts.get("sectors", {}).get("categories", []),
        },
        "wages": mine(charts.get("wages", [])),
        "shares": mine(charts.get("shares", [])),
    }
    used: set[str] = set()
    for series in cut["workers"]:
        for point in series["points"]:
            used.update(str(i) for i in point["source_ids"])
    for host in cut["sectors"]["hosts"]:
        for cell in host["categories"].values():
            used.update(str(i) for i in cell["source_ids"])
    for row in [*cut["wages"], *cut["shares"]]:
        used.update(str(i) for i in row["source_ids"])
    keys = {c for host in cut["sectors"]["hosts"] for c in host["categories"]}
    cut["sectors"]["categories"] = [c for c in cut["sectors"]["categories"] if c["key"] in keys]
    sources = charts.get("sources", {})
    cut["sources"] = {key: sources[key] for key in sorted(used) if key in sources}
    return cut


# --- search -------------------------------------------------------------------------------------


def _name_key(text: str) -> str:
    """A name's romanisation-folded key: Kim and Gim, 김 and Kim give one (registry's folding,
    the one the staff search uses for public figures' names)."""
    from unseen.core.linkage.names import fold_name  # loads pandas: only when searching

    return fold_name(text)


def search_index() -> list[tuple[str, int, str, str, str, list[str]]]:
    """Every public organisation, site and host country as the public search reads it:
    (kind, id or 0, country code, title, folded text, romanisation-folded keys of its names)."""
    entries: list[tuple[str, int, str, str, str, list[str]]] = []
    aliases: dict[int, list[str]] = defaultdict(list)
    for org_id, name in (
        _public(Organisation).values_list("pk", "aliases__name").exclude(aliases__name=None)
    ):
        aliases[org_id].append(name)
    for pk, name, country in _public(Organisation).values_list("pk", "name", "country"):
        names = [name, *aliases.get(pk, [])]
        text = fold(" ".join([*names, _country_words(country)]))
        entries.append(("organisation", pk, country, name, text, _keys(names)))
    for pk, name, country, city in _public(Site).values_list("pk", "name", "country", "city"):
        text = fold(" ".join([name, city, _country_words(country)]))
        entries.append(("site", pk, country, name, text, _keys([name, city])))
    for code in public_countries():
        names = [country_name(code), country_name(code, "ko"), code]
        entries.append(("country", 0, code, country_name(code), fold(" ".join(names)), []))
    return entries


def _country_words(code: str) -> str:
    return f"{country_name(code)} {country_name(code, 'ko')}" if code else ""


def _keys(names: Iterable[str]) -> list[str]:
    """The romanisation-folded key of each name from each of its words on: a query's key must
    start at a word ("Gim Chaek" finds "Kim Chaek Steel Complex" and "Steel of Kim Chaek", not a
    name with "kim" inside a word)."""
    keys: dict[str, None] = {}
    for name in names:
        words = [key for key in (_name_key(word) for word in name.split()) if key]
        for i in range(len(words)):
            keys.setdefault("-".join(words[i:]), None)
    return list(keys)


def _key_matches(query_key: str, keys: list[str]) -> bool:
    """Whether a name, from one of its words on, begins with the query's folded name."""
    return any(key == query_key or key.startswith(query_key + "-") for key in keys)


def search(
    query: str, page: int, index: list[tuple[str, int, str, str, str, list[str]]]
) -> dict[str, Any]:
    """Page `page` of the public records whose text holds every word of `query`, or whose name
    spells the query's name another way (Gim Chaek, Kim Chaek, 김책)."""
    words = fold(query).split()[:10]
    if not words:
        return {"hits": [], "total": 0, "page": 1, "pages": 1}
    query_key = _name_key(query) if len("".join(words)) >= 2 else ""
    hits = []
    for kind, pk, country, title, text, keys in index:
        by_words = all(word in text for word in words)
        if by_words or (query_key and _key_matches(query_key, keys)):
            exact = fold(title) == " ".join(words)
            hits.append(
                (
                    (not exact, not by_words, {"country": 0}.get(kind, 1), fold(title)),
                    kind,
                    pk,
                    country,
                    title,
                )
            )
    hits.sort(key=lambda hit: hit[0])
    pages = max(1, -(-len(hits) // SEARCH_PAGE))
    page = min(max(page, 1), pages)
    shown = hits[(page - 1) * SEARCH_PAGE : page * SEARCH_PAGE]
    return {
        "hits": [
            {
                "kind": kind,
                "id": pk,
                "country": country,
                "country_name": country_name(country, _lang()) if country else "",
                "title": country_name(country, _lang()) if kind == "country" else title,
            }
            for _rank, kind, pk, country, title in shown
        ],
        "total": len(hits),
        "page": page,
        "pages": pages,
    }


# --- published estimates and revenue runs -------------------------------------------------------


def estimate_page(pk: int) -> dict[str, Any] | None:
    run = EstimateRun.objects.on_public_site().filter(pk=pk).first()
    if run is None:
        return None
    anyone = AnonymousUser()
    names = run.list_names(anyone)
    sizes = [row[i] for i, (_name, row) in enumerate(run.overlaps(names))]
    list_sources = run.list_sources()
    public_sources = source_table(PUBLIC, list_sources.values())
    lists = [
        {
            "name": name,
            "size": size,
            "source": public_sources.get(str(list_sources.get(i, "")), None),
        }
        for i, (name, size) in enumerate(zip(names, sizes, strict=True))
    ]
    methods = run.methods
    return {
        "title": run.title,
        "run": {
            "id": run.pk,
            "title": run.title,
            "published_at": run.published_at,
            "observed": run.observed,
            "methods": methods,
            "ci": run.parameters.get("ci"),
            "level": run.parameters.get("level"),
            "bootstrap": run.parameters.get("bootstrap"),
            "seed": run.parameters.get("seed"),
            "software_label": run.software_label,
            "software_version": run.software_version,
        },
        "results": run.shown_to(anyone, run.results),
        "forest": run.shown_to(anyone, run.forest()),
        "lists": lists,
        "overlaps": run.overlaps(names),
        "sources": [s for s in public_sources.values()],
        "assumptions": [
            {"method": name, "text": METHOD_ASSUMPTIONS[name]}
            for name in methods
            if name in METHOD_ASSUMPTIONS
        ],
        # Whether the public records behind its lists changed since it was published: said,
        # with the date of the first change, never which records (ADR 0041).
        "inputs_changed": changed_since_publication(run),
    }


def revenue_page(pk: int) -> dict[str, Any] | None:
    run = EstimateRun.objects.on_public_site(kind=RunKind.REVENUE).filter(pk=pk).first()
    if run is None:
        return None
    return {"title": run.title, "run": published_revenue_run(run)}


def published_revenue_run(run: EstimateRun) -> dict[str, Any]:
    """A published revenue run as the public pages show it: summary, public rows and sources."""
    return {
        "pk": run.pk,
        "title": run.title,
        "published_at": run.published_at,
        "parameters": run.parameters,
        "software_version": run.software_version,
        "software_label": run.software_label,
        "doc": run.results,
        "figures": revenue_runs.figures(run.results),
        "evidence": revenue_runs.evidence_rows(run, public=True),
        **revenue_sources.page_context(run.results, AnonymousUser(), public=True),
    }


def _assumptions() -> dict[str, str]:
    return {
        "main-effects": _(
            "Independence: being on one list makes being on another neither more nor less "
            "likely. Lists that refer people to each other make it too low."
        ),
        "stepwise-aic": _(
            "Adds the dependence between two lists that lowers AIC most while it is significant. "
            "Its interval ignores that the model was chosen from the data, so it is too narrow."
        ),
        "stepwise-poisson": _(
            "Adds the dependence between two lists whose overlap the current model explains "
            "least. With sparse lists the chosen pairs can change; the BCa interval shows this."
        ),
        "bic": _(
            "Chooses among every hierarchical model the one with the lowest BIC. Several models "
            "often fit almost as well with very different estimates."
        ),
        "bayes-threshold": _(
            "Keeps a dependence between two lists when its posterior mean is at least two "
            "standard deviations from zero; a pair near that threshold moves the estimate."
        ),
        "lcmcr": _(
            "Bayesian latent classes: people differ in how likely lists are to see them, in a "
            "few groups. The interval is a credible interval."
        ),
        "dga": _(
            "Averages every decomposable log-linear model, each weighted by its posterior "
            "probability; no single model is chosen. The interval is a credible interval. "
            "Three to five lists only."
        ),
        "M0": _("Every list sees every person with the same probability."),
        "Mt": _("Each list has its own probability of seeing a person, the same for everyone."),
        "Mh-chao": _(
            "People differ in how likely they are to be seen; Chao's lower bound for the number "
            "of people no list saw."
        ),
        "Mh-poisson": _("People differ in how likely they are to be seen (Poisson model)."),
        "Mh-darroch": _("People differ in how likely they are to be seen (Darroch's model)."),
    }


class _Assumptions:
    """The method assumptions in the language active when read (a page is built per language)."""

    def __getitem__(self, name: str) -> str:
        return _assumptions()[name]

    def __contains__(self, name: object) -> bool:
        return name in _assumptions()


METHOD_ASSUMPTIONS = _Assumptions()
