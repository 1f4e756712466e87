"""Seal the TOTP secrets django-otp stored in clear, under the vault's data key (#14).

Irreversible on purpose: code from before this migration would read the sealed column as the
secret and verify no code, so going back needs the secrets re-enrolled, not unsealed in place.
"""

from binascii import unhexlify

from django.db import migrations

from unseen.accounts import two_factor
from unseen.core import sealing
from unseen.registry import keys


def seal_secrets(apps, schema_editor):
    device_model = apps.get_model("otp_totp", "TOTPDevice")
    clear = [
        (pk, key)
        for pk, key in device_model.objects.values_list("pk", "key")
        if key and not sealing.is_sealed(key)
    ]
    if not clear:
        return
    version, data_key = keys.data_key_for_migration(apps.get_model("registry", "VaultKey"))
    for pk, key in clear:
        sealed = two_factor.seal_secret(pk, unhexlify(key), version, data_key)
        device_model.objects.filter(pk=pk).update(key=sealed)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_merged_into"),
        ("otp_totp", "0003_add_timestamps"),
        ("accounts", "0005_sealedtotpdevice"),
    ]

    operations = [migrations.RunPython(seal_secrets, elidable=False)]
