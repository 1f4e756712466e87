from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


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
