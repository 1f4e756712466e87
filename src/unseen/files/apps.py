from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "unseen.files"
    label = "files"
    verbose_name = "Evidence files: the bytes that stand behind records, kept as evidence"
