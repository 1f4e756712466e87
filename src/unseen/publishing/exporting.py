"""Writing records to files, at three levels of disclosure (docs/reference/export.md).

- `full`: every record of every kind with its real ids, pseudonymous fields only (identities stay
  in the vault: a full export is never a vault export). Needs an administrator's approval.
- `pseudonymised`: public and internal records, never confidential ones.
- `public`: public records only.

The two controlled levels generalise (dates to the month, coordinates to a grid of cells at least
10 km across), replace every id with a keyed pseudonym (HMAC-SHA256 under a key per recipient),
drop free text and anything else that may identify, and make the persons k-anonymous on their
quasi-identifiers (sex, birth year, home province, host country, site, period): the least
generalisation is found and the small groups left are suppressed, and reported. When that would
leave out more than MAX_SUPPRESSED_SHARE of the persons, the export is refused unless an
administrator overrides, which is audited.
"""

import csv
import importlib.util
import json
import math
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core.privacy import generalise as gen
from unseen.core.privacy.kanonymity import Ladder, Release, anonymise, as_released, hide, keep
from unseen.core.privacy.pseudonyms import pseudonym, recipient_key
from unseen.documentation.models import Deployment, Incident, IndicatorCoding, Sighting, Testimony
from unseen.evidence.models import Claim, Source, SourceKind
from unseen.private_files import private_folder, private_output
from unseen.registry.models import ExternalIdentifier, Organisation, OrganisationAlias, Person, Site

from .models import ExportApproval

FORMATS = ("csv", "ftm", "geojson")
LEVELS = ("public", "pseudonymised", "full")
DEFAULT_K = 5
# Above this share of persons suppressed, the export is refused rather than quietly thinned out.
MAX_SUPPRESSED_SHARE = 0.10

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
    ("sites", Site),
    ("testimonies", Testimony),
    ("indicator_codings", IndicatorCoding),
    ("deployments", Deployment),
    ("incidents", Incident),
    ("sightings", Sighting),
]

# Fields the controlled levels never release, beyond every free-text (TextField) field and the
# timestamps: ids that join to other systems, names of workplaces, places typed by hand, staff codes.
WITHHELD = {
    "person": {"pseudonym", "source_record_id"},
    "site": {"name"},
    "sighting": {"place"},
    "incident": {"place", "perpetrator_description"},
    "testimony": {"interviewer_code"},
}
# Free text that is kept: citations of non-interview sources, the names of organisations.
KEPT_TEXT = {("source", "title")}

QUASI_IDENTIFIERS = ("sex", "birth_year", "home_province", "host_country", "site", "period")


def _birth_band(value: str) -> str:
    return gen.year_band(int(value)) if value else ""


def _birth_band_20(value: str) -> str:
    return gen.year_band(int(value), 20) if value else ""


# Level 0 of every ladder is already coarser than the records: birth year to a 10-year band,
# site to its country, period to whole years. Higher levels coarsen further, up to withholding.
LADDERS = (
    Ladder("sex", (keep, hide)),
    Ladder("birth_year", (_birth_band, _birth_band_20, hide)),
    Ladder("home_province", (keep, gen.region_of, hide)),
    Ladder("host_country", (keep, hide)),
    Ladder("site", (keep, hide)),
    Ladder("period", (keep, gen.period_decade, hide)),
)


class ExportRefused(Exception):
    """The export cannot be made as asked; the reason is for the user."""


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    files: dict[str, int]
    k: int | None = None  # smallest group of persons released (controlled levels)
    persons: int = 0  # persons eligible for release
    suppressed: int = 0  # persons left out because their group stayed smaller than k
    generalisation: dict[str, int] = field(default_factory=dict)
    overridden: bool = False


@dataclass
class Table:
    columns: list[str]
    rows: list[dict[str, Any]]


