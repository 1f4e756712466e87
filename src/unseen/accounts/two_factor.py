"""Two-factor sign-in: TOTP (authenticator apps) with single-use recovery codes, via django-otp.

Enforced for every signed-in account when UNSEEN_REQUIRE_2FA is on (the default unless
UNSEEN_DEMO is on). An account that has set up a second factor is always asked for it, enforced or
not. A session counts as verified only after a code was checked in it (django-otp's `otp_login`).
A second factor is enrolled only with an administrator's invitation (invitations.py).

TOTP secrets are sealed like vault fields (`SealedTOTPDevice`): AES-GCM under the vault's data
key, with associated data naming table, field and row, so a database dump alone yields no
secret. The data keys live in `unseen.registry.keys`, a layer above this one: the registry hands
them down at start-up (`use_keys`) and re-seals the secrets when the data key is rotated.
"""

import os
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from unseen.core import sealing

from .models import SealedTOTPDevice
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


SECRET_BYTES = 20  # django-otp's default: 160 bits, as RFC 4226 recommends
TABLE = "otp_totp_totpdevice"

ActiveKey = Callable[[], tuple[int, bytes]]
KeyOfVersion = Callable[[int], bytes]
_keys: dict[str, Any] = {}


def use_keys(active: ActiveKey, of_version: KeyOfVersion) -> None:
    """Called by the registry app at start-up: where the vault's data keys come from."""
    _keys.update(active=active, of_version=of_version)


def _key_source(name: str) -> Any:
    if name not in _keys:
        raise RuntimeError(
            "TOTP secrets are sealed with the vault's keys: unseen.registry not ready"
        )
    return _keys[name]


def secret_context(device_pk: int) -> str:
    return f"unseen/{TABLE}/key/device={device_pk}"


def seal_secret(device_pk: int, secret: bytes, version: int, key: bytes) -> str:
    return sealing.seal_raw(key, version, secret, secret_context(device_pk))


def open_secret(device_pk: int, sealed: str, of_version: KeyOfVersion | None = None) -> bytes:
    key_of = of_version or _key_source("of_version")
    version = sealing.sealed_version(sealed)
    return sealing.open_raw(key_of(version), sealed, secret_context(device_pk))


def new_totp_device(user: Any) -> SealedTOTPDevice:
    """A fresh, unconfirmed device; any earlier unconfirmed one (and its secret) is dropped.

    The row is made first with no secret, because the sealed secret names its row; the secret
    never reaches the database in clear.
    """
    version, key = _key_source("active")()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = SealedTOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False, key="")
        device.key = seal_secret(device.pk, os.urandom(SECRET_BYTES), version, key)
        device.save(update_fields=["key"])
    return device


def reseal_secrets(of_version: KeyOfVersion, version: int, key: bytes) -> int:
    """Re-seal every TOTP secret under a new data key (`unseen keys rotate --data-key`)."""
    count = 0
    for pk, sealed in TOTPDevice.objects.values_list("pk", "key"):
        secret = open_secret(pk, sealed, of_version)
        TOTPDevice.objects.filter(pk=pk).update(key=seal_secret(pk, secret, version, key))
        count += 1
    return count


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
        for device in SealedTOTPDevice.objects.filter(user=user, confirmed=True):
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
