"""Writing records to files, at three levels of disclosure (docs/reference/export.md).

- `full`: every record of every kind with its real ids, pseudonymous fields only (identities stay
  in the vault: a full export is never a vault export). Needs an administrator's approval.
- `pseudonymised`: public and internal records, never confidential ones.
- `public`: public records only.

The two controlled levels generalise (dates to the month, coordinates to a grid of cells at least
10 km across), replace every id with a keyed pseudonym (HMAC-SHA256 under a key per recipient,
or the public release's own, with a fresh salt per export unless an administrator makes the
export linkable; linkable releases must meet k on their join, see ReleaseLedger), write rows in
the order of their pseudonyms (never of creation), leave blank every reference to a record they do not release, drop free text and anything else
that may identify, and make the persons k-anonymous on everything a recipient joins to a
person's pseudonym: the person's own row with their deployments, incidents and testimonies
(DIMENSIONS). The least generalisation is found and the small groups left are suppressed with all
their rows, and reported. When that would leave out more than MAX_SUPPRESSED_SHARE of the
persons, the export is refused unless an administrator overrides, which is audited.

The export key is never created by an export: `init_export_key` creates it, once.

CSV cells that a spreadsheet would run as a formula are neutralised; GeoJSON and FtM keep the
raw values.
"""

import csv
import functools
import importlib.util
import json
import math
import os
import re
import secrets
import stat
from collections.abc import Callable
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
from unseen.core.places import REGIONS
from unseen.core.privacy import generalise as gen
from unseen.core.privacy.kanonymity import (
    Dimension,
    Release,
    anonymise_joined,
    digest,
    drop,
    generalise_joined,
    hide,
    joined_as_released,
    keep,
)
from unseen.core.privacy.pseudonyms import (
    export_key,
    pseudonym,
    public_release_key,
    recipient_key,
)
from unseen.documentation.models import Deployment, Incident, IndicatorCoding, Sighting, Testimony
from unseen.evidence.models import Claim, Source, SourceKind
from unseen.private_files import private_folder, private_output
from unseen.registry.models import ExternalIdentifier, Organisation, OrganisationAlias, Person, Site

from .models import ExportApproval, ReleaseLedger
from .sectors import categories_of

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

# Level 0 of every ladder is already coarser than the records: birth year to a 10-year band, a
# province only as the vocabulary spells it, site to its country, periods and dates to whole
# years, sectors to their categories, money and hours to bands. Higher levels coarsen further,
# up to withholding.
WAGE_BAND = "100"  # USD a month
SHARE_BAND = "0.1"
HOURS_BAND = "2"
BRIBE_BAND = "100"  # USD


def _birth_band(value: str) -> str:
    return gen.year_band(int(value)) if value else ""


def _birth_band_20(value: str) -> str:
    return gen.year_band(int(value), 20) if value else ""


def _sector(value: str) -> str:
    """Sectors and kinds of work are typed text; only their categories are a vocabulary."""
    return ";".join(categories_of(value)) if value else ""


def _host_region(value: str) -> str:
    """A region from the vocabulary of core.places, or country codes joined by '/'; else blank."""
    if value in set(REGIONS.values()) or re.fullmatch(r"[A-Z]{2}(/[A-Z]{2})+", value):
        return value
    return ""


_PERIOD = (keep, gen.period_decade, hide)
_JOURNEY = (
    "interview_language",
    "interview_country",
    "recruitment_channel",
    "vetting_health_check",
    "vetting_loyalty_check",
    "bribe_paid",
)

