"""Keeping the search index (`SearchEntry`) in step with the records it describes.

Every kind of record researchers browse gets one entry: its text (the kind's search fields, the
English and Korean labels of its vocabulary values and countries, the names of the records it
points at), its access level and its facets. Saves and deletes update it through signals, in the
same transaction as the write; bulk writes (imports, demo data) call `index_created_since`, and
`unseen search rebuild` makes it anew.

A related record's name enters the text only when every reader of the entry may read that record
too (its level is no stricter than the entry's): otherwise searching for a confidential site's name
would find, and so reveal, the internal deployments at it.

Apps above this one (evidence files) put their own kinds into the same index without this app
importing them: they `register` an `OtherKind` in their `AppConfig.ready`, saying how to make one
record's entry, which records' entries read theirs, where a hit links and what a reader may open.
"""

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Min
from django.utils import translation

from unseen.accounts.models import UserLike
from unseen.core import bigrams
from unseen.evidence.models import ACCESS_ORDER, Claim, Record, Source, strictest_access_level
from unseen.registry.models import (
    Designation,
    Organisation,
    OrganisationAlias,
    Person,
    PublicFigure,
    PublicFigureAlias,
    Site,
    pseudonym_given,
)

from .browsing import KINDS, Kind, slug_for
from .models import Deployment, Incident, Relation, SearchEntry, Sighting, Testimony
from .reading import COUNTRY_FIELDS, country_text
from .sectors import BY_KEY, categories_of

LANGUAGES = ("en", "ko")
BATCH = 1000
TITLE_LENGTH = 300


def fold(text: str) -> str:
    """What the index and the queries compare: width, case and spacing forgotten."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# Marks a name's romanisation-folded key in an entry's text, so that a query's key matches the
# start of a name's key and nothing else ("≈jong-song-hwa").
NAME_KEY = "≈"


def name_key(text: str) -> str:
    """A name's romanisation-folded key, marked (NAME_KEY): Jong Song Hwa, Chong Song-hwa and
    정성화 give one. The folding the vault's blind index of witnesses' names uses
    (core.linkage.names), here on names public sources print; "" when nothing folds."""
    # Imported here: the names module loads pandas and the romanizer, seconds at startup.
    from unseen.core.linkage.names import fold_name

    key = fold_name(text)
    return f"{NAME_KEY}{key}" if key else ""


def _no_dependents(model: type[models.Model], pks: list[int]) -> Iterable[models.QuerySet[Any]]:
    return ()


@dataclass(frozen=True)
class OtherKind:
    """A kind of record from an app above this one, in the search index (see `register`).

    - `entry(record)`: its entry, not saved (`make_entry` builds one from its text).
    - `url(pk)`: the page a hit links to.
    - `visible(user)`: the records of this kind `user` may open (saved searches count new ones).
    - `prepared(queryset)`: the queryset with what `entry` reads fetched (select_related...).
    - `dependents(model, pks)`: querysets of this kind whose entries read something of those
      records of `model` (their level, say): re-indexed when those are saved or deleted.
    """

    slug: str
    model: type[models.Model]
    entry: Callable[[Any], SearchEntry]
    url: Callable[[int], str]
    visible: Callable[[UserLike], models.QuerySet[Any]]
    prepared: Callable[[models.QuerySet[Any]], models.QuerySet[Any]] = lambda queryset: queryset
    dependents: Callable[[type[models.Model], list[int]], Iterable[models.QuerySet[Any]]] = (
        _no_dependents
    )

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def singular(self) -> str:
        return str(self.model._meta.verbose_name)


_OTHER: dict[str, OtherKind] = {}


def register(kind: OtherKind) -> None:
    """Put another app's kind into the index: its saves and deletes update it from now on, and
    `rebuild` writes it. Call from the app's `AppConfig.ready`."""
    if kind.slug in KINDS:
        raise ValueError(f"{kind.slug!r} is a documentation kind already")
    _OTHER[kind.slug] = kind
    uid = f"search-{kind.model._meta.label}"
    models.signals.post_save.connect(_on_save, sender=kind.model, dispatch_uid=uid)
    models.signals.post_delete.connect(_on_delete, sender=kind.model, dispatch_uid=f"{uid}-del")


def other_kinds() -> dict[str, OtherKind]:
    """The kinds other apps registered, by slug."""
    return dict(_OTHER)


def _other(model: type[models.Model]) -> OtherKind | None:
    return next((kind for kind in _OTHER.values() if kind.model is model), None)


