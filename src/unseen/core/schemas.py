"""The columns of each import kind (docs/design.md §5), as plain schemas.

Choice vocabularies (kinds of site, access levels, ...) belong to the platform's models; they come
in as a `Vocabulary` so that this module stays free of Django.
"""

from dataclasses import dataclass
from typing import Any

from . import cells
from .dates import parse_partial_date, parse_year
from .places import country_code, parse_host
from .tables import Column, RowCheck, Schema

CONFIDENCES = ("high", "medium", "low")
PROXY_SECTOR_PREFIXES = ("entries", "planned")


def is_proxy_sector(sector: str) -> bool:
    """Border-entry counts and announced plans are proxies, not counts of workers."""
    return sector.strip().lower().startswith(PROXY_SECTOR_PREFIXES)


@dataclass(frozen=True)
class Vocabulary:
    """The allowed values of the models' choice fields, passed in so the core needs no Django."""

    access_levels: tuple[str, ...]
    source_kinds: tuple[str, ...]
    reliabilities: tuple[str, ...]
    site_kinds: tuple[str, ...]
    organisation_kinds: tuple[str, ...]
    coordinate_precisions: tuple[str, ...]
    sexes: tuple[str, ...]
    relation_kinds: tuple[str, ...] = ()


SEX_ALIASES = {"female": "f", "woman": "f", "male": "m", "man": "m", "": "unknown"}


def _common(vocabulary: Vocabulary) -> tuple[Column, ...]:
    return (
        Column("access_level", cells.choice(vocabulary.access_levels), help="default internal"),
    )


def deployments(vocabulary: Vocabulary) -> Schema:
    """The columns of the demo's nk-deployments.csv (docs/facts/nk-facts.md), plus access level."""
    return Schema(
        "deployments",
        (
            Column(
                "host_country",
                parse_host,
                required=True,
                help="ISO code, English name, region or ALL",
            ),
            Column("year", parse_year, required=True),
            Column("sector", cells.text(200), required=True),
            Column("workers_low", cells.count),
            Column("workers_high", cells.count),
            Column("monthly_wage_usd_low", cells.amount),
            Column("monthly_wage_usd_high", cells.amount),
            Column("state_share_low", cells.fraction),
            Column("state_share_high", cells.fraction),
            Column("source", cells.text(2000), required=True),
            Column("confidence", cells.choice(CONFIDENCES), required=True),
            *_common(vocabulary),
        ),
        (
            cells.ordered("workers_low", "workers_high"),
            cells.ordered("monthly_wage_usd_low", "monthly_wage_usd_high"),
            cells.ordered("state_share_low", "state_share_high"),
        ),
    )


PERSON_IDENTIFYING = (
    "full_name",
    "given_name",
    "family_name",
    "name_hangul",
    "birth_date",
    "birth_place",
    "address",
    "identifier",
)


def _dates_ordered(start: str, end: str) -> RowCheck:
    """Partial dates overlap-compare: 2019-05 to 2019 is fine, 2020 to 2019-05 is not."""

    def check(row: dict[str, Any]) -> list[tuple[str, str]]:
        first, last = row.get(start), row.get(end)
        if first is not None and last is not None and first.value > last.last_day:
            return [(start, f"{first} is after {end} ({last})")]
        return []

    return check


