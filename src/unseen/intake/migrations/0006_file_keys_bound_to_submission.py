"""Bind each photo's sealed file key to its submission as well as its file name (#15).

Opens every upload's file key (so it needs the master key when uploads exist) and seals it again
under the same data key with associated data that names the submission. No file is rewritten.
"""

from django.db import migrations

from unseen.core import sealing
from unseen.registry import keys

OLD = "unseen/intake.upload/file_key/file={name}"
NEW = "unseen/intake.upload/file_key/submission={submission}/file={name}"  # as attachments.py


def rebind(apps, schema_editor):
    Upload = apps.get_model("intake", "Upload")
    pending = Upload.objects.exclude(sealed_key="")
    if not pending.exists():
        return
    by_version = keys.data_keys_for_migration(apps.get_model("registry", "VaultKey"))
    rows = []
    for upload in pending.order_by("pk").iterator(chunk_size=2000):
        version = sealing.sealed_version(upload.sealed_key)
        name = upload.file.name
        new = NEW.format(submission=upload.submission_id, name=name)
        try:
            sealing.open_sealed(by_version[version], upload.sealed_key, new)
            continue  # already bound to its submission
        except sealing.SealingError:
            pass
        file_key = sealing.open_sealed(
            by_version[version], upload.sealed_key, OLD.format(name=name)
        )
        upload.sealed_key = sealing.seal(by_version[version], version, file_key, new)
        rows.append(upload)
    Upload.objects.bulk_update(rows, ["sealed_key"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_keyed_receipts"),
        ("registry", "0007_blind_index_key_per_field"),
    ]

    operations = [
        migrations.RunPython(rebind, migrations.RunPython.noop, elidable=True),
    ]
