"""The only way to read or write a person's identifying fields.

Reading needs the READ_VAULT capability and a stated purpose, and is written to the audit log
(which names the fields read, never their values). Writing from the app (`write_identity`) needs
the same capability and is audited the same way; imports store identities in bulk and are audited
as imports.

Every field is stored sealed (AES-256-GCM under the vault's data key, see `registry.keys`), with
associated data naming the table, field and person, so a sealed value moved to another person or
field no longer opens; each value is padded before sealing so its length hides a name's length.
Full name and birth date also get keyed blind indexes, each under a key of its own, for equality
search (`find_by_name`) without plaintext in the database.

Revisions of an identity (`PersonIdentity.history`) hold its fields sealed exactly as the record
does; a key rotation re-seals them with it (`reseal_history`), and reading them
(`read_identity_history`) needs the same permission and purpose as reading the identity and is
audited the same way (ADR 0021).

Every read of sealed personal data that reaches a person (an identity here, a reporter's contact
or photo in intake) goes through `audited_read`, the one place that writes the read to the log.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from unseen.accounts.models import UserLike
from unseen.accounts.roles import Capability
from unseen.audit.log import record, record_many
from unseen.audit.models import Action
from unseen.core import sealing
from unseen.evidence.revisions import note_change, record_created

from . import keys
from .models import Person, PersonIdentity

TABLE = "registry.personidentity"
HISTORY_TABLE = "registry.historicalpersonidentity"


@dataclass(frozen=True)
class Identity:
    full_name: str = ""
    family_name: str = ""
    given_name: str = ""
    name_hangul: str = ""
    birth_date: str = ""
    birth_place: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    identifier: str = ""

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


IDENTITY_FIELDS = tuple(f.name for f in fields(Identity))


def _context(person_id: int, field: str) -> str:
    return f"unseen/{TABLE}/{field}/person={person_id}"


def name_key(name: str) -> str:
    return sealing.normalise_name(name)


def folded_name_key(name: str) -> str:
    """The name with the romanisation differences forgotten (core.linkage.names): Ri Chol Su,
    Lee Chul-soo, 리철수 and 이철수 all give "i-jol-su"."""
    # Imported here: the names module loads pandas and the romanizer, seconds at startup.
    from unseen.core.linkage.names import fold_name

    # The same key the search gives a public figure's plain name (documentation.indexing): one
    # folding, two uses; here it is only ever hashed under the vault's key.
    return fold_name(name)


def _folded_source(identity: Identity) -> str:
    whole = " ".join(part for part in (identity.family_name, identity.given_name) if part)
    return identity.full_name or whole or identity.name_hangul


def _sealed_fields(person_id: int, identity: Identity, version: int, key: bytes) -> dict[str, str]:
    return {
        name: sealing.seal(key, version, getattr(identity, name), _context(person_id, name))
        for name in IDENTITY_FIELDS
    }


def _sealed(person_id: int, identity: Identity, version: int, key: bytes) -> dict[str, str]:
    values = _sealed_fields(person_id, identity, version, key)
    values["name_index"] = sealing.blind_index(
        keys.name_index_key(key), name_key(identity.full_name)
    )
    values["folded_name_index"] = sealing.blind_index(
        keys.folded_name_index_key(key), folded_name_key(_folded_source(identity))
    )
    values["birth_date_index"] = sealing.blind_index(
        keys.birth_date_index_key(key), identity.birth_date.strip()
    )
    return values


def _opened(stored: PersonIdentity, key_for: Any = keys.data_key) -> Identity:
    values = {}
    for name in IDENTITY_FIELDS:
        value = getattr(stored, name)
        values[name] = (
            sealing.open_sealed(
                key_for(sealing.sealed_version(value)), value, _context(stored.person_id, name)
            )
            if value
            else ""
        )
    return Identity(**values)


def persons_only(records: Iterable[object]) -> None:
    """Refuse anything that is not a person: the vault holds witnesses' and workers' identities
    and nothing else. A public figure is named in clear on its own record and never has a sealed
    identity; refused here, no caller can seal a name for one, nor open the identity of the
    person who happens to share its id (docs/decisions/0031-public-figures.md)."""
    for given in records:
        if not isinstance(given, Person):
            raise TypeError(
                f"the identity vault holds persons only, not {type(given).__name__} records"
            )


def store_identity(person: Person, identity: Identity) -> None:
    """Create or replace a person's identity; empty identities store nothing."""
    persons_only([person])
    if identity.is_empty():
        PersonIdentity.objects.filter(person=person).delete()
        return
    with keys.sealing_key() as (version, key):
        PersonIdentity.objects.update_or_create(
            person=person, defaults=_sealed(person.pk, identity, version, key)
        )


