"""Keyed pseudonyms: HMAC-SHA256 under a key derived per export recipient, and per export.

Each key is derived from the installation's export secret under its own label, so no two
purposes share one: a recipient's key (`recipient_key`), the public release's
(`public_release_key`, never the key of a recipient who happens to be called "public").

By default every export mixes a fresh random salt into that key (`export_key`): two exports to
one recipient share no pseudonym, so they cannot be joined into a finer table than either. A
linkable export (an administrator's decision, checked against the recipient's release ledger)
uses the recipient's key as it is, so its pseudonyms are the same in every linkable export to
that recipient. Two recipients' pseudonyms are unrelated either way. Without the secret nobody
can recompute or reverse them.
"""

import hashlib
import hmac
import secrets

LENGTH = 16  # hex characters: 64 bits, ample against collisions in one export
SALT_BYTES = 32


def _secret(secret: str | bytes) -> bytes:
    if isinstance(secret, str):
        secret = secret.encode()
    if not secret:
        raise ValueError("the export secret is empty")
    return secret


def recipient_key(secret: str | bytes, recipient: str) -> bytes:
    """The key for one recipient, derived from the installation's export secret."""
    name = " ".join(recipient.split()).casefold()
    if not name:
        raise ValueError("the recipient name is empty")
    return hmac.new(
        _secret(secret), b"unseen-export-recipient\x00" + name.encode(), hashlib.sha256
    ).digest()


def public_release_key(secret: str | bytes) -> bytes:
    """The key of the public release: under a label no recipient's name can produce."""
    return hmac.new(_secret(secret), b"unseen-export-public-release", hashlib.sha256).digest()


def export_key(key: bytes, *, linkable: bool = False) -> bytes:
    """The key one export uses: `key` itself when linkable, else `key` with a fresh salt.

    The salt is drawn here and kept nowhere, so a per-export pseudonym can be traced back by
    nobody, this installation included.
    """
    if linkable:
        return key
    salt = secrets.token_bytes(SALT_BYTES)
    return hmac.new(key, b"unseen-export-once\x00" + salt, hashlib.sha256).digest()


def pseudonym(key: bytes, kind: str, identifier: object) -> str:
    """A stable pseudonym for one record: the kind, then a keyed hash of kind and identifier.

    For example, `pseudonym(key, 'person', 42)` gives 'person-3f9c0a...'.
    """
    message = f"{kind}\x00{identifier}".encode()
    return f"{kind}-{hmac.new(key, message, hashlib.sha256).hexdigest()[:LENGTH]}"
