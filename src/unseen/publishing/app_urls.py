"""The researcher app's map and charts, mounted under /app/ (records readable by the user)."""

from django.urls import path

from . import export_views, views

app_name = "publishing_app"

urlpatterns = [
    path("map/", views.app_map, name="map"),
    path("map/data.json", views.app_map_data, name="map_data"),
    path("charts/", views.app_charts, name="charts"),
    path("charts/data.json", views.app_chart_data, name="charts_data"),
    # Exports from the web (ADR 0035): the requester's own jobs; approvals of full exports.
    path("exports/", export_views.export_list, name="exports"),
    path("exports/<int:pk>/", export_views.export_detail, name="export"),
    path("exports/<int:pk>/progress.json", export_views.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
    path("exports/approvals/", export_views.approvals, name="approvals"),
    path("exports/approvals/request/", export_views.approval_request, name="approval_request"),
    path(
        "exports/approvals/<int:pk>/approve/",
        export_views.approval_approve,
        name="approval_approve",
    ),
    path(
        "exports/approvals/<int:pk>/refuse/", export_views.approval_refuse, name="approval_refuse"
    ),
]
