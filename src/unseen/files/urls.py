from django.urls import path

from . import views

app_name = "files"

urlpatterns = [
    path("upload/<slug:kind>/<int:pk>/", views.upload, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/custody/", views.custody_report, name="custody"),
    path("<int:pk>/original/", views.download, name="download"),
    path("<int:pk>/deletion/", views.request_deletion, name="request_deletion"),
]