# Everything a recipient can join to one person through the person's pseudonym: the person's own
# row and their deployments, incidents (as a victim) and testimonies (with their codings). Each
# column of those rows is named here with how it coarsens, or left blank in the export: so the k
# measured on these columns is the k a recipient finds on the files. Columns of different kinds
# that mean one thing (every date, every host country) share a dimension and climb together.
DIMENSIONS = (
    Dimension("sex", {("person", "sex"): (keep, hide)}),
    Dimension("birth_year", {("person", "birth_year"): (_birth_band, _birth_band_20, hide)}),
    Dimension(
        "home_province",
        {
            ("person", "home_province"): (gen.province, gen.region_of, hide),
            ("person", "nationality"): (keep, keep, hide),
        },
    ),
    Dimension(
        "host_country",
        {("deployment", "host_country"): (keep, hide), ("incident", "country"): (keep, hide)},
    ),
    Dimension("site", {("deployment", "site_country"): (keep, hide)}),
    Dimension(
        "period",
        {
            ("deployment", "period"): _PERIOD,
            ("incident", "date"): _PERIOD,
            ("testimony", "interview_date"): _PERIOD,
        },
    ),
    Dimension(
        "work",
        {
            ("deployment", "sector"): (_sector, _sector, hide),
            ("deployment", "monthly_wage_usd_low"): (
                functools.partial(gen.band_low, width=WAGE_BAND),
                drop,
                drop,
            ),
            ("deployment", "monthly_wage_usd_high"): (
                functools.partial(gen.band_high, width=WAGE_BAND),
                drop,
                drop,
            ),
            ("deployment", "state_share_low"): (
                functools.partial(gen.band_low, width=SHARE_BAND),
                drop,
                drop,
            ),
            ("deployment", "state_share_high"): (
                functools.partial(gen.band_high, width=SHARE_BAND, cap="1"),
                drop,
                drop,
            ),
            ("deployment", "hours_per_day_band"): (
                functools.partial(gen.band, width=HOURS_BAND),
                drop,
                drop,
            ),
        },
    ),
    Dimension(
        "organisations",
        {
            ("deployment", "dispatcher_id"): (keep, drop),
            ("deployment", "employer_id"): (keep, drop),
            ("incident", "perpetrator_organisations"): (keep, drop),
        },
    ),
    Dimension(
        "account",
        {
            ("incident", "act"): (keep, keep, hide),
            ("testimony", "outcome"): (keep, keep, hide),
            **{("testimony", column): (keep, hide, hide) for column in _JOURNEY},
            ("testimony", "consent_to_use"): (keep, drop, drop),
            ("testimony", "consent_to_publish"): (keep, drop, drop),
            ("testimony", "bribe_amount_usd"): (
                functools.partial(gen.band, width=BRIBE_BAND),
                drop,
                drop,
            ),
            ("testimony", "codings"): (keep, drop, drop),
        },
    ),
)
# The columns of a person-linked row that link rather than describe: pseudonyms of the row and
# of the persons it joins to (themselves in the key through the rows they carry).
LINKS = {"id", "person_id", "interviewee_id", "victims"}


class ExportRefused(Exception):
    """The export cannot be made as asked; the reason is for the user."""


class ExportKeyError(ExportRefused):
    """The export key is missing, unsafe, or (when asked to create one) already there."""


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    files: dict[str, int]
    k: int | None = None  # smallest group of persons released (controlled levels)
    persons: int = 0  # persons eligible for release
    suppressed: int = 0  # persons left out because their group stayed smaller than k
    generalisation: dict[str, int] = field(default_factory=dict)
    overridden: bool = False
    linkable: bool = False
    earlier_releases: int = 0  # earlier linkable releases to this recipient, joined in k


@dataclass
class Table:
    columns: list[str]
    rows: list[dict[str, Any]]


def export_key_path() -> Path:
    return Path(settings.VAR_DIR) / "keys" / "export_key"


