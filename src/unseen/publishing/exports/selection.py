"""Which records an export releases at each level, and how each of their fields goes out.

`full_tables` is every field as stored (identities excluded). `generic_table` is a kind's rows at
the controlled levels: every id pseudonymised, references to records not released left blank,
dates to the month, points on the grid, free text and identifying fields dropped. The rows that
describe a person are then rewritten by the disclosure control (disclosure.py).
"""

import re
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from unseen.accounts.models import AccessLevel
from unseen.core.places import REGIONS
from unseen.core.privacy import generalise as gen
from unseen.documentation.models import (
    Deployment,
    Incident,
    IndicatorCoding,
    Relation,
    Sighting,
    Testimony,
)
from unseen.documentation.sectors import categories_of
from unseen.evidence.models import Claim, Source, SourceKind
from unseen.registry.models import (
    Designation,
    ExternalIdentifier,
    Organisation,
    OrganisationAlias,
    Person,
    PublicFigure,
    PublicFigureAlias,
    Site,
)

from .keys import Pseudonymiser
from .tables import Table

RELEASED_ACCESS: dict[str, set[str]] = {
    "public": {AccessLevel.PUBLIC},
    "pseudonymised": {AccessLevel.PUBLIC, AccessLevel.INTERNAL},
    "full": {AccessLevel.PUBLIC, AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL},
}

# One file per kind. Identities are deliberately absent: no level exports the vault.
EXPORTED: list[tuple[str, type[models.Model]]] = [
    ("sources", Source),
    ("claims", Claim),
    ("persons", Person),
    ("organisations", Organisation),
    ("organisation_aliases", OrganisationAlias),
    ("external_identifiers", ExternalIdentifier),
    # Named, not pseudonymous: officials as public sources print them (ADR 0031).
    ("public_figures", PublicFigure),
    ("public_figure_aliases", PublicFigureAlias),
    ("designations", Designation),
    ("sites", Site),
    ("testimonies", Testimony),
    ("indicator_codings", IndicatorCoding),
    ("deployments", Deployment),
    ("incidents", Incident),
    ("sightings", Sighting),
    ("relations", Relation),
]

# Fields the controlled levels never release, beyond every free-text (TextField) field and the
# timestamps: ids that join to other systems, names of workplaces, places typed by hand, staff codes.
WITHHELD = {
    # merged_into: a second pseudonym for the same individual, outside the k-anonymity key.
    "person": {"pseudonym", "source_record_id", "merged_into"},
    "site": {"name"},
    "sighting": {"place"},
    "incident": {"place", "perpetrator_description"},
    "testimony": {"interviewer_code"},
}
# Free text that is kept: citations of non-interview sources, the names of organisations, and a
# sighting's description as a moderator wrote it for the public (never the reporter's own words).
KEPT_TEXT = {("source", "title"), ("sighting", "public_description")}


def sector_categories(value: str) -> str:
    """Sectors and kinds of work are typed text; only their categories are a vocabulary."""
    return ";".join(categories_of(value)) if value else ""


def host_region(value: str) -> str:
    """A region from the vocabulary of core.places, or country codes joined by '/'; else blank."""
    if value in set(REGIONS.values()) or re.fullmatch(r"[A-Z]{2}(/[A-Z]{2})+", value):
        return value
    return ""


# What the record exports say of a testimony's journey, from its events (ADR 0045); the whole
# journey leaves in the HTCDS format (cases.py).
JOURNEY_SUMMARY = ("recruitment_channel", "exit_kind")


def journey_summary(testimony: Testimony) -> dict[str, str]:
    """The recruitment channel and the exit of a testimony, from its journey events (the first
    stated of each; blank when none is), with `journey_events` prefetched."""
    events = sorted(testimony.journey_events.all(), key=lambda e: (e.position, e.pk))
    return {
        "recruitment_channel": next((e.channel for e in events if e.channel), ""),
        "exit_kind": next((e.exit_kind for e in events if e.exit_kind), ""),
    }


