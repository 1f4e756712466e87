from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "unseen.api"
    label = "api"
    verbose_name = "API: the platform's records, runs and files for programs"
