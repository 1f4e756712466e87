"""TOTP secrets are sealed like vault fields: the database alone yields none."""

import base64
import re

from django.db import connection
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.test_two_factor import enrol, set_up
from unseen.accounts import two_factor
from unseen.accounts.models import SealedTOTPDevice
from unseen.core import sealing
from unseen.registry import keys


def stored_key(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def now_code(secret: bytes) -> str:
    return f"{totp(secret):06d}"


def test_it_keeps_no_clear_secret_in_the_database(client, rita):
    enrol(client)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    shown = re.search(r'<code class="secret">([A-Z2-7=]+)</code>', page)[1]
    secret = base64.b32decode(shown)
    device = TOTPDevice.objects.get(user=rita)
    column = stored_key(device.pk)
    assert sealing.is_sealed(column)
    assert secret.hex() not in column.lower()
    assert shown not in column
    # Confirming (django-otp saves the device again) keeps it sealed.
    client.post(reverse("accounts:two_factor"), {"code": now_code(secret)})
    assert two_factor.has_second_factor(rita)
    assert sealing.is_sealed(stored_key(device.pk))


def test_it_binds_a_sealed_secret_to_its_row(client, rita, andy):
    set_up(client, "rita")
    set_up(client.__class__(), "andy")
    ritas, andys = (TOTPDevice.objects.get(user=user) for user in (rita, andy))
    TOTPDevice.objects.filter(pk=andys.pk).update(key=ritas.key)  # copied into another row
    copied = SealedTOTPDevice.objects.get(pk=andys.pk)
    try:
        copied.bin_key  # noqa: B018
    except sealing.SealingError:
        pass
    else:
        raise AssertionError("a sealed secret opened in another row")


def test_it_keeps_verifying_after_the_data_key_is_rotated(client, rita):
    set_up(client)
    secret = SealedTOTPDevice.objects.get(user=rita).bin_key
    before = stored_key(TOTPDevice.objects.get(user=rita).pk)
    keys.replace_data_key()
    after = stored_key(TOTPDevice.objects.get(user=rita).pk)
    assert sealing.sealed_version(after) == sealing.sealed_version(before) + 1
    assert SealedTOTPDevice.objects.get(user=rita).bin_key == secret


def test_it_verifies_nothing_through_the_plain_device(client, rita):
    set_up(client)
    plain = TOTPDevice.objects.get(user=rita)
    secret = SealedTOTPDevice.objects.get(user=rita).bin_key
    try:
        accepted = plain.verify_token(now_code(secret))
    except ValueError:  # the column is not hex: django-otp cannot read it
        accepted = False
    assert not accepted
