"""The only way to read or write a person's identifying fields.

Reading needs the READ_VAULT capability and a stated purpose, and is written to the audit log
(which names the fields read, never their values). Encryption (witness-protection issue) slots in
here without touching callers.
"""

from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import PermissionDenied

from unseen.accounts.roles import Capability
from unseen.audit.log import record
from unseen.audit.models import Action

from .models import Person, PersonIdentity


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


def store_identity(person: Person, identity: Identity) -> None:
    """Create or replace a person's identity; empty identities store nothing."""
    values = {name: getattr(identity, name) for name in IDENTITY_FIELDS}
    if identity.is_empty():
        PersonIdentity.objects.filter(person=person).delete()
        return
    PersonIdentity.objects.update_or_create(person=person, defaults=values)


def store_identities(pairs: list[tuple[Person, Identity]]) -> int:
    """Bulk form of `store_identity` for imports of new persons; returns how many were stored."""
    rows = [
        PersonIdentity(person=person, **{name: getattr(identity, name) for name in IDENTITY_FIELDS})
        for person, identity in pairs
        if not identity.is_empty()
    ]
    PersonIdentity.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def read_identity(person: Person, *, user: Any, purpose: str) -> Identity:
    """A person's identifying fields, for a user allowed to read them and a stated purpose."""
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or not user.can(Capability.READ_VAULT)
    ):
        raise PermissionDenied("reading identities needs the vault permission")
    if not purpose.strip():
        raise ValueError("state the purpose of reading this identity")
    stored = PersonIdentity.objects.filter(person=person).first()
    identity = (
        Identity(**{name: getattr(stored, name) for name in IDENTITY_FIELDS})
        if stored
        else Identity()
    )
    record(
        Action.VAULT_READ,
        person,
        actor=user.get_username(),
        detail={
            "purpose": purpose.strip(),
            "fields": [n for n in IDENTITY_FIELDS if getattr(identity, n)],
        },
    )
    return identity


def has_identity(person: Person) -> bool:
    return PersonIdentity.objects.filter(person=person).exists()
