from django.urls import path

from . import views

app_name = "intake_moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approve/", views.approve_view, name="approve"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("uploads/<int:pk>/", views.upload, name="upload"),
]
