from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "unseen.ui"
    label = "ui"
    verbose_name = "User interface"
