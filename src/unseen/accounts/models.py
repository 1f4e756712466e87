from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from unseen.constraints import choices_constraint

from .roles import Capability, Role, capabilities_of


class AccessLevel(models.TextChoices):
    """How far a record may travel. Lives here because who may see what is an accounts question."""

    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")


class User(AbstractUser):
    """A staff member. Its role says what it may do; a blank role may do nothing."""

    role = models.CharField(max_length=20, choices=Role.choices, blank=True, default="")
    confidential_access = models.BooleanField(
        default=False,
        help_text=_("Granted the confidential compartment: may see confidential records."),
    )

    class Meta:
        constraints = [choices_constraint("role", Role, "user_role_valid", allow_blank=True)]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Only administrators reach Django's admin; the flag follows the role, never the reverse.
        self.is_staff = self.role == Role.ADMINISTRATOR
        super().save(*args, **kwargs)

    @property
    def capabilities(self) -> frozenset[Capability]:
        if not self.is_active:
            return frozenset()
        return capabilities_of(self.role)

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        # Administrators manage everything in the admin; no one else gets model permissions there.
        if self.is_active and self.role == Role.ADMINISTRATOR:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.role == Role.ADMINISTRATOR:
            return True
        return super().has_module_perms(app_label)

    def visible_access_levels(self) -> list[str]:
        """Access levels this user may read."""
        if not self.can(Capability.VIEW_RECORDS):
            return [AccessLevel.PUBLIC]
        levels: list[str] = [AccessLevel.PUBLIC, AccessLevel.INTERNAL]
        if self.confidential_access or self.role == Role.ADMINISTRATOR:
            levels.append(AccessLevel.CONFIDENTIAL)
        return levels


def visible_access_levels(user: Any) -> list[str]:
    """Access levels readable by `user`, who may be anonymous (public only)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return [AccessLevel.PUBLIC]
    return user.visible_access_levels()