def _slug(model: type[models.Model]) -> str:
    other = _other(model)
    return other.slug if other is not None else (slug_for(model) or "")


def make_entry(
    slug: str,
    record: Any,
    *,
    access_level: str,
    title: str,
    parts: Iterable[str],
    country: str = "",
    year: int | None = None,
) -> SearchEntry:
    """An entry (not saved) of another app's record, from the pieces of text it is found by."""
    body = fold(" ".join(part for part in parts if part))
    return SearchEntry(
        kind=slug,
        object_id=record.pk,
        access_level=access_level,
        title=title[:TITLE_LENGTH],
        body=body,
        tokens=" ".join(bigrams.tokens(body)),
        country=country.upper(),
        sectors="",
        year=year,
        grade="",
    )


@lru_cache(maxsize=1024)
def country_names(code: str) -> str:
    """The code and the country's names in every language the app speaks."""
    if not code:
        return ""
    names = [code]
    for language in LANGUAGES:
        with translation.override(language):
            names.append(country_text(code))
    return " ".join(dict.fromkeys(names))


@lru_cache(maxsize=256)
def sector_names(key: str) -> str:
    category = BY_KEY[key]
    names = [key]
    for language in LANGUAGES:
        with translation.override(language):
            names.append(str(category.label))
    return " ".join(dict.fromkeys(names))


def _choice_labels(record: Any, field: models.Field[Any, Any]) -> str:
    value = getattr(record, field.name)
    if value in (None, ""):
        return ""
    labels = [str(value)]
    for language in LANGUAGES:
        with translation.override(language):
            labels.append(str(getattr(record, f"get_{field.name}_display")()))
    return " ".join(dict.fromkeys(labels))


def _no_stricter(level: str, than: str) -> bool:
    """Whether every reader of a record at `than` may read one at `level`."""
    if level not in ACCESS_ORDER or than not in ACCESS_ORDER:
        return False
    return ACCESS_ORDER.index(level) <= ACCESS_ORDER.index(than)


def _related_names(record: Any, level: str) -> list[str]:
    """Names of the records `record` points at that every reader of it may read too."""
    names = []
    for field in record._meta.concrete_fields:
        if field.is_relation and isinstance(field.related_model, type):
            related = getattr(record, field.name, None)
            if isinstance(related, Record) and _no_stricter(related.access_level, level):
                names.append(str(related))
    for field in record._meta.many_to_many:
        for related in getattr(record, field.name).all():
            if isinstance(related, Record) and _no_stricter(related.access_level, level):
                names.append(str(related))
    if isinstance(record, Organisation | PublicFigure):
        names.extend(alias.name for alias in record.aliases.all())
    if isinstance(record, PublicFigure):
        # Every spelling of a public figure's name finds it (never a person's: their names are
        # in the vault, not here).
        spellings = [record.name, record.name_hangul, *(a.name for a in record.aliases.all())]
        names.extend(dict.fromkeys(name_key(name) for name in spellings if name))
    return names


def _own_text(record: Any, spec: Kind) -> list[str]:
    parts = [str(record)]
    for name in spec.search_fields:
        if "__" not in name:
            parts.append(str(getattr(record, name, "") or ""))
    for field in record._meta.concrete_fields:
        if field.choices and field.name != "access_level":
            parts.append(_choice_labels(record, field))
        elif field.name in COUNTRY_FIELDS:
            parts.append(country_names(str(getattr(record, field.name) or "").upper()))
    if spec.sector_field:
        for key in categories_of(getattr(record, spec.sector_field) or ""):
            parts.append(sector_names(key))
    return parts


def _year(record: Any, spec: Kind) -> int | None:
    value = getattr(record, spec.year_field, None) if spec.year_field else None
    return getattr(value, "year", None)


def record_level(record: Record) -> str:
    """Who may find a record: its level, and for a relation the strictest of its own and its
    ends' (a relation is read only with both its ends, no ghost of either)."""
    if isinstance(record, Relation):
        ends = [end.access_level for end in (record.subject, record.object) if end is not None]
        return strictest_access_level([record.access_level, *ends])
    return record.access_level


def claim_level(claim: Claim) -> str:
    """A claim is as closed as the stricter of its source and its subject (a missing subject:
    confidential, deny by default)."""
    subject = claim.subject
    subject_level = record_level(subject) if isinstance(subject, Record) else "missing"
    return strictest_access_level([claim.source.access_level, subject_level])


