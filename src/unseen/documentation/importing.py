"""Turning CSV and XLSX files into records, all or nothing.

Every cell is checked first (unseen.core.tables reports each bad one by row and column); only a
file without errors is written, inside one transaction, so a failure part-way leaves the
database as it was. `dry_run` does the whole write and then rolls it back. `import_table` takes
rows already read (the demo's generated persons); `synthetic` marks every record it creates as
demo data, and lets it point only at synthetic sources, sites and organisations.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel, UserLike
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core import schemas
from unseen.core.dates import PartialDate, Precision
from unseen.core.places import Host
from unseen.core.scripts import detect_script
from unseen.core.tables import CellError, Limits, Table, TableError, read_table, validate
from unseen.evidence.models import (
    Claim,
    Credibility,
    Reliability,
    Source,
    SourceKind,
    readable_records,
)
from unseen.evidence.revisions import record_created_since
from unseen.registry.models import (
    CoordinatePrecision,
    ExternalIdentifier,
    IdentifierScheme,
    Organisation,
    OrganisationAlias,
    OrganisationKind,
    Person,
    Sex,
    Site,
    SiteKind,
    pseudonym_for,
    temporary_pseudonym,
)
from unseen.registry.vault import IDENTITY_FIELDS, Identity, store_identities

from .indexing import index_created_since
from .inserting import insert_rows
from .models import ALLOWED_ENDS, Deployment, Relation, RelationKind, Sighting
from .relating import OBJECT_FIELD, PARTY_MODELS, SUBJECT_FIELD, parse_party, readable_party

VOCABULARY = schemas.Vocabulary(
    access_levels=tuple(AccessLevel.values),
    source_kinds=tuple(SourceKind.values),
    reliabilities=tuple(Reliability.values),
    site_kinds=tuple(SiteKind.values),
    organisation_kinds=tuple(OrganisationKind.values),
    coordinate_precisions=tuple(CoordinatePrecision.values),
    sexes=tuple(Sex.values),
    relation_kinds=tuple(RelationKind.values),
)
KINDS = tuple(schemas.SCHEMAS)
BATCH = 5000

# The sourced data grades each figure high / medium / low (docs/facts/nk-facts.md §0); on the
# Admiralty scales that reads as: the claim's credibility, and the best grade any of a source's
# figures got.
CONFIDENCE_CREDIBILITY = {
    "high": Credibility.PROBABLY_TRUE,
    "medium": Credibility.POSSIBLY_TRUE,
    "low": Credibility.DOUBTFUL,
}
CONFIDENCE_RELIABILITY = {"high": Reliability.B, "medium": Reliability.C, "low": Reliability.D}
OPENNESS: list[str] = [AccessLevel.PUBLIC, AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL]

Row = dict[str, Any]
Rows = Sequence[tuple[int, Row]]
Progress = Callable[[int], object]
T = TypeVar("T")


@dataclass
class ImportResult:
    kind: str
    rows: int
    created: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    # Rows that asked to be public, imported as internal until someone else reviews them.
    held_back: int = 0


def import_file(
    path: Path,
    kind: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    default_access_level: str | None = None,
    limits: Limits | None = None,
    origin: str = "",
    published_elsewhere: bool = False,
    user: UserLike | None = None,
) -> ImportResult:
    """Import `path` as records of `kind`.

    Rows without an access level get `default_access_level`, or else the kind's own default
    (confidential for persons, internal for everything else). A file beyond `limits` is refused
    before it is read (`core.tables.Limits`). Records a file names (a relation's ends) are found
    among those `user` may read; no user (the command line) may name any.

    Raises:
        TableError: listing every bad cell; nothing has been written.
    """
    _check_kind(kind)
    return import_table(
        read_table(path, limits),
        kind,
        dry_run=dry_run,
        progress=progress,
        default_access_level=default_access_level,
        origin=origin or path.name,
        published_elsewhere=published_elsewhere,
        user=user,
    )


def _check_kind(kind: str) -> None:
    if kind not in schemas.SCHEMAS:
        raise TableError(
            [CellError(0, "", f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")]
        )


def import_table(
    table: Table,
    kind: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    default_access_level: str | None = None,
    synthetic: bool = False,
    origin: str = "",
    published_elsewhere: bool = False,
    user: UserLike | None = None,
) -> ImportResult:
    """Import rows already read (as `read_table` returns them) as records of `kind`.

    Every cell is checked as `import_file` checks a file's. With `synthetic`, every record created
    is marked synthetic (demo data), and sources, sites and organisations are found by name among
    synthetic ones only, so generated rows never point at a real record.

    Raises:
        TableError: listing every bad cell; nothing has been written.
    """
    _check_kind(kind)
    rows, errors = validate(table, schemas.SCHEMAS[kind](VOCABULARY))
    if kind == "persons":
        errors += _duplicate_record_ids(rows)
    if kind == "relations":
        checked = {error.row for error in errors}
        errors += Parties(user, synthetic=synthetic).resolve(
            [(number, row) for number, row in rows if number not in checked]
        )
    if errors:
        raise TableError(errors)
    level = default_access_level or (
        AccessLevel.CONFIDENTIAL if kind == "persons" else AccessLevel.INTERNAL
    )
    held_back = 0
    for _number, row in rows:
        row["access_level"] = row["access_level"] or level
        if row["access_level"] == AccessLevel.PUBLIC and not (synthetic or published_elsewhere):
            # An imported record is new: it is public only once someone other than its importer
            # has reviewed it (ADR 0025). Exempt: generated demo data, which describes no one,
            # and the operator's load of figures already published by others (the demo backbone).
            row["access_level"] = AccessLevel.INTERNAL
            held_back += 1
        row["is_synthetic"] = synthetic
    result = ImportResult(kind, len(rows), dry_run=dry_run, held_back=held_back)
    try:
        with transaction.atomic():
            started = timezone.now()
            result.created = BUILDERS[kind](rows, progress or (lambda n: None))
            # Bulk inserts send no signals: the new records' search entries are written here.
            if not dry_run:
                index_created_since(started)
                record_created_since(
                    started,
                    _("Import of %(file)s") % {"file": origin}
                    if origin
                    else _("Import of a %(kind)s table") % {"kind": kind},
                )
            record(
                Action.IMPORT,
                target_type=kind,
                detail={
                    "rows": len(rows),
                    "created": result.created,
                    "dry_run": dry_run,
                    **({"synthetic": True} if synthetic else {}),
                },
            )
            if dry_run:
                transaction.set_rollback(True)
    except (IntegrityError, DatabaseError) as error:
        raise TableError(
            [CellError(0, "", f"the database refused the rows, nothing was written ({error})")]
        ) from None
    if not dry_run and len(rows) >= ANALYZE_AFTER_ROWS:
        refresh_planner_statistics()
    return result


# A load this large changes how many rows each value of an indexed column selects.
ANALYZE_AFTER_ROWS = 1000


def refresh_planner_statistics() -> None:
    """Let SQLite's query planner see the tables as they now are (PostgreSQL's autovacuum does this
    by itself). Without statistics SQLite takes every index as selective: the public map read all
    100,000 public deployments through the access-level index, one row lookup each, several times
    slower than reading the table (ADR 0036). Half a second at 100,000 deployments."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _duplicate_record_ids(rows: Rows) -> list[CellError]:
    first_seen: dict[str, int] = {}
    errors = []
    for number, row in rows:
        record_id = row["record_id"]
        if record_id in first_seen:
            errors.append(
                CellError(number, "record_id", f"{record_id!r} repeats row {first_seen[record_id]}")
            )
        else:
            first_seen[record_id] = number
    return errors


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _access(row: Row) -> str:
    return str(row["access_level"])


