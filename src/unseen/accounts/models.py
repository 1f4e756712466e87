from typing import Any, TypeAlias

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from unseen.constraints import choices_constraint

from .roles import Capability, Role, Scope, capabilities_of, scopes_of


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


# Whom a request is for, as `request.user` is typed: a staff member or the anonymous visitor. Every
# app may take one (accounts sits low in the layers); functions that also accept None mean "no one
# in particular" and show only what is public.
UserLike: TypeAlias = User | AnonymousUser


def visible_access_levels(user: UserLike | None) -> list[str]:
    """Access levels readable by `user`, who may be anonymous (public only)."""
    if user is None or not user.is_authenticated:
        return [AccessLevel.PUBLIC]
    return user.visible_access_levels()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> "ApiTokenQuerySet":
        """Tokens not revoked and not expired, of active users."""
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


class ApiToken(models.Model):
    """A key for the JSON API. Only a keyed hash of the token is kept: a leaked table opens nothing.

    Made by `unseen token create` (an operator, who has the database anyway); see accounts/tokens.py.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    # The token's public first part: finds the row; the secret part is checked against `digest`.
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The day only, updated without a save signal: when a token was last used, not every use.
    last_used_on = models.DateField(null=True, blank=True)
    # What the token may be used for (roles.Scope values), chosen when it is made. A request
    # holds only those its user's role still allows (`usable_scopes`).
    scopes = models.JSONField(default=list, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix} ({self.user.get_username()})"

    def usable_scopes(self) -> frozenset[Scope]:
        """The token's scopes that its user's role allows today: a role taken away since the
        token was made takes its scopes with it."""
        known = {scope.value: scope for scope in Scope}
        chosen = {known[value] for value in self.scopes if value in known}
        return frozenset(chosen) & scopes_of(self.user.capabilities)


class SignInFailureCounter(models.Model):
    """Failed sign-ins under one keyed hash (of an account, a client, or both); see throttling.py.

    In the database, not a per-process cache, so every worker counts the same failures. The key
    is an HMAC: no name or address is stored. Not audited row by row (the audit log would
    otherwise grow with every wrong password); a lock beginning is audited by its signal.
    """

    audit_exempt = True

    key = models.CharField(max_length=80, unique=True)
    count = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("sign-in failure counter")
        verbose_name_plural = _("sign-in failure counters")

    def __str__(self) -> str:
        return f"{self.key[:24]}… ({self.count})"


class EnrolmentInvitationQuerySet(models.QuerySet["EnrolmentInvitation"]):
    def usable(self) -> "EnrolmentInvitationQuerySet":
        """Invitations not used and not expired, of active users."""
        return self.filter(
            used_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True
        )


class EnrolmentInvitation(models.Model):
    """An administrator's single-use, expiring permission to enrol a second factor.

    Without one, a password alone could enrol an authenticator on an account that has none and
    so get in. Only a keyed hash of the code is kept (see accounts/invitations.py); issuing is
    audited by its signal, the enrolment it allows as a second factor set up.
    """

    audit_exempt = True

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_invitations")
    digest = models.CharField(max_length=64, unique=True)
    issued_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.user.get_username()})"


class SealedTOTPDevice(TOTPDevice):
    """django-otp's authenticator device with its secret sealed like a vault field.

    django-otp keeps the TOTP secret in clear hex in `key`; here `key` holds the secret sealed
    with AES-GCM under the vault's data key, bound to this table, field and row (see
    two_factor.py). django-otp reads the secret only through `bin_key`, which opens it. Read
    through the plain TOTPDevice, the column is not hex and no code verifies: fail closed.
    """

    # Set-up, use and reset are audited by their own signals; a save records nothing new.
    audit_exempt = True

    class Meta:
        proxy = True
        verbose_name = _("TOTP device")
        verbose_name_plural = _("TOTP devices")

    @property
    def bin_key(self) -> bytes:
        from . import two_factor  # it imports this module

        return two_factor.open_secret(self.pk, self.key)

    def verify_token(self, token: Any) -> bool:
        """A code from the authenticator, accepted once: its time step is claimed atomically."""
        from . import two_factor  # it imports this module

        return two_factor.verify_totp(self, token)


class HashedStaticDevice(StaticDevice):
    """django-otp's recovery-code device, with its codes kept only as keyed hashes.

    django-otp keeps the codes in clear in `StaticToken.token`; here each holds a keyed hash of a
    code (see two_factor.py), and a code is spent by deleting its row: only the request whose
    DELETE removed it is let in. Read through the plain StaticDevice, no code matches: fail closed.
    """

    class Meta:
        proxy = True
        verbose_name = _("recovery-code device")
        verbose_name_plural = _("recovery-code devices")

    def verify_token(self, token: Any) -> bool:
        from . import two_factor  # it imports this module

        return two_factor.spend_recovery_code(self, token)


class SecondFactorKey(models.Model):
    """A key of the second factors, sealed like a vault field under the vault's data key.

    One row, `recovery-codes`: the HMAC key of the recovery codes' hashes. It is random, not
    derived from a data key, so rotating the data key (which re-seals it) keeps every code
    working; the database alone yields neither the key nor, so, any code.
    """

    audit_exempt = True  # made once, re-sealed on rotation; holds nothing anyone reads

    name = models.CharField(max_length=40, unique=True)
    sealed = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name
