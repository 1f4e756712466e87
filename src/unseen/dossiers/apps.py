from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "unseen.dossiers"
    label = "dossiers"
    verbose_name = "Dossiers"
