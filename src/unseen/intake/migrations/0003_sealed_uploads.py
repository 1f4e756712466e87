import os
import secrets
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models, transaction

from unseen.core import sealing
from unseen.registry import keys

CONTENT_CONTEXT = "unseen/intake.upload/content"  # as intake/attachments.py


def seal_uploads(apps, schema_editor):
    """Encrypt photos stored in plaintext before uploads were sealed (issue #8).

    Each sealed copy goes to a new file; the plaintext files are deleted only once the rows
    pointing at the copies are committed, so a failed migration loses nothing.
    """
    Upload = apps.get_model("intake", "Upload")
    pending = Upload.objects.filter(sealed_key="").order_by("pk")
    if not pending.exists():
        return
    version, key = keys.data_key_for_migration(apps.get_model("registry", "VaultKey"))
    plaintext = []
    for upload in pending.iterator(chunk_size=200):
        old = upload.file.name
        if not old or not default_storage.exists(old):
            continue  # nothing to seal; the photo view answers 404 for it
        with default_storage.open(old, "rb") as handle:
            data = handle.read()
        if sealing.is_sealed_bytes(data):
            continue
        file_key = sealing.new_key()
        name = default_storage.save(
            f"intake/{secrets.token_hex(16)}{PurePosixPath(old).suffix}",
            ContentFile(sealing.seal_bytes(file_key, data, CONTENT_CONTEXT)),
        )
        stat = os.stat(default_storage.path(old))
        os.utime(default_storage.path(name), (stat.st_mtime, stat.st_mtime))
        upload.file.name = name
        upload.sealed_key = sealing.seal(
            key,
            version,
            sealing.encode_key(file_key),
            f"unseen/intake.upload/file_key/file={name}",
        )
        upload.save(update_fields=["file", "sealed_key"])
        plaintext.append(old)
    transaction.on_commit(lambda: [default_storage.delete(name) for name in plaintext])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_sealed_contacts"),
        ("registry", "0003_sealed_identities"),
    ]

    operations = [
        migrations.AddField(
            model_name="upload",
            name="sealed_key",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(seal_uploads, migrations.RunPython.noop, elidable=False),
    ]