def entry_for(record: Any, grade: str = "") -> SearchEntry:
    """The search entry of one record (not saved). `grade` is the best reliability among the
    sources of its claims, for kinds that have no source of their own."""
    spec = KINDS[slug_for(type(record)) or ""]
    if isinstance(record, Claim):
        level = claim_level(record)
        subject = record.subject
        parts = [str(record), record.statement, record.field, record.source.title]
        if subject is not None:
            parts.append(str(subject))
        grade = record.source.reliability
    else:
        level = record_level(record)
        parts = [*_own_text(record, spec), *_related_names(record, level)]
        if isinstance(record, Source):
            grade = record.reliability
        elif isinstance(record, Testimony):
            grade = record.source.reliability
    country = str(getattr(record, spec.country_field, "") or "") if spec.country_field else ""
    sectors = (
        "|" + "|".join(categories_of(getattr(record, spec.sector_field) or "")) + "|"
        if spec.sector_field
        else ""
    )
    body = fold(" ".join(part for part in parts if part))
    return SearchEntry(
        kind=spec.slug,
        object_id=record.pk,
        access_level=level,
        title=str(record)[:TITLE_LENGTH],
        body=body,
        tokens=" ".join(bigrams.tokens(body)),
        country=country.upper(),
        sectors=sectors,
        year=_year(record, spec),
        grade=grade,
    )


def _grades(model: type[models.Model], pks: list[int]) -> dict[int, str]:
    """The best (lowest letter) reliability among the sources of each record's claims."""
    if model in (Source, Claim, Testimony) or _other(model) is not None:
        return {}
    rows = (
        Claim.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=pks
        )
        .values("object_id")
        .annotate(best=Min("source__reliability"))
    )
    return {row["object_id"]: row["best"] for row in rows}


def _prepared(model: type[models.Model]) -> models.QuerySet[Any]:
    queryset = model._default_manager.all()
    other = _other(model)
    if other is not None:
        return other.prepared(queryset)
    if model is Claim:
        # Subjects fetched a kind at a time: one query per claim made re-indexing the claims of
        # ten thousand records (a bulk change) take most of its time.
        return queryset.select_related("source", "content_type").prefetch_related("subject")
    related = [f.name for f in model._meta.concrete_fields if f.is_relation and f.many_to_one]
    queryset = queryset.select_related(*related)
    prefetch = [f.name for f in model._meta.many_to_many]
    if model in (Organisation, PublicFigure):
        prefetch.append("aliases")
    return queryset.prefetch_related(*prefetch)


def _write(model: type[models.Model], records: list[Any]) -> int:
    other = _other(model)
    if other is not None:
        entries = [other.entry(record) for record in records]
    else:
        grades = _grades(model, [record.pk for record in records])
        entries = [entry_for(record, grades.get(record.pk, "")) for record in records]
    slug = _slug(model)
    SearchEntry.objects.filter(kind=slug, object_id__in=[r.pk for r in records]).delete()
    SearchEntry.objects.bulk_create(entries, batch_size=BATCH)
    return len(entries)


def indexed_models() -> list[type[models.Model]]:
    return [spec.model for spec in KINDS.values()] + [kind.model for kind in _OTHER.values()]


def index_queryset(
    queryset: models.QuerySet[Any], progress: Callable[[int], object] = lambda n: None
) -> int:
    """(Re)write the entries of every record in `queryset`, in batches; returns how many."""
    model = queryset.model
    written = 0
    pks = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        with transaction.atomic():
            batch = list(_prepared(model).filter(pk__in=pks[start : start + BATCH]))
            written += _write(model, batch)
        progress(len(batch))
    return written


