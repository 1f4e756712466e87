from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "unseen.linkage"
    label = "linkage"
    verbose_name = "Record linkage"

    def ready(self) -> None:
        # The task is defined (and checked against the configured queue) once, at start-up, not
        # by whichever request first queues a run: a queue that then refuses a job is a refusal
        # the run records, never an error at import.
        from . import tasks  # noqa: F401
