from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from unseen.registry.keys import Created


class PublishingConfig(AppConfig):
    name = "unseen.publishing"
    label = "publishing"
    verbose_name = "Public pages and exports"

    def ready(self) -> None:
        from unseen.registry import keys

        keys.KEY_MAKERS.append(make_export_key)


def make_export_key() -> "Created":
    """The export key for `unseen keys init`: made when missing, never replaced."""
    from django.conf import settings

    from unseen.registry.keys import Created

    from .exports import export_secret, init_export_key
    from .exports.keys import export_key_path

    if settings.UNSEEN_EXPORT_KEY:
        return Created("export key", "UNSEEN_EXPORT_KEY", False)
    path = export_key_path()
    if path.exists():
        export_secret()  # refuses a key file open to others
        return Created("export key", str(path), False)
    return Created("export key", str(init_export_key()), True)
