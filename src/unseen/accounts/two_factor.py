"""Two-factor sign-in: TOTP (authenticator apps) with single-use recovery codes, via django-otp.

Enforced for every signed-in account when UNSEEN_REQUIRE_2FA is on (the default unless
UNSEEN_DEMO is on). An account that has set up a second factor is always asked for it, enforced or
not. A session counts as verified only after a code was checked in it (django-otp's `otp_login`).
A second factor is enrolled only with an administrator's invitation (invitations.py).

TOTP secrets are sealed like vault fields (`SealedTOTPDevice`): AES-GCM under the vault's data
key, with associated data naming table, field and row, so a database dump alone yields no
secret. The data keys live in `unseen.registry.keys`, a layer above this one: the registry hands
them down at start-up (`use_keys`) and re-seals the secrets when the data key is rotated.

Recovery codes are kept only as keyed hashes (`HashedStaticDevice`): HMAC-SHA256 under a random
key of their own, itself sealed under the vault's data key in `SecondFactorKey` (re-sealed, not
replaced, when the data key is rotated, so codes outlive a rotation). The hash is cut to 96 bits
and written in 16 characters of base64, which fits django-otp's `StaticToken.token`.

Each code is used once, even by two requests at the same moment: a recovery code is spent by a
single `DELETE … WHERE` of its row, and only the request that deleted it (`rowcount == 1`) is let
in; a TOTP code claims its time step with a single `UPDATE … SET last_t = t WHERE last_t < t`,
and only the request that moved `last_t` is let in. Failures are counted with `UPDATE … SET
count = count + 1`, never by saving the whole row (which would write back a stale `last_t`).
"""

import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from unseen.core import sealing

from .access import SignedInRequest
from .models import HashedStaticDevice, SealedTOTPDevice, SecondFactorKey, User, UserLike
from .signals import second_factor_failed, second_factor_reset, second_factor_verified

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def enforced() -> bool:
    return bool(settings.UNSEEN_REQUIRE_2FA)


def has_second_factor(user: UserLike) -> bool:
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

# A context manager giving the data key to seal under, holding the vault's rotation lock until the
# transaction that writes the sealed value commits (`registry.keys.sealing_key`).
SealingKey = Callable[[], AbstractContextManager[tuple[int, bytes]]]
KeyOfVersion = Callable[[int], bytes]
_keys: dict[str, Any] = {}


def use_keys(sealing_key: SealingKey, of_version: KeyOfVersion) -> None:
    """Called by the registry app at start-up: where the vault's data keys come from."""
    _keys.update(sealing_key=sealing_key, of_version=of_version)


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


def _open(sealed: str, context: str, of_version: KeyOfVersion | None) -> bytes:
    key_of = of_version or _key_source("of_version")
    return sealing.open_raw(key_of(sealing.sealed_version(sealed)), sealed, context)


def open_secret(device_pk: int, sealed: str, of_version: KeyOfVersion | None = None) -> bytes:
    return _open(sealed, secret_context(device_pk), of_version)


def new_totp_device(user: UserLike) -> SealedTOTPDevice:
    """A fresh, unconfirmed device; any earlier unconfirmed one (and its secret) is dropped.

    The row is made first with no secret, because the sealed secret names its row; the secret
    never reaches the database in clear.
    """
    with _key_source("sealing_key")() as (version, key):
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
    request: SignedInRequest, device: TOTPDevice, token: str, invitation: int
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


def replace_recovery_codes(user: UserLike) -> list[str]:
    """New recovery codes for `user`, replacing any; returned once, stored as keyed hashes."""
    key = recovery_key()
    StaticDevice.objects.filter(user=user).delete()
    device = HashedStaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_digest(key, c)) for c in codes
    )
    return codes


def _recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)
    text = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{text[:5]}-{text[5:]}"


# --- recovery codes: keyed hashes, spent by one DELETE -------------------------------------

RECOVERY_KEY = "recovery-codes"
KEY_TABLE = "accounts_secondfactorkey"
KEY_BYTES = 32
DIGEST_BYTES = 12  # 96 bits: 16 characters of base64, the width of django-otp's token column
_opened: dict[str, bytes] = {}


def key_context(name: str) -> str:
    return f"unseen/{KEY_TABLE}/sealed/name={name}"


def seal_key(name: str, key: bytes, version: int, data_key: bytes) -> str:
    return sealing.seal_raw(data_key, version, key, key_context(name))


def open_key(name: str, sealed: str, of_version: KeyOfVersion | None = None) -> bytes:
    return _open(sealed, key_context(name), of_version)