def init_export_key() -> Path:
    """Create the export key file, var/keys/export_key (0600 in a 0700 folder); its path.

    Every pseudonym of every recipient derives from this key, so it is made once, on purpose,
    and never replaced: an export never creates it (a lost key silently re-created would change
    every pseudonym). Raises ExportKeyError when the file exists, or when UNSEEN_EXPORT_KEY is
    set (that is the key then, and a file would only be ignored).
    """
    if settings.UNSEEN_EXPORT_KEY:
        raise ExportKeyError("UNSEEN_EXPORT_KEY is set: it is the export key; no file created")
    path = export_key_path()
    private_folder(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ExportKeyError(
            f"the export key {path} already exists: it is never replaced, since every "
            "pseudonym derives from it"
        ) from None
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path


def export_secret() -> str:
    """UNSEEN_EXPORT_KEY, or var/keys/export_key; ExportKeyError when neither is usable."""
    if settings.UNSEEN_EXPORT_KEY:
        return str(settings.UNSEEN_EXPORT_KEY)
    path = export_key_path()
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        raise ExportKeyError(
            f"no export key: UNSEEN_EXPORT_KEY is not set and {path} does not exist. Every "
            "pseudonym derives from this key, so a new one would change them all: restore the "
            "lost key from its backup, or on a new installation create it once with "
            "`unseen export --init-key`. Nothing was created or written"
        ) from None
    if mode & 0o077:
        raise ExportKeyError(
            f"the export key {path} may be read by group or others (mode {mode:04o}): "
            f"chmod 600 {path}"
        )
    value = path.read_text().strip()
    if not value:
        raise ExportKeyError(f"the export key {path} is empty: restore it from its backup")
    return value


def ledger_name(recipient: str) -> str:
    """Whose pseudonyms: the public release's, or a named recipient's (as keyed)."""
    if not recipient:
        return "public-release"
    return "recipient:" + " ".join(recipient.split()).casefold()


def export(
    directory: Path,
    *,
    format: str = "csv",
    level: str = "full",
    recipient: str = "",
    k: int = DEFAULT_K,
    override_by: Any = None,
    linkable_by: Any = None,
    approval: ExportApproval | None = None,
    progress: Callable[[int], object] | None = None,
) -> ExportResult:
    """Write one file per record kind into `directory` (nothing at all when refused).

    At the controlled levels pseudonyms are fresh for every export, unless `linkable_by` (an
    administrator) makes it linkable: then they are the recipient's stable ones, and the
    release must meet k on its join with every earlier linkable release to that recipient.
    A `public` export without `recipient` is the public release, keyed apart from any recipient.
    """
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
    if linkable_by is not None:
        if getattr(linkable_by, "role", "") != Role.ADMINISTRATOR:
            raise ExportRefused("only an administrator may make an export linkable")
        if level == "full":
            raise ExportRefused("--linkable applies to the public and pseudonymised levels")
        if override_by is not None:
            # An override releases groups under k on this export alone; the ledger would then
            # hold a release below k that every later one is measured against.
            raise ExportRefused("--linkable and --override-k cannot be combined")
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
        ledger: ReleaseLedger | None = None
        key_name = ""
    else:
        if level == "pseudonymised" and not recipient.strip():
            raise ExportRefused("a pseudonymised export needs --recipient NAME")
        recipient = recipient.strip()
        key_name = ledger_name(recipient)
        tables, result, ledger = _controlled_tables(
            level, recipient, k, override_by, linkable_by, directory
        )
        # The audit keeps naming the public release's recipient "public", as it always has;
        # `pseudonyms.key` tells it from a recipient of that name.
        recipient = recipient or "public"

    with transaction.atomic():
        if result.linkable:
            assert ledger is not None
            earlier = ReleaseLedger.objects.filter(recipient=ledger.recipient).count()
            if earlier != result.earlier_releases:
                raise ExportRefused(
                    "another linkable export to this recipient was made meanwhile; nothing "
                    "written: run the export again"
                )
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
                pseudonyms={
                    "key": key_name,
                    "per": "recipient" if result.linkable else "export",
                },
            )
        if result.linkable:
            assert ledger is not None
            ledger.save()
            detail["linkable"] = {
                "approved_by": linkable_by.get_username(),
                "earlier_releases": result.earlier_releases,
            }
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
        linkable=result.linkable,
        earlier_releases=result.earlier_releases,
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
    """Pseudonyms of one export: the recipient's (or the public release's) key, salted per
    export unless linkable."""

    def __init__(self, recipient: str, *, linkable: bool) -> None:
        secret = export_secret()
        key = recipient_key(secret, recipient) if recipient else public_release_key(secret)
        self.key = export_key(key, linkable=linkable)

    def __call__(self, kind: str, pk: object) -> str:
        return "" if pk is None else pseudonym(self.key, kind, pk)


def _released(model: type[models.Model], access: set[str]) -> models.QuerySet[Any]:
    return model._default_manager.filter(access_level__in=access).order_by("pk")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _person_record(person: Person) -> dict[str, str]:
    return {
        "access_level": person.access_level,
        "is_synthetic": _flag(person.is_synthetic),
        "sex": person.sex or "",
        "birth_year": _text(person.birth_year),
        "home_province": person.home_province,
        "nationality": person.nationality,
    }


