"""Disclosure control of the public and pseudonymised levels: the persons and what joins to them.

A recipient joins to a person everything that carries the person's pseudonym: the person's own
row with their deployments, incidents (as a victim) and testimonies (with their codings). k is
measured on that join (DIMENSIONS, docs/decisions/0007), and for a linkable release on its join
with every earlier linkable release to the recipient (ReleaseLedger, docs/decisions/0010). The
least generalisation is found and the small groups left are suppressed with all their rows, and
reported. When that would leave out more than MAX_SUPPRESSED_SHARE of the persons, the export is
refused unless an administrator overrides, which is audited. Rows go out in the order of their
pseudonyms (never of creation).
"""

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Q

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
from unseen.documentation.models import Deployment, Incident, Relation, Sighting, Testimony
from unseen.evidence.models import Claim, Source
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

from ..models import ReleaseLedger
from .keys import Pseudonymiser, ledger_name
from .results import ExportRefused, ExportResult
from .selection import (
    EXPORTED,
    JOURNEY_SUMMARY,
    RELEASED_ACCESS,
    generic_table,
    journey_summary,
    records_at,
    sector_categories,
)
from .tables import Table

# Above this share of persons suppressed, the export is refused rather than quietly thinned out.
MAX_SUPPRESSED_SHARE = 0.10

# Level 0 of every ladder is already coarser than the records: birth year to a 10-year band, a
# province only as the vocabulary spells it, site to its country, periods and dates to whole
# years, sectors to their categories, money and hours to bands. Higher levels coarsen further,
# up to withholding.
WAGE_BAND = "100"  # USD a month
SHARE_BAND = "0.1"
HOURS_BAND = "2"


def _birth_band(value: str) -> str:
    return gen.year_band(int(value)) if value else ""


def _birth_band_20(value: str) -> str:
    return gen.year_band(int(value), 20) if value else ""


_PERIOD = (keep, gen.period_decade, hide)
_INTERVIEW = ("interview_language", "interview_country")
# From the testimony's journey events (ADR 0045): how the worker was recruited and how it ended.
# The rest of the journey leaves only in the HTCDS export, k-anonymous per testimony (cases.py).
_JOURNEY = JOURNEY_SUMMARY

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
            ("deployment", "sector"): (sector_categories, sector_categories, hide),
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
            ("testimony", "exit_kind"): (keep, keep, hide),
            ("testimony", "recruitment_channel"): (keep, hide, hide),
            **{("testimony", column): (keep, hide, hide) for column in _INTERVIEW},
            ("testimony", "consent_to_use"): (keep, drop, drop),
            ("testimony", "consent_to_publish"): (keep, drop, drop),
            ("testimony", "codings"): (keep, drop, drop),
        },
    ),
)
# The columns of a person-linked row that link rather than describe: pseudonyms of the row and
# of the persons it joins to (themselves in the key through the rows they carry).
LINKS = {"id", "person_id", "interviewee_id", "victims"}


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
        **{column: _text(getattr(testimony, column)) for column in _INTERVIEW},
        **journey_summary(testimony),
        "consent_to_use": _flag(testimony.consent_to_use),
        "consent_to_publish": _flag(testimony.consent_to_publish),
        "codings": ";".join(sorted(f"{c.indicator}:{c.finding}" for c in testimony.codings.all())),
    }


def _written(kind: str, values: dict[str, str], pid: Pseudonymiser) -> dict[str, Any]:
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
    table: Table,
    instances: list[Any],
    kind: str,
    described: dict[tuple[str, int], dict[str, str]],
    pid: Pseudonymiser,
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


@dataclass(frozen=True)
class Controlled:
    """A controlled export's tables, result and (when linkable) ledger entry, and how it names
    records: `ref(kind, pk)` a released record's pseudonym ("" for any other), `pid(kind, pk)`
    the pseudonym of anything (the evidence files written beside the tables)."""

    tables: dict[str, Table]
    result: ExportResult
    ledger: ReleaseLedger | None
    ref: Callable[[str, object], str]
    pid: Callable[[str, object], str]


