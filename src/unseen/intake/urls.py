from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.report, name="report"),
    path("received/", views.received, name="received"),
    path("add/", views.report_add, name="add"),
    path("add/done/", views.added, name="added"),
    path("privacy/", views.privacy, name="privacy"),
    path("comment/", views.comment, name="comment"),
]