def _synthetic(rows: Rows) -> bool:
    """Whether these rows are generated demo data (`import_table(..., synthetic=True)`)."""
    return any(row.get("is_synthetic") for _number, row in rows)


def _most_open(levels: Iterable[str]) -> str:
    return min(levels, key=OPENNESS.index)


def _date_fields(prefix: str, value: PartialDate | None) -> dict[str, Any]:
    if value is None:
        return {}
    return {prefix: value.value, f"{prefix}_precision": str(value.precision)}


class SourceBook:
    """Sources named in a file, found by title or created once, however many rows cite them."""

    def __init__(
        self, rows: Rows, kind: SourceKind, reliability: Callable[[list[Row]], str] | None = None
    ):
        cited: dict[str, list[Row]] = {}
        for _number, row in rows:
            if row.get("source"):
                cited.setdefault(row["source"], []).append(row)
        synthetic = _synthetic(rows)
        self.by_title: dict[str, Source] = {}
        for titles in batched(cited, 500):
            found = Source.objects.filter(title__in=titles, is_synthetic=synthetic)
            for source in found.order_by("id"):
                self.by_title.setdefault(source.title, source)
        new = [
            Source(
                title=title,
                kind=kind,
                reliability=reliability(cited_rows) if reliability else Reliability.F,
                access_level=_most_open(_access(row) for row in cited_rows),
                is_synthetic=synthetic,
            )
            for title, cited_rows in cited.items()
            if title not in self.by_title
        ]
        for source in Source.objects.bulk_create(new):
            self.by_title[source.title] = source
        self.created = len(new)

    def __getitem__(self, title: str) -> Source:
        return self.by_title[title]


