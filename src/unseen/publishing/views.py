import json
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from unseen.accounts.access import public, requires
from unseen.accounts.roles import Capability
from unseen.documentation.sectors import BY_KEY
from unseen.estimation import revenue_runs, revenue_sources
from unseen.estimation.models import EstimateRun, RunKind

from .figures import both, chart_data
from .freshness import CHART_READS, FIGURE_READS, FILTER_READS, MAP_READS, cached
from .mapping import map_data, map_filters
from .overview import latest_published_figures
from .scope import PUBLIC, Scope, scope_for


def _map_query(request: HttpRequest) -> dict[str, Any]:
    """The year and sector asked for; anything unreadable is ignored rather than an error."""
    year_text = request.GET.get("year", "").strip()
    year = int(year_text) if year_text.isdigit() and 1900 <= int(year_text) <= 2100 else None
    sector = request.GET.get("sector", "").strip()
    return {"year": year, "sector": sector if sector in BY_KEY else ""}


def _json(scope: Scope, body: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "no-store" if scope.links_to_app else "max-age=60"
    return response


def _encoded(data: dict[str, Any]) -> dict[str, Any]:
    # Cached encoded too: a map of 100,000 deployments is a third of a megabyte of JSON, and
    # encoding it again for every request took longer than the rest of the answer. Encoded from
    # the cached data ("map", "charts"), which the home page and findings' embeds share.
    return {"json": json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)}


def _charts_html(scope: Scope, build: Any, charts_url: str = "") -> SafeString:
    """The charts with their text alternatives, rendered once per change to what they read.

    The tables cite every source behind every point: megabytes of HTML at 100,000 deployments,
    too slow to render for each request.
    """
    html = cached(
        "charts-html",
        scope,
        lambda: {
            "html": render_to_string(
                "publishing/_charts.html",
                {
                    "charts": cached("charts", scope, build, reads=CHART_READS),
                    "charts_url": charts_url,
                },
            )
        },
        reads=CHART_READS,
        charts_url=charts_url,
    )["html"]
    return mark_safe(html)  # noqa: S308 - rendered by the template above, escaped there


def _latest_figures() -> list[Any]:
    return cached(
        "figures", PUBLIC, lambda: {"rows": latest_published_figures()}, reads=FIGURE_READS
    )["rows"]


@public
def home(request: HttpRequest) -> HttpResponse:
    language = get_language()

    def figures() -> list[Any]:
        with translation.override(language):  # the worker thread's language is its own
            return _latest_figures()

    # After a change to deployments both are rebuilt: side by side, the slower sets the pace.
    charts_html, rows = both(
        lambda: _charts_html(PUBLIC, lambda: chart_data(published_only=True)), figures
    )
    return render(
        request,
        "publishing/home.html",
        {
            "figures": rows,
            "charts_html": charts_html,
            "map_filters": cached(
                "filters", PUBLIC, lambda: map_filters(published_only=True), reads=FILTER_READS
            ),
            "map_url": reverse("publishing:map_data"),
            "estimates": EstimateRun.objects.on_public_site()[:3],
        },
    )


@public
def public_estimates(request: HttpRequest) -> HttpResponse:
    """Published estimates, each with its method, model and interval: never a bare number."""
    return render(
        request, "publishing/estimates.html", {"runs": EstimateRun.objects.on_public_site()}
    )


def _published_revenue() -> dict[str, Any]:
    """Published revenue runs as the public page shows them: summaries, public rows and sources."""
    runs = []
    for run in EstimateRun.objects.on_public_site(kind=RunKind.REVENUE):
        runs.append(
            {
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
        )
    return {"runs": runs}


@public
def public_revenue(request: HttpRequest) -> HttpResponse:
    """Published revenue runs with their scenarios, assumptions and sources; always intervals.

    Only runs whose every input row was public when published are here (`revenue_runs.publish`).
    """
    return render(request, "publishing/revenue.html", cached("revenue", PUBLIC, _published_revenue))


@public
def public_map_data(request: HttpRequest) -> HttpResponse:
    query = _map_query(request)
    return _json(
        PUBLIC,
        cached(
            "map.json",
            PUBLIC,
            lambda: _encoded(
                cached(
                    "map",
                    PUBLIC,
                    lambda: map_data(published_only=True, **query),
                    reads=MAP_READS,
                    **query,
                )
            ),
            reads=MAP_READS,
            **query,
        )["json"],
    )


@public
def public_chart_data(request: HttpRequest) -> HttpResponse:
    return _json(
        PUBLIC,
        cached(
            "charts.json",
            PUBLIC,
            lambda: _encoded(
                cached("charts", PUBLIC, lambda: chart_data(published_only=True), reads=CHART_READS)
            ),
            reads=CHART_READS,
        )["json"],
    )


@requires(Capability.VIEW_RECORDS)
def app_map(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    return render(
        request,
        "publishing/map.html",
        {
            "map_filters": cached(
                "filters", scope, lambda: map_filters(request.user), reads=FILTER_READS
            ),
            "map_url": reverse("publishing_app:map_data"),
        },
    )


@requires(Capability.VIEW_RECORDS)
def app_map_data(request: HttpRequest) -> HttpResponse:
    query = _map_query(request)
    scope = scope_for(request.user)
    return _json(
        scope,
        cached(
            "map.json",
            scope,
            lambda: _encoded(
                cached(
                    "map", scope, lambda: map_data(request.user, **query), reads=MAP_READS, **query
                )
            ),
            reads=MAP_READS,
            **query,
        )["json"],
    )


@requires(Capability.VIEW_RECORDS)
def app_charts(request: HttpRequest) -> HttpResponse:
    charts_url = reverse("publishing_app:charts_data")
    return render(
        request,
        "publishing/charts.html",
        {
            "charts_html": _charts_html(
                scope_for(request.user), lambda: chart_data(request.user), charts_url
            ),
        },
    )


@requires(Capability.VIEW_RECORDS)
def app_chart_data(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    return _json(
        scope,
        cached(
            "charts.json",
            scope,
            lambda: _encoded(
                cached("charts", scope, lambda: chart_data(request.user), reads=CHART_READS)
            ),
            reads=CHART_READS,
        )["json"],
    )
