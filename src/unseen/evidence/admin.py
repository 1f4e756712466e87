from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

from .models import Claim, Source


class ClaimInline(GenericTabularInline):
    """Shown on every record's admin page: the evidence it rests on."""

    model = Claim
    extra = 0
    autocomplete_fields = ["source"]
    fields = ("source", "credibility", "field", "statement")


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "reliability",
        "date",
        "language",
        "access_level",
        "is_synthetic",
    )
    list_filter = ("kind", "reliability", "access_level", "is_synthetic", "language")
    search_fields = ("title", "notes")


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("id", "source", "credibility", "content_type", "object_id", "field")
    list_filter = ("credibility", "content_type")
    autocomplete_fields = ["source"]
