"""The researcher app's map and charts, mounted under /app/ (records readable by the user)."""

from django.urls import path

from . import views

app_name = "publishing_app"

urlpatterns = [
    path("map/", views.app_map, name="map"),
    path("map/data.json", views.app_map_data, name="map_data"),
    path("charts/", views.app_charts, name="charts"),
    path("charts/data.json", views.app_chart_data, name="charts_data"),
]
