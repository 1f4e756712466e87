from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from unseen.accounts.access import public, requires
from unseen.accounts.roles import Capability
from unseen.documentation.sectors import BY_KEY
from unseen.estimation import revenue_runs
from unseen.estimation.models import EstimateRun, RunKind

from .figures import chart_data
from .freshness import cached
from .mapping import map_data, map_filters
from .overview import latest_published_figures
from .scope import PUBLIC, scope_for


def _map_query(request: HttpRequest) -> dict[str, Any]:
    """The year and sector asked for; anything unreadable is ignored rather than an error."""
    year_text = request.GET.get("year", "").strip()
    year = int(year_text) if year_text.isdigit() and 1900 <= int(year_text) <= 2100 else None
    sector = request.GET.get("sector", "").strip()
    return {"year": year, "sector": sector if sector in BY_KEY else ""}


def _json(data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store" if data.get("scope") == "staff" else "max-age=60"
    return response


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publishing/home.html",
        {
            "figures": cached("figures", PUBLIC, lambda: {"rows": latest_published_figures()})[
                "rows"
            ],
            "charts": cached("charts", PUBLIC, lambda: chart_data(published_only=True)),
            "map_filters": cached("filters", PUBLIC, lambda: map_filters(published_only=True)),
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
def public_map_data(request: HttpRequest) -> JsonResponse:
    query = _map_query(request)
    return _json(cached("map", PUBLIC, lambda: map_data(published_only=True, **query), **query))


@public
def public_chart_data(request: HttpRequest) -> JsonResponse:
    return _json(cached("charts", PUBLIC, lambda: chart_data(published_only=True)))


@requires(Capability.VIEW_RECORDS)
def app_map(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publishing/map.html",
        {
            "map_filters": cached(
                "filters", scope_for(request.user), lambda: map_filters(request.user)
            ),
            "map_url": reverse("publishing_app:map_data"),
        },
    )


@requires(Capability.VIEW_RECORDS)
def app_map_data(request: HttpRequest) -> JsonResponse:
    query = _map_query(request)
    return _json(
        cached("map", scope_for(request.user), lambda: map_data(request.user, **query), **query)
    )


@requires(Capability.VIEW_RECORDS)
def app_charts(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publishing/charts.html",
        {
            "charts": cached("charts", scope_for(request.user), lambda: chart_data(request.user)),
            "charts_url": reverse("publishing_app:charts_data"),
        },
    )


@requires(Capability.VIEW_RECORDS)
def app_chart_data(request: HttpRequest) -> JsonResponse:
    return _json(cached("charts", scope_for(request.user), lambda: chart_data(request.user)))
