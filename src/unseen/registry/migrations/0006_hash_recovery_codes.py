"""Replace the recovery codes django-otp stored in clear with keyed hashes (#15).

The HMAC key is made here if there is none yet, sealed under the vault's data key (as TOTP
secrets are, migration 0005). Irreversible on purpose: code from before this migration would
compare the hashes with the codes typed and accept none; going back means new codes.
"""

import os

from django.db import migrations

from unseen.accounts import two_factor
from unseen.core import sealing
from unseen.registry import keys


def hash_recovery_codes(apps, schema_editor):
    token_model = apps.get_model("otp_static", "StaticToken")
    clear = [
        (pk, token)
        for pk, token in token_model.objects.values_list("pk", "token")
        if not two_factor.is_recovery_digest(token)
    ]
    if not clear:
        return
    version, data_key = keys.data_key_for_migration(apps.get_model("registry", "VaultKey"))
    key_model = apps.get_model("accounts", "SecondFactorKey")
    row = key_model.objects.filter(name=two_factor.RECOVERY_KEY).first()
    if row is None:
        key = os.urandom(two_factor.KEY_BYTES)
        sealed = two_factor.seal_key(two_factor.RECOVERY_KEY, key, version, data_key)
        key_model.objects.create(name=two_factor.RECOVERY_KEY, sealed=sealed)
    else:  # made by the running application (a migration re-run by hand): the newest data key
        if sealing.sealed_version(row.sealed) != version:
            raise RuntimeError("the recovery codes' key is sealed under an older data key")
        key = two_factor.open_key(two_factor.RECOVERY_KEY, row.sealed, lambda _: data_key)
    for pk, token in clear:
        token_model.objects.filter(pk=pk).update(token=two_factor.recovery_digest(key, token))


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_seal_totp_secrets"),
        ("otp_static", "0003_add_timestamps"),
        ("accounts", "0006_second_factor_key"),
    ]

    operations = [migrations.RunPython(hash_recovery_codes, elidable=False)]
