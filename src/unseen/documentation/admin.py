from django.contrib import admin

from unseen.evidence.admin import ClaimInline

from .models import Deployment, Incident, IndicatorCoding, Sighting, Testimony


class CodingInline(admin.TabularInline):
    model = IndicatorCoding
    extra = 0


@admin.register(Testimony)
class TestimonyAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "source",
        "interviewee",
        "interview_date",
        "consent_to_use",
        "consent_to_publish",
        "access_level",
        "is_synthetic",
    )
    list_filter = (
        "consent_to_use",
        "consent_to_publish",
        "access_level",
        "is_synthetic",
    )
    search_fields = ("source__title", "summary", "interviewee__pseudonym")
    raw_id_fields = ("source", "interviewee")
    inlines = [CodingInline, ClaimInline]


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "host_country",
        "host_region",
        "sector",
        "period_start",
        "workers_low",
        "workers_high",
        "is_proxy",
        "access_level",
        "is_synthetic",
    )
    list_filter = ("host_country", "is_proxy", "access_level", "is_synthetic")
    search_fields = ("sector", "host_region")
    raw_id_fields = ("person", "site", "dispatcher", "employer")
    inlines = [ClaimInline]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("id", "act", "date", "country", "access_level", "is_synthetic")
    list_filter = ("act", "country", "access_level", "is_synthetic")
    search_fields = ("description", "place")
    raw_id_fields = ("site",)
    filter_horizontal = ("victims", "perpetrator_organisations")
    inlines = [ClaimInline]


@admin.register(Sighting)
class SightingAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "place",
        "country",
        "observed_from",
        "workers_low",
        "workers_high",
        "access_level",
        "is_synthetic",
    )
    list_filter = ("country", "access_level", "is_synthetic")
    search_fields = ("description", "place", "work_kind")
    raw_id_fields = ("site",)
    inlines = [ClaimInline]
