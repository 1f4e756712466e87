"""The saved searches page and its actions: thin, the work is in `saving`."""

from typing import cast

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unseen.accounts.access import requires
from unseen.accounts.models import User
from unseen.accounts.roles import Capability

from . import saving
from .models import SavedSearch


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the permission decorators let only signed-in users through


def _one(queryset: object, pk: int) -> SavedSearch:
    # 404 for another's private search, never 403: that would confirm it exists.
    try:
        return cast(SavedSearch, queryset.get(pk=pk))  # type: ignore[attr-defined]
    except SavedSearch.DoesNotExist:
        raise Http404 from None


@requires(Capability.VIEW_RECORDS)
def saved_searches(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "documentation/saved_searches.html",
        {"searches": saving.listing_for(user)},
    )


@requires(Capability.VIEW_RECORDS)
@require_POST
def saved_search_create(request: HttpRequest) -> HttpResponse:
    form = saving.SaveSearchForm(request.POST)
    if form.is_valid():
        saving.save(form, _user(request))
        messages.success(request, _("Search saved."))
        return redirect("documentation:saved_searches")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    kind = form.cleaned_data.get("kind")
    if kind:
        # Back to the page it came from, which shows the same message for a bad filter.
        return redirect(saving.page_url(kind, form.cleaned_data.get("query", "")))
    return redirect("documentation:saved_searches")


@requires(Capability.VIEW_RECORDS)
def saved_search_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a saved search: its page, with its query checked there as if typed, and "new since
    you last looked" starts again from now."""
    user = _user(request)
    saved = _one(saving.readable_by(user), pk)
    return redirect(saving.open_search(saved, user))


@requires(Capability.VIEW_RECORDS)
@require_POST
def saved_search_edit(request: HttpRequest, pk: int) -> HttpResponse:
    saved = _one(saving.owned_by(_user(request)), pk)
    form = saving.RenameForm(request.POST, instance=saved)
    if form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("Saved search changed."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("documentation:saved_searches")


@requires(Capability.VIEW_RECORDS)
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = _one(saving.owned_by(_user(request)), pk)
    with transaction.atomic():
        saved.delete()
    messages.success(request, _("Saved search deleted."))
    return redirect("documentation:saved_searches")
