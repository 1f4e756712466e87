"""The network graph, mounted under /app/network/."""

from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("", views.page, name="page"),
    path("data/", views.data, name="data"),
    path("suggest/", views.suggestions, name="suggest"),
    path("export.gexf", views.export_gexf, name="export_gexf"),
    path("export.ftm.json", views.export_ftm, name="export_ftm"),
]
