import hashlib
import hmac
import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from unseen.constraints import choices_constraint

GENESIS_HASH = "0" * 64


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    IMPORT = "import", _("Imported")
    EXPORT = "export", _("Exported")
    VAULT_READ = "vault_read", _("Read identity vault")
    SEARCH = "search", _("Searched")
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGOUT = "logout", _("Signed out")
    PERMISSION_CHANGE = "permission_change", _("Changed permissions")
    LOGIN_LOCKED = "login_locked", _("Sign-in locked after failures")
    TWO_FACTOR_SETUP = "two_factor_setup", _("Set up two-factor sign-in")
    TWO_FACTOR_OK = "two_factor_ok", _("Passed the second factor")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Second factor failed")
    RECOVERY_CODE_USED = "recovery_code_used", _("Signed in with a recovery code")
    TWO_FACTOR_RESET = "two_factor_reset", _("Reset two-factor sign-in")
    API_TOKEN_CREATED = "api_token_created", _("Made an API token")
    API_TOKEN_REVOKED = "api_token_revoked", _("Revoked an API token")
    API_TOKEN_USED = "api_token_used", _("Used an API token")
    # Opening a record's page, so the access report answers "who opened this testimony".
    VIEW = "view", _("Opened")
    VAULT_WRITE = "vault_write", _("Wrote identity vault")
    INVITATION_ISSUED = "invitation_issued", _("Issued an enrolment invitation")
    # Custody of evidence files (unseen.files.custody): each carries the file's hash.
    FILE_UPLOAD = "file_upload", _("Received a file")
    FILE_VIEW = "file_view", _("Viewed a file")
    FILE_DOWNLOAD = "file_download", _("Downloaded a file's original")
    FILE_DERIVE = "file_derive", _("Made a working copy of a file")
    FILE_EXPORT = "file_export", _("Exported a file")
    FILE_RESTORE = "file_restore", _("Restored a file")
    FILE_DELETE_REQUEST = "file_delete_request", _("Asked for a file to be deleted")
    FILE_ATTACH = "file_attach", _("Attached a file to a record")
    CHECKPOINT = "checkpoint", _("Made a custody checkpoint")


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")


class AuditEntry(models.Model):
    """One thing someone did. Never updated, never deleted."""

    at = models.DateTimeField()
    actor = models.CharField(max_length=150, help_text=_("Username, or 'cli' / 'anonymous'."))
    action = models.CharField(max_length=20, choices=Action.choices)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(_("target ID"), max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "audit entries"
        constraints = [choices_constraint("action", Action, "auditentry_action_valid")]
        indexes = [
            models.Index(fields=["action", "id"], name="auditentry_action_idx"),
            # The newest change to one kind of record, found by one index seek
            # (`log.last_change_id(target_types=...)`, which cached public figures are keyed on).
            models.Index(fields=["target_type", "action", "id"], name="auditentry_target_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")

    def compute_hash(self, key: bytes) -> str:
        """HMAC-SHA256, under the chain key, of this entry's content and the previous hash."""
        return keyed_hash(key, self)

    def plain_hash(self) -> str:
        """The unkeyed SHA-256 used before #14, which anyone can recompute."""
        return hashlib.sha256(canonical_payload(self)).hexdigest()


def canonical_payload(entry: Any) -> bytes:
    """What an entry's hash covers (any object with an entry's fields)."""
    return json.dumps(
        {
            "at": entry.at.isoformat(),
            "actor": entry.actor,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "detail": entry.detail,
            "previous_hash": entry.previous_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def keyed_hash(key: bytes, entry: Any) -> str:
    return hmac.new(key, canonical_payload(entry), hashlib.sha256).hexdigest()