def _columns(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _many_to_many(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.many_to_many]


def full_tables() -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for name, model in EXPORTED:
        columns = _columns(model)
        relations = _many_to_many(model)
        queryset = model._default_manager.order_by("pk")
        if relations:
            queryset = queryset.prefetch_related(*relations)
        rows = []
        for instance in queryset.iterator(chunk_size=2000):
            row = {column: getattr(instance, column) for column in columns}
            for rel in relations:
                row[rel] = sorted(o.pk for o in getattr(instance, rel).all())
            rows.append(row)
        tables[name] = Table(columns + relations, rows)
    testimonies = tables["testimonies"]
    testimonies.columns += [c for c in JOURNEY_SUMMARY if c not in testimonies.columns]
    summaries = {
        t.pk: journey_summary(t) for t in Testimony.objects.prefetch_related("journey_events")
    }
    for row in testimonies.rows:
        row.update(summaries[row["id"]])
    # What each claim is about, by kind as the controlled levels name it, so that a writer can
    # put a claim's source beside its record without a content type to look up.
    kinds = {ct.pk: ct.model for ct in ContentType.objects.all()}
    claims = tables["claims"]
    claims.columns += ["subject_kind", "subject_id"]
    for row in claims.rows:
        row["subject_kind"] = kinds.get(row["content_type_id"], "")
        row["subject_id"] = row["object_id"]
    return tables


def records_at(model: type[models.Model], access: set[str]) -> models.QuerySet[Any]:
    return model._default_manager.filter(access_level__in=access).order_by("pk")


def generic_table(
    model: type[models.Model],
    instances: list[Any],
    pid: Pseudonymiser,
    ref: Callable[[str, object], str],
) -> Table:
    """Rows with every id pseudonymised, dates to the month, points on the grid, text dropped.

    `ref(kind, pk)` gives the pseudonym of a record this export releases, blank for any other.
    """
    kind = model._meta.model_name or ""
    withheld = WITHHELD.get(kind, set())
    fields = []
    for f in model._meta.concrete_fields:
        if f.name in withheld or isinstance(f, models.DateTimeField):
            continue
        if isinstance(f, models.TextField) and (kind, f.name) not in KEPT_TEXT:
            continue
        fields.append(f)
    relations = [f for f in model._meta.many_to_many]
    names = {f.name for f in fields}
    columns = [f.attname for f in fields] + [f.name for f in relations]
    if kind == "claim":
        columns = [c for c in columns if c not in ("content_type_id", "object_id")]
        columns += ["subject_kind", "subject_id"]
    rows = []
    for instance in instances:
        row: dict[str, Any] = {}
        dates: dict[str, str] = {}
        for f in fields:
            value = getattr(instance, f.attname)
            if f.primary_key:
                value = pid(kind, value)
            elif isinstance(f, models.ForeignKey):
                value = "" if value is None else ref(str(f.related_model._meta.model_name), value)
            elif isinstance(f, models.DateField):
                precision = (
                    getattr(instance, f"{f.name}_precision", "")
                    if f"{f.name}_precision" in names
                    else ""
                )
                value = dates[f.name] = gen.month(value, precision)
            row[f.attname] = value
        for name, value in dates.items():
            if f"{name}_precision" in names:
                # The precision of the value released, not of the one stored (a day's precision
                # beside a month would claim a finer date than the file holds).
                row[f"{name}_precision"] = gen.precision_of(value)
        for rel in relations:
            target = str(rel.related_model._meta.model_name)
            row[rel.name] = sorted(
                filter(None, (ref(target, o.pk) for o in getattr(instance, rel.name).all()))
            )
        if "latitude" in names:
            point = gen.snap(instance.latitude, instance.longitude)
            row["latitude"], row["longitude"] = point if point else (None, None)
            if "coordinate_precision" in names and point:
                row["coordinate_precision"] = "grid"
        if kind == "source" and instance.kind == SourceKind.INTERVIEW:
            # An interview's citation may name or place the interviewee, and its date and
            # language are the testimony's, which is generalised with the person's.
            row.update(title="", date="", date_precision="", language="")
        if kind == "deployment":
            row["sector"] = sector_categories(instance.sector)
            row["host_region"] = host_region(instance.host_region)
        if kind == "sighting":
            # Typed by the public: only its category leaves.
            row["work_kind"] = sector_categories(instance.work_kind)
        if kind == "claim":
            row.pop("content_type_id", None)
            row.pop("object_id", None)
            row["subject_kind"] = instance.content_type.model
            row["subject_id"] = ref(instance.content_type.model, instance.object_id)
        rows.append(row)
    return Table(columns, rows)