def controlled_tables(
    level: str, recipient: str, k: int, override_by: Any, linkable_by: Any, directory: Path
) -> Controlled:
    """The tables of a controlled export, its result, and (when linkable) its ledger entry.

    `recipient` blank: the public release.
    """
    access = RELEASED_ACCESS[level]
    linkable = linkable_by is not None
    pid = Pseudonymiser(recipient, linkable=linkable)
    name = ledger_name(recipient)
    ledgers = list(ReleaseLedger.objects.filter(recipient=name)) if linkable else []

    sources = list(records_at(Source, access))
    organisations = list(records_at(Organisation, access))
    sites = list(records_at(Site, access))
    # Public figures go out by name, like organisations, at every level their own access level
    # is within (ADR 0031): their names are what public sources print, not a witness's.
    figures = list(records_at(PublicFigure, access))
    persons = list(records_at(Person, access))
    at_level = {person.pk for person in persons}
    released_organisations = {o.pk for o in organisations}
    released_figures = {f.pk for f in figures}
    # A designation goes with its holder: without it, it would tell of a record left out.
    designations = [
        d
        for d in records_at(Designation, access)
        if d.organisation_id in released_organisations or d.public_figure_id in released_figures
    ]
    # A record about a person beyond this level would describe them without their pseudonym.
    deployments = [
        d
        for d in records_at(Deployment, access).select_related("site")
        if d.person_id is None or d.person_id in at_level
    ]
    testimonies = [
        t
        for t in records_at(Testimony, access).prefetch_related("codings", "journey_events")
        if t.interviewee_id is None or t.interviewee_id in at_level
    ]
    incidents = list(
        records_at(Incident, access).prefetch_related("victims", "perpetrator_organisations")
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
    sightings = list(records_at(Sighting, access))
    released_sites = {s.pk for s in sites}
    ends = {
        "subject_organisation_id": released_organisations,
        "subject_figure_id": released_figures,
        "object_organisation_id": released_organisations,
        "object_figure_id": released_figures,
        "object_site_id": released_sites,
    }
    # A relation goes out only when both its ends do. One with a person at either end never
    # does below full: it would set an organisation and dates beside the person's pseudonym,
    # outside the key k was measured on.
    relations = [
        relation
        for relation in records_at(Relation, access)
        if relation.subject_person_id is None
        and relation.object_person_id is None
        and all(
            getattr(relation, end) in allowed
            for end, allowed in ends.items()
            if getattr(relation, end) is not None
        )
    ]
    released: dict[str, set[int]] = {
        "source": {s.pk for s in sources},
        "organisation": released_organisations,
        "site": released_sites,
        "person": kept,
        "deployment": {d.pk for d in deployments},
        "testimony": {t.pk for t in testimonies},
        "incident": {i.pk for i in incidents},
        "sighting": {s.pk for s in sightings},
        "publicfigure": released_figures,
        "relation": {r.pk for r in relations},
        "designation": {d.pk for d in designations},
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
            ExternalIdentifier.objects.filter(
                Q(organisation__in=released_organisations) | Q(public_figure__in=released_figures)
            ).order_by("pk")
        ),
        "public_figures": figures,
        "public_figure_aliases": list(
            PublicFigureAlias.objects.filter(figure__in=released_figures).order_by("pk")
        ),
        "designations": designations,
        "sites": sites,
        "testimonies": testimonies,
        "indicator_codings": sorted(codings, key=lambda coding: coding.pk),
        "deployments": deployments,
        "incidents": incidents,
        "sightings": sightings,
        "relations": relations,
    }
    tables: dict[str, Table] = {}
    for table_name, model in EXPORTED:
        tables[table_name] = generic_table(model, instances[table_name], pid, ref)
    tables["deployments"].columns += ["site_country", "hours_per_day_band"]
    testimony_columns = tables["testimonies"].columns
    testimony_columns += [c for c in _JOURNEY if c not in testimony_columns]
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
    return Controlled(tables, result, ledger, ref, pid)
