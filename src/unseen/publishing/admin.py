from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from unseen.accounts.roles import Role

from .models import ExportApproval, ReleaseLedger


@admin.register(ExportApproval)
class ExportApprovalAdmin(admin.ModelAdmin):
    """Administrators grant full exports here; `unseen export --level full --approval ID` uses one."""

    list_display = (
        "id",
        "level",
        "recipient",
        "requested_by",
        "approved_by",
        "approved_at",
        "refused_by",
        "used_at",
    )
    list_filter = ("level",)
    # Requests made in the app are decided on /app/exports/approvals/ (never by the requester).
    fields = ("level", "recipient", "reason")
    readonly_fields = ("requested_by", "requested_at", "approved_by", "approved_at", "used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return getattr(request.user, "role", "") == Role.ADMINISTRATOR

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an approval is a record of a decision: revoke by deleting it unused

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.used_at is None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.approved_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReleaseLedger)
class ReleaseLedgerAdmin(admin.ModelAdmin):
    """What each recipient was given in linkable exports; written by `unseen export --linkable`.

    Read-only: an entry removed would let a later release split the groups this one made.
    """

    list_display = ("id", "recipient", "level", "approved_by", "released_at", "smallest_group")
    list_filter = ("level",)
    exclude = ("persons",)  # pseudonyms and digests: nothing for a person to read

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
