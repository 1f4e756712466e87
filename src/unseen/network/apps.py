from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "unseen.network"
    label = "network"
    verbose_name = "Network graph"

    def ready(self) -> None:
        from unseen.documentation import panels

        from . import panel

        panels.register("network/_record_panel.html", panel.context)