def rebuild(progress: Callable[[int], object] = lambda n: None) -> int:
    """Empty the index and write every record's entry again; returns how many entries."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
    return sum(index_queryset(model._default_manager.all(), progress) for model in indexed_models())


def rebuild_after_restore(**kwargs: Any) -> None:
    """Backups leave the index out (it is derived); a restore writes it again from the records."""
    rebuild()


def records_to_index() -> int:
    return sum(model._default_manager.count() for model in indexed_models())


def index_created_since(moment: Any) -> int:
    """Index the records created at or after `moment`: what a bulk write skipped the signals of."""
    return sum(
        index_queryset(model._default_manager.filter(created_at__gte=moment))
        for model in indexed_models()
    )


# --- keeping entries in step with single writes -----------------------------------------------


def index_record(record: Any) -> None:
    model = type(record)
    with transaction.atomic():
        _write(model, list(_prepared(model).filter(pk=record.pk)))


def _dependents(record: Any) -> Iterator[models.QuerySet[Any]]:
    """Records whose entry reads something of `record`: its claims (their level), records naming
    it (its name, its level)."""
    return _dependents_of_many(type(record), [record.pk])


def index_many(model: type[models.Model], pks: list[int]) -> None:
    """Re-index records changed by a bulk update (no signals) and the records that read them:
    `_dependents` for many at once, a query per relation rather than per record."""
    for start in range(0, len(pks), BATCH):
        chunk = pks[start : start + BATCH]
        index_queryset(model._default_manager.filter(pk__in=chunk))
        for queryset in _dependents_of_many(model, chunk):
            index_queryset(queryset)


def _dependents_of_many(
    model: type[models.Model], pks: list[int]
) -> Iterator[models.QuerySet[Any]]:
    if issubclass(model, Record):
        yield Claim.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=pks
        )
    if model is Source:
        yield Claim.objects.filter(source__in=pks)
        yield Testimony.objects.filter(source__in=pks)
    if model is Site:
        yield Deployment.objects.filter(site__in=pks)
        yield Incident.objects.filter(site__in=pks)
        yield Sighting.objects.filter(site__in=pks)
    if model is Organisation:
        yield Deployment.objects.filter(models.Q(dispatcher__in=pks) | models.Q(employer__in=pks))
        yield Incident.objects.filter(perpetrator_organisations__in=pks).distinct()
        yield Designation.objects.filter(organisation__in=pks)
    if model is PublicFigure:
        yield Designation.objects.filter(public_figure__in=pks)
    if model in (Organisation, PublicFigure, Person, Site):
        # A relation's entry, and its claims', read its ends' names and levels.
        relations = Relation.objects.touching_any(model, pks)
        yield relations
        yield Claim.objects.filter(
            content_type=ContentType.objects.get_for_model(Relation),
            object_id__in=relations.values("pk"),
        )
    if model is Person:
        yield Incident.objects.filter(victims__in=pks).distinct()
        yield Deployment.objects.filter(person__in=pks)
        yield Testimony.objects.filter(interviewee__in=pks)
    for other in _OTHER.values():
        yield from other.dependents(model, pks)


# Set on an instance by a writer that indexes many new records itself afterwards
# (`index_many`): the API's bulk create.
INDEXED_BY_WRITER = "_indexed_by_writer"


def _on_save(sender: type[models.Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or getattr(instance, INDEXED_BY_WRITER, False):  # fixtures: `unseen search rebuild`
        return
    index_record(instance)
    for queryset in _dependents(instance):
        index_queryset(queryset)


def _on_delete(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    SearchEntry.objects.filter(kind=_slug(sender), object_id=instance.pk).delete()
    for queryset in _dependents(instance):
        index_queryset(queryset.exclude(pk=instance.pk) if queryset.model is sender else queryset)


def _on_alias(sender: type[models.Model], instance: OrganisationAlias, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if Organisation.objects.filter(pk=instance.organisation_id).exists():
        index_record(instance.organisation)


def _on_figure_alias(
    sender: type[models.Model], instance: PublicFigureAlias, **kwargs: Any
) -> None:
    if kwargs.get("raw"):
        return
    if PublicFigure.objects.filter(pk=instance.figure_id).exists():
        index_record(instance.figure)


def _on_m2m(sender: type[models.Model], instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_") and isinstance(instance, Incident):
        index_record(instance)


def connect() -> None:
    """Wire the signals (DocumentationConfig.ready)."""
    for model in indexed_models():
        models.signals.post_save.connect(_on_save, sender=model, dispatch_uid=f"search-{model}")
        models.signals.post_delete.connect(
            _on_delete, sender=model, dispatch_uid=f"search-del-{model}"
        )
    models.signals.post_save.connect(_on_alias, sender=OrganisationAlias, dispatch_uid="s-alias")
    models.signals.post_delete.connect(_on_alias, sender=OrganisationAlias, dispatch_uid="s-al-d")
    models.signals.post_save.connect(
        _on_figure_alias, sender=PublicFigureAlias, dispatch_uid="s-figure-alias"
    )
    models.signals.post_delete.connect(
        _on_figure_alias, sender=PublicFigureAlias, dispatch_uid="s-figure-alias-d"
    )
    for through in (Incident.victims.through, Incident.perpetrator_organisations.through):
        models.signals.m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"s-{through}")
    pseudonym_given.connect(_on_save, sender=Person, dispatch_uid="search-pseudonym")
