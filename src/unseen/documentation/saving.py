"""Saved searches: a list's filters or a search kept under a name, and what they find now.

A saved search keeps only its query string, cut down to the parameters its page reads: the list's
filters and words, or the search's words and facets. Anything else in it (a page number, a name
for the vault lookup, which is POST-only and never in a query string anyway) is dropped before it
is stored. Every count is made again for the reader, at the reader's levels, through the same
code as the page it opens (`listing.listed`, `searching`): a colleague's shared search never
counts what the reader may not open (docs/decisions/0024-saved-searches.md).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import User

from . import searching
from .browsing import KINDS, kind_of
from .forms import FilterForm
from .indexing import other_kinds
from .listing import COUNT_LIMIT, listed
from .models import SavedSearch, SavedSearchVisit

MAX_QUERY = 1000
NAME_REQUIRED = _("Give the search a name.")


def parameters(kind: str) -> tuple[str, ...]:
    """The query parameters the page of `kind` reads, in the order they are stored."""
    if kind == SavedSearch.SEARCH:
        return ("q", *searching.FACETS)
    return tuple(FilterForm.base_fields)


def canonical_query(kind: str, raw: str) -> str:
    """`raw` cut down to the parameters of `kind`'s page, the first value of each, blanks left
    out, in one order: the same search saved twice is stored the same way."""
    params = QueryDict(raw)
    kept = []
    for name in parameters(kind):
        value = str(params.get(name, "")).strip()
        if value:
            kept.append((name, value))
    return urlencode(kept)


def query_errors(kind: str, query: str) -> list[str]:
    """What is wrong with `query` on `kind`'s page, in the page's own words (an unknown value, a
    filter the kind has none of): the messages the page shows when the search is opened."""
    params = QueryDict(query)
    if kind == SavedSearch.SEARCH:
        parsed = searching.parse(params)
        if parsed.errors:
            return parsed.errors
        if parsed.empty:
            return [gettext("Search for some words or choose a filter before saving the search.")]
        return []
    form = FilterForm(params or None, kind=kind_of(kind))
    if not form.is_bound or form.is_valid():
        return []
    return [str(message) for messages in form.errors.values() for message in messages]


def page_url(kind: str, query: str) -> str:
    """The page a saved search opens: its list, or the search, with its query."""
    if kind == SavedSearch.SEARCH:
        base = reverse("documentation:search")
    else:
        base = reverse("documentation:list", args=[kind])
    return f"{base}?{query}" if query else base


def kind_label(kind: str) -> str:
    if kind == SavedSearch.SEARCH:
        return gettext("Search of every kind")
    return str(KINDS[kind].label) if kind in KINDS else kind


class SaveSearchForm(forms.ModelForm[SavedSearch]):
    """The "Save this search" control of a list or the search page: a name, private or shared,
    and the page's kind and query (hidden fields, checked here as if typed)."""

    name = forms.CharField(max_length=100, error_messages={"required": NAME_REQUIRED})
    kind = forms.CharField(max_length=20, widget=forms.HiddenInput)
    query = forms.CharField(max_length=MAX_QUERY, required=False, widget=forms.HiddenInput)

    class Meta:
        model = SavedSearch
        fields = ("name", "shared", "kind", "query")

    def clean_kind(self) -> str:
        kind = str(self.cleaned_data["kind"])
        if kind != SavedSearch.SEARCH and kind not in KINDS:
            raise forms.ValidationError(_("Only a list or the search can be saved."), code="kind")
        return kind

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind:
            query = canonical_query(kind, cleaned.get("query") or "")
            for message in query_errors(kind, query):
                self.add_error(None, message)
            cleaned["query"] = query
        return cleaned


class RenameForm(forms.ModelForm[SavedSearch]):
    name = forms.CharField(max_length=100, error_messages={"required": NAME_REQUIRED})

    class Meta:
        model = SavedSearch
        fields = ("name", "shared")


def save(form: SaveSearchForm, owner: User) -> SavedSearch:
    """Keep the search; its owner has looked at it now, so nothing in it is new to them yet."""
    with transaction.atomic():
        saved = form.save(commit=False)
        saved.owner = owner
        saved.save()
        SavedSearchVisit.objects.create(
            saved_search=saved, user=owner, last_seen_at=saved.created_at
        )
    return saved


