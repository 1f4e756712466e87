from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("persons/", views.person_report_lookup, name="person_report_lookup"),
    path("persons/<str:pseudonym>/", views.person_report, name="person_report"),
]
