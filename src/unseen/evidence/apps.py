from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "unseen.evidence"
    label = "evidence"
    verbose_name = "Sources and claims"
