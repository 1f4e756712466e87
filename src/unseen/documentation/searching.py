"""Searching the index: words, filters and facet counts over the entries a reader may see.

One interface over two databases: words of three letters or more go to the trigram index (FTS5
on SQLite, pg_trgm on PostgreSQL); shorter ones (벌목, 중국: Korean words are often two syllables)
to the word-token index of CJK bigrams (FTS5 unicode61 on SQLite, a 'simple' tsvector on
PostgreSQL), as exact tokens. Hits are ranked and facets counted among the first CANDIDATES
matches, so no search reads every match of a common word (docs/decisions/0013).

Every count and every hit comes from entries at the reader's levels only: a facet never counts
what the reader may not open.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel, UserLike, visible_access_levels
from unseen.core import bigrams
from unseen.evidence.models import Reliability

from .browsing import KINDS
from .filtering import (
    resolve_access_level,
    resolve_country,
    resolve_labelled,
    resolve_reliability,
    resolve_sector,
    resolve_year,
    unknown_value,
)
from .indexing import fold, name_key, other_kinds
from .models import SearchEntry
from .reading import country_text
from .sectors import BY_KEY

TABLE = "documentation_searchentry"
FTS_TABLE = "documentation_searchentry_fts"
TOKEN_TABLE = "documentation_searchentry_tok"  # noqa: S105 (a table of word tokens)
TRIGRAM = 3  # words shorter than a trigram cannot use the index: substring matching
MAX_WORDS = 10
MAX_WORD = 100
HITS = 50  # hits a page shows
MAX_PAGE_DIGITS = 6  # a longer page number is no page: read as page 1
# Hits are ranked and facets counted among at most this many matches: past it, counting every
# match costs seconds at a million entries and tells the researcher little (the page says so).
CANDIDATES = 2_000
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


def resolve_kind(value: str) -> str | None:
    """A kind's slug from its slug or its name (plural or singular) in English or Korean."""
    # The model's lazy names, not `Kind.label`: each is read under each language.
    models = [(slug, spec.model) for slug, spec in KINDS.items()]
    models += [(slug, other.model) for slug, other in other_kinds().items()]
    names = [(slug, model._meta.verbose_name_plural) for slug, model in models]
    names += [(slug, model._meta.verbose_name) for slug, model in models]
    return resolve_labelled(value, names)


RESOLVERS = {
    "kind": resolve_kind,
    "country": resolve_country,
    "sector": resolve_sector,
    "year": resolve_year,
    "grade": resolve_reliability,
    "access_level": resolve_access_level,
}


@dataclass
class Query:
    text: str = ""
    words: list[str] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    page: int = 1

    @property
    def empty(self) -> bool:
        return not self.words and not self.filters


def parse(params: Mapping[str, Any]) -> Query:
    """The words and filters of a search request; a filter value naming nothing is an error,
    never silently dropped (it would widen the search the reader thinks they narrowed)."""
    text = str(params.get("q", "")).strip()[:500]
    words = list(dict.fromkeys(word[:MAX_WORD] for word in fold(text).split()))[:MAX_WORDS]
    query = Query(text=text, words=words, page=_page_number(params.get("page")))
    for name in FACETS:
        value = str(params.get(name, "")).strip()
        if not value:
            continue
        resolved = RESOLVERS[name](value)
        if resolved is None:
            query.errors.append(unknown_value(facet_label(name), value))
        else:
            query.filters[name] = resolved
    return query


