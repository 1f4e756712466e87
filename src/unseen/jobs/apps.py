from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "unseen.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
