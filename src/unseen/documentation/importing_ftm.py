"""FollowTheMoney JSON lines (OpenSanctions, Aleph, Unseen's own FtM export) into records.

All or nothing, like the CSV import: the file is read and checked by `core.ftm_reading`, then
written in one transaction; any line whose values cannot be kept as the file gives them (an end
before its start, a share above 100, a name longer than the field) refuses the whole file with
its line number, and nothing is written.

What becomes what (core.ftm_mapping is the same table read the other way by the FtM export):

- Organization, Company, PublicBody and every other legal entity that is not a person ->
  Organisation (kind from `classification` when it is ours, PublicBody -> state organ, else
  other), every other name an alias with its script, identifier properties and Identification
  entities -> ExternalIdentifier, published addresses -> lines of the notes ("Address: ...");
- Person -> PublicFigure, never a vault Person: a person an FtM file names is named in a
  public source (ADR 0031). Unseen's own pseudonymous UnseenPerson is not imported;
- Ownership, Directorship, Employment, Membership, Succession, UnknownLink -> Relation, its kind
  from the schema and a role phrase (an Ownership "parent company" is parent_of); when the ends
  do not fit the kind (a company as a director) it becomes an unknown link that keeps the
  schema in its role;
- Sanction -> Designation of the organisation or public figure it names.

Sites, deployments, testimonies, sightings and events (Unseen's own custom schemata) and
anything else are left out and counted. So are relations and sanctions whose end is neither in
the file nor already known.

The file becomes one Source (a sanctions list when it holds Sanctions, else a dataset) titled
by `title` and `dataset_version` (by default the newest `last_change` or `last_seen` in it),
and every record created or updated gets a claim citing it. Each entity's FtM id is kept as an
ExternalIdentifier of its organisation or figure (OpenSanctions' ids under `opensanctions`,
others as `ftm:ID` under `other`): importing the entity again updates that record instead of
adding another.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core.dates import DateRefused, PartialDate, parse_partial_date
from unseen.core.ftm_mapping import (
    RELATION_SCHEMA_NAMES,
    RELATION_SCHEMATA,
    organisation_kind,
    relation_kind,
    with_addresses,
)
from unseen.core.ftm_reading import FtmEntity, FtmErrors, FtmLineError, read_entities, unseen_model
from unseen.core.scripts import detect_script
from unseen.evidence.models import Credibility, Record, Source, SourceKind
from unseen.evidence.revisions import revising
from unseen.registry.models import (
    Designation,
    ExternalIdentifier,
    IdentifierScheme,
    Organisation,
    OrganisationAlias,
    OrganisationKind,
    PublicFigure,
    PublicFigureAlias,
)

from .models import ALLOWED_ENDS, Relation, RelationKind

SUFFIXES = (".json", ".jsonl", ".ndjson")
"""File names read as FtM JSON lines (``entities.ftm.json`` among them)."""

# Unseen's own pseudonymous persons: never turned into anyone, least of all a public figure.
NEVER_IMPORTED = ("UnseenPerson",)
# Identifier properties with a scheme of their own; any other goes under `other` as "prop:value".
PROPERTY_SCHEMES = {
    "registrationNumber": IdentifierScheme.COMPANY_REGISTER,
    "unscId": IdentifierScheme.UN_1718,
}
SEEN_FIELDS = ("last_change", "last_seen")


@dataclass
class FtmImportResult:
    entities: int
    source_title: str = ""
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # What was left out and why, counted.
    skipped: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    # Records asked to be public, imported as internal until someone else reviews them.
    held_back: int = 0


def is_ftm_file(name: str) -> bool:
    """Whether a file name says FtM JSON lines (.json, .jsonl, .ndjson, .ftm.json)."""
    return name.lower().endswith(SUFFIXES)


def import_ftm(
    path: Path,
    *,
    title: str = "",
    dataset_version: str = "",
    access_level: str = AccessLevel.INTERNAL,
    dry_run: bool = False,
    origin: str = "",
    max_entities: int | None = None,
) -> FtmImportResult:
    """Import the FtM JSON lines of `path`; see the module's docstring for what becomes what.

    Raises:
        FtmErrors: every bad line by its number (line 0: the file as a whole); nothing written.
    """
    with path.open("rb") as handle:
        return import_ftm_lines(
            _capped(handle, max_entities),
            title=title or origin or path.name,
            dataset_version=dataset_version,
            access_level=access_level,
            dry_run=dry_run,
            origin=origin or path.name,
        )


def _capped(lines: Iterable[bytes], limit: int | None) -> Iterator[bytes]:
    count = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            count += 1
            if limit is not None and count > limit:
                raise FtmErrors(
                    [FtmLineError(number, f"more than {limit} entities, the limit for a file")]
                )
        yield line


def import_ftm_lines(
    lines: Iterable[str | bytes],
    *,
    title: str,
    dataset_version: str = "",
    access_level: str = AccessLevel.INTERNAL,
    dry_run: bool = False,
    origin: str = "",
) -> FtmImportResult:
    """Import FtM JSON lines already open (`import_ftm` for a file).

    Raises:
        FtmErrors: every bad line by its number; nothing written.
    """
    if access_level not in AccessLevel.values:
        raise FtmErrors([FtmLineError(0, f"unknown access level {access_level!r}")])
    entities = read_entities(lines, unseen_model())
    version = dataset_version or max(
        (getattr(e, name) for e in entities for name in SEEN_FIELDS if getattr(e, name)),
        default="",
    )
    held_back = 0
    if access_level == AccessLevel.PUBLIC:
        # New records are public only once someone other than their importer has reviewed them
        # (ADR 0025), as with the CSV import.
        access_level = AccessLevel.INTERNAL
        held_back = 1
    importer = _Importer(entities, access_level)
    result = FtmImportResult(len(entities), dry_run=dry_run)
    try:
        with transaction.atomic(), revising(_("Import of %(file)s") % {"file": origin or title}):
            importer.source = _source(entities, title, version, access_level, origin)
            importer.run()
            if importer.errors:
                raise FtmErrors(sorted(importer.errors, key=lambda error: error.line_number))
            result.source_title = importer.source.title
            result.created = {k: v for k, v in importer.created.items() if v}
            result.updated = {k: v for k, v in importer.updated.items() if v}
            result.skipped = dict(importer.skipped)
            result.held_back = sum(result.created.values()) if held_back else 0
            record(
                Action.IMPORT,
                target_type="ftm",
                detail={
                    "entities": len(entities),
                    "created": result.created,
                    "updated": result.updated,
                    "skipped": result.skipped,
                    "source": importer.source.pk,
                    "dry_run": dry_run,
                },
            )
            if dry_run:
                transaction.set_rollback(True)
    except (IntegrityError, DatabaseError) as error:
        raise FtmErrors(
            [FtmLineError(0, f"the database refused the entities, nothing was written ({error})")]
        ) from None
    return result


def _source(
    entities: list[FtmEntity], title: str, version: str, access_level: str, origin: str
) -> Source:
    """The file as a source: found again by its title and version, or created."""
    kind = (
        SourceKind.SANCTIONS_LIST
        if any(e.schema == "Sanction" for e in entities)
        else SourceKind.DATASET
    )
    full_title = f"{title} (version {version})" if version else title
    found = Source.objects.filter(title=full_title, kind=kind, is_synthetic=False).first()
    if found is not None:
        return found
    datasets = sorted({name for e in entities for name in e.datasets})
    notes = f"FollowTheMoney file {origin or title}: {len(entities)} entities"
    if datasets:
        notes += f"; datasets: {', '.join(datasets)}"
    date = _version_date(version)
    return Source.objects.create(
        title=full_title,
        kind=kind,
        notes=notes,
        access_level=access_level,
        date=date.value if date else None,
        date_precision=str(date.precision) if date else "",
    )


def _version_date(version: str) -> PartialDate | None:
    try:
        return parse_partial_date(version[:10]) if version else None
    except DateRefused:
        return None


def _key(entity: FtmEntity) -> tuple[str, str] | None:
    """The ExternalIdentifier that remembers which record an FtM entity became."""
    if entity.datasets:  # OpenSanctions' files name the datasets each entity comes from
        scheme, value = IdentifierScheme.OPENSANCTIONS, entity.id
    else:
        scheme, value = IdentifierScheme.OTHER, f"ftm:{entity.id}"
    return (scheme, value) if len(value) <= 100 else None


def _cut(text: str, limit: int) -> str:
    """A descriptive label (a role, an authority, a programme) to its field's length; the
    claim's statement keeps the whole."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


