"""Writing records to files.

The `full` level writes every record of every kind, pseudonymous fields only: identities stay in
the vault. The disclosure-controlled `public` and `pseudonymised` levels and the FollowTheMoney and
GeoJSON formats arrive with the witness-protection work.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import models

from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.documentation.models import Deployment, Incident, IndicatorCoding, Sighting, Testimony
from unseen.evidence.models import Claim, Source
from unseen.registry.models import ExternalIdentifier, Organisation, OrganisationAlias, Person, Site

FORMATS = ("csv", "ftm", "geojson")
LEVELS = ("public", "pseudonymised", "full")

# One file per kind. Identities are deliberately absent: a full export is not a vault export.
EXPORTED: list[tuple[str, type[models.Model]]] = [
    ("sources", Source),
    ("claims", Claim),
    ("persons", Person),
    ("organisations", Organisation),
    ("organisation_aliases", OrganisationAlias),
    ("external_identifiers", ExternalIdentifier),
    ("sites", Site),
    ("testimonies", Testimony),
    ("indicator_codings", IndicatorCoding),
    ("deployments", Deployment),
    ("incidents", Incident),
    ("sightings", Sighting),
]


class ExportRefused(Exception):
    """The export cannot be made as asked; the reason is for the user."""


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    files: dict[str, int]


def _columns(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _many_to_many(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.many_to_many]


def export(
    directory: Path,
    *,
    format: str = "csv",
    level: str = "full",
    progress: Callable[[int], object] | None = None,
) -> ExportResult:
    """Write one CSV per record kind into `directory`; returns rows written per file."""
    if format not in FORMATS or level not in LEVELS:
        raise ExportRefused(f"unknown format {format!r} or level {level!r}")
    if format != "csv" or level != "full":
        raise ExportRefused(
            f"--format {format} --level {level} is not available yet: only --format csv --level full "
            "(disclosure-controlled levels and other formats come with the witness-protection work)"
        )
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, int] = {}
    for name, model in EXPORTED:
        columns = _columns(model)
        relations = _many_to_many(model)
        queryset = model._default_manager.order_by("pk")
        if relations:
            queryset = queryset.prefetch_related(*relations)
        path = directory / f"{name}.csv"
        count = 0
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns + relations)
            for instance in queryset.iterator(chunk_size=2000):
                related = [
                    ";".join(str(pk) for pk in sorted(o.pk for o in getattr(instance, rel).all()))
                    for rel in relations
                ]
                writer.writerow([_cell(getattr(instance, column)) for column in columns] + related)
                count += 1
        files[name] = count
        if progress:
            progress(1)
    record(
        Action.EXPORT, target_type="all", detail={"format": format, "level": level, "files": files}
    )
    return ExportResult(directory, files)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
