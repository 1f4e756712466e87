from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "unseen.linkage"
    label = "linkage"
    verbose_name = "Record linkage"
