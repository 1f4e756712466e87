"""Finding published estimates whose inputs changed after they ran (a kind of evidence gap).

A run records its inputs (`DerivedRecord.derived_from`: model and id of each stored record). One
of them edited after the run was made (its `updated_at`), or deleted since, means the published
numbers no longer rest on the records as they are. Re-running from the frozen inputs gives the
same numbers by design, so the fix is a new run on the current records, published in its place,
and this one withdrawn: a withdrawn run is no longer in the queue.

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


def stale_rows(user: UserLike) -> list[EstimateRun]:
    """Published runs `user` may read whose inputs changed after they ran, newest first.

    Published runs are few (each is a public page someone chose to make), so they are all read
    and judged here; their inputs are fetched in bulk.
    """
    runs = list(
        EstimateRun.objects.visible_to(user)
        .filter(published=True)
        .order_by("-created_at", "-id")
        .defer("results", "histories", "inputs")
    )
    changed = changed_inputs(runs, user)
    stale = []
    for run in runs:
        if changed.get(run.pk):
            run.changed_inputs = changed[run.pk]
            stale.append(run)
    return stale


def present_stale(rows: Sequence[EstimateRun], user: UserLike) -> list[Gap]:
    items = []
    for run in rows:
        name = "estimation:revenue_detail" if run.kind == RunKind.REVENUE else "estimation:detail"
        url = reverse(name, args=[run.pk])
        count = getattr(run, "changed_inputs", 0)
        items.append(
            Gap(
                label=run.title,
                detail=ngettext(
                    "%(count)s input changed since it ran on %(date)s",
                    "%(count)s inputs changed since it ran on %(date)s",
                    count,
                )
                % {"count": count, "date": date_format(run.created_at, "DATE_FORMAT")},
                record_url=url,
                fix_url=url,
            )
        )
    return items


def connect() -> None:
    register(
        GapKind(
            "stale-estimates",
            _("Published estimates whose inputs changed"),
            _(
                "A record the estimate was computed from was changed or deleted after it ran: "
                "estimate again on the current records, publish the new run and withdraw this one."
            ),
            _("Open the run"),
            stale_rows,
            present_stale,
            capability=Capability.RUN_ESTIMATES,
            order=60,
        )
    )