def export_secret() -> str:
    """UNSEEN_EXPORT_KEY, or var/keys/export_key (created 0600 on first use)."""
    if settings.UNSEEN_EXPORT_KEY:
        return str(settings.UNSEEN_EXPORT_KEY)
    path = Path(settings.VAR_DIR) / "keys" / "export_key"
    if path.exists():
        return path.read_text().strip()
    private_folder(path.parent)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def export(
    directory: Path,
    *,
    format: str = "csv",
    level: str = "full",
    recipient: str = "",
    k: int = DEFAULT_K,
    override_by: Any = None,
    approval: ExportApproval | None = None,
    progress: Callable[[int], object] | None = None,
) -> ExportResult:
    """Write one file per record kind into `directory` (nothing at all when refused)."""
    if format not in FORMATS or level not in LEVELS:
        raise ExportRefused(f"unknown format {format!r} or level {level!r}")
    if format == "ftm" and importlib.util.find_spec("followthemoney") is None:
        raise ExportRefused(
            "--format ftm needs the FollowTheMoney extra: pip install 'unseen[ftm]' "
            "(it builds PyICU, which needs Debian's libicu-dev and pkg-config)"
        )
    if k < 1:
        raise ExportRefused("--k must be at least 1")
    if override_by is not None and getattr(override_by, "role", "") != Role.ADMINISTRATOR:
        raise ExportRefused("only an administrator may override the k-anonymity check")
    if level == "full":
        if approval is None:
            raise ExportRefused(
                "a full export needs an administrator's approval: --approval ID "
                "(create one in the admin under Export approvals)"
            )
        recipient = recipient or approval.recipient
        if (
            " ".join(recipient.split()).casefold()
            != " ".join(approval.recipient.split()).casefold()
        ):
            raise ExportRefused(f"approval #{approval.pk} is for another recipient")
        tables, result = _full_tables(), ExportResult(directory, {})
    else:
        if level == "pseudonymised" and not recipient.strip():
            raise ExportRefused("a pseudonymised export needs --recipient NAME")
        recipient = recipient.strip() or "public"
        tables, result = _controlled_tables(level, recipient, k, override_by, directory)

    with transaction.atomic():
        if approval is not None:
            used = ExportApproval.objects.filter(
                pk=approval.pk, used_at__isnull=True, level=level
            ).update(used_at=timezone.now())
            if not used:
                raise ExportRefused(f"approval #{approval.pk} has been used already")
        # Exports carry testimony: the files (and a folder made for them) are the operator's alone.
        with private_output(directory):
            files = WRITERS[format](directory, tables, progress)
        detail: dict[str, Any] = {
            "format": format,
            "level": level,
            "recipient": recipient,
            "files": files,
        }
        if level != "full":
            detail.update(
                k=k,
                smallest_group=result.k,
                persons=result.persons,
                suppressed=result.suppressed,
                generalisation=result.generalisation,
            )
        if result.overridden:
            detail["override"] = {
                "approved_by": override_by.get_username(),
                "smallest_group": result.k,
                "k": k,
            }
        if approval is not None:
            detail["approval"] = approval.pk
        record(Action.EXPORT, target_type="all", detail=detail)
    return ExportResult(
        directory,
        files,
        k=result.k,
        persons=result.persons,
        suppressed=result.suppressed,
        generalisation=result.generalisation,
        overridden=result.overridden,
    )


# ---------------------------------------------------------------------------------------------
# Full level: every field as stored (ids included), identities excluded.


