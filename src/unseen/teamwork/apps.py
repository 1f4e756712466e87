from django.apps import AppConfig


class TeamworkConfig(AppConfig):
    name = "unseen.teamwork"
    label = "teamwork"
    verbose_name = "Assignments, comments, watches and notifications"

    def ready(self) -> None:
        # Comments join the history timeline, and edits of watched records notify their watchers:
        # the hooks (and the lists' bulk actions) live below this app, which registers into them.
        from unseen.documentation import bulk_editing, panels

        from . import bulk_assigning, notifying, panel, timeline

        timeline.connect()
        notifying.connect()
        panels.register("teamwork/_record_panel.html", panel.context)
        bulk_editing.register(bulk_assigning.ACTION)
