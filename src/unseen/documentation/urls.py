from django.urls import path, register_converter

from . import (
    bulk_views,
    history_views,
    identity_views,
    names_views,
    review_views,
    saved_views,
    views,
)
from .browsing import KINDS


class KindConverter:
    """Only the record kinds: /app/map/ and other pages must not be mistaken for a kind."""

    regex = "|".join(KINDS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "kind")

app_name = "documentation"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("search/names/", identity_views.name_search, name="name_search"),
    path("saved/", saved_views.saved_searches, name="saved_searches"),
    path("saved/new/", saved_views.saved_search_create, name="saved_search_create"),
    path("saved/<int:pk>/", saved_views.saved_search_open, name="saved_search_open"),
    path("saved/<int:pk>/edit/", saved_views.saved_search_edit, name="saved_search_edit"),
    path("saved/<int:pk>/delete/", saved_views.saved_search_delete, name="saved_search_delete"),
    path("import/", views.import_upload, name="import"),
    path("import/columns/", views.import_columns, name="import_columns"),
    path(
        "import/templates/<slug:kind>.<slug:extension>",
        views.import_template,
        name="import_template",
    ),
    path("gaps/", views.gaps, name="gaps"),
    path("gaps/<slug:gap>/", views.gap_list, name="gap_list"),
    path("indicators/", views.indicators, name="indicators"),
    path("testimonies/<int:pk>/coding/", views.testimony_coding, name="coding"),
    path("suggest/<str:kind>/", views.suggestions, name="suggest"),
    path("suggest/<str:kind>/new/", views.quick_create, name="quick_create"),
    path("persons/new/identity/", identity_views.identity_create, name="identity_create"),
    path("persons/<int:pk>/identity/", identity_views.identity, name="identity"),
    path("persons/<int:pk>/identity/edit/", identity_views.identity_edit, name="identity_edit"),
    path(
        "persons/<int:pk>/identity/history/",
        identity_views.identity_history,
        name="identity_history",
    ),
    path("claims/<int:pk>/sign-off/", review_views.sign_off, name="sign_off"),
    path("<kind:kind>/", views.record_list, name="list"),
    path("<kind:kind>/bulk/", bulk_views.bulk, name="bulk"),
    path("<kind:kind>/new/", views.record_create, name="create"),
    path("<kind:kind>/deleted/", history_views.deleted, name="deleted"),
    path("<kind:kind>/deleted/<int:revision>/restore/", history_views.restore, name="restore"),
    path("<kind:kind>/<int:pk>/", views.record_detail, name="detail"),
    path("<kind:kind>/<int:pk>/edit/", views.record_edit, name="edit"),
    path("<kind:kind>/<int:pk>/history/", history_views.history, name="history"),
    path("<kind:kind>/<int:pk>/history/revert/", history_views.revert, name="revert"),
    path("<kind:kind>/<int:pk>/review/", review_views.review, name="review"),
    path("<kind:kind>/<int:pk>/review/send/", review_views.send_to_review, name="send_to_review"),
    path("<kind:kind>/<int:pk>/claims/new/", views.claim_create, name="claim_create"),
    path("<kind:kind>/<int:pk>/names/", names_views.names, name="names"),
]
