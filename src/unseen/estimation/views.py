from pathlib import Path
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unseen.accounts.access import requires
from unseen.accounts.models import User, visible_access_levels
from unseen.accounts.roles import Capability
from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.reading import read_histories, read_strata
from unseen.core.tables import TableError
from unseen.evidence.models import declared_input
from unseen.linkage.draws import NoDraws, estimate_over_draws, has_pairs
from unseen.linkage.histories import NoHistories, capture_histories
from unseen.linkage.models import LinkageRun
from unseen.ui.uploads import saved_upload, table_limits

from . import diagnostics, provenance
from .forms import EstimateForm
from .models import SLOW_FOR_DRAWS, EstimateRun, RunKind, readable_sources, software_version
from .mse_runs import UPLOADED_TABLE, run_estimate
from .publication import NotPublishable, set_published
from .sensitivity_view import sensitivity_display

#: Rows of the table of the records a run's lists held, per page.
RECORDS_PER_PAGE = 200


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the permission decorators let only signed-in users through


def _visible(request: HttpRequest, pk: int) -> EstimateRun:
    runs = EstimateRun.objects.visible_to(request.user).filter(kind=RunKind.MSE)
    return get_object_or_404(runs, pk=pk)


@requires(Capability.RUN_ESTIMATES)
def run_list(request: HttpRequest) -> HttpResponse:
    runs = list(EstimateRun.objects.visible_to(request.user).select_related("created_by")[:200])
    readable = readable_sources(
        request.user, {pk for r in runs for pk in r.list_sources().values()}
    )
    rows = [(run, run.list_names(request.user, readable)) for run in runs]
    stale = provenance.staleness(runs, request.user)
    return render(
        request,
        "estimation/run_list.html",
        {"runs": rows, "stale": {pk for pk, found in stale.items() if found}},
    )


def _linked(request: HttpRequest) -> tuple[LinkageRun, CaptureHistories] | None:
    """The linkage run named by `?linkage=ID` and its clusters' capture histories, if any."""
    pk = request.GET.get("linkage")
    if pk is None:
        return None
    if not pk.isdigit():
        raise Http404
    run = get_object_or_404(LinkageRun.objects.visible_to(request.user), pk=int(pk))
    # The estimate would rest on every list, so it would be as restricted as the strictest
    # source: one the user may no longer read would make a run they could not open.
    levels = visible_access_levels(request.user)
    if any(source.access_level not in levels for source in run.lists()):
        raise Http404
    try:
        return run, capture_histories(run, request.user)
    except NoHistories:
        raise Http404 from None


def _linked_inputs(run: LinkageRun) -> list[dict[str, Any]]:
    """A linkage run's table rests on the run and on each source, which names a list."""
    return provenance.linked_inputs(run)


