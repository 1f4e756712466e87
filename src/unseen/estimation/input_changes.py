"""Finding published estimates whose inputs changed after they ran (a kind of evidence gap).

A run records its inputs (`DerivedRecord.derived_from`: model and id of each stored record). One
of them edited after the run was made (its `updated_at`), or deleted since, means the published
numbers no longer rest on the records as they are. Re-running from the frozen inputs gives the
same numbers by design, so the fix is a new run on the current records, published in its place,
and this one withdrawn: a withdrawn run is no longer in the queue.

Runs made from a linkage run are in the queue too, published or not, when the records their lists
held changed since (`provenance`, ADR 0041): they are estimated again from a fresh linkage run.

Only changes to inputs the reader may read now are counted, and a deleted input (which was public
when the run was published, as every input of a published run is): a change to a record since
made confidential must not show a lower reader that something happened to it.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.accounts.roles import Capability
from unseen.documentation.gap_finding import Gap, GapKind, register
from unseen.evidence.models import Record

from .models import EstimateRun, RunKind


def changed_inputs(runs: Sequence[EstimateRun], user: UserLike) -> dict[int, int]:
    """Run id -> how many of its stored inputs `user` may read changed or vanished after it ran.

    One query per kind of input across all the runs, never one per run or per input.
    """
    levels = set(visible_access_levels(user))
    wanted: dict[str, set[Any]] = {}
    for run in runs:
        for entry in run.derived_from:
            if entry.get("model") and entry.get("pk") is not None:
                wanted.setdefault(entry["model"], set()).add(entry["pk"])
    now: dict[tuple[str, Any], tuple[Any, str]] = {}
    for label, pks in wanted.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue  # a kind since removed: its inputs read as missing
        if not issubclass(model, Record):
            continue
        found = model._default_manager.filter(pk__in=pks).values_list(
            "pk", "updated_at", "access_level"
        )
        for pk, updated_at, level in found:
            now[label, pk] = (updated_at, level)
    changed: dict[int, int] = {}
    for run in runs:
        seen = set()
        for entry in run.derived_from:
            key = (entry.get("model"), entry.get("pk"))
            if not key[0] or key[1] is None or key in seen:
                continue
            seen.add(key)
            current = now.get(key)
            if current is None or (current[1] in levels and current[0] > run.created_at):
                changed[run.pk] = changed.get(run.pk, 0) + 1
    return changed


#: Runs made from a linkage run judged for the queue: the newest this many the reader may read.
MAX_LINKED = 500


def stale_rows(user: UserLike) -> list[EstimateRun]:
    """Runs `user` may read whose inputs changed after they ran, newest first: published runs
    with a stored input changed or deleted, and runs made from a linkage run whose lists' records
    changed (`provenance.staleness`).

    Published runs are few (each is a public page someone chose to make), so they are all read
    and judged here; their inputs are fetched in bulk. Runs from linkage runs are judged in bulk
    too, the newest `MAX_LINKED`.
    """
    from .provenance import staleness  # it imports the linkage and documentation models

    visible = EstimateRun.objects.visible_to(user).order_by("-created_at", "-id")
    runs = list(visible.filter(published=True).defer("results", "histories", "inputs"))
    linked = list(
        visible.filter(kind=RunKind.MSE, linkage_run__isnull=False).defer(
            "results", "histories", "inputs"
        )[:MAX_LINKED]
    )
    changed = changed_inputs(runs, user)
    records = staleness(linked, user)
    by_pk = {run.pk: run for run in [*runs, *linked]}
    stale = []
    for run in sorted(by_pk.values(), key=lambda r: (r.created_at, r.pk), reverse=True):
        found = records.get(run.pk)
        if changed.get(run.pk) or found:
            run.changed_inputs = changed.get(run.pk, 0)
            run.stale_records = found.records if found else 0
            run.stale_lists = found is not None and bool(found) and not found.records
            stale.append(run)
    return stale


def present_stale(rows: Sequence[EstimateRun], user: UserLike) -> list[Gap]:
    items = []
    for run in rows:
        name = "estimation:revenue_detail" if run.kind == RunKind.REVENUE else "estimation:detail"
        url = reverse(name, args=[run.pk])
        count = getattr(run, "changed_inputs", 0)
        records = getattr(run, "stale_records", 0)
        date = date_format(run.created_at, "DATE_FORMAT")
        details = []
        if count:
            details.append(
                ngettext(
                    "%(count)s input changed since it ran on %(date)s",
                    "%(count)s inputs changed since it ran on %(date)s",
                    count,
                )
                % {"count": count, "date": date}
            )
        if records:
            details.append(
                ngettext(
                    "%(count)s record on its lists changed since it ran on %(date)s",
                    "%(count)s records on its lists changed since it ran on %(date)s",
                    records,
                )
                % {"count": records, "date": date}
            )
        elif getattr(run, "stale_lists", False):
            details.append(
                _("who is on its lists changed since it ran on %(date)s") % {"date": date}
            )
        items.append(
            Gap(
                label=run.title,
                detail="; ".join(str(d) for d in details),
                record_url=url,
                fix_url=url,
            )
        )
    return items


def connect() -> None:
    register(
        GapKind(
            "stale-estimates",
            _("Estimates whose inputs changed"),
            _(
                "A record the estimate was computed from was changed or deleted after it ran "
                "(for a published estimate, or one made from a linkage run): estimate again on "
                "the current records, from a fresh linkage run where there was one, publish the "
                "new run and withdraw this one."
            ),
            _("Open the run"),
            stale_rows,
            present_stale,
            capability=Capability.RUN_ESTIMATES,
            order=60,
        )
    )
