from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "unseen.evidence"
    label = "evidence"
    verbose_name = "Sources and claims"

    def ready(self) -> None:
        # The two-person rule on every save, and sign-offs cleared by the saves that stale them.
        from . import reviewing

        reviewing.connect()
