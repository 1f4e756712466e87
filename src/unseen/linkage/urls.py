from django.urls import path

from . import views

app_name = "linkage"

urlpatterns = [
    path("", views.run_list, name="list"),
    path("new/", views.run_create, name="create"),
    path("<int:pk>/", views.run_detail, name="detail"),
    path("<int:pk>/progress.json", views.run_progress, name="progress"),
    path("<int:pk>/rerun/", views.run_rerun, name="rerun"),
    path("<int:pk>/cancel/", views.run_cancel, name="cancel"),
    path("<int:pk>/histories.csv", views.run_histories, name="histories"),
    path("<int:pk>/clusters/<int:cluster>/merge/", views.cluster_merge, name="cluster_merge"),
    path("<int:pk>/review/", views.review_list, name="reviews"),
    path("<int:pk>/review/<int:review>/", views.review_detail, name="review"),
    path("<int:pk>/review/<int:review>/merge/", views.review_merge, name="review_merge"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
]