def readable_by(user: User) -> QuerySet[SavedSearch]:
    """The user's own saved searches and those the team shares."""
    return SavedSearch.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


def owned_by(user: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(owner=user)


def open_search(saved: SavedSearch, user: User) -> str:
    """Mark `saved` as looked at by `user` now, and answer the page that runs it."""
    with transaction.atomic():
        SavedSearchVisit.objects.update_or_create(
            saved_search=saved, user=user, defaults={"last_seen_at": timezone.now()}
        )
    return page_url(saved.kind, saved.query)


@dataclass
class Counted:
    """A saved search as one reader sees it. `count` and `new` are None when its query no longer
    holds (opening it shows why); each is capped at `cap` (`capped` says it was reached)."""

    saved: SavedSearch
    mine: bool
    kind_label: str
    count: int | None = None
    new: int | None = None
    capped: bool = False
    cap: int = COUNT_LIMIT
    filters: list[tuple[str, str]] = field(default_factory=list)


def _since(saved: SavedSearch, user: User) -> datetime:
    # Never opened by this reader: new since it was saved, so a colleague's shared search does not
    # greet them with everything it ever found as new.
    visit = SavedSearchVisit.objects.filter(saved_search=saved, user=user).first()
    return visit.last_seen_at if visit is not None else saved.created_at


def _capped(queryset: QuerySet[Any], cap: int) -> int:
    # Unordered and cut off, as the list pages count (views.CappedPaginator).
    return int(queryset.order_by()[: cap + 1].count())


def _count_list(counted: Counted, user: User, since: datetime) -> None:
    spec = kind_of(counted.saved.kind)
    form, records = listed(spec, QueryDict(counted.saved.query), user)
    if form.is_bound and not form.is_valid():
        return
    total = _capped(records, COUNT_LIMIT)
    counted.capped = total > COUNT_LIMIT
    counted.count = min(total, COUNT_LIMIT)
    counted.new = min(_capped(records.filter(created_at__gt=since), COUNT_LIMIT), COUNT_LIMIT)


def _count_search(counted: Counted, user: User, since: datetime) -> None:
    query = searching.parse(QueryDict(counted.saved.query))
    if query.errors or query.empty:
        return
    cap = counted.cap = searching.CANDIDATES
    rows = list(searching.found(query, user).order_by().values_list("kind", "object_id")[: cap + 1])
    counted.capped = len(rows) > cap
    counted.count = min(len(rows), cap)
    ids: dict[str, list[int]] = defaultdict(list)
    for kind, object_id in rows[:cap]:
        ids[kind].append(object_id)
    # The index has no creation time; the records have, and are asked at the reader's levels.
    others = other_kinds()
    counted.new = sum(
        (KINDS[kind].visible if kind in KINDS else others[kind].visible)(user)
        .filter(pk__in=chunk, created_at__gt=since)
        .count()
        for kind, chunk in ids.items()
        if kind in KINDS or kind in others
    )


def _filters(saved: SavedSearch) -> list[tuple[str, str]]:
    """The query as (label, value) pairs for the page: the values as stored, labels translated."""
    params = QueryDict(saved.query)
    labels: dict[str, str] = {}
    if saved.kind == SavedSearch.SEARCH:
        labels = {name: searching.facet_label(name) for name in searching.FACETS}
        labels["q"] = gettext("Words")
    else:
        labels = {name: str(f.label) for name, f in FilterForm.base_fields.items()}
    return [(labels.get(name, name), str(params.get(name, ""))) for name in params]


def counted(saved: SavedSearch, user: User) -> Counted:
    """What `saved` finds for `user` now, and how much of it is new since they last looked."""
    result = Counted(
        saved, saved.owner_id == user.pk, kind_label(saved.kind), filters=_filters(saved)
    )
    since = _since(saved, user)
    if saved.kind == SavedSearch.SEARCH:
        _count_search(result, user, since)
    elif saved.kind in KINDS:
        _count_list(result, user, since)
    return result


def listing_for(user: User) -> list[Counted]:
    """Every saved search `user` may open, theirs first, each counted for them."""
    searches = sorted(readable_by(user), key=lambda s: (s.owner_id != user.pk, s.name.lower()))
    return [counted(saved, user) for saved in searches]
