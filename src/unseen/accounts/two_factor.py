"""Two-factor sign-in: TOTP (authenticator apps) with single-use recovery codes, via django-otp.

Enforced for every signed-in account when UNSEEN_REQUIRE_2FA is on (the default unless
UNSEEN_DEMO is on). An account that has set up a second factor is always asked for it, enforced or
not. A session counts as verified only after a code was checked in it (django-otp's `otp_login`).
"""

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .signals import second_factor_failed, second_factor_reset, second_factor_verified

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def enforced() -> bool:
    return bool(settings.UNSEEN_REQUIRE_2FA)


def has_second_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(request: HttpRequest) -> bool:
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def needs_verification(request: HttpRequest) -> bool:
    """True when this signed-in session must still pass (or set up) a second factor."""
    user = request.user
    if not user.is_authenticated or is_verified(request):
        return False
    return enforced() or has_second_factor(user)


def new_totp_device(user: Any) -> TOTPDevice:
    """A fresh, unconfirmed device; any earlier unconfirmed one (and its secret) is dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def confirm(
    request: HttpRequest, device: TOTPDevice, token: str, invitation: int
) -> list[str] | None:
    """Confirm a new device with a code from it, spending the enrolment invitation `invitation`.

    Returns the new recovery codes, or None (a wrong code, or the invitation is spent or expired).
    """
    from . import invitations  # it imports this module

    if not device.verify_token(token):
        second_factor_failed.send(sender=__name__, user=request.user)
        return None
    with transaction.atomic():
        if not invitations.consume(request.user, invitation):
            return None
        device.confirmed = True
        device.save()
        codes = replace_recovery_codes(request.user)
    otp_login(request, device)
    return codes


def replace_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def _recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)
    text = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{text[:5]}-{text[5:]}"


def verify(request: HttpRequest, token: str) -> str | None:
    """Check a code from the authenticator or a recovery code; the method used, or None."""
    token = "".join(token.split()).lower()
    user = request.user
    if token.isdigit():
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(token):  # throttled by django-otp after failures
                otp_login(request, device)
                second_factor_verified.send(sender=__name__, user=user, method="totp")
                return "totp"
    elif token:
        for static in StaticDevice.objects.filter(user=user, confirmed=True):
            if static.verify_token(token):  # a recovery code works once: it is deleted here
                otp_login(request, static)
                second_factor_verified.send(sender=__name__, user=user, method="recovery_code")
                return "recovery_code"
    second_factor_failed.send(sender=__name__, user=user)
    return None


def reset(user: Any, *, by: Any = None) -> None:
    """Remove every second factor of `user` (an administrator's decision, audited)."""
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
    second_factor_reset.send(sender=__name__, user=user, by=by)
