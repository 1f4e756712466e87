"""Photos from the public, encrypted at rest: the only way to write or read an upload's bytes.

Each file is sealed whole (AES-256-GCM, `core.sealing.seal_bytes`) under a random key of its own.
That file key is stored in the upload's row, sealed as a vault field under the data key
(`registry.keys`), bound to the submission the photo came with and to the file's name: a sealed
key copied onto another submission's upload does not open. So:

- the disk holds ciphertext only: a copied `files/` folder shows no pixels and no JPEG header;
- rotating the keys (`unseen keys rotate`) re-encrypts each photo under a new file key, sealed
  under the new data key inside the same transaction as every other vault field; the old files
  are deleted once it commits.

Reading needs the moderation capability and is audited (`vault_read`, field `photo`), once per
photo served.
"""

import os
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from unseen.accounts.models import UserLike
from unseen.accounts.roles import Capability
from unseen.core import sealing
from unseen.registry import keys, vault

from .models import Upload

TABLE = "intake.upload"
CONTENT_CONTEXT = "unseen/intake.upload/content"
PURPOSE = "moderation"


def _key_context(upload: Upload) -> str:
    if upload.submission_id is None:
        raise ValueError("a photo's key is bound to its submission: set it first")
    return f"unseen/{TABLE}/file_key/submission={upload.submission_id}/file={upload.file.name}"


def store(upload: Upload, data: bytes) -> None:
    """Seal `data` into a new file for `upload` and keep its sealed key on the row (not saved).

    Call it inside the transaction that saves the upload, so that a key rotation cannot delete the
    data key between sealing and saving (see `registry.keys.sealing_key`).
    """
    file_key = sealing.new_key()
    upload.file.save(
        "photo", ContentFile(sealing.seal_bytes(file_key, data, CONTENT_CONTEXT)), False
    )
    with keys.sealing_key() as (version, key):
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


def may_read(user: UserLike | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.can(Capability.MODERATE_INTAKE))


def read(upload: Upload, *, user: UserLike) -> bytes:
    """The photo's bytes, for a moderator; the read is written to the audit log."""
    if not may_read(user):
        raise PermissionDenied("photos from the public are for moderators")
    opened = vault.audited_read(
        [upload], _open_photos, user=user, purpose=PURPOSE, fields_read=lambda _: ["photo"]
    )
    return opened[upload.pk]


def _open_photos(uploads: Sequence[Upload]) -> dict[int, bytes]:
    found = {}
    for upload in uploads:
        with upload.file.open("rb") as handle:
            blob = handle.read()
        found[upload.pk] = sealing.open_bytes(_file_key(upload), blob, CONTENT_CONTEXT)
    return found


def reseal(old_key: Any, version: int, key: bytes) -> int:
    """Re-encrypt every photo under a new file key, sealed under the new data key (`unseen keys
    rotate`): an old copy of this table, with a retired master key, opens no file left on disk.

    Each photo goes to a new file; the files it replaces are deleted once the rotation commits, so
    a rotation that fails leaves every row and old file as it was (its new files are removed).
    """
    rows, written, replaced = [], [], []
    try:
        for upload in Upload.objects.exclude(sealed_key="").order_by("pk").iterator(chunk_size=200):
            old_file_key = _file_key(upload, old_key)
            file_key = old_file_key
            if upload.file.name and upload.file.storage.exists(upload.file.name):
                with upload.file.open("rb") as handle:
                    data = sealing.open_bytes(old_file_key, handle.read(), CONTENT_CONTEXT)
                old_name, mtime = upload.file.name, os.stat(upload.file.path).st_mtime
                file_key = sealing.new_key()
                upload.file.save(
                    "photo", ContentFile(sealing.seal_bytes(file_key, data, CONTENT_CONTEXT)), False
                )
                written.append(upload.file.name)
                os.utime(upload.file.path, (mtime, mtime))  # still the day it arrived, no more
                replaced.append(old_name)
            upload.sealed_key = sealing.seal(
                key, version, sealing.encode_key(file_key), _key_context(upload)
            )
            rows.append(upload)
        Upload.objects.bulk_update(rows, ["file", "sealed_key"], batch_size=2000)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise

    def delete_replaced() -> None:
        for name in replaced:
            default_storage.delete(name)

    transaction.on_commit(delete_replaced)
    return len(rows)
