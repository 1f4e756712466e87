from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "unseen.findings"
    label = "findings"
    verbose_name = "Findings"