def recovery_key() -> bytes:
    """The HMAC key of the recovery codes, made (and sealed) on first use."""
    row = SecondFactorKey.objects.filter(name=RECOVERY_KEY).first()
    if row is None:
        try:
            with _key_source("sealing_key")() as (version, data_key):
                sealed = seal_key(RECOVERY_KEY, os.urandom(KEY_BYTES), version, data_key)
                row = SecondFactorKey.objects.create(name=RECOVERY_KEY, sealed=sealed)
        except IntegrityError:  # another process made it first
            row = SecondFactorKey.objects.get(name=RECOVERY_KEY)
    return _opened_key(row)


def _existing_recovery_key() -> bytes | None:
    """The HMAC key if there is one; without one, no code was ever stored hashed."""
    row = SecondFactorKey.objects.filter(name=RECOVERY_KEY).first()
    return None if row is None else _opened_key(row)


def _opened_key(row: SecondFactorKey) -> bytes:
    if row.sealed not in _opened:
        _opened[row.sealed] = open_key(row.name, row.sealed)
    return _opened[row.sealed]


def forget_opened_keys() -> None:
    """Drop the opened keys this process holds (they are cached under their sealed text)."""
    _opened.clear()


def recovery_digest(key: bytes, code: str) -> str:
    """What is stored of a recovery code: 96 bits of HMAC-SHA256, in 16 characters."""
    normal = "".join(str(code).split()).lower()
    mac = hmac.new(key, normal.encode("utf-8"), hashlib.sha256).digest()[:DIGEST_BYTES]
    return base64.urlsafe_b64encode(mac).decode("ascii")


def reseal_keys(of_version: KeyOfVersion, version: int, data_key: bytes) -> int:
    """Re-seal the second factors' keys under a new data key (`unseen keys rotate --data-key`)."""
    count = 0
    for pk, name, sealed in SecondFactorKey.objects.values_list("pk", "name", "sealed"):
        key = open_key(name, sealed, of_version)
        SecondFactorKey.objects.filter(pk=pk).update(sealed=seal_key(name, key, version, data_key))
        count += 1
    return count


def spend_recovery_code(device: StaticDevice, token: Any) -> bool:
    """Whether `token` is one of the device's recovery codes; if so, it is spent, by this call only.

    The stored hashes (ten at most) are compared in constant time; then the matching row is
    deleted, and only the request whose DELETE removed it is let in.
    """
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return False
    match = None
    key = _existing_recovery_key() if str(token).strip() else None
    if key is not None:
        digest = recovery_digest(key, str(token))
        for pk, stored in StaticToken.objects.filter(device=device).values_list("pk", "token"):
            if hmac.compare_digest(stored.encode(), digest.encode()):
                match = pk
    if match is not None:
        # The count is the DELETE's own row count: of two requests, only one removes the row.
        spent, _ = StaticToken.objects.filter(pk=match, device=device).delete()
        if spent == 1:
            _passed(device)
            return True
    _failed(device)
    return False


# --- TOTP: a time step is claimed by one UPDATE ---------------------------------------------


def verify_totp(device: TOTPDevice, token: Any) -> bool:
    """django-otp's `TOTPDevice.verify_token`, except that it saves only what it claims.

    The code is checked as django-otp does (tolerance, drift, no step at or before `last_t`);
    then `UPDATE … SET last_t = t WHERE last_t < t` claims its time step, and only the request
    whose UPDATE changed the row is let in. A second request with the same code, loaded before
    the first finished, changes nothing and is refused.
    """
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return False
    try:
        value = int(token)
    except (TypeError, ValueError):
        value = None
    if value is not None:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        if totp.verify(value, device.tolerance, device.last_t + 1):
            step = totp.t()
            changes: dict[str, Any] = {"last_t": step}
            if getattr(settings, "OTP_TOTP_SYNC", True):
                changes["drift"] = totp.drift
            claimed = TOTPDevice.objects.filter(pk=device.pk, last_t__lt=step).update(**changes)
            if claimed == 1:
                for field, new in changes.items():
                    setattr(device, field, new)
                _passed(device)
                return True
    _failed(device)
    return False


def _passed(device: Any) -> None:
    now = timezone.now()
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None, last_used_at=now
    )
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.last_used_at = now


def _failed(device: Any) -> None:
    """Count a failure (django-otp's throttling) without writing any other field back."""
    now = timezone.now()
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_count=F("throttling_failure_count") + 1,
        throttling_failure_timestamp=now,
    )
    device.throttling_failure_count += 1
    device.throttling_failure_timestamp = now


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
        for static in HashedStaticDevice.objects.filter(user=user, confirmed=True):
            if static.verify_token(token):  # a recovery code works once: it is deleted here
                otp_login(request, static)
                second_factor_verified.send(sender=__name__, user=user, method="recovery_code")
                return "recovery_code"
    second_factor_failed.send(sender=__name__, user=user)
    return None


def reset(user: User, *, by: UserLike | None = None) -> None:
    """Remove every second factor of `user` (an administrator's decision, audited)."""
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
    second_factor_reset.send(sender=__name__, user=user, by=by)
