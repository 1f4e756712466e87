from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "unseen.dossiers"
    label = "dossiers"
    verbose_name = "Dossiers"

    def ready(self) -> None:
        from unseen.documentation import panels

        from . import panel

        panels.register("dossiers/_record_panel.html", panel.context)