def _page_number(value: Any) -> int:
    """The page asked for; anything but a positive whole number (a typo, a hand-edited
    address) is page 1, not an error page: the words and filters still stand."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > MAX_PAGE_DIGITS:
        return 1
    return max(int(text), 1)


def _token_words(words: list[str]) -> tuple[list[str], list[str]]:
    """The tokens the short words must all have, and the words no token answers (a lone CJK
    letter, which only a substring scan finds)."""
    tokens: list[str] = []
    scan: list[str] = []
    for word in words:
        found = bigrams.tokens(word)
        if len(word) == 1 and bigrams.is_cjk(word):
            scan.append(word)
        elif found:
            tokens.extend(found)
    return list(dict.fromkeys(tokens)), scan


def _fts(expression_words: list[str]) -> str:
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in expression_words)


def matching(
    words: list[str], entries: QuerySet[SearchEntry] | None = None
) -> QuerySet[SearchEntry]:
    """The `entries` (default: all) whose text holds every word, on either database.

    Words of three letters or more are substrings of the body (FTS5 trigrams on SQLite, pg_trgm
    on PostgreSQL); shorter ones are tokens (a CJK bigram, a short Latin word) of the word-token
    index over `tokens`. One index drives the read and the rows come in its order, so a LIMIT
    stops it early: no plan reads every match (docs/decisions/0013).
    """
    entries = SearchEntry.objects.all() if entries is None else entries
    long = [word for word in words if len(word) >= TRIGRAM]
    tokens, scan = _token_words([word for word in words if len(word) < TRIGRAM])
    if connection.vendor == "sqlite":
        # The first index joins the table (SQLite then walks it in rowid order and can stop at
        # the LIMIT); the other, when both are needed, is read once into an IN set.
        lookups = [(FTS_TABLE, _fts(long))] if long else []
        if tokens:
            lookups.append((TOKEN_TABLE, _fts(tokens)))
        if lookups:
            table, expression = lookups[0]
            entries = entries.extra(  # noqa: S610 (constant names; the words are a parameter)
                tables=[table],
                where=[f"{table}.rowid = {TABLE}.id", f"{table} MATCH %s"],
                params=[expression],
            )
        for table, expression in lookups[1:]:
            entries = entries.filter(
                id__in=RawSQL(  # noqa: S611
                    f"SELECT rowid FROM {table} WHERE {table} MATCH %s",  # noqa: S608
                    [expression],
                )
            )
    else:
        for word in long:
            entries = entries.filter(body__contains=word)
        if tokens:
            # The same expression as the migration's GIN index, so the index answers it.
            entries = entries.extra(
                where=["to_tsvector('simple', tokens) @@ plainto_tsquery('simple', %s)"],
                params=[" ".join(tokens)],
            )
    for word in scan:
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
    # Country, year and source grade from the entry's own columns: no query per hit.
    summary: str = ""


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
    # More matches than CANDIDATES: `total` and the facet counts are of the first CANDIDATES.
    capped: bool = False
    cap: int = CANDIDATES
    facets: list[tuple[str, str, list[FacetValue]]] = field(default_factory=list)
    page: int = 1
    pages: int = 1
    per_page: int = HITS
    # The page asked for was past the last: the last is shown, and the page says so.
    page_asked: int | None = None
    previous_url: str = ""
    next_url: str = ""

    @property
    def first(self) -> int:
        """The number of the page's first hit, counting from 1."""
        return (self.page - 1) * self.per_page + 1 if self.hits else 0

    @property
    def last(self) -> int:
        return self.first + len(self.hits) - 1 if self.hits else 0


def _value_label(name: str, value: str) -> str:
    if name == "kind":
        spec = KINDS.get(value) or other_kinds().get(value)
        return str(capfirst(spec.label)) if spec is not None else value
    if name == "country":
        return country_text(value)
    if name == "sector":
        return str(BY_KEY[value].label) if value in BY_KEY else value
    if name == "grade":
        return str(Reliability(value).label) if value in Reliability.values else value
    if name == "access_level":
        return str(AccessLevel(value).label) if value in AccessLevel.values else value
    return value


COLUMNS = ("kind", "country", "sectors", "year", "grade", "access_level")


def _counts(rows: list[tuple[Any, ...]]) -> dict[str, dict[str, int]]:
    """Every facet's counts from the candidates' facet columns (COLUMNS, then more)."""
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for row in rows:
        for name, raw in zip(FACETS, row, strict=False):
            values = [v for v in str(raw).split("|") if v] if name == "sector" else [raw]
            for value in values:
                if value not in (None, ""):
                    counts[name][str(value)] = counts[name].get(str(value), 0) + 1
    return counts


def _facet_url(query: Query, name: str, value: str | None) -> str:
    """The search narrowed by one more facet value (back to its first page)."""
    params = {"q": query.text, **query.filters}
    if value is None:
        params.pop(name, None)
    else:
        params[name] = value
    return "?" + urlencode({k: v for k, v in params.items() if v})


