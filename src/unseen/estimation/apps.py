from django.apps import AppConfig


class EstimationConfig(AppConfig):
    name = "unseen.estimation"
    label = "estimation"
    verbose_name = "Population estimates"

    def ready(self) -> None:
        # The evidence-gap queue lives in documentation, below this app: it learns of stale
        # published estimates from here.
        from . import input_changes

        input_changes.connect()
