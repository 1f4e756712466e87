from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "unseen.intake"
    label = "intake"
    verbose_name = "Public intake"

    def ready(self) -> None:
        from unseen.registry import keys

        from . import attachments, vault

        keys.RESEALERS[vault.TABLE] = vault.reseal
        keys.RESEALERS[attachments.TABLE] = attachments.reseal