def store_identities(pairs: list[tuple[Person, Identity]]) -> int:
    """Bulk form of `store_identity` for imports of new persons; returns how many were stored."""
    persons_only(person for person, _ in pairs)
    with keys.sealing_key() as (version, key):
        rows = [
            PersonIdentity(person=person, **_sealed(person.pk, identity, version, key))
            for person, identity in pairs
            if not identity.is_empty()
        ]
        PersonIdentity.objects.bulk_create(rows, batch_size=2000)
        # A bulk insert sends no signals: the first revision of each, sealed like the rows.
        record_created(PersonIdentity, rows, "")
    return len(rows)


def fill_folded_name_index() -> int:
    """Give the identities stored before the folded index existed theirs (migration
    registry 0002); returns how many."""
    rows = []
    with keys.sealing_key() as (_, key):
        missing = PersonIdentity.objects.filter(folded_name_index="").exclude(name_index="")
        for stored in missing.only("pk", "person_id", *IDENTITY_FIELDS).iterator(chunk_size=2000):
            stored.folded_name_index = sealing.blind_index(
                keys.folded_name_index_key(key), folded_name_key(_folded_source(_opened(stored)))
            )
            rows.append(stored)
        PersonIdentity.objects.bulk_update(rows, ["folded_name_index"], batch_size=2000)
    return len(rows)


def reseal(old_key: Any, version: int, key: bytes) -> int:
    """Re-seal every identity under a new data key, padded, with fresh blind indexes
    (`unseen keys rotate`)."""
    rows = []
    for stored in PersonIdentity.objects.order_by("pk").iterator(chunk_size=2000):
        for name, value in _sealed(
            stored.person_id, _opened(stored, old_key), version, key
        ).items():
            setattr(stored, name, value)
        rows.append(stored)
    PersonIdentity.objects.bulk_update(
        rows,
        [*IDENTITY_FIELDS, "name_index", "folded_name_index", "birth_date_index"],
        batch_size=2000,
    )
    return len(rows)


def reseal_history(old_key: Any, version: int, key: bytes) -> int:
    """Re-seal every revision of every identity under a new data key (`unseen keys rotate`):
    the old data key is deleted next, and a revision left sealed under it would never open."""
    historical: Any = PersonIdentity.history.model
    rows = []
    for stored in historical.objects.order_by("history_id").iterator(chunk_size=2000):
        opened = _opened(stored, old_key)
        for name, value in _sealed_fields(stored.person_id, opened, version, key).items():
            setattr(stored, name, value)
        rows.append(stored)
    historical.objects.bulk_update(rows, list(IDENTITY_FIELDS), batch_size=2000)
    return len(rows)


Target = TypeVar("Target", bound=models.Model)
Read = TypeVar("Read")


