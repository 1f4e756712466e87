"""Keyed pseudonyms: HMAC-SHA256 under a key derived per export recipient.

The same record gets the same pseudonym in every export to one recipient (their files join across
exports), and unrelated pseudonyms for another recipient (two recipients cannot join their files).
Without the secret nobody can recompute or reverse them.
"""

import hashlib
import hmac

LENGTH = 16  # hex characters: 64 bits, ample against collisions in one export


def recipient_key(secret: str | bytes, recipient: str) -> bytes:
    """The key for one recipient, derived from the installation's export secret."""
    if isinstance(secret, str):
        secret = secret.encode()
    if not secret:
        raise ValueError("the export secret is empty")
    name = " ".join(recipient.split()).casefold()
    if not name:
        raise ValueError("the recipient name is empty")
    return hmac.new(secret, b"unseen-export-recipient\x00" + name.encode(), hashlib.sha256).digest()


def pseudonym(key: bytes, kind: str, identifier: object) -> str:
    """E.g. pseudonym(key, 'person', 42) -> 'person-3f9c0a...'."""
    message = f"{kind}\x00{identifier}".encode()
    return f"{kind}-{hmac.new(key, message, hashlib.sha256).hexdigest()[:LENGTH]}"
