"""Photos from the public, encrypted at rest: the only way to write or read an upload's bytes.

Each file is sealed whole (AES-256-GCM, `core.sealing.seal_bytes`) under a random key of its own.
That file key is stored in the upload's row, sealed as a vault field under the data key
(`registry.keys`), bound to the file's name. So:

- the disk holds ciphertext only: a copied `files/` folder shows no pixels and no JPEG header;
- rotating the master key (`unseen keys rotate`) re-wraps the data key and touches no file;
- replacing the data key (`--data-key`) re-seals the small file keys in the database, inside the
  same transaction as every other vault field, and rewrites no file either.

Reading needs the moderation capability and is audited (`vault_read`, field `photo`), once per
photo served.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from unseen.accounts.roles import Capability
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core import sealing
from unseen.registry import keys

from .models import Upload

TABLE = "intake.upload"
CONTENT_CONTEXT = "unseen/intake.upload/content"
PURPOSE = "moderation"


def _key_context(upload: Upload) -> str:
    return f"unseen/{TABLE}/file_key/file={upload.file.name}"


def store(upload: Upload, data: bytes) -> None:
    """Seal `data` into a new file for `upload` and keep its sealed key on the row (not saved)."""
    file_key = sealing.new_key()
    upload.file.save(
        "photo", ContentFile(sealing.seal_bytes(file_key, data, CONTENT_CONTEXT)), False
    )
    version, key = keys.active_data_key()
    upload.sealed_key = sealing.seal(
        key, version, sealing.encode_key(file_key), _key_context(upload)
    )


def _file_key(upload: Upload, key_for: Any = keys.data_key) -> bytes:
    sealed = upload.sealed_key
    if not sealed:
        raise sealing.SealingError("this upload has no sealed key")
    opened = sealing.open_sealed(
        key_for(sealing.sealed_version(sealed)), sealed, _key_context(upload)
    )
    return sealing.decode_key(opened)


def may_read(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.can(Capability.MODERATE_INTAKE)
    )


def read(upload: Upload, *, user: Any) -> bytes:
    """The photo's bytes, for a moderator; the read is written to the audit log."""
    if not may_read(user):
        raise PermissionDenied("photos from the public are for moderators")
    with upload.file.open("rb") as handle:
        blob = handle.read()
    data = sealing.open_bytes(_file_key(upload), blob, CONTENT_CONTEXT)
    record(
        Action.VAULT_READ,
        upload,
        actor=user.get_username(),
        detail={"purpose": PURPOSE, "fields": ["photo"]},
    )
    return data


def reseal(old_key: Any, version: int, key: bytes) -> int:
    """Re-seal every file key under a new data key (`unseen keys rotate --data-key`)."""
    rows = []
    for upload in Upload.objects.exclude(sealed_key="").order_by("pk").iterator(chunk_size=2000):
        file_key = _file_key(upload, old_key)
        upload.sealed_key = sealing.seal(
            key, version, sealing.encode_key(file_key), _key_context(upload)
        )
        rows.append(upload)
    Upload.objects.bulk_update(rows, ["sealed_key"], batch_size=2000)
    return len(rows)