def _claims_for(
    model: type[models.Model],
    record_ids: list[int],
    rows: list[Row],
    book: SourceBook,
    credibility: Callable[[Row], int],
    statement: Callable[[Row], str],
) -> int:
    content_type_id = ContentType.objects.get_for_model(model).pk
    claims = [
        {
            "source_id": book[row["source"]].pk,
            "credibility": credibility(row),
            "statement": statement(row),
            "field": "",
            "content_type_id": content_type_id,
            "object_id": pk,
        }
        for pk, row in zip(record_ids, rows, strict=True)
        if row.get("source")
    ]
    return len(insert_rows(Claim, claims))


def _range_text(low: Any, high: Any) -> str:
    if low is None and high is None:
        return "not reported"
    if low == high or high is None:
        return f"{low}"
    if low is None:
        return f"up to {high}"
    return f"{low}–{high}"


def build_deployments(rows: Rows, progress: Progress) -> dict[str, int]:
    def best_grade(cited: list[Row]) -> str:
        return min(CONFIDENCE_RELIABILITY[row["confidence"]] for row in cited)

    book = SourceBook(rows, SourceKind.DOCUMENT, best_grade)
    created = {"sources": book.created, "deployments": 0, "claims": 0}
    for chunk in batched((row for _number, row in rows), BATCH):
        deployments = []
        for row in chunk:
            host: Host = row["host_country"]
            year_start = PartialDate(dt.date(row["year"], 1, 1), Precision.YEAR)
            deployments.append(
                {
                    "host_country": host.country,
                    "host_region": host.region,
                    "sector": row["sector"],
                    "is_proxy": schemas.is_proxy_sector(row["sector"]),
                    "workers_low": row["workers_low"],
                    "workers_high": row["workers_high"],
                    "monthly_wage_usd_low": row["monthly_wage_usd_low"],
                    "monthly_wage_usd_high": row["monthly_wage_usd_high"],
                    "state_share_low": row["state_share_low"],
                    "state_share_high": row["state_share_high"],
                    "access_level": _access(row),
                    "is_synthetic": bool(row.get("is_synthetic")),
                    **_date_fields("period_start", year_start),
                    **_date_fields("period_end", year_start),
                }
            )
        deployment_ids = insert_rows(Deployment, deployments)
        created["deployments"] += len(deployment_ids)
        created["claims"] += _claims_for(
            Deployment,
            deployment_ids,
            chunk,
            book,
            credibility=lambda row: CONFIDENCE_CREDIBILITY[row["confidence"]],
            statement=lambda row: (
                f"{row['host_country'].label}, {row['year']}, {row['sector']}: "
                f"{_range_text(row['workers_low'], row['workers_high'])} workers"
            ),
        )
        progress(len(chunk))
    return created


def build_sources(rows: Rows, progress: Progress) -> dict[str, int]:
    sources = [
        Source(
            title=row["title"],
            kind=row["kind"],
            language=row["language"] or "",
            reliability=row["reliability"] or Reliability.F,
            url=row["url"] or "",
            notes=row["notes"] or "",
            access_level=_access(row),
            is_synthetic=bool(row.get("is_synthetic")),
            **_date_fields("date", row["date"]),
        )
        for _number, row in rows
    ]
    Source.objects.bulk_create(sources, batch_size=BATCH)
    progress(len(sources))
    return {"sources": len(sources)}


