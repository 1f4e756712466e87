"""The journeys' pages in the workspace (mounted at /app/)."""

from django.urls import path

from . import flow_views, views

app_name = "journeys"

urlpatterns = [
    path("testimonies/<int:pk>/journey/", views.edit, name="edit"),
    path("journeys/flows/", flow_views.flows_page, name="flows"),
]
