from django.urls import path

from . import record_views, views

app_name = "publishing"

urlpatterns = [
    path("", views.home, name="home"),
    path("estimates/", views.public_estimates, name="estimates"),
    path("revenue/", views.public_revenue, name="revenue"),
    path("map/data.json", views.public_map_data, name="map_data"),
    path("charts/data.json", views.public_chart_data, name="charts_data"),
    path("organisations/<int:pk>/", record_views.organisation, name="organisation"),
    path("sites/<int:pk>/", record_views.site, name="site"),
    path("countries/<str:code>/", record_views.country, name="country"),
    path("search/", record_views.search, name="search"),
    path("estimates/<int:pk>/", record_views.estimate, name="estimate"),
    path("revenue/<int:pk>/", record_views.revenue_run, name="revenue_run"),
]
