"""The URLs of a file's text and of cited passages, included in `files.urls` (namespace files)."""

from django.urls import path

from . import text_views

urlpatterns = [
    path("<int:pk>/ocr/", text_views.ocr, name="ocr"),
    path("<int:pk>/ocr/progress.json", text_views.ocr_progress, name="ocr_progress"),
    path("<int:pk>/ocr/cancel/", text_views.ocr_cancel, name="ocr_cancel"),
    path("<int:pk>/transcript/", text_views.transcript, name="transcript"),
    path("passages/testimony/<int:pk>/", text_views.cite_passage, name="cite_passage"),
    path("passages/<int:pk>/remove/", text_views.remove_passage, name="remove_passage"),
]