def audited_read(
    targets: Sequence[Target],
    open_sealed: Callable[[Sequence[Target]], Mapping[int, Read]],
    *,
    user: UserLike,
    purpose: str,
    fields_read: Callable[[Read], list[str]],
    what: str = "",
) -> dict[int, Read]:
    """Open what is sealed for `targets` and write each read to the audit log.

    The caller checks the permission and that a purpose was stated (its refusals name what is
    read); this opens and audits, so no read can skip the log.

    Args:
        targets: the records read about (a person, a submission, an upload); each gets one
            VAULT_READ entry.
        open_sealed: decrypts the targets' values, by target pk; a target with nothing stored may
            be missing from what it returns.
        user: who reads; the entries name them.
        purpose: the purpose stated, kept (its first 200 characters) in every entry.
        fields_read: the names of the fields that held something, for the entry; never values.
        what: what was read when it is not the current values (an identity's history), named in
            the entry.

    Returns:
        What `open_sealed` returned.
    """
    opened = dict(open_sealed(targets))
    stated = purpose.strip()[:200]

    def detail(target: Target) -> dict[str, Any]:
        read = opened.get(target.pk)
        entry = {"purpose": stated, "fields": fields_read(read) if read is not None else []}
        return {**entry, "read": what} if what else entry

    if len(targets) == 1:
        record(Action.VAULT_READ, targets[0], actor=user.get_username(), detail=detail(targets[0]))
    else:
        # One chained batch: a linkage run reads a hundred thousand identities at once.
        record_many(
            Action.VAULT_READ,
            ((target, detail(target)) for target in targets),
            actor=user.get_username(),
        )
    return opened


def _filled(identity: Identity) -> list[str]:
    return [n for n in IDENTITY_FIELDS if getattr(identity, n)]


def _open_identities(persons: Sequence[Person]) -> dict[int, Identity]:
    found: dict[int, Identity] = {}
    pks = [person.pk for person in persons]
    for start in range(0, len(pks), 2000):
        for stored in PersonIdentity.objects.filter(person_id__in=pks[start : start + 2000]):
            found[stored.person_id] = _opened(stored)
    return found


def _require_vault(user: UserLike | None) -> None:
    if user is None or not user.is_authenticated or not user.can(Capability.READ_VAULT):
        raise PermissionDenied("reading identities needs the vault permission")


def find_by_name(
    name: str, *, user: UserLike, birth_date: str = "", purpose: str = ""
) -> list[Person]:
    """Persons whose full name (and birth date, if given) equals these, by blind index, exactly
    or once romanisation is folded (Ri Chol Su finds Lee Chul-soo and 리철수); audited, with the
    purpose stated when one is (the search page requires one)."""
    _require_vault(user)
    _, key = keys.active_data_key()
    exact = sealing.blind_index(keys.name_index_key(key), name_key(name))
    folded = sealing.blind_index(keys.folded_name_index_key(key), folded_name_key(name))
    matches = PersonIdentity.objects.filter(
        (models.Q(name_index=exact) & ~models.Q(name_index=""))
        | (models.Q(folded_name_index=folded) & ~models.Q(folded_name_index=""))
    )
    if birth_date.strip():
        matches = matches.filter(
            birth_date_index=sealing.blind_index(keys.birth_date_index_key(key), birth_date.strip())
        )
    persons = list(Person.objects.filter(pk__in=matches.values("person_id")).order_by("pk"))
    record(
        Action.SEARCH,
        target_type=TABLE,
        actor=user.get_username(),
        detail={
            "by": "name and birth date" if birth_date.strip() else "name",
            "matches": len(persons),
            **({"purpose": purpose.strip()[:200]} if purpose.strip() else {}),
        },
    )
    return persons


def read_identity(person: Person, *, user: UserLike, purpose: str) -> Identity:
    """A person's identifying fields, for a user allowed to read them and a stated purpose."""
    _require_vault(user)
    persons_only([person])
    if not purpose.strip():
        raise ValueError("state the purpose of reading this identity")
    opened = audited_read(
        [person], _open_identities, user=user, purpose=purpose, fields_read=_filled
    )
    return opened.get(person.pk, Identity())


@dataclass(frozen=True)
class IdentityRevision:
    """One revision of a person's identity, opened in memory for a reader of the vault."""

    number: int
    date: datetime
    actor: str
    reason: str
    # "+" created, "~" changed, "-" removed (simple-history's history_type).
    kind: str
    changed: list[str]
    # The identity as it stood after this revision (empty once removed).
    identity: Identity


