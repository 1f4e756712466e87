"""Loading one version of a sanctions list from FollowTheMoney JSON lines, all or nothing.

The file is what OpenSanctions publishes as ``entities.ftm.json`` (or any FtM export): one entity
per line. Every line is read and checked first (`unseen.core.ftm_reading`), and a file with a bad
line is refused with the numbers of its bad lines, before anything is written. A good file
becomes, in one transaction: an evidence `Source` of kind *sanctions list* (the list at this
version and date: what an accepted match's claim cites), the `SanctionsList` row with the file's
SHA-256, and one `ListedEntity` per company, organisation or person, with the designation its
`Sanction` entities tell (programme, listing date, authority, reference) and the addresses its
`Address` entities hold. Other schemata (ownerships, vessels...) are counted and left out.
"""

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from unseen.accounts.models import AccessLevel, User
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core.ftm_reading import FtmEntity, FtmErrors, read_entities
from unseen.evidence.models import DatePrecision, Reliability, Source, SourceKind
from unseen.evidence.revisions import revising
from unseen.registry.models import IdentifierScheme

from .models import ListedEntity, SanctionsList

#: The schemata a list entity may have to be compared with our records.
PARTY_SCHEMATA = frozenset({"Person", "Company", "Organization", "LegalEntity", "PublicBody"})
#: The properties a list entity's own reference is read from, first found first.
REFERENCE_PROPERTIES = ("unscId", "authorityId", "recordId")
#: Designation properties of a `Sanction`, read into its entity.
BATCH = 2000


