from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "unseen.network"
    label = "network"
    verbose_name = "Network graph"
