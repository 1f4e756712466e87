"""The public pages of evidence files, mounted at /evidence/."""

from django.urls import path

from . import public_views

app_name = "evidence"

urlpatterns = [
    path("", public_views.gallery, name="gallery"),
    path("<int:pk>/", public_views.detail, name="detail"),
    path("<int:pk>/image", public_views.image, name="image"),
    path("<int:pk>/thumbnail", public_views.thumbnail, name="thumbnail"),
]
