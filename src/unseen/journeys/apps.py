from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "unseen.journeys"
    label = "journeys"
    verbose_name = "Journeys: from recruitment to exit, as testimonies tell them"

    def ready(self) -> None:
        from unseen.documentation import panels

        from . import showing

        # A testimony's page shows its journey as a timeline, with "Edit journey" for editors.
        panels.register("journeys/journey_timeline.html", showing.record_context)
