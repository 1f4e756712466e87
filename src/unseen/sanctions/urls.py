from django.urls import path

from . import views

app_name = "sanctions"

urlpatterns = [
    path("", views.lists, name="lists"),
    path("load/", views.load, name="load"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/xref/", views.xref_start, name="xref"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress.json", views.run_progress, name="progress"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="cancel"),
    path("runs/<int:pk>/candidates/<int:candidate>/", views.candidate_detail, name="candidate"),
]
