from django.contrib import admin

from unseen.evidence.admin import ClaimInline

from .models import ExternalIdentifier, Organisation, OrganisationAlias, Person, Site


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Pseudonymous fields only: identities are read through the vault, never in the admin."""

    list_display = ("pseudonym", "sex", "birth_year", "nationality", "access_level", "is_synthetic")
    list_filter = ("sex", "access_level", "is_synthetic")
    search_fields = ("pseudonym", "source_record_id")
    readonly_fields = ("pseudonym",)
    inlines = [ClaimInline]


class AliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 0


class IdentifierInline(admin.TabularInline):
    model = ExternalIdentifier
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "country", "access_level", "is_synthetic")
    list_filter = ("kind", "country", "access_level", "is_synthetic")
    search_fields = ("name", "aliases__name", "identifiers__value")
    inlines = [AliasInline, IdentifierInline, ClaimInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "country",
        "city",
        "coordinate_precision",
        "access_level",
        "is_synthetic",
    )
    list_filter = ("kind", "country", "access_level", "is_synthetic")
    search_fields = ("name", "city")
    inlines = [ClaimInline]
