"""`/api/v1/estimates/`, `/api/v1/estimates/revenue/`, `/api/v1/linkage/`: the saved runs, read only.

Each is read with its pages' capability (running estimates, reviewing linkage) and through its
pages' queryset (`visible_to`): a run beyond the caller's level, or made from a linkage run they
may no longer read, is a 404 exactly as its page is. What a run shows is what its page shows to
that reader: a list made from a source they may not read is named by its position (`list_names`,
`shown_to`, `source_rows`), never by the source's title; the raw inputs (`derived_from`, which
label every input) are not shown. Starting, re-running and publishing runs stay on the pages.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from unseen.accounts.models import UserLike
from unseen.accounts.roles import Capability, Scope
from unseen.estimation.models import EstimateRun, RunKind
from unseen.linkage.models import LinkageRun
from unseen.linkage.presenting import source_rows

from .records import DEFAULT_LIMIT, ERRORS, MAX_LIMIT, Page, _after, _cursor, _page_url, user_of
from .service import ValidationErrors, errors_response, operation

router = Router()

INVALID = {400: ValidationErrors}


class Paging(Schema):
    cursor: str | None = Field(None, description="From a page's `next`.")
    limit: int | None = Field(None, ge=1, le=MAX_LIMIT, description="Page size")


def paged(
    request: HttpRequest,
    found: models.QuerySet[Any],
    params: Paging,
    shown: Callable[[Any], dict[str, Any]],
) -> Any:
    """One page of `found`, newest first, with the address of the next (as records.py pages)."""
    limit = params.limit or DEFAULT_LIMIT
    if params.cursor:
        last = _after(params.cursor)
        if last is None:
            return errors_response({"cursor": [_("This cursor is not one the API gave.")]})
        found = found.filter(pk__lt=last)
    page = list(found.order_by("-pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "results": [shown(item) for item in page],
        "next": _page_url(request, _cursor(page[-1].pk)) if more and page else None,
    }


def one(found: models.QuerySet[Any], pk: int) -> Any:
    item = found.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


# --- estimate runs -------------------------------------------------------------------------------


class EstimateSummary(Schema):
    id: int
    title: str
    access_level: str
    published: bool
    published_at: dt.datetime | None
    created_at: dt.datetime
    lists: list[str] = Field(description="The lists' names, as the run's page shows them to you.")
    methods: list[str]
    observed: int = Field(description="Individuals on at least one list.")
    linkage_run: int | None = Field(description="The linkage run its lists came from, if any.")


class EstimateDetail(EstimateSummary):
    parameters: dict[str, Any]
    histories: dict[str, Any] = Field(description="The frozen capture-history table.")
    results: list[Any] = Field(description="Each method's result, as `unseen mse --json`.")
    sensitivity: dict[str, Any]
    linkage_uncertainty: dict[str, Any]
    software_version: dict[str, Any]


class EstimatePage(Page):
    results: list[EstimateSummary]


def estimate_runs(user: UserLike) -> models.QuerySet[EstimateRun]:
    """The MSE runs the estimate pages would open for `user` (`estimation.views._visible`)."""
    return EstimateRun.objects.visible_to(user).filter(kind=RunKind.MSE)


def estimate_summary(run: EstimateRun, user: UserLike) -> dict[str, Any]:
    return {
        "id": run.pk,
        "title": run.title,
        "access_level": run.access_level,
        "published": run.published,
        "published_at": run.published_at,
        "created_at": run.created_at,
        "lists": run.list_names(user),
        "methods": run.methods,
        "observed": run.observed,
        "linkage_run": run.linkage_run_id,  # visible: `visible_to` asks for it
    }


def estimate_detail(run: EstimateRun, user: UserLike) -> dict[str, Any]:
    return {
        **estimate_summary(run, user),
        "parameters": run.parameters,
        "histories": run.histories,
        "results": run.shown_to(user, run.results),
        "sensitivity": run.shown_to(user, run.sensitivity or {}),
        "linkage_uncertainty": run.shown_to(user, run.linkage_uncertainty or {}),
        "software_version": run.software_version,
    }


ESTIMATES: dict[str, Any] = {
    "capability": Capability.RUN_ESTIMATES,
    "scope": Scope.READ,
    "tags": ["estimates"],
}


@operation(
    router,
    "GET",
    "/estimates/",
    response={200: EstimatePage, **INVALID, **ERRORS},
    name="estimate_run_list",
    summary="List estimate runs",
    description="Multiple systems estimation runs you may read, newest first; follow `next`.",
    **ESTIMATES,
)
def estimate_list(request: HttpRequest, params: Query[Paging]) -> Any:
    user = user_of(request)
    return paged(request, estimate_runs(user), params, lambda run: estimate_summary(run, user))


@operation(
    router,
    "GET",
    "/estimates/{int:id}/",
    response={200: EstimateDetail, **ERRORS},
    name="estimate_run_detail",
    summary="One estimate run",
    description="Its frozen table, parameters and results. 404 for a run beyond your level.",
    **ESTIMATES,
)
def estimate_read(request: HttpRequest, id: int) -> Any:
    user = user_of(request)
    return estimate_detail(one(estimate_runs(user), id), user)


# --- revenue runs --------------------------------------------------------------------------------


class RevenueSummary(Schema):
    id: int
    title: str
    access_level: str
    published: bool
    published_at: dt.datetime | None
    created_at: dt.datetime
    year: int | None


class RevenueDetail(RevenueSummary):
    parameters: dict[str, Any]
    inputs: list[Any] = Field(description="The frozen input rows: ranges, sources, access level.")
    results: dict[str, Any] = Field(description="The model's document, as the run's page draws.")
    software_version: dict[str, Any]


class RevenuePage(Page):
    results: list[RevenueSummary]


def revenue_runs(user: UserLike) -> models.QuerySet[EstimateRun]:
    """The revenue runs the revenue pages would open (`estimation.revenue_views._visible`)."""
    return EstimateRun.objects.visible_to(user).filter(kind=RunKind.REVENUE)


def revenue_summary(run: EstimateRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "title": run.title,
        "access_level": run.access_level,
        "published": run.published,
        "published_at": run.published_at,
        "created_at": run.created_at,
        "year": run.parameters.get("year"),
    }


def revenue_detail(run: EstimateRun) -> dict[str, Any]:
    return {
        **revenue_summary(run),
        "parameters": run.parameters,
        "inputs": run.inputs,
        "results": run.results if isinstance(run.results, dict) else {},
        "software_version": run.software_version,
    }


@operation(
    router,
    "GET",
    "/estimates/revenue/",
    response={200: RevenuePage, **INVALID, **ERRORS},
    name="revenue_run_list",
    summary="List revenue runs",
    description="Runs of the revenue-to-the-state model you may read, newest first.",
    **ESTIMATES,
)
def revenue_list(request: HttpRequest, params: Query[Paging]) -> Any:
    return paged(request, revenue_runs(user_of(request)), params, revenue_summary)


@operation(
    router,
    "GET",
    "/estimates/revenue/{int:id}/",
    response={200: RevenueDetail, **ERRORS},
    name="revenue_run_detail",
    summary="One revenue run",
    description="Its frozen input rows, parameters and results. 404 beyond your level.",
    **ESTIMATES,
)
def revenue_read(request: HttpRequest, id: int) -> Any:
    return revenue_detail(one(revenue_runs(user_of(request)), id))


# --- linkage runs --------------------------------------------------------------------------------


class LinkageList(Schema):
    id: int | None = Field(description="The source, or null for one you may not read.")
    label: str = Field(description="Its title, or `List N` for a source you may not read.")
    count: int | None = Field(description="Records of it on the run's clusters, once done.")


class LinkageSummary(Schema):
    id: int
    entity: str
    status: str
    stage: str
    fraction: float
    access_level: str
    threshold: float
    created_at: dt.datetime
    finished_at: dt.datetime | None


class LinkageDetail(LinkageSummary):
    error: str
    review_low: float
    review_high: float
    started_at: dt.datetime | None
    lists: list[LinkageList]
    counts: dict[str, Any]
    parameters: dict[str, Any] = Field(description="Frozen settings and trained m and u.")
    previous: int | None = Field(description="The run this one re-ran, if you may read it.")


class LinkagePage(Page):
    results: list[LinkageSummary]


def linkage_runs(user: UserLike) -> models.QuerySet[LinkageRun]:
    """The runs the linkage pages would open (`linkage.views._run`)."""
    return LinkageRun.objects.visible_to(user)


def linkage_summary(run: LinkageRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "entity": run.entity,
        "status": run.status,
        "stage": run.stage,
        "fraction": run.fraction,
        "access_level": run.access_level,
        "threshold": run.threshold,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


def linkage_detail(run: LinkageRun, user: UserLike) -> dict[str, Any]:
    previous = run.previous_id
    if previous is not None and not linkage_runs(user).filter(pk=previous).exists():
        previous = None
    return {
        **linkage_summary(run),
        "error": run.error,
        "review_low": run.review_low,
        "review_high": run.review_high,
        "started_at": run.started_at,
        "lists": [
            {
                "id": row["source"].pk if row["source"] is not None else None,
                "label": str(row["label"]),
                "count": row["count"],
            }
            for row in source_rows(run, user)
        ],
        "counts": run.counts,
        "parameters": run.parameters,
        "previous": previous,
    }


LINKAGE: dict[str, Any] = {
    "capability": Capability.REVIEW_LINKAGE,
    "scope": Scope.READ,
    "tags": ["linkage"],
}


@operation(
    router,
    "GET",
    "/linkage/",
    response={200: LinkagePage, **INVALID, **ERRORS},
    name="linkage_run_list",
    summary="List linkage runs",
    description="Record linkage runs you may read, newest first; follow `next` for more.",
    **LINKAGE,
)
def linkage_list(request: HttpRequest, params: Query[Paging]) -> Any:
    return paged(request, linkage_runs(user_of(request)), params, linkage_summary)


@operation(
    router,
    "GET",
    "/linkage/{int:id}/",
    response={200: LinkageDetail, **ERRORS},
    name="linkage_run_detail",
    summary="One linkage run",
    description="Its lists (as you may see them), counts and parameters. 404 beyond your level.",
    **LINKAGE,
)
def linkage_read(request: HttpRequest, id: int) -> Any:
    user = user_of(request)
    return linkage_detail(one(linkage_runs(user), id), user)