def _columns(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _many_to_many(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.many_to_many]


def _full_tables() -> dict[str, Table]:
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
    return tables


# ---------------------------------------------------------------------------------------------
# Controlled levels.


class _Pseudonymiser:
    def __init__(self, recipient: str) -> None:
        self.key = recipient_key(export_secret(), recipient)

    def __call__(self, kind: str, pk: object) -> str:
        return "" if pk is None else pseudonym(self.key, kind, pk)


def _released(model: type[models.Model], access: set[str]) -> models.QuerySet[Any]:
    return model._default_manager.filter(access_level__in=access).order_by("pk")


def _controlled_tables(
    level: str, recipient: str, k: int, override_by: Any, directory: Path
) -> tuple[dict[str, Table], ExportResult]:
    access = RELEASED_ACCESS[level]
    pid = _Pseudonymiser(recipient)

    persons = list(_released(Person, access))
    deployments = list(_released(Deployment, access).select_related("site"))
    by_person: dict[int, list[Deployment]] = {}
    for deployment in deployments:
        if deployment.person_id is not None:
            by_person.setdefault(deployment.person_id, []).append(deployment)

    quasi = [_quasi_identifiers(person, by_person.get(person.pk, [])) for person in persons]
    overridden = False
    release: Release
    if override_by is not None:
        release = as_released(quasi, LADDERS)
        overridden = release.k < k
    else:
        limit = math.floor(MAX_SUPPRESSED_SHARE * len(persons))
        release = anonymise(quasi, LADDERS, k, limit)
        if release.refused:
            raise ExportRefused(
                f"k-anonymity not met: even at the coarsest generalisation {len(release.suppressed)} "
                f"of {len(persons)} persons sit in groups smaller than k={k} (at most {limit} may be "
                "suppressed); nothing written. An administrator may override with --override-k "
                "--approved-by USERNAME, which is audited"
            )
    released_persons = {persons[i].pk: release.keys[i] for i in release.released}
    qi_index = {name: position for position, name in enumerate(QUASI_IDENTIFIERS)}

    def person_qi(person_id: int, name: str) -> str:
        value = released_persons[person_id][qi_index[name]]
        return ";".join(value) if isinstance(value, tuple) else value

    tables: dict[str, Table] = {}
    visible: dict[str, set[int]] = {}

    def add(name: str, model: type[models.Model], instances: Iterable[Any]) -> None:
        table = _generic_table(model, list(instances), pid)
        tables[name] = table
        visible[model._meta.model_name or name] = {row["_pk"] for row in table.rows}

    add("sources", Source, _released(Source, access))
    add("persons", Person, [p for p in persons if p.pk in released_persons])
    for row in tables["persons"].rows:
        for name in ("sex", "birth_year", "home_province"):
            row[name] = person_qi(row["_pk"], name)
    add("organisations", Organisation, _released(Organisation, access))
    add(
        "organisation_aliases",
        OrganisationAlias,
        OrganisationAlias.objects.filter(organisation__access_level__in=access).order_by("pk"),
    )
    add(
        "external_identifiers",
        ExternalIdentifier,
        ExternalIdentifier.objects.filter(organisation__access_level__in=access).order_by("pk"),
    )
    add("sites", Site, _released(Site, access))
    add(
        "testimonies",
        Testimony,
        [
            t
            for t in _released(Testimony, access)
            if t.interviewee_id is None or t.interviewee_id in released_persons
        ],
    )
    add(
        "indicator_codings",
        IndicatorCoding,
        IndicatorCoding.objects.filter(testimony_id__in=visible["testimony"]).order_by("pk"),
    )
    add(
        "deployments",
        Deployment,
        [d for d in deployments if d.person_id is None or d.person_id in released_persons],
    )
    # A person's deployments carry the person's generalised quasi-identifiers, nothing finer.
    for row, deployment in zip(
        tables["deployments"].rows,
        [d for d in deployments if d.person_id is None or d.person_id in released_persons],
        strict=True,
    ):
        if deployment.person_id is None:
            continue
        row["site_id"] = ""
        row["site_country"] = person_qi(deployment.person_id, "site")
        row["host_country"] = person_qi(deployment.person_id, "host_country")
        row["period_start"] = row["period_end"] = person_qi(deployment.person_id, "period")
    tables["deployments"].columns.append("site_country")
    incidents = list(_released(Incident, access).prefetch_related("victims"))
    add("incidents", Incident, incidents)
    for row, incident in zip(tables["incidents"].rows, incidents, strict=True):
        victims = [v.pk for v in incident.victims.all() if v.pk in released_persons]
        row["victims"] = sorted(pid("person", v) for v in victims)
        if incident.victims.all():
            # Told by (or about) a person: no finer place or time than the person's deployments.
            row["site_id"] = ""
            year = gen.period(incident.date, incident.date) if incident.date else ""
            row["date"] = [year, gen.period_decade(year), hide(year)][release.levels["period"]]
            if release.levels["host_country"] or release.levels["site"]:
                row["country"] = hide(row.get("country") or "")
    add("sightings", Sighting, _released(Sighting, access))
    claims = [
        claim
        for claim in Claim.objects.select_related("content_type").order_by("pk")
        if claim.source_id in visible["source"]
        and claim.object_id in visible.get(claim.content_type.model, set())
    ]
    add("claims", Claim, claims)

    ordered = {name: tables[name] for name, _model in EXPORTED}
    for table in ordered.values():
        for row in table.rows:
            row.pop("_pk", None)
    result = ExportResult(
        directory,
        {},
        k=release.k,
        persons=len(persons),
        suppressed=len(release.suppressed),
        generalisation=release.levels,
        overridden=overridden,
    )
    return ordered, result


def _quasi_identifiers(person: Person, deployments: list[Deployment]) -> dict[str, Any]:
    """A person's quasi-identifiers at level 0 (multi-valued ones as sorted tuples)."""
    return {
        "sex": person.sex or "",
        "birth_year": str(person.birth_year) if person.birth_year else "",
        "home_province": person.home_province,
        "host_country": tuple(sorted({d.host_country for d in deployments if d.host_country})),
        "site": tuple(sorted({d.site.country for d in deployments if d.site is not None})),
        "period": tuple(
            sorted(
                {
                    gen.period(d.period_start, d.period_end)
                    for d in deployments
                    if d.period_start or d.period_end
                }
            )
        ),
    }


def _generic_table(model: type[models.Model], instances: list[Any], pid: _Pseudonymiser) -> Table:
    """Rows with every id pseudonymised, dates to the month, points on the grid, text dropped."""
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
        row: dict[str, Any] = {"_pk": instance.pk}
        for f in fields:
            value = getattr(instance, f.attname)
            if f.primary_key:
                value = pid(kind, value)
            elif isinstance(f, models.ForeignKey):
                target = f.related_model._meta.model_name
                value = pid(str(target), value)
            elif isinstance(f, models.DateField):
                precision = (
                    getattr(instance, f"{f.name}_precision", "")
                    if f"{f.name}_precision" in names
                    else ""
                )
                value = gen.month(value, precision)
            row[f.attname] = value
        for rel in relations:
            target = rel.related_model._meta.model_name
            row[rel.name] = sorted(
                pid(str(target), o.pk) for o in getattr(instance, rel.name).all()
            )
        if "latitude" in names:
            point = gen.snap(instance.latitude, instance.longitude)
            row["latitude"], row["longitude"] = point if point else (None, None)
            if "coordinate_precision" in names and point:
                row["coordinate_precision"] = "grid"
        if kind == "source" and instance.kind == SourceKind.INTERVIEW:
            row["title"] = ""  # an interview's citation may name or place the interviewee
        if kind == "claim":
            row.pop("content_type_id", None)
            row.pop("object_id", None)
            row["subject_kind"] = instance.content_type.model
            row["subject_id"] = pid(instance.content_type.model, instance.object_id)
        rows.append(row)
    return Table(columns, rows)


# ---------------------------------------------------------------------------------------------
# Writers.


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def _write_csv(
    directory: Path, tables: dict[str, Table], progress: Callable[[int], object] | None
) -> dict[str, int]:
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, int] = {}
    for name, table in tables.items():
        with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.columns)
            for row in table.rows:
                writer.writerow([_cell(row.get(column)) for column in table.columns])
        files[name] = len(table.rows)
        if progress:
            progress(1)
    return files


