from django.urls import path

from . import revenue_views, views

app_name = "estimation"

urlpatterns = [
    path("", views.run_list, name="list"),
    path("new/", views.run_create, name="create"),
    path("<int:pk>/", views.run_detail, name="detail"),
    path("<int:pk>/records/", views.run_records, name="records"),
    path("<int:pk>/rerun/", views.run_rerun, name="rerun"),
    path("<int:pk>/publish/", views.run_publish, name="publish"),
    path("revenue/", revenue_views.revenue_create, name="revenue"),
    path("revenue/<int:pk>/", revenue_views.revenue_detail, name="revenue_detail"),
    path("revenue/<int:pk>/rerun/", revenue_views.revenue_rerun, name="revenue_rerun"),
    path("revenue/<int:pk>/publish/", revenue_views.revenue_publish, name="revenue_publish"),
]