def build_sites(rows: Rows, progress: Progress) -> dict[str, int]:
    book = SourceBook(rows, SourceKind.DOCUMENT)
    plain = [row for _number, row in rows]
    sites = [
        Site(
            name=row["name"],
            kind=row["kind"],
            country=row["country"] or "",
            city=row["city"] or "",
            latitude=row["latitude"],
            longitude=row["longitude"],
            coordinate_precision=row["coordinate_precision"] or "",
            access_level=_access(row),
            is_synthetic=bool(row.get("is_synthetic")),
        )
        for row in plain
    ]
    Site.objects.bulk_create(sites, batch_size=BATCH)
    claims = _claims_for(
        Site,
        [site.pk for site in sites],
        plain,
        book,
        lambda row: Credibility.CANNOT_JUDGE,
        lambda row: f"{row['kind']} {row['name']}",
    )
    progress(len(sites))
    return {"sources": book.created, "sites": len(sites), "claims": claims}


IDENTIFIER_COLUMNS = {
    "un_id": IdentifierScheme.UN_1718,
    "ofac_id": IdentifierScheme.OFAC_SDN,
    "opensanctions_id": IdentifierScheme.OPENSANCTIONS,
}


def build_organisations(rows: Rows, progress: Progress) -> dict[str, int]:
    book = SourceBook(rows, SourceKind.DOCUMENT)
    plain = [row for _number, row in rows]
    organisations = [
        Organisation(
            name=row["name"],
            kind=row["kind"],
            country=row["country"] or "",
            access_level=_access(row),
            is_synthetic=bool(row.get("is_synthetic")),
        )
        for row in plain
    ]
    Organisation.objects.bulk_create(organisations, batch_size=BATCH)
    aliases, identifiers = [], []
    for organisation, row in zip(organisations, plain, strict=True):
        names = {name.strip() for name in (row["aliases"] or "").split(";") if name.strip()}
        aliases += [
            OrganisationAlias(organisation=organisation, name=name, script=detect_script(name))
            for name in sorted(names)
        ]
        identifiers += [
            ExternalIdentifier(organisation=organisation, scheme=scheme, value=row[column])
            for column, scheme in IDENTIFIER_COLUMNS.items()
            if row[column]
        ]
    OrganisationAlias.objects.bulk_create(aliases, batch_size=BATCH)
    ExternalIdentifier.objects.bulk_create(identifiers, batch_size=BATCH)
    claims = _claims_for(
        Organisation,
        [record.pk for record in organisations],
        plain,
        book,
        lambda row: Credibility.CANNOT_JUDGE,
        lambda row: f"{row['kind']} {row['name']}",
    )
    progress(len(organisations))
    return {
        "sources": book.created,
        "organisations": len(organisations),
        "aliases": len(aliases),
        "identifiers": len(identifiers),
        "claims": claims,
    }


def build_sightings(rows: Rows, progress: Progress) -> dict[str, int]:
    book = SourceBook(rows, SourceKind.SIGHTING)
    plain = [row for _number, row in rows]
    sightings = [
        Sighting(
            description=row["description"],
            place=row["place"] or "",
            country=row["country"] or "",
            latitude=row["latitude"],
            longitude=row["longitude"],
            coordinate_precision=row["coordinate_precision"] or "",
            observed_from=row["observed_from"].value if row["observed_from"] else None,
            observed_to=row["observed_to"].last_day
            if row["observed_to"]
            else (row["observed_from"].last_day if row["observed_from"] else None),
            workers_low=row["workers_low"],
            workers_high=row["workers_high"],
            work_kind=row["work_kind"] or "",
            access_level=_access(row),
            is_synthetic=bool(row.get("is_synthetic")),
        )
        for row in plain
    ]
    Sighting.objects.bulk_create(sightings, batch_size=BATCH)
    claims = _claims_for(
        Sighting,
        [record.pk for record in sightings],
        plain,
        book,
        lambda row: Credibility.CANNOT_JUDGE,
        lambda row: "sighting as reported",
    )
    progress(len(sightings))
    return {"sources": book.created, "sightings": len(sightings), "claims": claims}