def _deployment_record(deployment: Deployment, organisations: set[int]) -> dict[str, str]:
    def organisation(pk: int | None) -> str:
        return str(pk) if pk in organisations else ""

    return {
        "access_level": deployment.access_level,
        "is_synthetic": _flag(deployment.is_synthetic),
        "is_proxy": _flag(deployment.is_proxy),
        "host_country": deployment.host_country,
        "site_country": deployment.site.country if deployment.site is not None else "",
        "sector": deployment.sector,
        "period": gen.period(deployment.period_start, deployment.period_end),
        "dispatcher_id": organisation(deployment.dispatcher_id),
        "employer_id": organisation(deployment.employer_id),
        "monthly_wage_usd_low": _text(deployment.monthly_wage_usd_low),
        "monthly_wage_usd_high": _text(deployment.monthly_wage_usd_high),
        "state_share_low": _text(deployment.state_share_low),
        "state_share_high": _text(deployment.state_share_high),
        "hours_per_day_band": _text(deployment.hours_per_day),
    }


def _incident_record(incident: Incident, organisations: set[int]) -> dict[str, str]:
    perpetrators = sorted(
        o.pk for o in incident.perpetrator_organisations.all() if o.pk in organisations
    )
    return {
        "access_level": incident.access_level,
        "is_synthetic": _flag(incident.is_synthetic),
        "act": incident.act,
        "date": gen.year(incident.date),
        "country": incident.country,
        "perpetrator_organisations": ";".join(str(pk) for pk in perpetrators),
    }


def _testimony_record(testimony: Testimony) -> dict[str, str]:
    return {
        "access_level": testimony.access_level,
        "is_synthetic": _flag(testimony.is_synthetic),
        "interview_date": gen.year(testimony.interview_date),
        **{column: _text(getattr(testimony, column)) for column in _JOURNEY},
        "consent_to_use": _flag(testimony.consent_to_use),
        "consent_to_publish": _flag(testimony.consent_to_publish),
        "bribe_amount_usd": _text(testimony.bribe_amount_usd),
        "outcome": testimony.outcome,
        "codings": ";".join(sorted(f"{c.indicator}:{c.finding}" for c in testimony.codings.all())),
    }


def _written(kind: str, values: dict[str, str], pid: _Pseudonymiser) -> dict[str, Any]:
    """A person-describing row's released values, as the columns of its table hold them."""
    row: dict[str, Any] = dict(values)
    if kind == "deployment":
        period = row.pop("period")
        row["period_start"] = row["period_end"] = period
        row["period_start_precision"] = row["period_end_precision"] = gen.precision_of(period)
        for column in ("dispatcher_id", "employer_id"):
            row[column] = pid("organisation", row[column]) if row[column] else ""
    elif kind == "incident":
        row["date_precision"] = gen.precision_of(row["date"])
        # In the order of the pseudonyms, as every list: an order of ids is an order of creation.
        row["perpetrator_organisations"] = sorted(
            pid("organisation", pk) for pk in row["perpetrator_organisations"].split(";") if pk
        )
    elif kind == "testimony":
        row["interview_date_precision"] = gen.precision_of(row["interview_date"])
        row.pop("codings")
    return row


def _describe(
    table: "Table",
    instances: list[Any],
    kind: str,
    described: dict[tuple[str, int], dict[str, str]],
    pid: _Pseudonymiser,
) -> None:
    """Rewrite the rows that describe a person: the generalised key values and links, no more."""
    for row, instance in zip(table.rows, instances, strict=True):
        values = described.get((kind, instance.pk))
        if values is None:
            continue
        written = _written(kind, values, pid)
        for column in table.columns:
            if column not in LINKS:
                # Anything the key does not hold would sit beside the pseudonym unmeasured.
                row[column] = written.get(column, "")


