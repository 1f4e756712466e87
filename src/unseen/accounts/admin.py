from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import invitations, two_factor
from .models import User

# Devices hold TOTP secrets and recovery codes: no one browses them, not even administrators.
# Second factors are reset with the action on users below, which the audit log records.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "role", "confidential_access", "is_active", "last_login")
    list_filter = ("role", "confidential_access", "is_active")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Role and compartments", {"fields": ("role", "confidential_access")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Role and compartments", {"fields": ("role", "confidential_access")}),
    )
    actions = ["reset_two_factor", "invite_to_enrol"]

    @admin.action(description=gettext_lazy("Reset two-factor sign-in (the user sets it up again)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            two_factor.reset(user, by=request.user)
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %(count)d account.",
                "Two-factor sign-in reset for %(count)d accounts.",
                queryset.count(),
            )
            % {"count": queryset.count()},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Issue an enrolment invitation (one-time link)"))
    def invite_to_enrol(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> TemplateResponse | None:
        """Show each new link once, on this page only: never in a message, which may be a cookie."""
        issued, refused = [], []
        for user in queryset.order_by("username"):
            try:
                made = invitations.issue(user.get_username(), by=request.user.get_username())
            except invitations.InvitationRefused as reason:
                refused.append(str(reason))
                continue
            site = request.build_absolute_uri("/").rstrip("/")
            issued.append((user.get_username(), made.link(site), made.record.expires_at))
        if not issued:
            self.message_user(request, "; ".join(refused), messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Enrolment invitations"),
            "issued": issued,
            "refused": refused,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "accounts/admin_invitations.html", context)
        add_never_cache_headers(response)
        return response