Party = Organisation | PublicFigure


class _Importer:
    """One file's entities written as records, collecting every line it cannot keep."""

    def __init__(self, entities: list[FtmEntity], access_level: str) -> None:
        self.entities = entities
        self.by_id = {entity.id: entity for entity in entities}
        self.access_level = access_level
        self.source: Source
        self.errors: list[FtmLineError] = []
        self.records: dict[str, Party] = {}
        self.created = {
            name: 0
            for name in (
                "organisations",
                "public_figures",
                "aliases",
                "identifiers",
                "relations",
                "designations",
                "claims",
            )
        }
        self.updated = {
            name: 0 for name in ("organisations", "public_figures", "relations", "designations")
        }
        self.skipped: dict[str, int] = {}

    def run(self) -> None:
        model = unseen_model()
        parties, identifications, relations, sanctions = [], [], [], []
        for entity in self.entities:
            schema = model.get(entity.schema)
            assert schema is not None  # read_entities checked it
            if entity.schema in NEVER_IMPORTED or schema.is_a("UnseenPerson"):
                self._skip(f"{entity.schema} (Unseen's pseudonymous persons are never imported)")
            elif schema.is_a("LegalEntity"):
                parties.append(entity)
            elif entity.schema == "Identification":
                identifications.append(entity)
            elif entity.schema in RELATION_SCHEMA_NAMES:
                relations.append(entity)
            elif entity.schema == "Sanction":
                sanctions.append(entity)
            elif entity.schema != "Address":  # read through the entities that point to them
                self._skip(f"{entity.schema} (not imported)")
        for entity in parties:
            party = (
                self._figure(entity)
                if model.get(entity.schema).is_a("Person")  # type: ignore[union-attr]
                else self._organisation(entity)
            )
            if party is not None:
                self.records[entity.id] = party
                self._identifiers(party, entity)
        for entity in identifications:
            self._identification(entity)
        for entity in relations:
            self._relation(entity)
        for entity in sanctions:
            self._designation(entity)

    # -- helpers ---------------------------------------------------------------------------

    def _error(self, entity: FtmEntity, reason: str) -> None:
        self.errors.append(FtmLineError(entity.line, f"{entity.schema} {entity.id}: {reason}"))

    def _skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1

    def _known(self, entity_id: str) -> Party | None:
        """The record an id became: in this file, or by an earlier import's key."""
        if entity_id in self.records:
            return self.records[entity_id]
        entity = self.by_id.get(entity_id)
        keys = [_key(entity)] if entity else []
        keys += [
            (IdentifierScheme.OPENSANCTIONS, entity_id),
            (IdentifierScheme.OTHER, f"ftm:{entity_id}"),
        ]
        for key in keys:
            if key is None:
                continue
            found = (
                ExternalIdentifier.objects.filter(scheme=key[0], value=key[1])
                .select_related("organisation", "public_figure")
                .first()
            )
            if found is not None:
                return found.organisation or found.public_figure
        return None

    def _claim(self, subject: Record, entity: FtmEntity) -> None:
        statement = f"{entity.schema} {entity.id}"
        if summary := "; ".join(entity.get("summary")):
            statement += f": {summary}"
        cited = [*entity.get("publisher"), *entity.get("sourceUrl")]
        if cited:
            statement += f" (citing {'; '.join(cited)})"
        if not subject.supporting_claims.filter(source=self.source, statement=statement).exists():
            subject.add_claim(self.source, Credibility.CANNOT_JUDGE, statement)
            self.created["claims"] += 1

    def _addresses(self, entity: FtmEntity) -> tuple[str, ...]:
        return entity.addresses(self.by_id)

    def _name(self, entity: FtmEntity, value: str, limit: int = 300) -> str:
        if len(value) > limit:
            self._error(entity, f"the name {value[:40]!r}… is longer than {limit} characters")
        return value[:limit]

    # -- parties ---------------------------------------------------------------------------

    def _organisation(self, entity: FtmEntity) -> Organisation | None:
        names = entity.names() or (entity.caption,)
        name = self._name(entity, entity.first("name") or names[0])
        country = next((c.upper() for c in entity.countries() if len(c) == 2), "")
        kind = organisation_kind(
            entity.schema, entity.get("classification"), OrganisationKind.values
        )
        notes = with_addresses("\n".join(entity.get("notes")), self._addresses(entity))
        existing = self._known(entity.id)
        if isinstance(existing, Organisation):
            organisation = existing
            if organisation.name != name:
                self._alias(organisation, organisation.name)
                organisation.name = name
            organisation.country = country or organisation.country
            if entity.get("classification") or entity.schema == "PublicBody":
                organisation.kind = kind
            organisation.notes = with_addresses(organisation.notes, self._addresses(entity))
            organisation.save()
            self.updated["organisations"] += 1
        else:
            organisation = Organisation.objects.create(
                name=name,
                kind=kind,
                country=country,
                notes=notes,
                access_level=self.access_level,
            )
            self.created["organisations"] += 1
        for alias in names:
            if alias != organisation.name:
                self._alias(organisation, self._name(entity, alias))
        self._claim(organisation, entity)
        return organisation

    def _alias(self, party: Party, name: str) -> None:
        made: bool
        if isinstance(party, Organisation):
            made = OrganisationAlias.objects.get_or_create(
                organisation=party, name=name, defaults={"script": detect_script(name)}
            )[1]
        else:
            made = PublicFigureAlias.objects.get_or_create(
                figure=party, name=name, defaults={"script": detect_script(name)}
            )[1]
        self.created["aliases"] += made

    def _figure(self, entity: FtmEntity) -> PublicFigure | None:
        given = entity.get("name") or (entity.caption,)
        latin = next((n for n in given if detect_script(n) == "Latn"), given[0])
        hangul = next((n for n in given if detect_script(n) == "Hang" and n != latin), "")
        name = self._name(entity, latin)
        name_hangul = self._name(entity, hangul, 100)
        nationality = next(
            (
                c.upper()
                for prop in ("nationality", "citizenship", "country")
                for c in entity.get(prop)
                if len(c) == 2
            ),
            "",
        )
        birth = self._date(entity, "birthDate")
        position = _cut("; ".join(entity.get("position")), 300)
        existing = self._known(entity.id)
        if isinstance(existing, PublicFigure):
            figure = existing
            if figure.name != name:
                self._alias(figure, figure.name)
                figure.name = name
            figure.name_hangul = name_hangul or figure.name_hangul
            figure.position = position or figure.position
            figure.nationality = nationality or figure.nationality
            figure.birth_year = birth.value.year if birth else figure.birth_year
            figure.notes = with_addresses(figure.notes, self._addresses(entity))
            figure.save()
            self.updated["public_figures"] += 1
        else:
            figure = PublicFigure.objects.create(
                name=name,
                name_hangul=name_hangul,
                position=position,
                nationality=nationality,
                birth_year=birth.value.year if birth else None,
                notes=with_addresses("\n".join(entity.get("notes")), self._addresses(entity)),
                access_level=self.access_level,
            )
            self.created["public_figures"] += 1
        others = [n for n in given if n not in (figure.name, figure.name_hangul)]
        others += [n for n in entity.names() if n not in entity.get("name")]
        for alias in dict.fromkeys(others):
            self._alias(figure, self._name(entity, alias))
        self._claim(figure, entity)
        return figure

    # -- identifiers -----------------------------------------------------------------------

    def _identifiers(self, party: Party, entity: FtmEntity) -> None:
        key = _key(entity)
        if key is not None:
            self._identifier(party, entity, *key)
        for prop, value in entity.identifiers():
            scheme = PROPERTY_SCHEMES.get(prop)
            if scheme is None:
                self._identifier(party, entity, IdentifierScheme.OTHER, f"{prop}:{value}")
            else:
                self._identifier(party, entity, scheme, value)

    def _identification(self, entity: FtmEntity) -> None:
        holder = self._known(entity.first("holder"))
        number = entity.first("number")
        if holder is None or not number:
            self._skip("Identification (holder not imported, or no number)")
            return
        kind = entity.first("type")
        if kind in IdentifierScheme.values:
            self._identifier(holder, entity, kind, number)
        else:
            self._identifier(
                holder, entity, IdentifierScheme.OTHER, f"{kind}:{number}" if kind else number
            )

    def _identifier(self, party: Party, entity: FtmEntity, scheme: str, value: str) -> None:
        if len(value) > 100:
            self._error(entity, f"the identifier {value[:40]!r}… is longer than 100 characters")
            return
        found = ExternalIdentifier.objects.filter(scheme=scheme, value=value).first()
        if found is None:
            holder = (
                {"organisation": party}
                if isinstance(party, Organisation)
                else {"public_figure": party}
            )
            ExternalIdentifier.objects.create(scheme=scheme, value=value, **holder)
            self.created["identifiers"] += 1
        elif (found.organisation_id, found.public_figure_id) != (
            party.pk if isinstance(party, Organisation) else None,
            party.pk if isinstance(party, PublicFigure) else None,
        ):
            self._skip("identifiers another record already holds")

    # -- dates -----------------------------------------------------------------------------

    def _date(self, entity: FtmEntity, prop: str) -> PartialDate | None:
        value = entity.first(prop)
        if not value:
            return None
        try:
            return parse_partial_date(value[:10])
        except DateRefused as refused:
            self._error(entity, f"{prop} {value!r} cannot be kept: {refused}")
            return None

    # -- relations -------------------------------------------------------------------------

    def _relation(self, entity: FtmEntity) -> None:
        kind, roles = relation_kind(entity.schema, entity.get("role"))
        ends = RELATION_SCHEMATA[kind]
        subject = self._known(entity.first(ends.subject))
        target = self._known(entity.first(ends.object))
        if subject is None or target is None:
            self._skip(f"{entity.schema} (an end is neither in the file nor known)")
            return
        subject_end = f"subject_{_end(subject)}"
        object_end = f"object_{_end(target)}"
        allowed_subjects, allowed_objects = ALLOWED_ENDS[kind]
        if subject_end not in allowed_subjects or object_end not in allowed_objects:
            # A company as a director, say: kept, as a link whose role says what the file said.
            roles = (entity.schema, *roles)
            kind = RelationKind.UNKNOWN_LINK
        if subject == target:
            self._error(entity, "a relation of a record with itself cannot be kept")
            return
        start, end = self._date(entity, "startDate"), self._date(entity, "endDate")
        if start and end and start.value > end.value:
            self._error(
                entity,
                f"endDate {end} is before startDate {start} (dates are kept at the start of "
                "their precision)",
            )
            return
        share = None
        for text in entity.get("percentage"):
            number = _share(text)
            if number is None:
                roles = (*roles, f"share {text}")
            elif not 0 <= number <= 100:
                self._error(entity, f"percentage {text!r} is not a share between 0 and 100")
                return
            elif kind == RelationKind.OWNS and share is None:
                share = number
            else:
                roles = (*roles, f"share {text}%")
        values: dict[str, Any] = {
            "role": _cut("; ".join(dict.fromkeys(r for r in roles if r)), 200),
            "description": "\n".join(entity.get("description")),
            "share_percent": share,
            "start_precision": str(start.precision) if start else "",
            "end_precision": str(end.precision) if end else "",
        }
        same = {
            "kind": kind,
            subject_end: subject,
            object_end: target,
            "start": start.value if start else None,
            "end": end.value if end else None,
        }
        relation = Relation.objects.filter(**same).first()
        if relation is None:
            relation = Relation.objects.create(**same, **values, access_level=self.access_level)
            self.created["relations"] += 1
        else:
            for name, value in values.items():
                if value not in (None, ""):
                    setattr(relation, name, value)
            relation.save()
            self.updated["relations"] += 1
        self._claim(relation, entity)

    # -- designations ----------------------------------------------------------------------

    def _designation(self, entity: FtmEntity) -> None:
        holder = self._known(entity.first("entity"))
        if holder is None:
            self._skip("Sanction (the sanctioned entity is neither in the file nor known)")
            return
        reference = entity.first("unscId") or entity.first("authorityId")
        if len(reference) > 100:
            self._error(entity, f"the reference {reference[:40]!r}… is longer than 100 characters")
            return
        authority = _cut(
            entity.first("authority") or entity.first("publisher") or self.source.title, 200
        )
        programme = _cut(entity.first("programId") or entity.first("program"), 100)
        listed = self._date(entity, "listingDate") or self._date(entity, "startDate")
        ended = self._date(entity, "endDate")
        holder_field = "organisation" if isinstance(holder, Organisation) else "public_figure"
        same = {
            holder_field: holder,
            "authority": authority,
            "reference": reference,
            "programme": programme,
        }
        values = {
            "listed_on": listed.value if listed else None,
            "listed_on_precision": str(listed.precision) if listed else "",
            "ended_on": ended.value if ended else None,
            "reason": "\n".join(entity.get("reason")),
        }
        designation = Designation.objects.filter(**same).first()
        if designation is None:
            designation = Designation.objects.create(
                **same, **values, access_level=self.access_level
            )
            self.created["designations"] += 1
        else:
            for name, value in values.items():
                if value not in (None, ""):
                    setattr(designation, name, value)
            designation.save()
            self.updated["designations"] += 1
        self._claim(designation, entity)


def _end(party: Party) -> str:
    return "organisation" if isinstance(party, Organisation) else "figure"


def _share(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip().removesuffix("%").strip())
    except InvalidOperation:
        return None
    return number.quantize(Decimal("0.01")) if number.is_finite() else None


def format_error(error: FtmLineError, name: str) -> str:
    """`FILE:LINE: reason`, or `FILE: reason` for the file as a whole (as the CSV import's)."""
    if error.line_number:
        return f"{name}:{error.line_number}: {error.reason}"
    return f"{name}: {error.reason}"
