from django.urls import path

from . import views

app_name = "intake_api"

urlpatterns = [
    path("sightings", views.api_sightings, name="sightings"),
    path("moderation/queue", views.api_queue, name="queue"),
]
