"""The record kinds researchers browse, and how each is listed, filtered, searched and edited.

One declaration per kind drives the list, detail and edit pages, so every kind behaves the same.
Visibility is decided here too: a record the user may not read is as if it did not exist.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.text import capfirst

from unseen.accounts.models import AccessLevel, UserLike, visible_access_levels
from unseen.evidence.models import (
    Claim,
    Record,
    Source,
    Tag,
    readable_records,
    tag_text,
    visible_related,
)
from unseen.registry.models import Designation, Organisation, Person, PublicFigure, Site

from .models import OBJECT_ENDS, SUBJECT_ENDS, Deployment, Incident, Relation, Sighting, Testimony
from .reading import INTERNAL_FIELDS, folded_fields, number_text, precision_field, readable
from .sectors import sector_q

FILTERS = ("country", "sector", "year", "source_kind", "reliability", "access_level")
# Persons, organisations, public figures and sites can be merged by record linkage.
MERGEABLE_FILTERS = ("country", "year", "source_kind", "reliability", "access_level", "merged")


@dataclass(frozen=True)
class Kind:
    """How one kind of record appears in the researcher app."""

    slug: str
    model: type[models.Model]
    columns: tuple[str, ...]
    search_fields: tuple[str, ...]
    form_fields: tuple[str, ...]
    country_field: str = ""
    sector_field: str = ""
    year_field: str = ""
    select_related: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ("-id",)
    in_global_search: bool = True
    filters: tuple[str, ...] = field(
        default=("country", "year", "source_kind", "reliability", "access_level")
    )

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def singular(self) -> str:
        return str(self.model._meta.verbose_name)

    def visible(self, user: UserLike) -> QuerySet[Any]:
        """Everything of this kind the user may read."""
        levels = visible_access_levels(user)
        queryset = self.model._default_manager.all()
        # A user cleared for every level needs no filter; leaving it out lets the database count
        # from a small index instead of reading every row.
        if set(levels) != set(AccessLevel.values):
            if self.model is Claim:
                queryset = queryset.visible_to(user)  # type: ignore[attr-defined]
            else:
                # By level, and for a relation by its ends' levels too (no ghost of either end).
                queryset = readable_records(queryset, user)
        return queryset.select_related(*self.select_related)

    def get(self, user: UserLike, pk: int) -> Any:
        """One record the user may read, or 404 (never 403: that would confirm it exists)."""
        try:
            return self.visible(user).get(pk=pk)
        except ObjectDoesNotExist:
            raise Http404 from None

    def row(self, record: Any, user: UserLike) -> list[str]:
        """The list columns of one record as text, built here rather than cell by cell in the
        template: at 50 rows × 7 columns the template tags were most of the page's time.

        A related record in a column that `user` may not read is a blank cell, as if unset."""
        cells = []
        for name in self.columns:
            display = getattr(record, f"get_{name}_display", None)
            value = (
                display()
                if callable(display)
                else number_text(name, visible_related(getattr(record, name, None), user))
            )
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                value = _partial_date(record, name, value)
            text = "—" if value is None or value == "" else str(value)
            cells.append(text if len(text) <= 90 else text[:89] + "…")
        return cells

    def merged_for(self, record: Any, user: UserLike) -> bool:
        """Whether the list marks `record` as merged: only into a record `user` may read."""
        return visible_related(getattr(record, "merged_into", None), user) is not None

    def search(
        self, queryset: QuerySet[Any], text: str, user: UserLike | None = None
    ) -> QuerySet[Any]:
        """Substring search over the kind's text fields.

        Substring, not word, matching: Korean compounds (벌목농장) must be found by their parts
        (벌목), which word-based full-text search does not do. With `user`, a field of a related
        record (a testimony's source's title) matches only where `user` may read that record:
        otherwise the search would tell whose confidential source says what.
        """
        condition = Q()
        for name in self.search_fields:
            relation, _, lookup = name.partition("__")
            field = self.model._meta.get_field(relation) if lookup else None
            related = getattr(field, "related_model", None)
            if (
                user is not None
                and field is not None
                and (field.many_to_one or field.one_to_one)
                and field.concrete
                and isinstance(related, type)
                and issubclass(related, Record)
            ):
                condition |= Q(
                    **{
                        f"{name}__icontains": text,
                        f"{relation}__access_level__in": visible_access_levels(user),
                    }
                )
            elif field is not None and field.one_to_many:
                # Aliases as a list of ids: a join would list a record once per matching alias.
                named = field.related_model._default_manager.filter(  # type: ignore[union-attr]
                    **{f"{lookup}__icontains": text}
                )
                condition |= Q(pk__in=named.values(field.field.attname))  # type: ignore[union-attr]
            else:
                condition |= Q(**{f"{name}__icontains": text})
        return queryset.filter(condition)

    def filter(
        self, queryset: QuerySet[Any], values: dict[str, Any], user: UserLike
    ) -> QuerySet[Any]:
        if values.get("country") and self.country_field:
            queryset = queryset.filter(**{self.country_field: values["country"]})
        if values.get("sector") and self.sector_field:
            # A category of the vocabulary, as the search counts it, not a substring: "log" would
            # find "logging" and "catalogue" alike.
            queryset = queryset.filter(sector_q(values["sector"], self.sector_field))
        if values.get("year") and self.year_field:
            year = int(values["year"])
            # Date ranges, not __year lookups: a range can use an index, a year extraction cannot.
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
            if self.model is Deployment:
                queryset = queryset.filter(period_start__lte=last, period_end__gte=first)
            else:
                queryset = queryset.filter(**{f"{self.year_field}__range": (first, last)})
        for name, lookup in (("source_kind", "kind"), ("reliability", "reliability")):
            if not values.get(name):
                continue
            if self.model is Source:
                queryset = queryset.filter(**{lookup: values[name]})
            elif self.model is Claim:
                queryset = queryset.filter(**{f"source__{lookup}": values[name]})
            else:
                # EXISTS rather than a join: a join repeats records with several claims and needs
                # DISTINCT over every column, which at 100,000 rows costs half a second.
                # Only claims from sources the user may read: a confidential source's kind or
                # reliability must not pick out the public record it backs.
                claims = Claim.objects.filter(
                    content_type=ContentType.objects.get_for_model(self.model),
                    object_id=OuterRef("pk"),
                    source__access_level__in=visible_access_levels(user),
                    **{f"source__{lookup}": values[name]},
                )
                queryset = queryset.filter(Exists(claims))
        if values.get("tag") and self.model is not Claim:
            tagged = Tag.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model),
                object_id=OuterRef("pk"),
                name=tag_text(values["tag"]),
            )
            queryset = queryset.filter(Exists(tagged))
        if values.get("exit") and self.model is Testimony:
            # By the journey's exit event (journeys.JourneyEvent, through its related name: this
            # app cannot import the one above it). EXISTS, not a join: one row per testimony.
            events = Testimony._meta.get_field("journey_events").related_model
            exits = events._default_manager.filter(
                testimony=OuterRef("pk"), stage="exit", exit_kind=values["exit"]
            )
            queryset = queryset.filter(Exists(exits))
        if values.get("access_level") and self.model is not Claim:
            queryset = queryset.filter(access_level=values["access_level"])
        if "merged" in self.filters and not values.get("merged"):
            # A merged record is part of the record it was merged into, whose page shows its
            # claims: listing both would count one person twice. "Include merged" shows them.
            # Merged into a record the user may not read, it is listed as if unmerged: that
            # record is absent for them, and so is the merge.
            queryset = queryset.filter(
                Q(merged_into__isnull=True)
                | ~Q(merged_into__access_level__in=visible_access_levels(user))
            )
        return queryset


def _partial_date(record: Any, name: str, value: dt.date) -> str:
    """A date known only to the year or month as just that (2016, 2016-06), not as its first day,
    which would read as a day no source gave."""
    sibling = precision_field(record, name)
    precision = getattr(record, sibling, "") if sibling else ""
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in [
        Kind(
            "sources",
            Source,
            columns=("title", "kind", "reliability", "date", "language", "access_level"),
            search_fields=("title", "notes", "url"),
            form_fields=(
                "title",
                "kind",
                "reliability",
                "date",
                "date_precision",
                "language",
                "url",
                "notes",
                "access_level",
            ),
            year_field="date",
            order_by=("-id",),
        ),
        Kind(
            "claims",
            Claim,
            columns=("source", "credibility", "content_type", "field", "statement"),
            search_fields=("statement", "source__title"),
            form_fields=("source", "credibility", "field", "statement"),
            select_related=("source", "content_type"),
            filters=("source_kind", "reliability"),
            in_global_search=False,
        ),
        Kind(
            "testimonies",
            Testimony,
            columns=(
                "source",
                "interviewee",
                "interview_date",
                "interview_language",
                "access_level",
            ),
            search_fields=(
                "summary",
                "source__title",
                # The journey's notes and places (journeys.JourneyEvent, by its related name:
                # this app cannot import the one above it).
                "journey_events__notes",
                "journey_events__place",
            ),
            form_fields=(
                "interviewee",
                "interview_date",
                "interview_date_precision",
                "interview_language",
                "interview_country",
                "interviewer_code",
                "consent_to_use",
                "consent_to_publish",
                "summary",
                "access_level",
            ),
            country_field="interview_country",
            year_field="interview_date",
            select_related=("source", "interviewee"),
            filters=("country", "year", "source_kind", "reliability", "access_level", "exit"),
        ),
        Kind(
            "persons",
            Person,
            columns=(
                "pseudonym",
                "sex",
                "birth_year",
                "home_province",
                "nationality",
                "access_level",
            ),
            search_fields=("pseudonym", "home_province", "notes", "source_record_id"),
            form_fields=(
                "sex",
                "birth_year",
                "home_province",
                "nationality",
                "notes",
                "access_level",
            ),
            order_by=("pseudonym",),
            filters=MERGEABLE_FILTERS,
        ),
        Kind(
            "organisations",
            Organisation,
            columns=("name", "kind", "country", "access_level"),
            search_fields=("name", "notes", "aliases__name"),
            form_fields=("name", "kind", "country", "notes", "access_level"),
            country_field="country",
            order_by=("name",),
            filters=MERGEABLE_FILTERS,
        ),
        # Officials and designated individuals, by the names public sources print: never
        # persons, never in the vault (docs/decisions/0031-public-figures.md).
        Kind(
            "public-figures",
            PublicFigure,
            columns=("name", "name_hangul", "position", "nationality", "access_level"),
            search_fields=("name", "name_hangul", "position", "aliases__name"),
            form_fields=(
                "name",
                "name_hangul",
                "position",
                "nationality",
                "birth_year",
                "notes",
                "access_level",
            ),
            country_field="nationality",
            order_by=("name", "id"),
            filters=MERGEABLE_FILTERS,
        ),
        Kind(
            "sites",
            Site,
            columns=("name", "kind", "country", "city", "coordinate_precision", "access_level"),
            search_fields=("name", "city", "notes"),
            form_fields=(
                "name",
                "kind",
                "country",
                "city",
                "latitude",
                "longitude",
                "coordinate_precision",
                "notes",
                "access_level",
            ),
            country_field="country",
            order_by=("country", "name"),
            filters=MERGEABLE_FILTERS,
        ),
        Kind(
            "deployments",
            Deployment,
            columns=(
                "host_country",
                "host_region",
                "sector",
                "period_start",
                "workers_low",
                "workers_high",
                "access_level",
            ),
            search_fields=("sector", "host_region"),
            form_fields=(
                "person",
                "workers_low",
                "workers_high",
                "site",
                "host_country",
                "host_region",
                "sector",
                "period_start",
                "period_start_precision",
                "period_end",
                "period_end_precision",
                "dispatcher",
                "employer",
                "monthly_wage_usd_low",
                "monthly_wage_usd_high",
                "state_share_low",
                "state_share_high",
                "hours_per_day",
                "access_level",
            ),
            country_field="host_country",
            sector_field="sector",
            year_field="period_start",
            filters=FILTERS,
            order_by=("-period_start", "-id"),
            in_global_search=False,
        ),
        Kind(
            "incidents",
            Incident,
            columns=("act", "date", "country", "place", "access_level"),
            search_fields=("description", "place", "perpetrator_description"),
            form_fields=(
                "act",
                "description",
                "date",
                "date_precision",
                "site",
                "country",
                "place",
                "victims",
                "perpetrator_organisations",
                "perpetrator_description",
                "access_level",
            ),
            country_field="country",
            year_field="date",
        ),
        Kind(
            "sightings",
            Sighting,
            columns=(
                "place",
                "country",
                "observed_from",
                "workers_low",
                "workers_high",
                "work_kind",
                "access_level",
            ),
            search_fields=("description", "place", "work_kind"),
            form_fields=(
                "public_place_label",
                "public_description",
                "description",
                "place",
                "country",
                "latitude",
                "longitude",
                "coordinate_precision",
                "observed_from",
                "observed_to",
                "observed_precision",
                "workers_low",
                "workers_high",
                "work_kind",
                "site",
                "access_level",
            ),
            country_field="country",
            sector_field="work_kind",
            year_field="observed_from",
            filters=FILTERS,
        ),
        Kind(
            "relations",
            Relation,
            columns=("kind", "subject", "object", "start", "end", "access_level"),
            search_fields=("role", "description"),
            form_fields=(
                "kind",
                *SUBJECT_ENDS,
                *OBJECT_ENDS,
                "start",
                "start_precision",
                "end",
                "end_precision",
                "share_percent",
                "role",
                "description",
                "access_level",
            ),
            year_field="start",
            select_related=(*SUBJECT_ENDS, *OBJECT_ENDS),
        ),
        # A sanctions designation of one organisation or one public figure. The holder's name is
        # not a search field of the list: a designation may be readable where its holder is not.
        Kind(
            "designations",
            Designation,
            columns=(
                "authority",
                "programme",
                "reference",
                "listed_on",
                "organisation",
                "public_figure",
                "access_level",
            ),
            search_fields=("authority", "programme", "reference", "reason"),
            form_fields=(
                "organisation",
                "public_figure",
                "authority",
                "programme",
                "reference",
                "listed_on",
                "listed_on_precision",
                "ended_on",
                "reason",
                "access_level",
            ),
            year_field="listed_on",
            select_related=("organisation", "public_figure"),
            order_by=("-listed_on", "-id"),
        ),
    ]
}


def shown_fields(
    instance: Any,
    user: UserLike,
    hidden: frozenset[str] = INTERNAL_FIELDS,
    *,
    relations: bool = True,
) -> list[tuple[str, Any]]:
    """A record's fields as (label, value) for a page, each value formatted by `readable`.

    Every foreign key and many-to-many value passes `visible_related`: a related record `user`
    may not read shows as an empty field ("—"), the same as no relation at all. With
    `relations=False` related records are left out (the record page groups them under headings,
    `related_groups`). A date's precision is folded into the date and not shown on its own.
    """
    shown = []
    folded = folded_fields(instance)
    for model_field in instance._meta.concrete_fields:
        if model_field.name in hidden or model_field.name in folded:
            continue
        if model_field.is_relation:
            if not relations and is_record_relation(model_field):
                continue
            value = visible_related(getattr(instance, model_field.name), user)
        else:
            value = readable(instance, model_field)
        shown.append((str(model_field.verbose_name), value))
    for model_field in instance._meta.many_to_many:
        if model_field.name in hidden or (not relations and is_record_relation(model_field)):
            continue
        related = visible_related(getattr(instance, model_field.name), user)
        shown.append((str(model_field.verbose_name), ", ".join(str(o) for o in related)))
    return shown


def is_record_relation(model_field: Any) -> bool:
    related = getattr(model_field, "related_model", None)
    return isinstance(related, type) and issubclass(related, Record)


@dataclass(frozen=True)
class RelatedGroup:
    """Records related to a page's record one way, under one heading: (text, url) each."""

    heading: str
    links: list[tuple[str, str]]
    count: int