def _site_needs_country(row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("site") and not row.get("country"):
        return [("country", "a site needs its country")]
    return []


def persons(vocabulary: Vocabulary) -> Schema:
    """docs/design.md's person columns; identifying ones go to the identity vault."""
    return Schema(
        "persons",
        (
            Column("record_id", cells.text(100), required=True),
            Column("source", cells.text(2000)),
            Column("full_name", cells.text(300)),
            Column("given_name", cells.text(200)),
            Column("family_name", cells.text(200)),
            Column("name_hangul", cells.text(200)),
            Column("sex", cells.choice(vocabulary.sexes, SEX_ALIASES)),
            Column("birth_date", parse_partial_date),
            Column("birth_year", parse_year),
            Column("birth_place", cells.text(300)),
            Column("address", cells.text(500)),
            Column("identifier", cells.text(100)),
            Column("nationality", country_code),
            Column("country", country_code),
            Column("site", cells.text(300)),
            Column("employer", cells.text(300)),
            Column("first_seen", parse_partial_date),
            Column("last_seen", parse_partial_date),
            *_common(vocabulary),
        ),
        (_dates_ordered("first_seen", "last_seen"), _site_needs_country),
    )


def sources(vocabulary: Vocabulary) -> Schema:
    """The columns of a sources import."""
    return Schema(
        "sources",
        (
            Column("title", cells.text(2000), required=True),
            Column("kind", cells.choice(vocabulary.source_kinds), required=True),
            Column("date", parse_partial_date),
            Column("language", cells.text(8)),
            Column("reliability", cells.choice(vocabulary.reliabilities)),
            Column("url", cells.text(500)),
            Column("notes", cells.text(5000)),
            *_common(vocabulary),
        ),
    )


def organisations(vocabulary: Vocabulary) -> Schema:
    """The columns of an organisations import."""
    return Schema(
        "organisations",
        (
            Column("name", cells.text(300), required=True),
            Column("kind", cells.choice(vocabulary.organisation_kinds), required=True),
            Column("country", country_code),
            Column("aliases", cells.text(2000), help="separated by ';'"),
            Column("un_id", cells.text(100)),
            Column("ofac_id", cells.text(100)),
            Column("opensanctions_id", cells.text(100)),
            Column("source", cells.text(2000)),
            *_common(vocabulary),
        ),
    )


def _located(vocabulary: Vocabulary, *, country_required: bool) -> tuple[Column, ...]:
    return (
        Column("country", country_code, required=country_required),
        Column("latitude", cells.latitude),
        Column("longitude", cells.longitude),
        Column("coordinate_precision", cells.choice(vocabulary.coordinate_precisions)),
    )


def _both_coordinates(row: dict[str, object]) -> list[tuple[str, str]]:
    if (row.get("latitude") is None) != (row.get("longitude") is None):
        return [("latitude", "give both latitude and longitude, or neither")]
    return []


def sites(vocabulary: Vocabulary) -> Schema:
    """The columns of a sites import."""
    return Schema(
        "sites",
        (
            Column("name", cells.text(300), required=True),
            Column("kind", cells.choice(vocabulary.site_kinds), required=True),
            *_located(vocabulary, country_required=True),
            Column("city", cells.text(200)),
            Column("source", cells.text(2000)),
            *_common(vocabulary),
        ),
        (_both_coordinates,),
    )


def sightings(vocabulary: Vocabulary) -> Schema:
    """The columns of a sightings import."""
    return Schema(
        "sightings",
        (
            Column("description", cells.text(5000), required=True),
            Column("place", cells.text(300)),
            *_located(vocabulary, country_required=False),
            Column("observed_from", parse_partial_date),
            Column("observed_to", parse_partial_date),
            Column("workers_low", cells.count),
            Column("workers_high", cells.count),
            Column("work_kind", cells.text(200)),
            Column("source", cells.text(2000)),
            *_common(vocabulary),
        ),
        (
            _both_coordinates,
            cells.ordered("workers_low", "workers_high"),
            _dates_ordered("observed_from", "observed_to"),
        ),
    )


# The kinds of record a relation's end may be, as the import names them (`organisation:12`).
RELATION_SUBJECT_KINDS = ("organisation", "public_figure", "person")
RELATION_OBJECT_KINDS = (*RELATION_SUBJECT_KINDS, "site")
PARTY_ALIASES = {
    "public figure": "public_figure",
    "public-figure": "public_figure",
    "org": "organisation",
}
CREDIBILITIES = ("1", "2", "3", "4", "5", "6")


def _party_named(end: str) -> RowCheck:
    """An end named `kind:id` says its kind itself; otherwise the `<end>_kind` column must."""

    def check(row: dict[str, Any]) -> list[tuple[str, str]]:
        text = str(row.get(end) or "")
        kind, colon, number = text.partition(":")
        named = kind.strip().lower().replace("-", "_").replace(" ", "_") if colon else ""
        given = row.get(f"{end}_kind")
        if colon and number.strip().isdigit() and named in RELATION_OBJECT_KINDS:
            if given and given != named:
                return [(f"{end}_kind", f"{given} does not match {end} {text!r}")]
            return []
        if not given:
            return [(f"{end}_kind", f"required when {end} is a name, not kind:number")]
        return []

    return check


def _dates_stored_in_order(start: str, end: str) -> RowCheck:
    """A row check: a relation's start, as stored (its first day), is not after its end's.

    The database keeps them so: 2019-05 to 2019 would end (2019-01-01) before it starts.
    """

    def check(row: dict[str, Any]) -> list[tuple[str, str]]:
        first, last = row.get(start), row.get(end)
        if first is not None and last is not None and first.value > last.value:
            return [(end, f"{last} is before {start} ({first})")]
        return []

    return check


def _share_of_ownership(row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("share_percent") is not None and row.get("kind") != "owns":
        return [("share_percent", "a share is only for kind owns")]
    return []


def relations(vocabulary: Vocabulary) -> Schema:
    """The columns of a relations import: typed, dated relations between records already here.

    Each end is named by number (`organisation:12`) or by exact name (organisations, sites,
    public figures).
    """
    return Schema(
        "relations",
        (
            Column("kind", cells.choice(vocabulary.relation_kinds), required=True),
            Column("subject_kind", cells.choice(RELATION_SUBJECT_KINDS, PARTY_ALIASES)),
            Column("subject", cells.text(300), required=True),
            Column("object_kind", cells.choice(RELATION_OBJECT_KINDS, PARTY_ALIASES)),
            Column("object", cells.text(300), required=True),
            Column("start", parse_partial_date),
            Column("end", parse_partial_date),
            Column("share_percent", cells.percent),
            Column("role", cells.text(200)),
            Column("description", cells.text(5000)),
            Column("source_title", cells.text(2000)),
            Column("source_reliability", cells.choice(vocabulary.reliabilities)),
            Column("credibility", cells.choice(CREDIBILITIES)),
            *_common(vocabulary),
        ),
        (
            _party_named("subject"),
            _party_named("object"),
            _dates_stored_in_order("start", "end"),
            _share_of_ownership,
        ),
    )


SCHEMAS = {
    "deployments": deployments,
    "persons": persons,
    "sources": sources,
    "organisations": organisations,
    "sites": sites,
    "sightings": sightings,
    "relations": relations,
}