class ListRefused(ValueError):
    """The file or the request cannot be loaded; nothing was written. `errors` says why."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


@dataclass
class LoadResult:
    sanctions_list: SanctionsList
    entities: int
    sanctions: int
    skipped: dict[str, int] = field(default_factory=dict)
    already_loaded: bool = False


def default_scheme(code: str) -> str:
    """The identifier scheme a list's code suggests: the UN's, OFAC's, OpenSanctions' or other."""
    if code.startswith("un_"):
        return IdentifierScheme.UN_1718
    if code.startswith("us_ofac"):
        return IdentifierScheme.OFAC_SDN
    if code.startswith("opensanctions") or code in {"sanctions", "default"}:
        return IdentifierScheme.OPENSANCTIONS
    return IdentifierScheme.OTHER


def load_file(path: Path, **options: Any) -> LoadResult:
    """Load the FtM JSON lines file at `path` (see `load_lines` for the options)."""
    data = path.read_bytes()
    return load_lines(data.splitlines(), sha256=hashlib.sha256(data).hexdigest(), **options)


def load_lines(
    lines: Iterable[bytes | str],
    *,
    sha256: str,
    code: str,
    title: str,
    authority: str,
    version: str,
    published_on: dt.date | None = None,
    url: str = "",
    scheme: str = "",
    access_level: str = AccessLevel.INTERNAL,
    reliability: str = Reliability.A,
    user: User | None = None,
    file_name: str = "",
    progress: Callable[[float], None] | None = None,
) -> LoadResult:
    """Read, check and store one version of a list.

    Loading the same version from the same file again changes nothing (`already_loaded`); the
    same version from another file is refused, as a version names one content.

    Raises:
        ListRefused: a bad line (each with its number), or a version already loaded otherwise.
    """
    existing = SanctionsList.objects.filter(code=code, version=version).first()
    if existing is not None:
        if existing.sha256 == sha256:
            return LoadResult(existing, existing.entity_count, 0, already_loaded=True)
        raise ListRefused(
            [f"{code} version {version} is already loaded from another file: give a new version"]
        )
    try:
        entities = read_entities(lines)
    except FtmErrors as failure:
        errors = [str(error) for error in failure.errors]
        if failure.truncated:
            errors.append("more errors not shown")
        raise ListRefused(errors) from None
    if progress is not None:
        progress(0.5)
    rows, sanctions, skipped = listed_entities(entities)
    if not rows:
        raise ListRefused(["the file names no company, organisation or person"])
    with transaction.atomic(), revising(f"Load of sanctions list {code} version {version}"):
        source = Source.objects.create(
            kind=SourceKind.SANCTIONS_LIST,
            title=f"{title}, version {version}",
            url=url,
            date=published_on,
            date_precision=DatePrecision.DAY if published_on else "",
            reliability=reliability,
            access_level=access_level,
            notes=f"{authority}. Loaded from {file_name or 'a file'}, SHA-256 {sha256}.",
        )
        loaded = SanctionsList.objects.create(
            code=code,
            title=title,
            authority=authority,
            version=version,
            published_on=published_on,
            scheme=scheme or default_scheme(code),
            source=source,
            sha256=sha256,
            entity_count=len(rows),
            loaded_at=timezone.now(),
            loaded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        for row in rows:
            row.sanctions_list = loaded
        ListedEntity.objects.bulk_create(rows, batch_size=BATCH)
        record(
            Action.IMPORT,
            loaded,
            detail={
                "list": code,
                "version": version,
                "entities": len(rows),
                "sanctions": sanctions,
                "skipped": skipped,
                "sha256": sha256,
                "source": source.pk,
            },
        )
    if progress is not None:
        progress(1.0)
    return LoadResult(loaded, len(rows), sanctions, skipped)


def listed_entities(
    entities: list[FtmEntity],
) -> tuple[list[ListedEntity], int, dict[str, int]]:
    """The list's parties as unsaved rows, with their designations and addresses filled in.

    Returns the rows, the number of `Sanction` entities read, and how many entities of each
    other schema were left out.
    """
    by_id = {entity.id: entity for entity in entities}
    designations: dict[str, list[FtmEntity]] = {}
    sanctions = 0
    skipped: dict[str, int] = {}
    for entity in entities:
        if entity.schema == "Sanction":
            sanctions += 1
            for target in entity.get("entity"):
                designations.setdefault(target, []).append(entity)
        elif entity.schema not in PARTY_SCHEMATA and entity.schema != "Address":
            skipped[entity.schema] = skipped.get(entity.schema, 0) + 1
    rows = [
        _row(entity, by_id, designations.get(entity.id, []))
        for entity in entities
        if entity.schema in PARTY_SCHEMATA
    ]
    return rows, sanctions, skipped


def _row(entity: FtmEntity, by_id: dict[str, FtmEntity], found: list[FtmEntity]) -> ListedEntity:
    # The earliest listing first: it is when the entity was designated.
    found = sorted(found, key=lambda s: (_first(s, "listingDate", "startDate") or "9999", s.id))
    listed = _partial(_first_of(found, "listingDate", "startDate"))
    identifiers = [list(pair) for pair in entity.identifiers()]
    for sanction in found:
        identifiers += [
            [prop, value]
            for prop in ("unscId", "authorityId")
            for value in sanction.get(prop)
            if [prop, value] not in identifiers
        ]
    reference = next(
        (value for prop in REFERENCE_PROPERTIES for p, value in identifiers if p == prop), ""
    )
    programme = "; ".join(
        dict.fromkeys(
            value
            for source in (entity, *found)
            for prop in ("programId", "program")
            for value in source.get(prop)
        )
    )
    return ListedEntity(
        entity_id=entity.id[:200],
        schema=entity.schema,
        caption=(entity.caption or entity.id)[:500],
        names=list(entity.names()) or [entity.caption],
        countries=[code.upper() for code in entity.countries()],
        addresses=list(entity.addresses(by_id)),
        identifiers=identifiers,
        reference=reference[:200],
        authority=_first_of(found, "authority")[:200],
        programme=programme[:200],
        listed_on=listed[0] if listed else None,
        listed_on_precision=listed[1] if listed else "",
        reason=_first_of(found, "reason"),
        properties={
            "entity": {name: list(values) for name, values in entity.properties.items()},
            "sanctions": [
                {name: list(values) for name, values in s.properties.items()} for s in found
            ],
        },
    )


def _first(entity: FtmEntity, *props: str) -> str:
    return next((entity.first(prop) for prop in props if entity.first(prop)), "")


def _first_of(entities: list[FtmEntity], *props: str) -> str:
    return next((_first(e, *props) for e in entities if _first(e, *props)), "")


def _partial(text: str) -> tuple[dt.date, str] | None:
    """An FtM date (an ISO prefix: 2016, 2016-12, 2016-12-02) as a date and its precision."""
    parts = text[:10].split("-") if text else []
    try:
        if len(parts) == 1:
            return dt.date(int(parts[0]), 1, 1), DatePrecision.YEAR
        if len(parts) == 2:
            return dt.date(int(parts[0]), int(parts[1]), 1), DatePrecision.MONTH
        if len(parts) == 3:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2])), DatePrecision.DAY
    except ValueError:
        return None
    return None
