from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "unseen.publishing"
    label = "publishing"
    verbose_name = "Public pages and exports"
