"""The audit key: a secret outside the database that keys the hash chain and signs anchors.

Without it, whoever can write the database could rewrite an entry and recompute every hash after
it (the code is public). With it, they cannot produce hashes that `verify` accepts. The key comes
from UNSEEN_AUDIT_KEY (base64 of 32 bytes) or, if that is unset, from the key file
UNSEEN_AUDIT_KEY_FILE (default `var/keys/audit.key`, created 0600 in a 0700 folder on first use).
It is never written to the database, logs or backups.
"""

import contextlib
import os
from pathlib import Path

from django.conf import settings

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


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(sealing.encode_key(sealing.new_key()) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def audit_key() -> bytes:
    """The audit key, read on every use; the key file is created on first use."""
    text = getattr(settings, "UNSEEN_AUDIT_KEY", "")
    if not text:
        path = key_path()
        if not path.exists():
            with contextlib.suppress(FileExistsError):  # another process created it first
                _create(path)
        text = path.read_text()
    try:
        return sealing.decode_key(text)
    except sealing.SealingError as error:
        raise AuditKeyError(f"the audit key from {key_source()} is not usable: {error}") from None


def chain_key() -> bytes:
    return sealing.derive_key(audit_key(), CHAIN_LABEL)


def anchor_key() -> bytes:
    return sealing.derive_key(audit_key(), ANCHOR_LABEL)


def key_id() -> str:
    """A public name for the audit key (a hash of it): shown in messages, anchors and backups."""
    return sealing.key_id(audit_key())


def configured_key_id() -> str | None:
    """Id of the configured audit key, without creating a key file if there is none."""
    if getattr(settings, "UNSEEN_AUDIT_KEY", "") or key_path().exists():
        return key_id()
    return None
