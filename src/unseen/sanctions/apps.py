from django.apps import AppConfig


class SanctionsConfig(AppConfig):
    name = "unseen.sanctions"
    label = "sanctions"
    verbose_name = "Sanctions lists and cross-referencing"
