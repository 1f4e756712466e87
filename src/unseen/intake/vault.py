"""The only way to read or write reporters' contact details.

Writing happens when a submission arrives (the reporter chose to leave a way to reach them).
Reading needs both the moderation and the vault capability and a stated purpose, and is written to
the audit log, naming the fields read, never their values. Nothing else in Unseen reads
`ReporterContact`: not the queue, not the API, not exports, not logs.

Both fields are stored sealed under the identity vault's data key (`registry.keys`), bound to
their submission and field.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from unseen.accounts.models import UserLike
from unseen.accounts.roles import Capability
from unseen.core import sealing
from unseen.registry import keys, vault

from .models import ReporterContact, Submission

TABLE = "intake.reportercontact"
FIELDS = ("contact", "email")


@dataclass(frozen=True)
class Contact:
    contact: str = ""
    email: str = ""

    def is_empty(self) -> bool:
        return not (self.contact.strip() or self.email.strip())


def _context(submission_id: int, field: str) -> str:
    return f"unseen/{TABLE}/{field}/submission={submission_id}"


def _sealed(submission_id: int, contact: Contact, version: int, key: bytes) -> dict[str, str]:
    return {
        name: sealing.seal(
            key, version, getattr(contact, name).strip(), _context(submission_id, name)
        )
        for name in FIELDS
    }


def _opened(stored: ReporterContact, key_for: Any = keys.data_key) -> Contact:
    values = {
        name: sealing.open_sealed(
            key_for(sealing.sealed_version(value)), value, _context(stored.pk, name)
        )
        if (value := getattr(stored, name))
        else ""
        for name in FIELDS
    }
    return Contact(**values)


def reseal(old_key: Any, version: int, key: bytes) -> int:
    """Re-seal every contact under a new data key (`unseen keys rotate`)."""
    rows = []
    for stored in ReporterContact.objects.order_by("pk").iterator(chunk_size=2000):
        for name, value in _sealed(stored.pk, _opened(stored, old_key), version, key).items():
            setattr(stored, name, value)
        rows.append(stored)
    ReporterContact.objects.bulk_update(rows, list(FIELDS), batch_size=2000)
    return len(rows)


def store_contact(submission: Submission, contact: Contact) -> None:
    """Keep a reporter's contact details (nothing is stored for an empty contact)."""
    if contact.is_empty():
        return
    with keys.sealing_key() as (version, key):
        ReporterContact.objects.update_or_create(
            submission=submission, defaults=_sealed(submission.pk, contact, version, key)
        )
    if not submission.has_contact:
        submission.has_contact = True
        submission.save(update_fields=["has_contact"])


def may_read(user: UserLike | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.can(Capability.MODERATE_INTAKE)
        and user.can(Capability.READ_VAULT)
    )


def read_contact(submission: Submission, *, user: UserLike, purpose: str) -> Contact:
    """A reporter's contact details, for a moderator who also holds the vault permission."""
    if not may_read(user):
        raise PermissionDenied("reading reporters' contact details needs the vault permission")
    if not purpose.strip():
        raise ValueError("state the purpose of reading these contact details")
    opened = vault.audited_read(
        [submission], _open_contacts, user=user, purpose=purpose, fields_read=_filled
    )
    return opened[submission.pk]


def _open_contacts(submissions: Sequence[Submission]) -> dict[int, Contact]:
    found = {submission.pk: Contact() for submission in submissions}
    for stored in ReporterContact.objects.filter(submission__in=submissions):
        found[stored.submission_id] = _opened(stored)
    return found


def _filled(contact: Contact) -> list[str]:
    return [name for name in FIELDS if getattr(contact, name)]
