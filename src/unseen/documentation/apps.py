from django.apps import AppConfig


class DocumentationConfig(AppConfig):
    name = "unseen.documentation"
    label = "documentation"
    verbose_name = "Testimonies, deployments, incidents and sightings"

    def ready(self) -> None:
        # Every save and delete of a record updates its search entry in the same transaction.
        from . import indexing

        indexing.connect()
        from unseen.registry import backup

        backup.restored.connect(indexing.rebuild_after_restore, dispatch_uid="search-restore")
