"""Deleting evidence: asked for by a person with a reason, carried out by an administrator.

An original is never deleted silently, nor by the person who wants it gone alone. Anyone who may
edit records and read the file can ask (`request_deletion`): a FILE_DELETE_REQUEST custody event
with their reason, shown on the file's page; nothing is removed. An administrator then runs
`unseen files delete F-00012 --confirm`, which refuses a file nobody asked to delete, writes a
DELETE entry naming the file's hash, the request it carries out and the working copies that go
with it, deletes the row (its working copies, links, redactions, text and cited passages go with
it) and, once that is committed, the blobs. A custody checkpoint made before still names the
file's hash, and `unseen custody verify` reports it gone: the deletion is visible, as it should be.
"""

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from unseen.accounts.models import UserLike
from unseen.audit import log
from unseen.audit.models import Action, AuditEntry

from . import access, custody, storing
from .models import EvidenceFile


class DeletionRefused(Exception):
    """A deletion not carried out, with the reason; nothing was removed."""


def request_deletion(file: EvidenceFile, user: UserLike | None, reason: str) -> AuditEntry:
    """Ask for `file` to be deleted: a custody event with the reason; nothing is removed.

    `user` None is an operator's command. A person needs to be able to edit records and to read
    the file (PermissionDenied otherwise); a blank reason is refused (DeletionRefused).
    """
    if user is not None and not (access.may_write(user) and access.may_read(user, file)):
        raise PermissionDenied("asking for a deletion needs the editing capability")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise DeletionRefused(_("Say why the file should be deleted."))
    return custody.record(file, Action.FILE_DELETE_REQUEST, actor=user, reason=reason)


def requests(file: EvidenceFile) -> list[AuditEntry]:
    """The deletion requests made for `file`, oldest first."""
    return list(
        AuditEntry.objects.filter(
            action=Action.FILE_DELETE_REQUEST,
            target_type=file._meta.label_lower,
            target_id=str(file.pk),
        ).order_by("id")
    )


@dataclass(frozen=True)
class Deleted:
    """What a deletion removed."""

    code: str
    sha256: str
    copies: int
    request: int


def delete(file: EvidenceFile, *, actor: str, reason: str = "") -> Deleted:
    """Remove `file`, its working copies and their blobs, carrying out its latest request.

    Raises DeletionRefused when no one has asked for the file to be deleted. The DELETE entry and
    the rows go in one transaction; the blobs are removed after it commits (a blob left by a
    crash in between is named by `unseen files verify` as stored but unnamed).
    """
    asked = requests(file)
    if not asked:
        raise DeletionRefused(
            f"nobody has asked for {file.code} to be deleted: a deletion carries out a request "
            "made on the file's page (with its reason), never one alone"
        )
    request = asked[-1]
    blobs = [file.blob, *file.working_copies.values_list("blob", flat=True)]
    code, sha256 = file.code, file.sha256
    with transaction.atomic():
        log.record(
            Action.DELETE,
            file,
            detail={
                "sha256": sha256,
                "reason": " ".join(reason.split()),
                "request": request.pk,
                "working_copies": len(blobs) - 1,
            },
            actor=actor,
        )
        file.delete()
        transaction.on_commit(lambda: _remove(blobs))
    return Deleted(code, sha256, len(blobs) - 1, request.pk)


def _remove(blobs: list[str]) -> None:
    for blob in blobs:
        path: Path = storing.blob_path(blob)
        path.unlink(missing_ok=True)