class Places:
    """Sites and employers named in person rows, found or created once per name and country.

    Synthetic rows find and create only synthetic ones, real rows only real ones.
    """

    def __init__(self, *, synthetic: bool = False) -> None:
        self.synthetic = synthetic
        self.sites: dict[tuple[str, str], Site] = {}
        self.employers: dict[str, Organisation] = {}
        self.created = {"sites": 0, "organisations": 0}

    def site(self, name: str, country: str, access_level: str) -> Site:
        key = (name, country)
        if key not in self.sites:
            found = Site.objects.filter(
                name=name, country=country, is_synthetic=self.synthetic
            ).first()
            if found is None:
                found = Site.objects.create(
                    name=name,
                    country=country,
                    kind=SiteKind.OTHER,
                    access_level=access_level,
                    is_synthetic=self.synthetic,
                )
                self.created["sites"] += 1
            self.sites[key] = found
        return self.sites[key]

    def employer(self, name: str, access_level: str) -> Organisation:
        if name not in self.employers:
            found = Organisation.objects.filter(name=name, is_synthetic=self.synthetic).first()
            if found is None:
                found = Organisation.objects.create(
                    name=name,
                    kind=OrganisationKind.HOST_EMPLOYER,
                    access_level=access_level,
                    is_synthetic=self.synthetic,
                )
                self.created["organisations"] += 1
            self.employers[name] = found
        return self.employers[name]


def build_persons(rows: Rows, progress: Progress) -> dict[str, int]:
    """Persons get pseudonyms; identifying columns go to the identity vault, nothing else keeps them."""
    book = SourceBook(rows, SourceKind.DATASET)
    synthetic = _synthetic(rows)
    places = Places(synthetic=synthetic)
    plain = [row for _number, row in rows]
    created = {
        "sources": book.created,
        "persons": 0,
        "identities": 0,
        "deployments": 0,
        "claims": 0,
    }
    for chunk in batched(plain, BATCH):
        persons = []
        for row in chunk:
            birth_year = row["birth_year"] or (
                row["birth_date"].value.year if row["birth_date"] else None
            )
            persons.append(
                Person(
                    pseudonym=temporary_pseudonym(),
                    source_record_id=row["record_id"],
                    sex=row["sex"] or Sex.UNKNOWN,
                    birth_year=birth_year,
                    nationality=row["nationality"] or "KP",
                    access_level=_access(row),
                    is_synthetic=synthetic,
                )
            )
        Person.objects.bulk_create(persons)
        for person in persons:
            person.pseudonym = pseudonym_for(person.pk)
        Person.objects.bulk_update(persons, ["pseudonym"], batch_size=BATCH)
        created["persons"] += len(persons)
        created["identities"] += store_identities(
            [
                (
                    person,
                    Identity(
                        **{
                            name: str(row[name]) if row.get(name) else ""
                            for name in IDENTITY_FIELDS
                            if name in row
                        }
                    ),
                )
                for person, row in zip(persons, chunk, strict=True)
            ]
        )
        deployments = []
        for person, row in zip(persons, chunk, strict=True):
            if not (row["country"] or row["site"] or row["employer"]):
                continue
            level = person.access_level
            site = places.site(row["site"], row["country"] or "", level) if row["site"] else None
            host_country = row["country"] or (site.country if site else "")
            if not host_country and site is None:
                continue
            deployments.append(
                Deployment(
                    person=person,
                    site=site,
                    host_country=host_country,
                    employer=places.employer(row["employer"], level) if row["employer"] else None,
                    access_level=level,
                    is_synthetic=synthetic,
                    **_date_fields("period_start", row["first_seen"]),
                    **_date_fields("period_end", row["last_seen"]),
                )
            )
        Deployment.objects.bulk_create(deployments)
        created["deployments"] += len(deployments)
        created["claims"] += _claims_for(
            Person,
            [person.pk for person in persons],
            chunk,
            book,
            lambda row: Credibility.CANNOT_JUDGE,
            lambda row: f"record {row['record_id']} in this source",
        )
        progress(len(chunk))
    created.update({key: value for key, value in places.created.items() if value})
    return created


