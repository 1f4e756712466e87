from django.apps import AppConfig


class EstimationConfig(AppConfig):
    name = "unseen.estimation"
    label = "estimation"
    verbose_name = "Population estimates"
