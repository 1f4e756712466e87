"""The audit key: a secret outside the database that keys the hash chain and signs anchors.

Without it, whoever can write the database could rewrite an entry and recompute every hash after
it (the code is public). With it, they cannot produce hashes that `verify` accepts. The key comes
from UNSEEN_AUDIT_KEY (base64 of 32 bytes) or, if that is unset, from the key file
UNSEEN_AUDIT_KEY_FILE (default `var/keys/audit.key`, 0600 in a 0700 folder). Only `unseen keys
init` creates it (`init_key`): a missing key stops whatever writes the audit log, and a key file
that its group or others may read is refused. It is never written to the database, logs or
backups.
"""

from pathlib import Path

from django.conf import settings

from unseen import private_files
from unseen.core import sealing

# Separate keys for the two uses, so a chain hash can never pass for an anchor's signature.
CHAIN_LABEL = "unseen audit chain v1"
ANCHOR_LABEL = "unseen audit anchor v1"


class AuditKeyError(Exception):
    """The configured audit key cannot be read."""


def key_path() -> Path:
    configured = getattr(settings, "UNSEEN_AUDIT_KEY_FILE", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "keys" / "audit.key"


def key_source() -> str:
    if getattr(settings, "UNSEEN_AUDIT_KEY", ""):
        return "environment (UNSEEN_AUDIT_KEY)"
    return f"key file {key_path()}"


def audit_key() -> bytes:
    """The audit key, read on every use; never created here (see `init_key`)."""
    text = getattr(settings, "UNSEEN_AUDIT_KEY", "")
    if text:
        try:
            return sealing.decode_key(text)
        except sealing.SealingError as error:
            raise AuditKeyError(f"UNSEEN_AUDIT_KEY is not usable: {error}") from None
    path = key_path()
    if not path.exists():
        raise AuditKeyError(
            f"no audit key: UNSEEN_AUDIT_KEY is unset and the key file {path} "
            "(UNSEEN_AUDIT_KEY_FILE) does not exist. Nothing was created. If the key lives on a "
            "volume, mount it or point UNSEEN_AUDIT_KEY_FILE at it; run `unseen keys init` only "
            "if this is a new installation."
        )
    try:
        return sealing.read_key_file(path)
    except sealing.KeyFileError as error:
        raise AuditKeyError(f"audit key refused: {error}") from None


def init_key() -> tuple[str, bool]:
    """Create the audit key file if no key is configured: (where the key is, whether created).

    Refuses when the audit log already has entries: they are keyed with a key that is missing,
    and a new one would make every one of them fail `unseen audit verify`.
    """
    if getattr(settings, "UNSEEN_AUDIT_KEY", ""):
        audit_key()
        return "UNSEEN_AUDIT_KEY", False
    path = key_path()
    if path.exists():
        audit_key()  # refuses a key file open to others
        return str(path), False
    from django.db import DatabaseError

    from .models import AuditEntry

    try:
        entries = AuditEntry.objects.exists()
    except DatabaseError:  # not migrated yet
        entries = False
    if entries:
        raise AuditKeyError(
            f"the audit log has entries keyed with an audit key, but {path} does not exist: "
            "restore that key file (or set UNSEEN_AUDIT_KEY); nothing was created."
        )
    private_files.write_new(path, sealing.encode_key(sealing.new_key()) + "\n")
    return str(path), True


def chain_key() -> bytes:
    return sealing.derive_key(audit_key(), CHAIN_LABEL)


def anchor_key() -> bytes:
    return sealing.derive_key(audit_key(), ANCHOR_LABEL)


def key_id() -> str:
    """A public name for the audit key (a hash of it): shown in messages, anchors and backups."""
    return sealing.key_id(audit_key())


def configured_key_id() -> str | None:
    """Id of the configured audit key, or None if there is none (nothing is created)."""
    if getattr(settings, "UNSEEN_AUDIT_KEY", "") or key_path().exists():
        return key_id()
    return None
