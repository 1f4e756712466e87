from django.urls import path

from . import views

app_name = "publishing"

urlpatterns = [
    path("", views.home, name="home"),
    path("estimates/", views.public_estimates, name="estimates"),
    path("revenue/", views.public_revenue, name="revenue"),
    path("map/data.json", views.public_map_data, name="map_data"),
    path("charts/data.json", views.public_chart_data, name="charts_data"),
]
