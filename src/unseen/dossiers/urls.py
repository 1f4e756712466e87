from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("new/", views.dossier_create, name="create"),
    path("<int:pk>/", views.dossier_detail, name="detail"),
    path("<int:pk>/progress.json", views.dossier_progress, name="progress"),
    path("<int:pk>/cancel/", views.dossier_cancel, name="cancel"),
    path("<int:pk>/download/", views.dossier_download, name="download"),
]
