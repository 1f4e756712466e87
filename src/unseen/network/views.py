"""The network page, its data, the focus picker's suggestions and the exports of the view.

Every one reads the same filters (`forms.ViewForm`) and gathers the same graph at the reader's
levels (`gathering.gather`): the page's table, the JSON, GEXF and FtM hold the same nodes and
edges. A bad filter is answered 400: as JSON with a reason for each parameter for the data and the
exports, as the page with the errors beside the fields for the page.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from unseen.accounts.access import SignedInRequest, requires
from unseen.accounts.roles import Capability

from . import exporting
from .forms import ViewForm
from .gathering import Graph, View, date_text, gather
from .suggesting import suggest

# Rows the page's text alternative lists; the graph and the exports carry every edge.
TABLE_ROWS = 500


def strings() -> dict[str, Any]:
    """The words graph.js shows, in the reader's language (docs/reference/network-graph.md)."""
    return {
        "kinds": {
            "organisation": _("organisation"),
            "public_figure": _("public figure"),
            "person": _("person"),
            "site": _("site"),
            "country": _("country"),
        },
        "designated": _("designated"),
        "loading": _("Loading the network…"),
        "error": _("The network could not be loaded."),
        "status": _("{nodes} nodes and {edges} links shown"),
        "status_as_of": _("as of {date}"),
        "status_min_grade": _("sources graded {grade} or better"),
        "truncated": _(
            "Only part of the network is drawn: select a node and expand its neighbours to see "
            "more."
        ),
        "expand": _("Expand neighbours"),
        "expanding": _("Loading neighbours…"),
        "expanded": _("{count} nodes added."),
        "expand_error": _("The neighbours could not be loaded."),
        "open": _("Open its page and evidence"),
        "from": _("From"),
        "to": _("To"),
        "relation": _("Relation"),
        "start": _("Start"),
        "end": _("End"),
        "open_date": _("open"),
        "grade": _("Best grade"),
        "ungraded": _("ungraded"),
        "sources": _("Sources"),
        "country": _("Country"),
        "links": _("Links shown"),
        "table_more": _("{count} more links are drawn but not listed here."),
        "no_edges": _("No links for this choice."),
        "all_dates": _("all dates"),
    }


def _refused(form: ViewForm) -> JsonResponse:
    return JsonResponse(
        {
            "error": "invalid_parameters",
            "detail": _("Some parameters cannot be read; see each one's reason."),
            "parameters": form.errors_by_parameter(),
        },
        status=400,
        json_dumps_params={"ensure_ascii": False},
    )


def _private(response: HttpResponse) -> HttpResponse:
    # The reader's own view, at their levels: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@requires(Capability.VIEW_RECORDS)
def page(request: SignedInRequest) -> HttpResponse:
    """The graph, its filters, a legend and the graph as a table (the page works without JS)."""
    form = ViewForm(request.GET)
    graph = gather(request.user, form.view()) if form.is_valid() else Graph([], [], view=View())
    labels = {node.id: node for node in graph.nodes}
    focused = [labels[node_id].label for node_id in graph.focus]
    form.fields["focus"].widget.label = ", ".join(focused)
    rows = [
        {
            "edge": edge,
            "source": labels[edge.source],
            "target": labels[edge.target],
            "start": date_text(edge.start, edge.start_precision),
            "end": date_text(edge.end, edge.end_precision),
        }
        for edge in graph.edges[:TABLE_ROWS]
    ]
    query = request.GET.urlencode()
    view = graph.view
    # The JSON of the same neighbourhood; graph.js drops as_of and min_grade from it and filters
    # in the browser, so that the slider can bring back what the date left out.
    data_url = reverse("network:data") + (f"?{query}" if query else "")
    return _private(
        render(
            request,
            "network/page.html",
            {
                "form": form,
                "graph": graph,
                "rows": rows,
                "more_rows": max(len(graph.edges) - TABLE_ROWS, 0),
                "data_url": data_url,
                "query": query,
                "gexf_url": reverse("network:export_gexf"),
                "ftm_url": reverse("network:export_ftm"),
                "can_export": request.user.can(Capability.EXPORT_RECORDS),
                "strings": strings(),
                "as_of": view.as_of.isoformat() if view.as_of else "",
                "min_grade": view.min_grade or "",
                "focus_value": ",".join(view.focus),
            },
            status=200 if form.is_valid() else 400,
        )
    )


@requires(Capability.VIEW_RECORDS)
def data(request: HttpRequest) -> HttpResponse:
    """The graph as JSON (docs/reference/network-graph.md)."""
    form = ViewForm(request.GET)
    if not form.is_valid():
        return _refused(form)
    graph = gather(request.user, form.view())
    return _private(HttpResponse(graph.json_text(), content_type="application/json"))


@requires(Capability.VIEW_RECORDS)
def suggestions(request: HttpRequest) -> HttpResponse:
    """At most ten nodes matching ?q=, for the focus picker."""
    results = suggest(request.user, request.GET.get("q", ""))
    return _private(JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False}))


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


@requires(Capability.EXPORT_RECORDS)
def export_gexf(request: HttpRequest) -> HttpResponse:
    """The view as a GEXF file for Gephi (audited as an export)."""
    form = ViewForm(request.GET)
    if not form.is_valid():
        return _refused(form)
    graph = gather(request.user, form.view())
    return _download(
        exporting.gexf(graph), "application/gexf+xml; charset=utf-8", "unseen-network.gexf"
    )


@requires(Capability.EXPORT_RECORDS)
def export_ftm(request: HttpRequest) -> HttpResponse:
    """The view as FollowTheMoney JSON lines (audited as an export)."""
    form = ViewForm(request.GET)
    if not form.is_valid():
        return _refused(form)
    if reason := exporting.ftm_unavailable():
        return JsonResponse({"error": "unavailable", "detail": reason}, status=503)
    graph = gather(request.user, form.view())
    return _download(
        exporting.ftm(graph), "application/json; charset=utf-8", "unseen-network.ftm.json"
    )
