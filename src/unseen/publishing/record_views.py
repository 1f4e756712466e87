"""The public pages of single things: a public organisation, site or host country, the search
across them, and the trail of a published estimate or revenue run.

Everything here is built from public records and public sources only (`public_records`), cached
through `freshness.cached` for the public scope, and answers 404 for anything not public exactly as
for something that does not exist.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from unseen.accounts.access import public

from . import public_records
from .freshness import cached
from .scope import PUBLIC


def _or_404(page: dict | None) -> dict:
    if page is None:
        raise Http404
    return page


@public
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    page = _or_404(
        cached("organisation", PUBLIC, lambda: public_records.organisation_page(pk) or {}, pk=pk)
        or None
    )
    return render(request, "publishing/organisation.html", page)


@public
def site(request: HttpRequest, pk: int) -> HttpResponse:
    page = _or_404(
        cached("site", PUBLIC, lambda: public_records.site_page(pk) or {}, pk=pk) or None
    )
    return render(request, "publishing/site.html", page)


@public
def country(request: HttpRequest, code: str) -> HttpResponse:
    code = code.upper()
    page = _or_404(
        cached("country", PUBLIC, lambda: public_records.country_page(code) or {}, code=code)
        or None
    )
    return render(request, "publishing/country.html", page)


@public
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    found = cached("search", PUBLIC, lambda: public_records.search(query), q=query)
    return render(request, "publishing/search.html", {"query": query, **found})


@public
def estimate(request: HttpRequest, pk: int) -> HttpResponse:
    page = _or_404(
        cached("estimate", PUBLIC, lambda: public_records.estimate_page(pk) or {}, pk=pk) or None
    )
    return render(request, "publishing/estimate.html", page)


@public
def revenue_run(request: HttpRequest, pk: int) -> HttpResponse:
    page = _or_404(
        cached("revenue_run", PUBLIC, lambda: public_records.revenue_page(pk) or {}, pk=pk) or None
    )
    return render(request, "publishing/revenue_run.html", page)
