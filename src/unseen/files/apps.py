from typing import Any

from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "unseen.files"
    label = "files"
    verbose_name = "Evidence files: the bytes that stand behind records, kept as evidence"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from unseen.documentation import panels
        from unseen.registry import backup, keys

        from . import access, indexing, panel, passages, publishing, reading, storing

        # A file is public only once a person decided on its redaction (`files.publishing`).
        publishing.connect()
        keys.RESEALERS[storing.TABLE] = storing.reseal_files
        keys.RESEALERS[storing.COPY_TABLE] = storing.reseal_copies
        panels.register("files/_record_panel.html", panel.context)
        # Searchable text: files in the app's search, PDF text layers read on arrival, passages
        # cited beside a testimony's coding.
        indexing.register()
        reading.connect()
        panels.register_coding("files/_passages_coding.html", passages.coding_context)
        panels.register("files/_passages_record.html", passages.record_context)
        # A restore puts the files back: each is a custody event of its own.
        backup.restored.connect(_restored, dispatch_uid="files-restored")
        # A deleted record's links go with it (the files stay: they are evidence of their own).
        for model in access.attachable_models():
            post_delete.connect(
                _forget_links, sender=model, dispatch_uid=f"files-links-{model._meta.label}"
            )


def _forget_links(sender: Any, instance: Any, **kwargs: Any) -> None:
    from django.contrib.contenttypes.models import ContentType

    from .models import Attachment

    Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk
    ).delete()


def _restored(sender: Any, **kwargs: Any) -> None:
    from . import custody

    custody.record_restored()
