from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "unseen.registry"
    label = "registry"
    verbose_name = "Persons, organisations and sites"

    def ready(self) -> None:
        from . import checks, keys, vault  # noqa: F401 (checks registers itself)

        keys.RESEALERS[vault.TABLE] = vault.reseal
