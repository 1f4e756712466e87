"""The export key, and the pseudonyms of one export derived from it.

The export key is never created by an export: `init_export_key` creates it, once.
"""

import secrets
import stat
from pathlib import Path

from django.conf import settings

from unseen.core.privacy.pseudonyms import (
    export_key,
    pseudonym,
    public_release_key,
    recipient_key,
)
from unseen.private_files import write_new

from .results import ExportKeyError


def export_key_path() -> Path:
    return Path(settings.VAR_DIR) / "keys" / "export_key"


def init_export_key() -> Path:
    """Create the export key file, var/keys/export_key (0600 in a 0700 folder); its path.

    Every pseudonym of every recipient derives from this key, so it is made once, on purpose,
    and never replaced: an export never creates it (a lost key silently re-created would change
    every pseudonym). Raises ExportKeyError when the file exists, or when UNSEEN_EXPORT_KEY is
    set (that is the key then, and a file would only be ignored).
    """
    if settings.UNSEEN_EXPORT_KEY:
        raise ExportKeyError("UNSEEN_EXPORT_KEY is set: it is the export key; no file created")
    path = export_key_path()
    try:
        write_new(path, secrets.token_urlsafe(48))
    except FileExistsError:
        raise ExportKeyError(
            f"the export key {path} already exists: it is never replaced, since every "
            "pseudonym derives from it"
        ) from None
    return path


def export_secret() -> str:
    """UNSEEN_EXPORT_KEY, or var/keys/export_key; ExportKeyError when neither is usable."""
    if settings.UNSEEN_EXPORT_KEY:
        return str(settings.UNSEEN_EXPORT_KEY)
    path = export_key_path()
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        raise ExportKeyError(
            f"no export key: UNSEEN_EXPORT_KEY is not set and {path} does not exist. Every "
            "pseudonym derives from this key, so a new one would change them all: restore the "
            "lost key from its backup, or on a new installation create it once with "
            "`unseen export --init-key`. Nothing was created or written"
        ) from None
    if mode & 0o077:
        raise ExportKeyError(
            f"the export key {path} may be read by group or others (mode {mode:04o}): "
            f"chmod 600 {path}"
        )
    value = path.read_text().strip()
    if not value:
        raise ExportKeyError(f"the export key {path} is empty: restore it from its backup")
    return value


def ledger_name(recipient: str) -> str:
    """Whose pseudonyms: the public release's, or a named recipient's (as keyed)."""
    if not recipient:
        return "public-release"
    return "recipient:" + " ".join(recipient.split()).casefold()


class Pseudonymiser:
    """Pseudonyms of one export: the recipient's (or the public release's) key, salted per
    export unless linkable."""

    def __init__(self, recipient: str, *, linkable: bool) -> None:
        secret = export_secret()
        key = recipient_key(secret, recipient) if recipient else public_release_key(secret)
        self.key = export_key(key, linkable=linkable)

    def __call__(self, kind: str, pk: object) -> str:
        return "" if pk is None else pseudonym(self.key, kind, pk)