# The kind whose names are found by any romanisation of them (indexing.name_key).
NAMED_KIND = "public-figures"


def _named(query: Query, user: UserLike) -> list[int]:
    """Entries of public figures `user` may see whose name, in any romanisation or in Hangul,
    begins as the query's words do: "Chong Song-hwa" and 정성화 find Jong Song Hwa."""
    entries = visible_entries(user).filter(kind=NAMED_KIND)
    if not query.words or not entries.exists():
        return []  # no figure to find: the query is not folded (the folding loads pandas)
    key = name_key(" ".join(query.words))
    if len(key) <= TRIGRAM:
        return []
    return list(matching([key], entries).values_list("id", flat=True)[:CANDIDATES])


def found(query: Query, user: UserLike) -> QuerySet[SearchEntry]:
    """Every entry `user` may see matching `query`'s words and filters (unordered, uncapped),
    and the public figures whose name the words spell another way."""
    entries = matching(query.words, visible_entries(user))
    named = _named(query, user)
    if named:
        # Only when a figure's name matched: the union costs the index's early stop.
        entries = visible_entries(user).filter(Q(id__in=entries.values("id")) | Q(id__in=named))
    return _filtered(entries, query.filters)


def _page_url(query: Query, page: int) -> str:
    """The same words and filters, another page."""
    params: dict[str, Any] = {"q": query.text, **query.filters}
    if page > 1:
        params["page"] = page
    return "?" + urlencode({k: v for k, v in params.items() if v})


def _summary(row: tuple[Any, ...]) -> str:
    """The line under a hit ("Russia · 2009 · Source grade B"), from its facet columns."""
    _kind, country, _sectors, year, grade = row[:5]
    parts = [country_text(country) if country else "", str(year) if year else ""]
    if grade in Reliability.values:
        parts.append(_("Source grade %(grade)s") % {"grade": grade})
    return " · ".join(part for part in parts if part)


def _kind_label(kind: str) -> str:
    """A hit's kind as one of it, capitalised ("Deployment"): the model's own verbose name."""
    spec = KINDS.get(kind) or other_kinds().get(kind)
    return str(capfirst(spec.singular)) if spec is not None else kind


def _hit_url(kind: str, object_id: int) -> str:
    """A hit's page: the record's, or the page another app's kind names (an evidence file's)."""
    other = other_kinds().get(kind)
    if other is not None:
        return other.url(object_id)
    return reverse("documentation:detail", args=[kind, object_id])


def run(query: Query, user: UserLike, limit: int | None = None, cap: int | None = None) -> Results:
    """Page `query.page` of `limit` hits, best first, the number of matches and the facet
    counts, all among the first `cap` matches (`Results.capped` says when there were more).
    A page past the last shows the last, with `page_asked` set."""
    cap = CANDIDATES if cap is None else cap
    limit = HITS if limit is None else limit
    results = Results(query, cap=cap)
    if query.errors or query.empty:
        return results
    entries = found(query, user)
    rows = list(entries.order_by().values_list(*COLUMNS, "object_id", "title")[: cap + 1])
    results.capped = len(rows) > cap
    rows = rows[:cap]
    results.total = len(rows)

    def score(row: tuple[Any, ...]) -> tuple[int, int]:
        title = fold(row[-1])
        return (-sum(word in title for word in query.words), -row[-2])

    results.per_page = limit
    results.pages = max(1, -(-len(rows) // limit))
    results.page = min(query.page, results.pages)
    if results.page != query.page:
        results.page_asked = query.page
    start = (results.page - 1) * limit
    results.hits = [
        Hit(
            row[0],
            _kind_label(row[0]),
            row[-1],
            _hit_url(row[0], row[-2]),
            _summary(row),
        )
        for row in sorted(rows, key=score)[start : start + limit]
    ]
    if results.page > 1:
        results.previous_url = _page_url(query, results.page - 1)
    if results.page < results.pages:
        results.next_url = _page_url(query, results.page + 1)
    every = _counts(rows)
    for name in FACETS:
        counts = every[name]
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
