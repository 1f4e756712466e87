from django.urls import path

from . import views

app_name = "teamwork"

urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("notifications/", views.notifications, name="notifications"),
    path("<slug:kind>/<int:pk>/assign/", views.assign, name="assign"),
    path("<slug:kind>/<int:pk>/comments/", views.comment, name="comment"),
    path("<slug:kind>/<int:pk>/watch/", views.watch, name="watch"),
]
