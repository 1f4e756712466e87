from django.contrib.auth import views as auth_views
from django.urls import path

from .access import public

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        public(auth_views.LoginView.as_view(template_name="accounts/login.html")),
        name="login",
    ),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
]