class Parties:
    """The records a relations file names at each end, found before anything is written.

    `organisation:12` names a record by its number (any kind of party); a bare name finds the
    organisation, site or public figure of exactly that name (persons only by number: they have
    no name outside the vault). Only records `user` may read are found, and a forbidden record
    reads as a missing one; by name, only real records for a real file and synthetic ones for
    generated rows, never a record merged into another.
    """

    def __init__(self, user: UserLike | None, *, synthetic: bool = False) -> None:
        self.user = user
        self.synthetic = synthetic
        self.by_name: dict[tuple[str, str], list[Any]] = {}

    def resolve(self, rows: Rows) -> list[CellError]:
        """Find both ends of every row (kept in the row as `_subject`, `_object`); every end that
        names nothing, or nothing the kind of relation takes, is a cell error."""
        errors = []
        for number, row in rows:
            found = {}
            for end, fields in (("subject", SUBJECT_FIELD), ("object", OBJECT_FIELD)):
                party, error = self._find(str(row[end]), row[f"{end}_kind"], fields)
                if error:
                    errors.append(CellError(number, end, error))
                    continue
                kind, record = party
                allowed = ALLOWED_ENDS[row["kind"]][0 if end == "subject" else 1]
                if fields[kind] not in allowed:
                    takes = ", ".join(sorted(k for k, name in fields.items() if name in allowed))
                    errors.append(
                        CellError(
                            number,
                            f"{end}_kind",
                            f"{row['kind']} cannot have a {kind} as its {end}; it takes: {takes}",
                        )
                    )
                    continue
                found[end] = (kind, record)
                row[f"_{end}"] = (fields[kind], record)
            if len(found) == 2 and found["subject"] == found["object"]:
                errors.append(CellError(number, "object", "a record cannot relate to itself"))
        return errors

    def _find(
        self, text: str, kind: str | None, fields: dict[str, str]
    ) -> tuple[tuple[str, Any], str]:
        parsed = parse_party(text)
        if parsed is not None:
            named, pk = parsed
            if named not in fields:
                return ("", None), f"a {named} cannot be at this end"
            record = readable_party(named, pk, self.user)
            if record is None:
                return ("", None), f"there is no {named} {pk}"
            return (named, record), ""
        assert kind is not None  # the schema's row check asks for the kind of a bare name
        if kind not in fields:
            return ("", None), f"a {kind} cannot be at this end"
        if kind == "person":
            return ("", None), "name a person by number (person:12): persons have no names here"
        matches = self._named(kind, text)
        if not matches:
            return ("", None), f"no {kind} is named {text!r}"
        if len(matches) > 1:
            numbers = ", ".join(f"{kind}:{record.pk}" for record in matches[:5])
            return ("", None), f"{len(matches)} records are named {text!r} ({numbers}); use one"
        return (kind, matches[0]), ""

    def _named(self, kind: str, name: str) -> list[Any]:
        key = (kind, name)
        if key not in self.by_name:
            records = PARTY_MODELS[kind]._default_manager.filter(
                name=name, is_synthetic=self.synthetic, merged_into__isnull=True
            )
            if self.user is not None:
                records = readable_records(records, self.user)
            self.by_name[key] = list(records.order_by("pk")[:6])
        return self.by_name[key]


def build_relations(rows: Rows, progress: Progress) -> dict[str, int]:
    """Relations between records found by `Parties.resolve`, each with a claim citing its row's
    source (found by exact title, or created with the row's reliability)."""

    def best_grade(cited: list[Row]) -> str:
        return min((row["source_reliability"] or Reliability.F) for row in cited)

    plain = [row for _number, row in rows]
    for row in plain:
        row["source"] = row["source_title"]
    book = SourceBook(rows, SourceKind.DOCUMENT, best_grade)
    relations = []
    for row in plain:
        ends = {row["_subject"][0]: row["_subject"][1], row["_object"][0]: row["_object"][1]}
        relations.append(
            Relation(
                kind=row["kind"],
                share_percent=row["share_percent"],
                role=row["role"] or "",
                description=row["description"] or "",
                access_level=_access(row),
                is_synthetic=bool(row.get("is_synthetic")),
                **ends,
                **_date_fields("start", row["start"]),
                **_date_fields("end", row["end"]),
            )
        )
    Relation.objects.bulk_create(relations, batch_size=BATCH)
    claims = _claims_for(
        Relation,
        [relation.pk for relation in relations],
        plain,
        book,
        lambda row: int(row["credibility"] or Credibility.CANNOT_JUDGE),
        lambda row: f"{row['_subject'][1]} {row['kind']} {row['_object'][1]}",
    )
    progress(len(relations))
    return {"sources": book.created, "relations": len(relations), "claims": claims}


BUILDERS: dict[str, Callable[[Rows, Progress], dict[str, int]]] = {
    "deployments": build_deployments,
    "sources": build_sources,
    "sites": build_sites,
    "organisations": build_organisations,
    "sightings": build_sightings,
    "persons": build_persons,
    "relations": build_relations,
}
