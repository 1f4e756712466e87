from django.urls import path

from . import redaction_views, review_views, text_urls, views

app_name = "files"

urlpatterns = [
    path("", views.file_list, name="list"),
    path("upload/<slug:kind>/<int:pk>/", views.upload, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/custody/", views.custody_report, name="custody"),
    path("<int:pk>/original/", views.download, name="download"),
    # The file's text (OCR, transcripts) and passages cited from testimonies' coding.
    *text_urls.urlpatterns,
    path("<int:pk>/deletion/", views.request_deletion, name="request_deletion"),
    # Its way to the public: the review by a colleague (ADR 0025), then the access level.
    path("<int:pk>/review/", review_views.review, name="review"),
    path("<int:pk>/review/send/", review_views.send_to_review, name="send_to_review"),
    path("<int:pk>/access/", review_views.change_access, name="access"),
    path("<int:pk>/redact/", redaction_views.redact, name="redact"),
    path("<int:pk>/copies/<int:copy>/", redaction_views.working_copy, name="working_copy"),
]
