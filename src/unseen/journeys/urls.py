"""The team's journey pages, mounted at /app/ (config/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "journeys"

urlpatterns: list = []
