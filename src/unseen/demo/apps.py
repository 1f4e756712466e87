from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "unseen.demo"
    label = "demo"
    verbose_name = "Demo data"
