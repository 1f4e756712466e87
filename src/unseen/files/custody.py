"""Chain of custody: who held or saw an evidence file, when and why, in the audit chain.

Each custody event is one audit entry whose target is the file and whose detail carries the file's
SHA-256 and the stated reason, never its name or title (the audit log holds no identifying
content). The hash in every entry ties the event to the bytes: a file whose hash changed would no
longer match the entries written about it. `report` reads a file's entries back, custody events
and edits of its description alike, oldest first.
"""

from dataclasses import dataclass
from typing import Any

from unseen.accounts.models import UserLike
from unseen.audit import log
from unseen.audit.models import Action, AuditEntry

from .models import EvidenceFile

CUSTODY_ACTIONS = (
    Action.FILE_UPLOAD,
    Action.FILE_VIEW,
    Action.FILE_DOWNLOAD,
    Action.FILE_DERIVE,
    Action.FILE_EXPORT,
    Action.FILE_RESTORE,
    Action.FILE_DELETE_REQUEST,
    Action.FILE_ATTACH,
)
# Events in which someone held or saw the bytes (an original or a working copy).
READS = (Action.FILE_VIEW, Action.FILE_DOWNLOAD, Action.FILE_EXPORT)


def actor_name(actor: UserLike | str | None) -> str | None:
    """The audit actor for a user (their username), a name as given, or None: whoever is acting."""
    if actor is None or isinstance(actor, str):
        return actor
    return actor.get_username() if actor.is_authenticated else "anonymous"


def record(
    file: EvidenceFile,
    action: Action,
    *,
    actor: UserLike | str | None = None,
    reason: str = "",
    **detail: Any,
) -> AuditEntry:
    """Write one custody event about `file`. `detail` must hold no names or titles: ids, kinds,
    hashes and counts only."""
    if action not in CUSTODY_ACTIONS:
        raise ValueError(f"{action} is not a custody event")
    return log.record(
        action,
        file,
        detail={"sha256": file.sha256, "reason": reason, **detail},
        actor=actor_name(actor),
    )


RESTORED_REASON = "restored from a backup"


@dataclass(frozen=True)
class Event:
    """One line of a custody report."""

    entry: AuditEntry
    file_sha256: str

    @property
    def action(self) -> str:
        return self.entry.get_action_display()

    @property
    def reason(self) -> str:
        return str(self.detail.get("reason", ""))

    @property
    def sha256(self) -> str:
        return str(self.detail.get("sha256", ""))

    @property
    def detail(self) -> dict[str, Any]:
        return self.entry.detail if isinstance(self.entry.detail, dict) else {}

    @property
    def is_read(self) -> bool:
        return self.entry.action in READS

    @property
    def matches(self) -> bool | None:
        """Whether the hash the event carried is the file's hash today (None: it carried none)."""
        return self.sha256 == self.file_sha256 if self.sha256 else None


def record_restored(reason: str = RESTORED_REASON) -> int:
    """One `file_restore` event per stored file (after `unseen restore`), saying whether its blob
    came back; returns how many. Whether the bytes still have their hash is `unseen files
    verify`'s to say (it decrypts everything; a restore does not)."""
    from .storing import blob_path

    files = EvidenceFile.objects.order_by("pk").only("pk", "sha256", "blob")
    return log.record_many(
        Action.FILE_RESTORE,
        (
            (
                file,
                {
                    "sha256": file.sha256,
                    "reason": reason,
                    "blob_present": blob_path(file.blob).is_file(),
                },
            )
            for file in files.iterator()
        ),
    )


def report(file: EvidenceFile) -> list[Event]:
    """Every audit entry about `file`, oldest first: custody events and edits of its record."""
    entries = AuditEntry.objects.filter(
        target_type=file._meta.label_lower, target_id=str(file.pk)
    ).order_by("id")
    return [Event(entry, file.sha256) for entry in entries]


def report_lines(file: EvidenceFile) -> list[dict[str, Any]]:
    """The report as plain rows (for `unseen files custody --json` and the page)."""
    return [
        {
            "id": event.entry.pk,
            "at": event.entry.at.isoformat(),
            "actor": event.entry.actor,
            "action": event.entry.action,
            "sha256": event.sha256,
            "matches": event.matches,
            "reason": event.reason,
            "detail": {
                key: value for key, value in event.detail.items() if key not in ("sha256", "reason")
            },
        }
        for event in report(file)
    ]
