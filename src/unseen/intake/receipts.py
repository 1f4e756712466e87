"""The receipt key: a secret outside the database that keys the digests of receipt codes (#15).

A receipt code has 60 random bits. Stored as plain SHA-256, anyone holding a copy of the database
(or of a backup and its passphrase) could search those 2^60 codes offline and then add to, or learn
the state of, someone's report. Keyed, the digests are useless without this key. It comes from
UNSEEN_RECEIPT_KEY (base64 of 32 bytes) or, if that is unset, from the key file
UNSEEN_RECEIPT_KEY_FILE (default `var/keys/receipt.key`, 0600 in a 0700 folder), made only by
`unseen keys init` (#15: no silent new keys; a new key would quietly orphan every receipt given
out). It is never written to the database, logs or backups. Lose it and receipts already given out
no longer find their reports (the reports themselves are untouched).
"""

import hashlib
import hmac
from pathlib import Path

from django.conf import settings

from unseen import private_files
from unseen.core import sealing

LABEL = "unseen receipt digest v1"


class ReceiptKeyError(Exception):
    """The configured receipt key cannot be read."""


def key_path() -> Path:
    configured = getattr(settings, "UNSEEN_RECEIPT_KEY_FILE", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "keys" / "receipt.key"


def _create(path: Path) -> None:
    private_files.write_new(path, sealing.encode_key(sealing.new_key()) + "\n")


def init_key() -> tuple[str, bool]:
    """Create the receipt key file if it is missing (for `unseen keys init`): where, and whether
    it was made. A key from the environment, or a file that exists, is left as it is."""
    if getattr(settings, "UNSEEN_RECEIPT_KEY", ""):
        return "UNSEEN_RECEIPT_KEY", False
    path = key_path()
    try:
        _create(path)
    except FileExistsError:
        receipt_key()  # refuses a key file open to others
        return str(path), False
    return str(path), True


def receipt_key() -> bytes:
    """The key the digests are computed under (derived from the configured one)."""
    text = getattr(settings, "UNSEEN_RECEIPT_KEY", "")
    if text:
        try:
            key = sealing.decode_key(text)
        except sealing.SealingError as error:
            raise ReceiptKeyError(f"UNSEEN_RECEIPT_KEY is not usable: {error}") from None
    else:
        path = key_path()
        if not path.exists():
            raise ReceiptKeyError(
                f"no receipt key: UNSEEN_RECEIPT_KEY is unset and the key file {path} "
                "(UNSEEN_RECEIPT_KEY_FILE) does not exist. Nothing was created: restore it from "
                "its backup, or on a new installation run `unseen keys init`."
            )
        try:
            key = sealing.read_key_file(path)
        except sealing.KeyFileError as error:
            raise ReceiptKeyError(f"receipt key refused: {error}") from None
    return sealing.derive_key(key, LABEL)


def plain_digest(normalised: str) -> bytes:
    """SHA-256 of a normalised code: what was stored (in hex) before #15."""
    return hashlib.sha256(normalised.encode()).digest()


def keyed_digest(plain: bytes, key: bytes | None = None) -> str:
    """HMAC-SHA256 of a plain digest. Keying the plain digest, rather than the code, let
    the #15 upgrade re-key the digests stored before it without knowing the codes."""
    return hmac.new(key or receipt_key(), plain, hashlib.sha256).hexdigest()
