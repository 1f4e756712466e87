from django.urls import path

from . import views

app_name = "estimation"

urlpatterns = [
    path("", views.run_list, name="list"),
    path("new/", views.run_create, name="create"),
    path("<int:pk>/", views.run_detail, name="detail"),
    path("<int:pk>/rerun/", views.run_rerun, name="rerun"),
    path("<int:pk>/publish/", views.run_publish, name="publish"),
]
