from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "unseen.registry"
    label = "registry"
    verbose_name = "Persons, organisations and sites"

    def ready(self) -> None:
        from unseen.accounts import two_factor

        from . import checks, keys, vault  # noqa: F401 (checks registers itself)

        keys.RESEALERS[vault.TABLE] = vault.reseal
        keys.RESEALERS[vault.HISTORY_TABLE] = vault.reseal_history
        # Accounts sit below the registry: they get the vault's keys from here, for TOTP secrets
        # and the key of the recovery codes' hashes, both re-sealed when the data key is rotated.
        two_factor.use_keys(keys.sealing_key, keys.data_key)
        keys.RESEALERS[two_factor.TABLE] = two_factor.reseal_secrets
        keys.RESEALERS[two_factor.KEY_TABLE] = two_factor.reseal_keys
