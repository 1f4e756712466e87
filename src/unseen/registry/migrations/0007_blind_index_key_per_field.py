"""Rebuild the blind indexes under one key per field (#15): name and birth date no longer share one.

Opens each identity's full name and birth date (so it needs the master key when identities
exist) and writes both indexes again; the sealed fields themselves are left as they are.
"""

from django.db import migrations

from unseen.core import sealing
from unseen.registry import keys

TABLE = "registry.personidentity"
NAME_LABEL = "unseen blind index v2 full_name"  # as registry/keys.py
BIRTH_DATE_LABEL = "unseen blind index v2 birth_date"


def rebuild_indexes(apps, schema_editor):
    PersonIdentity = apps.get_model("registry", "PersonIdentity")
    if not PersonIdentity.objects.exists():
        return
    VaultKey = apps.get_model("registry", "VaultKey")
    by_version = keys.data_keys_for_migration(VaultKey)
    newest = max(by_version)
    name_key = sealing.derive_key(by_version[newest], NAME_LABEL)
    birth_key = sealing.derive_key(by_version[newest], BIRTH_DATE_LABEL)

    def opened(row, field):
        value = getattr(row, field)
        if not value:
            return ""
        context = f"unseen/{TABLE}/{field}/person={row.person_id}"
        return sealing.open_sealed(by_version[sealing.sealed_version(value)], value, context)

    rows = []
    for row in PersonIdentity.objects.order_by("pk").iterator(chunk_size=2000):
        row.name_index = sealing.blind_index(
            name_key, sealing.normalise_name(opened(row, "full_name"))
        )
        row.birth_date_index = sealing.blind_index(birth_key, opened(row, "birth_date").strip())
        rows.append(row)
    PersonIdentity.objects.bulk_update(rows, ["name_index", "birth_date_index"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_hash_recovery_codes"),
    ]

    operations = [
        migrations.RunPython(rebuild_indexes, migrations.RunPython.noop, elidable=True),
    ]