def _json_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    return str(value)


def _write_geojson(
    directory: Path, tables: dict[str, Table], progress: Callable[[int], object] | None
) -> dict[str, int]:
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, int] = {}
    for name in ("sites", "sightings"):
        table = tables[name]
        features = []
        for row in table.rows:
            lat, lon = row.get("latitude"), row.get("longitude")
            geometry = (
                {"type": "Point", "coordinates": [lon, lat]}
                if lat is not None and lon is not None
                else None
            )
            properties = {
                c: _json_value(row.get(c))
                for c in table.columns
                if c not in ("latitude", "longitude")
            }
            features.append({"type": "Feature", "geometry": geometry, "properties": properties})
        collection = {"type": "FeatureCollection", "features": features}
        (directory / f"{name}.geojson").write_text(
            json.dumps(collection, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        files[name] = len(features)
        if progress:
            progress(1)
    return files


def _write_ftm(
    directory: Path, tables: dict[str, Table], progress: Callable[[int], object] | None
) -> dict[str, int]:
    from .ftm import write_entities

    directory.mkdir(parents=True, exist_ok=True)
    count = write_entities(directory / "entities.ftm.json", tables)
    if progress:
        progress(len(EXPORTED))
    return {"entities": count}


WRITERS: dict[str, Callable[..., dict[str, int]]] = {
    "csv": _write_csv,
    "geojson": _write_geojson,
    "ftm": _write_ftm,
}
