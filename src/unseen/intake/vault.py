"""The only way to read or write reporters' contact details.

Writing happens when a submission arrives (the reporter chose to leave a way to reach them).
Reading needs both the moderation and the vault capability and a stated purpose, and is written to
the audit log, naming the fields read, never their values. Nothing else in Unseen reads
`ReporterContact`: not the queue, not the API, not exports, not logs.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from unseen.accounts.roles import Capability
from unseen.audit.log import record
from unseen.audit.models import Action

from .models import ReporterContact, Submission


@dataclass(frozen=True)
class Contact:
    contact: str = ""
    email: str = ""

    def is_empty(self) -> bool:
        return not (self.contact.strip() or self.email.strip())


def store_contact(submission: Submission, contact: Contact) -> None:
    """Keep a reporter's contact details (nothing is stored for an empty contact)."""
    if contact.is_empty():
        return
    ReporterContact.objects.update_or_create(
        submission=submission,
        defaults={"contact": contact.contact.strip(), "email": contact.email.strip()},
    )
    if not submission.has_contact:
        submission.has_contact = True
        submission.save(update_fields=["has_contact"])


def may_read(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.can(Capability.MODERATE_INTAKE)
        and user.can(Capability.READ_VAULT)
    )


def read_contact(submission: Submission, *, user: Any, purpose: str) -> Contact:
    """A reporter's contact details, for a moderator who also holds the vault permission."""
    if not may_read(user):
        raise PermissionDenied("reading reporters' contact details needs the vault permission")
    if not purpose.strip():
        raise ValueError("state the purpose of reading these contact details")
    stored = ReporterContact.objects.filter(submission=submission).first()
    contact = Contact(stored.contact, stored.email) if stored else Contact()
    record(
        Action.VAULT_READ,
        submission,
        actor=user.get_username(),
        detail={
            "purpose": purpose.strip()[:200],
            "fields": [name for name in ("contact", "email") if getattr(contact, name)],
        },
    )
    return contact
