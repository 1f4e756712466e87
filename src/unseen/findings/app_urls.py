from django.urls import path

from . import views

app_name = "findings_app"

urlpatterns = [
    path("", views.app_list, name="list"),
    path("new/", views.app_new, name="new"),
    path("<slug:slug>/", views.app_preview, name="preview"),
    path("<slug:slug>/edit/", views.app_edit, name="edit"),
    path("<slug:slug>/submit/", views.app_submit, name="submit"),
    path("<slug:slug>/review/", views.app_review, name="review"),
    path("<slug:slug>/correct/", views.app_correct, name="correct"),
    path("<slug:slug>/withdraw/", views.app_withdraw, name="withdraw"),
]
