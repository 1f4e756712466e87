from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .access import public

app_name = "accounts"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("login/verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("two-factor/", views.setup, name="two_factor"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
]
