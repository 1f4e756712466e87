"""Bulk actions on a list: the preview and the confirmation (ADR 0027)."""

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from unseen.accounts.access import requires
from unseen.accounts.models import AccessLevel, User
from unseen.accounts.roles import Capability

from . import bulk_editing
from .browsing import Kind, kind_of
from .forms import BulkForm


@requires(Capability.EDIT_RECORDS)
@require_POST
def bulk(request: HttpRequest, kind: str) -> HttpResponse:
    """POSTed from the list: the preview. POSTed from the preview with `confirm`: the change."""
    spec = kind_of(kind)
    if kind not in bulk_editing.bulk_kinds():
        raise Http404
    user: User = request.user  # type: ignore[assignment]
    form = BulkForm(request.POST, user=user)
    chosen = bulk_editing.selection(spec, user, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("documentation:list", kind=spec.slug)
    extra = bulk_editing.registered_action(form.cleaned_data["action"])
    if extra is not None:
        return _registered(request, spec, user, form, chosen, extra)
    tagging = form.cleaned_data["action"] == BulkForm.TAG
    if tagging:
        plan = bulk_editing.plan_tagging(spec, chosen, form.cleaned_data["tag"])
    else:
        plan = bulk_editing.plan_access_change(spec, user, chosen, form.cleaned_data["level"])
    if "confirm" in request.POST:
        reason = form.reason_given()
        expected = request.POST.get("expected", "")
        if reason and expected != str(len(plan.changing)):
            # Someone changed the records since the preview: what was confirmed is not this.
            messages.error(request, _("The selection changed since the preview; check it again."))
        elif reason and tagging:
            changed = bulk_editing.add_tag(plan, reason)
            messages.success(
                request,
                ngettext("Tagged %(count)d record.", "Tagged %(count)d records.", changed)
                % {"count": changed},
            )
            return redirect("documentation:list", kind=spec.slug)
        elif reason:
            try:
                changed = bulk_editing.change_access_level(plan, reason)
            except bulk_editing.BulkRefused as refused:
                messages.error(request, str(refused))
                plan = bulk_editing.plan_access_change(
                    spec, user, chosen, form.cleaned_data["level"]
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "Changed the access level of %(count)d record.",
                        "Changed the access level of %(count)d records.",
                        changed,
                    )
                    % {"count": changed},
                )
                return redirect("documentation:list", kind=spec.slug)
    return _preview(
        request,
        spec,
        form,
        plan,
        {
            "tagging": tagging,
            "level_label": dict(AccessLevel.choices).get(form.cleaned_data.get("level") or ""),
        },
    )


def _registered(
    request: HttpRequest,
    spec: Kind,
    user: User,
    form: BulkForm,
    chosen: QuerySet[Any],
    action: bulk_editing.BulkAction,
) -> HttpResponse:
    """An action another app registered (assignment) or sending to review: the same preview and
    confirmation as the built-in ones."""
    value = str(form.cleaned_data.get(action.field) or "") if action.field else ""
    plan = action.plan(spec, user, chosen, value)
    if "confirm" in request.POST:
        reason = form.reason_given()
        if reason and request.POST.get("expected", "") != str(len(plan.changing)):
            messages.error(request, _("The selection changed since the preview; check it again."))
        elif reason:
            try:
                changed = action.apply(plan, reason, user)
            except bulk_editing.BulkRefused as refused:
                messages.error(request, str(refused))
                plan = action.plan(spec, user, chosen, value)
            else:
                messages.success(request, action.done(changed))
                return redirect("documentation:list", kind=spec.slug)
    return _preview(
        request,
        spec,
        form,
        plan,
        {
            "action": action,
            "value_label": form.fields[action.field].label if action.field else "",
            "value_shown": action.describe(value) if action.describe else value,
            "unchanged_text": action.unchanged(plan.unchanged) if plan.unchanged else "",
        },
    )


def _preview(
    request: HttpRequest,
    spec: Kind,
    form: BulkForm,
    plan: bulk_editing.Plan,
    extra: dict[str, Any],
) -> HttpResponse:
    ticked = [value for value in request.POST.getlist("ids") if value.isdigit()]
    return render(
        request,
        "documentation/bulk_preview.html",
        {
            "kind": spec,
            "form": form,
            "plan": plan,
            "all": request.POST.get("all") == "1",
            "query": request.POST.get("query", ""),
            "ticked": ticked[: bulk_editing.MAX_TICKED],
            **extra,
        },
    )
