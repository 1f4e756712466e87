"""Searching the index: words, filters and facet counts over the entries a reader may see.

One interface over two databases: on SQLite the words of three letters or more go to the FTS5
trigram index in one MATCH; on PostgreSQL every word is a LIKE that pg_trgm's GIN index answers.
Shorter words (벌목, 중국: Korean words are often two syllables) are matched as substrings of the
matches the long words left, or of every entry when there are none (docs/decisions/0013).

Every count and every hit comes from entries at the reader's levels only: a facet never counts
what the reader may not open.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import pycountry
from django.db import connection
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel, UserLike, visible_access_levels
from unseen.core.places import country_code
from unseen.evidence.models import Reliability

from .browsing import KINDS
from .indexing import LANGUAGES, fold
from .models import SearchEntry
from .reading import country_text
from .sectors import BY_KEY

FTS_TABLE = "documentation_searchentry_fts"
TRIGRAM = 3  # words shorter than a trigram cannot use the index: substring matching
MAX_WORDS = 10
MAX_WORD = 100
HITS = 50
FACETS = ("kind", "country", "sector", "year", "grade", "access_level")


def facet_label(name: str) -> str:
    return {
        "kind": _("Kind"),
        "country": _("Country"),
        "sector": _("Sector"),
        "year": _("Year"),
        "grade": _("Source grade"),
        "access_level": _("Access level"),
    }[name]


@lru_cache(maxsize=4)
def _country_names() -> dict[str, str]:
    """Folded country names in every language the app speaks → code ("러시아" → RU)."""
    names: dict[str, str] = {}
    for language in LANGUAGES:
        with translation.override(language):
            for country in pycountry.countries:
                code = str(country.alpha_2)
                names.setdefault(fold(country_text(code)), code)
                names.setdefault(fold(str(country.name)), code)
    return names


def resolve_country(value: str) -> str | None:
    """A country code from a code or a name in English or Korean; None when it names none."""
    text = value.strip()
    if len(text) == 2 and pycountry.countries.get(alpha_2=text.upper()) is not None:
        return text.upper()
    try:
        return country_code(text)
    except ValueError:
        pass
    return _country_names().get(fold(text))


def resolve_sector(value: str) -> str | None:
    """A sector category key from its key or its label in English or Korean."""
    text = fold(value)
    if text in BY_KEY:
        return text
    for language in LANGUAGES:
        with translation.override(language):
            for key, category in BY_KEY.items():
                if fold(str(category.label)) == text:
                    return key
    return None


def resolve_kind(value: str) -> str | None:
    text = fold(value)
    if text in KINDS:
        return text
    for language in LANGUAGES:
        with translation.override(language):
            for slug, spec in KINDS.items():
                if text in (fold(spec.label), fold(spec.singular)):
                    return slug
    return None


def _resolve(name: str, value: str) -> str | None:
    if name == "kind":
        return resolve_kind(value)
    if name == "country":
        return resolve_country(value)
    if name == "sector":
        return resolve_sector(value)
    if name == "year":
        return value.strip() if value.strip().isdigit() and 1900 <= int(value) <= 2100 else None
    if name == "grade":
        return value.strip().upper() if value.strip().upper() in Reliability.values else None
    if name == "access_level":
        return value.strip() if value.strip() in AccessLevel.values else None
    return None


@dataclass
class Query:
    text: str = ""
    words: list[str] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.words and not self.filters


def parse(params: Mapping[str, Any]) -> Query:
    """The words and filters of a search request; a filter value naming nothing is an error,
    never silently dropped (it would widen the search the reader thinks they narrowed)."""
    text = str(params.get("q", "")).strip()[:500]
    words = list(dict.fromkeys(word[:MAX_WORD] for word in fold(text).split()))[:MAX_WORDS]
    query = Query(text=text, words=words)
    for name in FACETS:
        value = str(params.get(name, "")).strip()
        if not value:
            continue
        resolved = _resolve(name, value)
        if resolved is None:
            query.errors.append(
                _("Unknown %(filter)s: “%(value)s”. Choose a value from the menu.")
                % {"filter": facet_label(name).lower(), "value": value[:100]}
            )
        else:
            query.filters[name] = resolved
    return query


def matching(
    words: list[str], entries: QuerySet[SearchEntry] | None = None
) -> QuerySet[SearchEntry]:
    """The `entries` (default: all) whose text holds every word as a substring, on either database."""
    entries = SearchEntry.objects.all() if entries is None else entries
    rest = words
    if connection.vendor == "sqlite":
        long = [word for word in words if len(word) >= TRIGRAM]
        if long:
            expression = " AND ".join('"' + word.replace('"', '""') + '"' for word in long)
            # The words travel as a parameter; only the constant table name is in the text.
            entries = entries.filter(
                id__in=RawSQL(  # noqa: S611
                    f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
                    [expression],
                )
            )
            rest = [word for word in words if len(word) < TRIGRAM]
    for word in rest:
        entries = entries.filter(body__contains=word)
    return entries


def visible_entries(user: UserLike) -> QuerySet[SearchEntry]:
    return SearchEntry.objects.filter(access_level__in=visible_access_levels(user))


def _filtered(entries: QuerySet[SearchEntry], filters: Mapping[str, str]) -> QuerySet[SearchEntry]:
    for name, value in filters.items():
        if name == "sector":
            entries = entries.filter(sectors__contains=f"|{value}|")
        elif name == "year":
            entries = entries.filter(year=int(value))
        else:
            entries = entries.filter(**{name: value})
    return entries


@dataclass(frozen=True)
class Hit:
    kind: str
    kind_label: str
    title: str
    url: str


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Results:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    facets: list[tuple[str, str, list[FacetValue]]] = field(default_factory=list)


def _value_label(name: str, value: str) -> str:
    if name == "kind":
        return str(KINDS[value].label) if value in KINDS else value
    if name == "country":
        return country_text(value)
    if name == "sector":
        return str(BY_KEY[value].label) if value in BY_KEY else value
    if name == "grade":
        return str(Reliability(value).label) if value in Reliability.values else value
    if name == "access_level":
        return str(AccessLevel(value).label) if value in AccessLevel.values else value
    return value


def _counts(entries: QuerySet[SearchEntry]) -> dict[str, dict[str, int]]:
    """Every facet's counts from one read of the matches' facet columns: one query, where a
    GROUP BY per facet would run the text match six times."""
    columns = ("kind", "country", "sectors", "year", "grade", "access_level")
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for row in entries.order_by().values_list(*columns).iterator(chunk_size=10_000):
        for name, raw in zip(FACETS, row, strict=True):
            values = [v for v in str(raw).split("|") if v] if name == "sector" else [raw]
            for value in values:
                if value not in (None, ""):
                    counts[name][str(value)] = counts[name].get(str(value), 0) + 1
    return counts


def _facet_url(query: Query, name: str, value: str | None) -> str:
    params = {"q": query.text, **query.filters}
    if value is None:
        params.pop(name, None)
    else:
        params[name] = value
    return "?" + urlencode({k: v for k, v in params.items() if v})


def run(query: Query, user: UserLike, limit: int = HITS) -> Results:
    """The first `limit` hits, best first, the number of hits and the facet counts."""
    results = Results(query)
    if query.errors or query.empty:
        return results
    entries = _filtered(matching(query.words, visible_entries(user)), query.filters)
    score: Any = Value(0)
    for word in query.words:
        score = score + Case(
            When(title__icontains=word, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    best = entries.annotate(score=score).order_by("-score", "-object_id")[:limit]
    results.hits = [
        Hit(
            entry.kind,
            _value_label("kind", entry.kind),
            entry.title,
            reverse("documentation:detail", args=[entry.kind, entry.object_id]),
        )
        for entry in best
    ]
    every = _counts(entries)
    for name in FACETS:
        counts = every[name]
        if name == "kind":
            results.total = sum(counts.values())
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        if name == "year":
            ordered = sorted(counts.items(), reverse=True)
        results.facets.append(
            (
                name,
                facet_label(name),
                [
                    FacetValue(
                        value,
                        _value_label(name, value),
                        count,
                        query.filters.get(name) == value,
                        _facet_url(query, name, value),
                    )
                    for value, count in ordered
                ],
            )
        )
    return results
