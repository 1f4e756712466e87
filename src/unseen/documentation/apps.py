from django.apps import AppConfig


class DocumentationConfig(AppConfig):
    name = "unseen.documentation"
    label = "documentation"
    verbose_name = "Testimonies, deployments, incidents and sightings"
