"""The other names and the list identifiers of an organisation or a public figure: shown on its
page, edited on a page of their own.

Aliases and identifiers are rows of their own, not fields of the record, so the record's edit
form does not hold them. A change to them is a revision of the record (its reason and source,
"Aliases" or "External identifiers" among what changed) and each row's write is audited.
"""

from typing import Any, cast

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from unseen.accounts.access import requires
from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.evidence.revisions import note_change, revising

from .browsing import kind_of
from .forms import RevisionForm, names_formsets
from .suggesting import ALIASES


def names_of(record: Any) -> dict[str, Any]:
    """The record page's aliases (with their scripts) and external identifiers."""
    return {
        "aliases": list(record.aliases.order_by("name")),
        "identifiers": list(record.identifiers.order_by("scheme", "value")),
    }


@requires(Capability.EDIT_RECORDS)
def names(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_of(kind)
    if spec.model not in ALIASES:
        raise Http404
    user = cast(User, request.user)
    record = spec.get(user, pk)
    data = request.POST if request.method == "POST" else None
    aliases, identifiers = names_formsets(record, data)
    revision = RevisionForm(data, user=user, editing=True)
    if data is not None and all([aliases.is_valid(), identifiers.is_valid(), revision.is_valid()]):
        changed = [
            part
            for part, formset in (("aliases", aliases), ("identifiers", identifiers))
            if formset.has_changed()
        ]
        with transaction.atomic(), revising(**revision.why()):
            aliases.save()
            identifiers.save()
            if changed:
                note_change(record, changed, revision.cleaned_data["reason"])
        messages.success(request, _("Saved."))
        return redirect("documentation:detail", kind=spec.slug, pk=record.pk)
    return render(
        request,
        "documentation/names_form.html",
        {
            "kind": spec,
            "record": record,
            "aliases": aliases,
            "identifiers": identifiers,
            "revision": revision,
        },
    )
