from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "unseen.registry"
    label = "registry"
    verbose_name = "Persons, organisations and sites"
