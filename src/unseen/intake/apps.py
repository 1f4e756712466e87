from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from unseen.registry.keys import Created


class IntakeConfig(AppConfig):
    name = "unseen.intake"
    label = "intake"
    verbose_name = "Public intake"

    def ready(self) -> None:
        from unseen.registry import keys

        from . import attachments, vault

        keys.RESEALERS[vault.TABLE] = vault.reseal
        keys.KEY_MAKERS.append(make_receipt_key)
        keys.RESEALERS[attachments.TABLE] = attachments.reseal


def make_receipt_key() -> "Created":
    from unseen.registry.keys import Created

    from . import receipts

    where, created = receipts.init_key()
    return Created("receipt key", where, created)