def _controlled_tables(
    level: str, recipient: str, k: int, override_by: Any, linkable_by: Any, directory: Path
) -> tuple[dict[str, Table], ExportResult, ReleaseLedger | None]:
    """The tables of a controlled export, its result, and (when linkable) its ledger entry.

    `recipient` blank: the public release.
    """
    access = RELEASED_ACCESS[level]
    linkable = linkable_by is not None
    pid = _Pseudonymiser(recipient, linkable=linkable)
    name = ledger_name(recipient)
    ledgers = list(ReleaseLedger.objects.filter(recipient=name)) if linkable else []

    sources = list(_released(Source, access))
    organisations = list(_released(Organisation, access))
    sites = list(_released(Site, access))
    persons = list(_released(Person, access))
    at_level = {person.pk for person in persons}
    released_organisations = {o.pk for o in organisations}
    # A record about a person beyond this level would describe them without their pseudonym.
    deployments = [
        d
        for d in _released(Deployment, access).select_related("site")
        if d.person_id is None or d.person_id in at_level
    ]
    testimonies = [
        t
        for t in _released(Testimony, access).prefetch_related("codings")
        if t.interviewee_id is None or t.interviewee_id in at_level
    ]
    incidents = list(
        _released(Incident, access).prefetch_related("victims", "perpetrator_organisations")
    )

    # Every row that describes one person, keyed by (kind, pk), with the persons it joins to.
    records: dict[tuple[str, int], dict[str, str]] = {}
    joined: dict[int, list[tuple[str, int]]] = {p.pk: [("person", p.pk)] for p in persons}
    for person in persons:
        records[("person", person.pk)] = _person_record(person)
    for deployment in deployments:
        if deployment.person_id is not None:
            records[("deployment", deployment.pk)] = _deployment_record(
                deployment, released_organisations
            )
            joined[deployment.person_id].append(("deployment", deployment.pk))
    for incident in incidents:
        if incident.victims.all():
            records[("incident", incident.pk)] = _incident_record(incident, released_organisations)
            for victim in incident.victims.all():
                if victim.pk in at_level:
                    joined[victim.pk].append(("incident", incident.pk))
    for testimony in testimonies:
        records[("testimony", testimony.pk)] = _testimony_record(testimony)
        if testimony.interviewee_id is not None:
            joined[testimony.interviewee_id].append(("testimony", testimony.pk))

    individuals = [[(kind, records[(kind, pk)]) for kind, pk in joined[p.pk]] for p in persons]
    overridden = False
    release: Release
    if override_by is not None:
        release = joined_as_released(individuals, DIMENSIONS)
        overridden = release.k < k
    else:
        limit = math.floor(MAX_SUPPRESSED_SHARE * len(persons))
        # What earlier linkable releases told the recipient of each person, under the same
        # pseudonym ("" where a release left them out): k is counted on the join with it.
        earlier = (
            [
                tuple(ledger.persons.get(pid("person", p.pk), "") for ledger in ledgers)
                for p in persons
            ]
            if ledgers
            else None
        )
        release = anonymise_joined(individuals, DIMENSIONS, k, limit, earlier)
        if release.refused and ledgers:
            raise ExportRefused(
                f"k-anonymity not met on the join with the {len(ledgers)} earlier linkable "
                f"release(s) to this recipient, which hold the same pseudonyms: even at the "
                f"coarsest generalisation the smallest group is {release.smallest} and "
                f"{len(release.suppressed)} of {len(persons)} persons sit in groups smaller than "
                f"k={k} (at most {limit} may be suppressed); nothing written. Export without "
                "--linkable (fresh pseudonyms, which cannot be joined)"
            )
        if release.refused:
            raise ExportRefused(
                f"k-anonymity not met: even at the coarsest generalisation {len(release.suppressed)} "
                f"of {len(persons)} persons sit in groups smaller than k={k} (at most {limit} may be "
                "suppressed); nothing written. An administrator may override with --override-k "
                "--approved-by USERNAME, which is audited"
            )
    kept = {persons[i].pk for i in release.released}
    eligible = persons  # release's indices are into this list
    # Rows describing a person but joined to none released at this level (a victim or an
    # interviewee beyond it, or none recorded) still get the same generalisation.
    described = {
        key: generalise_joined([(key[0], record)], DIMENSIONS, release.levels)[0]
        for key, record in records.items()
    }

    # Suppressed persons go with every row joined to them.
    persons = [p for p in persons if p.pk in kept]
    deployments = [d for d in deployments if d.person_id is None or d.person_id in kept]
    testimonies = [t for t in testimonies if t.interviewee_id is None or t.interviewee_id in kept]
    incidents = [
        i
        for i in incidents
        if not (victims := {v.pk for v in i.victims.all()} & at_level) or victims & kept
    ]
    sightings = list(_released(Sighting, access))
    released: dict[str, set[int]] = {
        "source": {s.pk for s in sources},
        "organisation": released_organisations,
        "site": {s.pk for s in sites},
        "person": kept,
        "deployment": {d.pk for d in deployments},
        "testimony": {t.pk for t in testimonies},
        "incident": {i.pk for i in incidents},
        "sighting": {s.pk for s in sightings},
    }

    def ref(kind: str, pk: object) -> str:
        # Deny by default: a reference to a record this export does not release is left blank,
        # never pseudonymised, so not even its existence leaves.
        return pid(kind, pk) if pk in released.get(kind, set()) else ""

    codings = [
        coding
        for testimony in testimonies
        if described[("testimony", testimony.pk)]["codings"]
        for coding in testimony.codings.all()
    ]
    # A claim sets its source (a citation, free text, and its date) beside its subject's
    # pseudonym: about a row that describes a person, that is outside the key k was measured on.
    claims = [
        claim
        for claim in Claim.objects.select_related("content_type").order_by("pk")
        if claim.source_id in released["source"]
        and claim.object_id in released.get(claim.content_type.model, set())
        and (claim.content_type.model, claim.object_id) not in described
    ]
    instances: dict[str, list[Any]] = {
        "sources": sources,
        "claims": claims,
        "persons": persons,
        "organisations": organisations,
        "organisation_aliases": list(
            OrganisationAlias.objects.filter(organisation__in=released_organisations).order_by("pk")
        ),
        "external_identifiers": list(
            ExternalIdentifier.objects.filter(organisation__in=released_organisations).order_by(
                "pk"
            )
        ),
        "sites": sites,
        "testimonies": testimonies,
        "indicator_codings": sorted(codings, key=lambda coding: coding.pk),
        "deployments": deployments,
        "incidents": incidents,
        "sightings": sightings,
    }
    tables: dict[str, Table] = {}
    for table_name, model in EXPORTED:
        tables[table_name] = _generic_table(model, instances[table_name], pid, ref)
    tables["deployments"].columns += ["site_country", "hours_per_day_band"]
    for table_name, kind in (
        ("persons", "person"),
        ("deployments", "deployment"),
        ("incidents", "incident"),
        ("testimonies", "testimony"),
    ):
        _describe(tables[table_name], instances[table_name], kind, described, pid)
    for table in tables.values():
        # Rows in primary-key order would tell the order records were created, and let two
        # recipients line their files up row by row: the order of the pseudonyms tells nothing.
        table.rows.sort(key=lambda row: row["id"])
    ledger = None
    if linkable:
        ledger = ReleaseLedger(
            recipient=name,
            level=level,
            approved_by=linkable_by,
            k=k,
            smallest_group=release.k,
            generalisation=release.levels,
            persons={
                pid("person", eligible[i].pk): digest(release.keys[i]) for i in release.released
            },
        )
    result = ExportResult(
        directory,
        {},
        k=release.k,
        persons=len(individuals),
        suppressed=len(release.suppressed),
        generalisation=release.levels,
        overridden=overridden,
        linkable=linkable,
        earlier_releases=len(ledgers),
    )
    return tables, result, ledger


def _generic_table(
    model: type[models.Model],
    instances: list[Any],
    pid: _Pseudonymiser,
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
            row["sector"] = _sector(instance.sector)
            row["host_region"] = _host_region(instance.host_region)
        if kind == "sighting":
            # Typed by the public: only its category leaves.
            row["work_kind"] = _sector(instance.work_kind)
        if kind == "claim":
            row.pop("content_type_id", None)
            row.pop("object_id", None)
            row["subject_kind"] = instance.content_type.model
            row["subject_id"] = ref(instance.content_type.model, instance.object_id)
        rows.append(row)
    return Table(columns, rows)


# ---------------------------------------------------------------------------------------------
# Writers.


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe.

    A number written as text ("-3.5") is no formula and stays a number.
    """
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    if isinstance(value, str):
        # Anything typed by a person, the public included, may reach a cell; JSON and FtM
        # keep the raw value, as they are read by programs, not spreadsheets.
        return neutralise(value)
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