@requires(Capability.RUN_ESTIMATES)
def run_create(request: HttpRequest) -> HttpResponse:
    """Upload a capture-history table, or take a linkage run's, and run several methods on it;
    all or nothing."""
    # Here, not at the top: the URL conf loads this module in every command and web worker, and
    # `mse` loads SciPy, which takes seconds (#16).
    from unseen.core.estimation import mse
    from unseen.core.estimation.sensitivity import pooled

    linked = _linked(request)
    initial = None
    if linked:
        title = _("Linkage run #%(pk)s: %(entity)s")
        initial = {"title": title % {"pk": linked[0].pk, "entity": linked[0].get_entity_display()}}
    drawable = linked is not None and has_pairs(linked[0])
    form = EstimateForm(
        request.POST or None,
        request.FILES or None,
        linked=linked is not None,
        list_names=linked[1].lists if linked else (),
        drawable=drawable,
        initial=initial,
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        name = f"linkage-{linked[0].pk}" if linked else Path(data["file"].name).name
        strata = None
        try:
            if linked:
                histories = linked[1]
            elif data.get("stratum"):
                strata = _uploaded_strata(data["file"], data["stratum"], data["lists"])
                histories = pooled(strata)
            else:
                histories = _uploaded_histories(data["file"], data["lists"])
            uncertainty = None
            if linked:
                inputs = _linked_inputs(linked[0])
                if data.get("draws"):
                    uncertainty = estimate_over_draws(
                        linked[0],
                        histories.lists,
                        [m for m in data["methods"] if m not in SLOW_FOR_DRAWS],
                        draws=data["draws"],
                        seed=data["seed"],
                        ci=data["ci"],
                        level=data["level"],
                    )
            else:
                inputs = [declared_input(UPLOADED_TABLE, data["access_level"])]
            run = run_estimate(
                data["title"],
                histories,
                data["methods"],
                ci=data["ci"],
                level=data["level"],
                bootstrap=data["bootstrap"],
                seed=data["seed"],
                user=request.user,
                inputs=inputs,
                merges=data.get("merges") or (),
                strata=strata,
                stratum=data.get("stratum", ""),
                linkage_run=linked[0] if linked else None,
                linkage_uncertainty=uncertainty,
            )
        except NoDraws as refused:
            errors = [f"{name}: {refused}"]
        except TableError as failure:
            errors = [error.format(name) for error in failure.errors]
        except mse.EstimationError as error:
            errors = [f"{name}: {error}"]
        else:
            messages.success(request, _("Estimated and saved."))
            return redirect("estimation:detail", pk=run.pk)
    return render(
        request,
        "estimation/run_form.html",
        {
            "form": form,
            "errors": errors,
            "linked": linked[0] if linked else None,
            "drawable": drawable,
            "linked_url": reverse("linkage:detail", args=[linked[0].pk]) if linked else "",
            "histories": linked[1] if linked else None,
            "history_rows": [
                ([int(v) for v in pattern], int(count))
                for pattern, count in zip(linked[1].patterns, linked[1].counts, strict=True)
            ]
            if linked
            else [],
        },
    )


def _uploaded_histories(upload: Any, lists: list[str] | None) -> CaptureHistories:
    with saved_upload(upload) as path:
        return read_histories(path, lists, table_limits())


def _uploaded_strata(
    upload: Any, stratum: str, lists: list[str] | None
) -> dict[str, CaptureHistories]:
    with saved_upload(upload) as path:
        return read_strata(path, stratum, lists, table_limits())


def _detail(request: HttpRequest, run: EstimateRun, **extra: object) -> HttpResponse:
    names = run.list_names(request.user)
    context = {
        "run": run,
        "lists": names,
        "overlaps": run.overlaps(names),
        "results": run.shown_to(request.user, run.results),
        "forest": run.shown_to(request.user, run.forest()),
        "sensitivity": sensitivity_display(run, request.user),
        "can_publish": _user(request).can(Capability.PUBLISH_ESTIMATES),
        "current_version": software_version(),
        "provenance": provenance.panel(run, request.user),
        **extra,
    }
    context["diagnostics"] = diagnostics.for_results(cast(list[Any], context["results"]))
    return render(request, "estimation/run_detail.html", context)


@requires(Capability.RUN_ESTIMATES)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Only a run the user may read is redirected: the others are not found, whatever their kind.
    if EstimateRun.objects.visible_to(request.user).filter(pk=pk, kind=RunKind.REVENUE).exists():
        return redirect("estimation:revenue_detail", pk=pk)
    return _detail(request, _visible(request, pk))


@requires(Capability.RUN_ESTIMATES)
def run_records(request: HttpRequest, pk: int) -> HttpResponse:
    """The records each list of a run made from a linkage run held: those the reader may read,
    with links and whether each changed since; the others counted only."""
    run = _visible(request, pk)
    if not run.list_records:
        raise Http404
    changes = provenance.stale_changes(run, request.user)
    table = provenance.list_rows(run, request.user, changes.changed_pks)
    page = Paginator(table["rows"], RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "estimation/run_records.html",
        {"run": run, "lists": run.list_names(request.user), "page": page, **table},
    )


@requires(Capability.RUN_ESTIMATES)
@require_POST
def run_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute from the frozen inputs and say whether every number came out the same."""
    run = _visible(request, pk)
    fresh = run.rerun()
    changed = [
        stored["method"]
        for stored, again in zip(run.results, fresh, strict=False)
        if stored != again
    ]
    if len(fresh) != len(run.results):
        changed.append(_("(the number of results)"))
    return _detail(
        request,
        run,
        rerun={
            "identical": not changed,
            "changed": changed,
            "results": run.shown_to(request.user, fresh),
        },
    )


@requires(Capability.PUBLISH_ESTIMATES)
@require_POST
def run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a run on the public site (only if every input is public), or withdraw it."""
    run = _visible(request, pk)
    try:
        run = set_published(run, not run.published, by=_user(request))
    except NotPublishable as refused:
        return _detail(request, run, refused=refused.problems)
    if run.published:
        messages.success(request, _("Published: the run is public at /estimates/."))
    else:
        messages.success(
            request,
            _("Withdrawn: the run is %(level)s again, as its inputs are.")
            % {"level": run.get_access_level_display().lower()},
        )
    return redirect("estimation:detail", pk=run.pk)