def _open_history(persons: Sequence[Person]) -> dict[int, list[IdentityRevision]]:
    found: dict[int, list[IdentityRevision]] = {}
    historical: Any = PersonIdentity.history.model
    for person in persons:
        revisions = []
        before = Identity()
        stored_revisions = historical.objects.filter(person_id=person.pk).order_by(
            "history_date", "history_id"
        )
        for stored in stored_revisions:
            # A removal's row repeats the last values; what the vault held after it is nothing.
            now = Identity() if stored.history_type == "-" else _opened(stored)
            changed = [n for n in IDENTITY_FIELDS if getattr(before, n) != getattr(now, n)]
            revisions.append(
                IdentityRevision(
                    number=stored.history_id,
                    date=stored.history_date,
                    actor=stored.actor,
                    reason=stored.history_change_reason or "",
                    kind=stored.history_type,
                    changed=changed,
                    identity=now,
                )
            )
            before = now
        found[person.pk] = revisions[::-1]
    return found


def _filled_in_any(revisions: list[IdentityRevision]) -> list[str]:
    return [n for n in IDENTITY_FIELDS if any(getattr(r.identity, n) for r in revisions)]


def read_identity_history(
    person: Person, *, user: UserLike, purpose: str
) -> list[IdentityRevision]:
    """Every revision of a person's identity, newest first, opened for a user allowed to read the
    vault and a stated purpose; audited as a vault read naming the history."""
    _require_vault(user)
    persons_only([person])
    if not purpose.strip():
        raise ValueError("state the purpose of reading this identity's history")
    opened = audited_read(
        [person],
        _open_history,
        user=user,
        purpose=purpose,
        fields_read=_filled_in_any,
        what="history",
    )
    return opened.get(person.pk, [])


def write_identity(
    person: Person, identity: Identity, *, user: UserLike, purpose: str = ""
) -> list[str]:
    """Create or replace a person's identity on behalf of a user; audited. Returns the names of
    the fields that changed (the audit entry names them too, never their values).

    The purpose is the one stated when the identity was opened for editing; a new person's
    identity is entered, not read, and needs none.
    """
    _require_vault(user)
    persons_only([person])
    # The data key first, then the row: a rotation takes them in the same order (no deadlock).
    with keys.sealing_key():
        stored = PersonIdentity.objects.select_for_update().filter(person=person).first()
        # Opened only to compare, never returned: the user already sees what they typed.
        before = _opened(stored) if stored else Identity()
        changed = [n for n in IDENTITY_FIELDS if getattr(before, n) != getattr(identity, n)]
        store_identity(person, identity)
        detail: dict[str, Any] = {"fields": changed}
        if purpose.strip():
            detail["purpose"] = purpose.strip()[:200]
        record(Action.VAULT_WRITE, person, actor=user.get_username(), detail=detail)
        if changed:
            # The person's history says the identity changed and nothing more: the values'
            # revisions stay in the vault, sealed, behind the purpose step (ADR 0021).
            note_change(person, ["identity"], _("Identity changed"))
    return changed


def identity_labels() -> dict[str, str]:
    """The identifying fields' labels, in the current language, for a page showing an identity."""
    return {f.name: str(f.verbose_name) for f in PersonIdentity._meta.concrete_fields}


def has_identity(person: Person) -> bool:
    persons_only([person])
    return PersonIdentity.objects.filter(person=person).exists()


def may_compare(user: UserLike | None) -> bool:
    """Whether record linkage may compare identities on this user's behalf."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.can(Capability.REVIEW_LINKAGE) or user.can(Capability.READ_VAULT))
    )


def identities_for_linkage(
    persons: Sequence[Person], *, user: UserLike, purpose: str
) -> dict[int, Identity]:
    """Identifying fields of many persons, for record linkage to compare inside one process.

    Analysts link records without the vault permission: the comparison needs the names, but what
    they are shown is pseudonyms and match probabilities, never the values returned here. The
    caller must keep these values in memory only (no database, file, log or error message).
    Each person read gets its own audit entry with the purpose, as `read_identity` writes, so the
    per-person access report lists every linkage run that compared that person's name.
    """
    if not may_compare(user):
        raise PermissionDenied("comparing identities needs the linkage or the vault permission")
    persons_only(persons)
    if not purpose.strip():
        raise ValueError("state the purpose of comparing these identities")
    # One entry per person even when the caller names one twice.
    unique = list({person.pk: person for person in persons}.values())
    return audited_read(unique, _open_identities, user=user, purpose=purpose, fields_read=_filled)
