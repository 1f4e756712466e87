"""The public pages of single things: a public organisation, site or host country, the search
across them, and the trail of a published estimate or revenue run.

Everything here is built from public records and public sources only (`public_records`), cached
through `freshness.cached` for the public scope (per language: names of kinds and countries are
translated when the page is built), and answers 404 for anything not public exactly as for
something that does not exist. The search keeps no record of what visitors look for: no audit
entry, no log line, and the words are not stored anywhere but in the cache key's hash.
"""

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language

from unseen.accounts.access import public

from . import public_records
from .figures import chart_data
from .freshness import CHART_READS, cached
from .scope import PUBLIC

MAX_QUERY = 200

# What each page's builder reads (model or app labels), for `cached(..., reads=...)`: a cached
# page is rebuilt after a change to any of these, and kept across changes to anything else. A
# builder that comes to read another model must say so here.
RECORD_READS = (
    "registry",  # organisations, aliases, identifiers, designations, sites, public figures
    "documentation.deployment",
    "documentation.relation",
    "evidence.claim",
    "evidence.source",
    "files",  # the published evidence files a citation lists
)
COUNTRY_READS = RECORD_READS  # its charts are the public charts' own cached value
SEARCH_READS = (
    "registry.organisation",
    "registry.organisationalias",
    "registry.site",
    "documentation.deployment",  # which host countries have a page
)
RUN_READS = (
    "estimation",
    "evidence.source",
    "files",
    "documentation.deployment",
    "evidence.publishedfigure",
    # What says whether a run's lists changed since it was published (ADR 0041): the records
    # on them, the claims and testimonies that put them there, verdicts on pairs of them.
    "registry",
    "evidence.claim",
    "documentation.testimony",
    "linkage.linkdecision",
)


def _page(name: str, build: Any, reads: tuple[str, ...], **params: Any) -> dict[str, Any]:
    """The page's own part, rendered once and cached (as HTML: rendering a page of a hundred
    rows costs more than reading it), or 404. A missing or non-public record is cached as
    {"missing": True}, so asking again for it costs no query either."""

    def rendered() -> dict[str, Any]:
        page = build()
        if page is None:
            return {"missing": True}
        # The small map of a record's page reads the public map's data (cached for the home).
        context = {**page, "map_url": reverse("publishing:map_data"), "map_filters": {}}
        return {
            "title": page["title"],
            "html": render_to_string(f"publishing/_{name}.html", context),
        }

    page = cached(name, PUBLIC, rendered, reads=reads, language=get_language(), **params)
    if page.get("missing"):
        raise Http404
    return page


@public
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    page = _page("organisation", lambda: public_records.organisation_page(pk), RECORD_READS, pk=pk)
    return render(request, "publishing/organisation.html", page)


@public
def site(request: HttpRequest, pk: int) -> HttpResponse:
    page = _page("site", lambda: public_records.site_page(pk), RECORD_READS, pk=pk)
    return render(request, "publishing/site.html", page)


@public
def country(request: HttpRequest, code: str) -> HttpResponse:
    code = code.upper()

    def build() -> dict[str, Any] | None:
        charts = cached(
            "charts", PUBLIC, lambda: chart_data(published_only=True), reads=CHART_READS
        )
        return public_records.country_page(code, charts)

    page = _page("country", build, COUNTRY_READS, code=code)
    return render(request, "publishing/country.html", page)


def _page_number(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 6 else 1


@public
def search(request: HttpRequest) -> HttpResponse:
    """The public search. Nothing about the query is recorded (no audit, no tracking)."""
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY]
    page = _page_number(request.GET.get("page", "").strip())

    def build() -> dict[str, Any]:
        index = cached(
            "search_index",
            PUBLIC,
            lambda: {"entries": public_records.search_index()},
            reads=SEARCH_READS,
        )
        return public_records.search(query, page, index["entries"])

    found = cached(
        "search", PUBLIC, build, reads=SEARCH_READS, language=get_language(), q=query, page=page
    )
    shown = found["page"]

    def page_url(number: int) -> str:
        return "?" + urlencode({"q": query, **({"page": number} if number > 1 else {})})

    return render(
        request,
        "publishing/search.html",
        {
            "query": query,
            **found,
            "first": (shown - 1) * public_records.SEARCH_PAGE + 1,
            "previous_url": page_url(shown - 1) if shown > 1 else "",
            "next_url": page_url(shown + 1) if shown < found["pages"] else "",
        },
    )


@public
def estimate(request: HttpRequest, pk: int) -> HttpResponse:
    page = _page("estimate", lambda: public_records.estimate_page(pk), RUN_READS, pk=pk)
    return render(request, "publishing/estimate.html", page)


@public
def revenue_run(request: HttpRequest, pk: int) -> HttpResponse:
    page = _page("revenue_run", lambda: public_records.revenue_page(pk), RUN_READS, pk=pk)
    return render(request, "publishing/revenue_run.html", page)
