from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "unseen.intake"
    label = "intake"
    verbose_name = "Public intake"
