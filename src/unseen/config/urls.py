"""The composition root: every app's URLs mounted at the paths docs/design.md §5 fixes."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from unseen.accounts.access import public

from .api import openapi
from .health import healthz
from .reference import api_reference

admin.site.site_header = "Unseen administration"
admin.site.site_title = "Unseen"

urlpatterns = [
    path("", include("unseen.publishing.urls")),
    path("report/", include("unseen.intake.urls")),
    path("findings/", include("unseen.findings.urls")),
    path("evidence/", include("unseen.files.public_urls")),
    path("journeys/", include("unseen.journeys.public_urls")),
    path("api/v1/openapi.json", openapi, name="openapi"),
    path("api/v1/reference/", api_reference, name="api_reference"),
    path("api/v1/", include(("unseen.api.urls", "api"))),
    path("app/moderation/", include("unseen.intake.moderation_urls")),
    path("app/findings/", include("unseen.findings.app_urls")),
    path("app/audit/", include("unseen.audit.urls")),
    path("app/estimates/", include("unseen.estimation.urls")),
    path("app/linkage/", include("unseen.linkage.urls")),
    path("app/sanctions/", include("unseen.sanctions.urls")),
    path("app/files/", include("unseen.files.urls")),
    path("app/network/", include("unseen.network.urls")),
    path("app/dossiers/", include("unseen.dossiers.urls")),
    path("app/", include("unseen.journeys.urls")),
    path("app/", include("unseen.documentation.urls")),
    path("app/", include("unseen.teamwork.urls")),
    path("app/", include("unseen.publishing.app_urls")),
    path("accounts/", include("unseen.accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", public(set_language), name="set_language"),
]
