from django.urls import path

from . import views

app_name = "journeys"

urlpatterns = [
    path("testimonies/<int:pk>/journey/", views.edit, name="edit"),
]
