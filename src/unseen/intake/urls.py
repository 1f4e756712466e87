from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.report, name="report"),
    path("add/", views.report_add, name="add"),
    path("privacy/", views.privacy, name="privacy"),
    path("comment/", views.comment, name="comment"),
]
