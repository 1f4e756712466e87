"""Two-factor sign-in: setup, verification, recovery codes, enforcement, the demo."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from unseen.accounts import two_factor
from unseen.audit.models import Action, AuditEntry


@pytest.fixture
def enforced(settings):
    settings.UNSEEN_REQUIRE_2FA = True


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return (
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"
    )


def sign_in(client, username="rita", next_url="/app/"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": PASSWORD, "next": next_url}
    )


def set_up(client):
    """Open the setup page and confirm it with a code: the recovery codes come back."""
    page = client.get(reverse("accounts:two_factor"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(confirmed=False)
    assert "<svg" in page.content.decode()
    done = client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert done.status_code == 200
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.content.decode())


def test_it_sets_up_an_authenticator_and_shows_ten_recovery_codes_once(client, rita):
    client.force_login(rita)
    codes = set_up(client)
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=rita).confirmed
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_SETUP, actor="rita").exists()
    # Once set up, the page shows neither the secret nor a new QR code.
    again = client.get(reverse("accounts:two_factor")).content.decode()
    assert "<svg" not in again
    assert "Two-factor sign-in is on" in again


def test_it_shows_a_new_secret_each_time_setup_is_opened(client, rita):
    client.force_login(rita)
    client.get(reverse("accounts:two_factor"))
    first = TOTPDevice.objects.get(user=rita).key
    client.get(reverse("accounts:two_factor"))
    assert TOTPDevice.objects.get(user=rita).key != first  # one unconfirmed device at a time


def test_it_sends_a_user_with_a_second_factor_to_verify_after_the_password(client, rita):
    client.force_login(rita)
    set_up(client)
    client.logout()
    response = sign_in(client)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:verify"))
    # The password alone opens nothing, even without enforcement: the account has a second factor.
    blocked = client.get("/app/")
    assert blocked.status_code == 302
    assert blocked.url.startswith(reverse("accounts:verify"))


def test_it_verifies_a_correct_code_and_lets_the_user_in(client, rita):
    client.force_login(rita)
    set_up(client)
    client.logout()
    sign_in(client)
    device = TOTPDevice.objects.get(user=rita)
    response = client.post(
        reverse("accounts:verify"), {"code": code_for(device, 1), "next": "/app/"}
    )
    assert response.status_code == 302
    assert response.url == "/app/"
    assert client.get("/app/").status_code == 200
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_OK, actor="rita").exists()


def test_it_refuses_a_wrong_code(client, rita):
    client.force_login(rita)
    set_up(client)
    client.logout()
    sign_in(client)
    response = client.post(reverse("accounts:verify"), {"code": "000000", "next": "/app/"})
    assert response.status_code == 200
    assert "not valid" in response.content.decode()
    assert client.get("/app/").status_code == 302
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_FAILED, actor="rita").exists()


def test_it_refuses_a_wrong_code_at_setup(client, rita):
    client.force_login(rita)
    client.get(reverse("accounts:two_factor"))
    response = client.post(reverse("accounts:two_factor"), {"code": "abc"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=rita, confirmed=True).exists()


def test_it_accepts_a_recovery_code_once(client, rita):
    client.force_login(rita)
    codes = set_up(client)
    client.logout()
    sign_in(client)
    response = client.post(reverse("accounts:verify"), {"code": codes[0].upper(), "next": "/app/"})
    assert response.status_code == 302
    assert client.get("/app/").status_code == 200
    assert AuditEntry.objects.filter(action=Action.RECOVERY_CODE_USED, actor="rita").exists()
    client.logout()
    sign_in(client)
    again = client.post(reverse("accounts:verify"), {"code": codes[0], "next": "/app/"})
    assert again.status_code == 200  # refused: the code is spent
    assert client.get("/app/").status_code == 302


def test_it_refuses_a_sign_in_without_the_second_factor_when_enforced(client, rita, enforced):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor"))
    for path in ["/app/", "/app/sites/", "/app/estimates/", "/admin/"]:
        refused = client.get(path)
        assert refused.status_code == 302, path
        assert refused.url.startswith(reverse("accounts:two_factor")), path


def test_it_refuses_the_api_without_the_second_factor_when_enforced(client, mona, enforced):
    client.force_login(mona)
    response = client.get(reverse("intake_api:queue"))
    assert response.status_code == 403
    assert response.json()["error"] == "second_factor_required"


def test_it_sends_the_admin_to_verification_when_enforced(client, alice, enforced):
    client.force_login(alice)
    set_up(client)
    client.logout()
    sign_in(client, "alice", "/admin/")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:verify"))


def test_it_lets_a_verified_session_in_when_enforced(client, rita, enforced):
    sign_in(client)
    set_up(client)  # confirming the device verifies this session
    assert client.get("/app/").status_code == 200


def test_it_keeps_public_pages_open_to_an_unverified_session(client, rita, enforced):
    sign_in(client)
    assert client.get("/").status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_it_does_not_enforce_in_the_demo(monkeypatch):
    import subprocess
    import sys

    def flag(env):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from django.conf import settings;"
                " print(settings.UNSEEN_REQUIRE_2FA)",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith("UNSEEN_")}
    base["DJANGO_SETTINGS_MODULE"] = "unseen.config.settings"
    base["UNSEEN_SECRET_KEY"] = "x" * 60
    assert flag({**base, "UNSEEN_DEMO": "1"}) == "False"
    assert flag(base) == "True"
    assert flag({**base, "UNSEEN_DEMO": "1", "UNSEEN_REQUIRE_2FA": "1"}) == "True"


def test_it_lets_an_administrator_reset_a_second_factor(client, alice, rita):
    rita_client = client.__class__()
    rita_client.force_login(rita)
    set_up(rita_client)
    assert two_factor.has_second_factor(rita)
    client.force_login(alice)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [rita.pk]},
    )
    assert response.status_code == 302
    assert not two_factor.has_second_factor(rita)
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_RESET, actor="alice").exists()


def test_it_keeps_device_secrets_out_of_the_admin():
    from django.contrib import admin
    from django_otp.plugins.otp_static.models import StaticDevice

    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)
