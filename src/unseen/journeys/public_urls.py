"""The public flows page (mounted at /journeys/): published testimonies' journeys only."""

from django.urls import path

from . import flow_views

app_name = "journeys_public"

urlpatterns = [
    path("", flow_views.public_flows_page, name="flows"),
]
