from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "unseen.journeys"
    label = "journeys"
    verbose_name = "Journeys: from recruitment to exit, as testimonies tell them"
