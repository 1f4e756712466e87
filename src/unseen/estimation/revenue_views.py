"""The revenue pages under /app/estimates/revenue/: run the model, see a run, re-run, publish."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unseen.accounts.access import requires
from unseen.accounts.roles import Capability
from unseen.core import revenue
from unseen.core.tables import TableError

from . import revenue_runs, revenue_sources
from .forms import RevenueForm
from .models import EstimateRun, RunKind, software_version
from .views import _user


def _visible(request: HttpRequest, pk: int) -> EstimateRun:
    runs = EstimateRun.objects.visible_to(request.user).filter(kind=RunKind.REVENUE)
    return get_object_or_404(runs, pk=pk)


@requires(Capability.RUN_ESTIMATES)
def revenue_create(request: HttpRequest) -> HttpResponse:
    """Choose a year, scenarios, draws and seed; run on the user's records or an uploaded file."""
    form = RevenueForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        year = data["year"]
        name = data["file"].name if data["source"] == "upload" else _("deployment records")
        try:
            if data["source"] == "upload":
                inputs = revenue_runs.upload_rows(data["file"], year, data["file_access_level"])
            else:
                inputs = revenue_runs.platform_rows(year, request.user)
            run = revenue_runs.run_revenue(
                data["title"] or _("Revenue to the state, %(year)s") % {"year": year},
                inputs,
                data,
                input_kind=data["source"],
                user=request.user,
            )
        except TableError as failure:
            errors = [error.format(name) for error in failure.errors]
        except revenue.RevenueError as error:
            errors = [f"{name}: {error}"]
        else:
            messages.success(request, _("Estimated and saved."))
            return redirect("estimation:revenue_detail", pk=run.pk)
    return render(request, "estimation/revenue_form.html", {"form": form, "errors": errors})


def _detail(request: HttpRequest, run: EstimateRun, **extra: Any) -> HttpResponse:
    context = {
        "run": run,
        "doc": run.results,
        "figures": revenue_runs.figures(run.results),
        "evidence": revenue_runs.evidence_rows(run),
        "can_publish": _user(request).can(Capability.PUBLISH_ESTIMATES),
        "current_version": software_version(),
        **revenue_sources.page_context(run.results, request.user),
        **extra,
    }
    return render(request, "estimation/revenue_detail.html", context)


@requires(Capability.RUN_ESTIMATES)
def revenue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


@requires(Capability.RUN_ESTIMATES)
@require_POST
def revenue_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute from the frozen rows and say whether every number came out the same."""
    run = _visible(request, pk)
    fresh = revenue_runs.rerun(run)
    changed = sorted(
        key for key in set(run.results) | set(fresh) if run.results.get(key) != fresh.get(key)
    )
    return _detail(request, run, rerun={"identical": not changed, "changed": changed})


@requires(Capability.PUBLISH_ESTIMATES)
@require_POST
def revenue_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish at /revenue/ (only if every input row is public), or withdraw."""
    run = _visible(request, pk)
    try:
        run = revenue_runs.publish(run, not run.published, by=_user(request))
    except revenue_runs.NotPublishable as refused:
        return _detail(request, run, refused=refused.problems)
    if run.published:
        messages.success(request, _("Published: the run is public at /revenue/."))
    else:
        messages.success(
            request,
            _("Withdrawn: the run is %(level)s again, as its rows are.")
            % {"level": run.get_access_level_display().lower()},
        )
    return redirect("estimation:revenue_detail", pk=run.pk)
