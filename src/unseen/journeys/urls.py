"""The journeys' pages in the workspace (mounted at /app/)."""

from django.urls import path

from . import flow_views

app_name = "journeys"

urlpatterns = [
    path("journeys/flows/", flow_views.flows_page, name="flows"),
]