def _link(record: Any) -> tuple[str, str]:
    slug = slug_for(type(record))
    url = reverse("documentation:detail", args=[slug, record.pk]) if slug else ""
    return str(record), url


def related_groups(
    instance: Any, user: UserLike, hidden: frozenset[str] = INTERNAL_FIELDS
) -> list[RelatedGroup]:
    """The records `instance` points to, one heading per relation (its person, site, victims…).

    Each passes `visible_related`: a related record beyond the user's level is not there at all.
    """
    groups = []
    for model_field in [*instance._meta.concrete_fields, *instance._meta.many_to_many]:
        if model_field.name in hidden or not is_record_relation(model_field):
            continue
        value = visible_related(getattr(instance, model_field.name), user)
        records = [value] if isinstance(value, Record) else list(value or [])
        if records:
            groups.append(
                RelatedGroup(
                    str(capfirst(model_field.verbose_name)),
                    [_link(record) for record in records],
                    len(records),
                )
            )
    return groups


POINTING_LIMIT = 50


def points_here(instance: Any, user: UserLike) -> list[RelatedGroup]:
    """The records that point at `instance` (deployments at a site, incidents naming a victim…),
    one heading per kind and relation, only those `user` may read, the first 50 of each.

    Merged records are left out (the page says which records were merged into this one), and so
    are claims (the evidence trail shows them).
    """
    groups = []
    for relation in instance._meta.related_objects:
        model = relation.related_model
        if not (isinstance(model, type) and issubclass(model, Record)) or not slug_for(model):
            continue
        if relation.field.name in INTERNAL_FIELDS:
            continue
        if model is Relation:
            # The page's Relations group lists them, each only with both its ends readable.
            continue
        if model is Designation:
            continue  # the page's own "Designations" group shows them, with their dates
        heading = f"{capfirst(model._meta.verbose_name_plural)} — {relation.field.verbose_name}"
        if relation.one_to_one:
            try:
                pointing = visible_related(getattr(instance, relation.get_accessor_name()), user)
            except ObjectDoesNotExist:
                pointing = None
            if pointing is not None:
                groups.append(RelatedGroup(heading, [_link(pointing)], 1))
            continue
        queryset = visible_related(getattr(instance, relation.get_accessor_name()), user)
        count = queryset.count()
        if count:
            first = queryset.order_by("-id")[:POINTING_LIMIT]
            groups.append(RelatedGroup(heading, [_link(record) for record in first], count))
    return groups


def kind_of(slug: str) -> Kind:
    if slug not in KINDS:
        raise Http404
    return KINDS[slug]


def slug_for(model: type[models.Model]) -> str | None:
    for kind in KINDS.values():
        if kind.model is model:
            return kind.slug
    return None
