"""Two-factor sign-in: setup, verification, recovery codes, enforcement, the demo."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from tests.conftest import PASSWORD
from unseen.accounts import invitations, two_factor
from unseen.accounts.models import EnrolmentInvitation, SealedTOTPDevice
from unseen.audit.models import Action, AuditEntry


@pytest.fixture
def enforced(settings):
    settings.UNSEEN_REQUIRE_2FA = True


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    """What the authenticator app shows: computed from the secret, which only unsealing gives."""
    device = SealedTOTPDevice.objects.get(pk=device.pk)
    return (
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"
    )


def sign_in(client, username="rita", next_url="/app/"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": PASSWORD, "next": next_url}
    )


def enrol(client, username="rita", code=None):
    """Sign in on the enrolment page with the password and an administrator's invitation."""
    if code is None:
        code = invitations.issue(username, by="alice").code
    return client.post(
        reverse("accounts:enrol"), {"username": username, "password": PASSWORD, "invitation": code}
    )


def set_up(client, username="rita"):
    """Enrol with an invitation, open the setup page, confirm it: the recovery codes come back."""
    assert enrol(client, username).status_code == 302
    page = client.get(reverse("accounts:two_factor"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(confirmed=False)
    assert "<svg" in page.content.decode()
    done = client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert done.status_code == 200
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.content.decode())


def test_it_sets_up_an_authenticator_and_shows_ten_recovery_codes_once(client, rita):
    codes = set_up(client)
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=rita).confirmed
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_SETUP, actor="rita").exists()
    # Once set up, the page shows neither the secret nor a new QR code.
    again = client.get(reverse("accounts:two_factor")).content.decode()
    assert "<svg" not in again
    assert "Two-factor sign-in is on" in again


def test_it_shows_a_new_secret_each_time_setup_is_opened(client, rita):
    enrol(client)
    client.get(reverse("accounts:two_factor"))
    first = SealedTOTPDevice.objects.get(user=rita).bin_key
    client.get(reverse("accounts:two_factor"))
    assert SealedTOTPDevice.objects.get(user=rita).bin_key != first  # one unconfirmed at a time


def test_it_sends_a_user_with_a_second_factor_to_verify_after_the_password(client, rita):
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
    set_up(client)
    client.logout()
    sign_in(client)
    response = client.post(reverse("accounts:verify"), {"code": "000000", "next": "/app/"})
    assert response.status_code == 200
    assert "not valid" in response.content.decode()
    assert client.get("/app/").status_code == 302
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_FAILED, actor="rita").exists()


def test_it_refuses_a_wrong_code_at_setup(client, rita):
    enrol(client)
    client.get(reverse("accounts:two_factor"))
    response = client.post(reverse("accounts:two_factor"), {"code": "abc"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=rita, confirmed=True).exists()


def test_it_accepts_a_recovery_code_once(client, rita):
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
    response = client.get(reverse("api:moderation_queue"))
    assert response.status_code == 403
    assert response.json()["error"] == "second_factor_required"


def test_it_sends_the_admin_to_verification_when_enforced(client, alice, enforced):
    set_up(client, "alice")
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


def test_it_refuses_to_enrol_a_second_factor_with_only_a_password(client, rita, enforced):
    sign_in(client)  # the password: all that someone who stole it has
    page = client.get(reverse("accounts:two_factor"))
    assert page.status_code == 200
    assert "needs an invitation" in page.content.decode()
    assert "<svg" not in page.content.decode()
    assert not TOTPDevice.objects.filter(user=rita).exists()  # no secret was made, none shown
    client.post(reverse("accounts:two_factor"), {"code": "123456"})
    assert not two_factor.has_second_factor(rita)
    assert client.get("/app/").status_code == 302


def test_it_refuses_to_enrol_without_the_password(client, rita):
    code = invitations.issue("rita", by="alice").code
    response = client.post(
        reverse("accounts:enrol"),
        {"username": "rita", "password": "not the password", "invitation": code},
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_spends_an_invitation_on_the_enrolment_it_allows(client, rita):
    code = invitations.issue("rita", by="alice").code
    assert enrol(client, code=code).status_code == 302
    page = client.get(reverse("accounts:two_factor"))
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=rita, confirmed=False)
    client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert two_factor.has_second_factor(rita)
    assert EnrolmentInvitation.objects.get(user=rita).used_at is not None
    two_factor.reset(rita)
    again = enrol(client.__class__(), code=code)
    assert again.status_code == 200
    assert "not valid" in again.content.decode()


@pytest.mark.parametrize("case", ["expired", "another account", "unknown"])
def test_it_refuses_an_invitation_that_is_not_valid(client, rita, andy, case):
    code = invitations.issue("andy" if case == "another account" else "rita", by="alice").code
    if case == "unknown":
        code = code[::-1]
    with freeze_time(timezone.now() + dt.timedelta(hours=73 if case == "expired" else 0)):
        response = enrol(client, code=code)
        assert response.status_code == 200
        assert "not valid" in response.content.decode()
        assert "<svg" not in client.get(reverse("accounts:two_factor")).content.decode()


def test_it_refuses_an_invitation_that_expires_during_setup(client, rita):
    enrol(client)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=rita, confirmed=False)
    with freeze_time(timezone.now() + dt.timedelta(hours=73)):
        client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert not two_factor.has_second_factor(rita)


def test_it_keeps_only_a_keyed_hash_of_the_invitation(rita):
    made = invitations.issue("rita", by="alice")
    stored = EnrolmentInvitation.objects.values_list("digest", flat=True).get()
    assert made.code not in stored
    assert len(stored) == 64


def test_it_prints_a_one_time_link_and_audits_the_invitation(rita):
    out, err = io.StringIO(), io.StringIO()
    call_command("invite", "rita", "--site", "https://unseen.example/", stdout=out, stderr=err)
    link = out.getvalue().strip()
    assert link.startswith("https://unseen.example/accounts/enrol/#")
    code = link.split("#", 1)[1]
    assert invitations.find(rita, code) is not None
    entry = AuditEntry.objects.get(action=Action.INVITATION_ISSUED)
    assert entry.actor == "cli"
    assert code not in json.dumps(entry.detail)


def test_it_refuses_to_invite_an_account_that_has_a_second_factor(client, rita):
    set_up(client)
    with pytest.raises(CommandError, match="reset it first"):
        call_command("invite", "rita", stdout=io.StringIO(), stderr=io.StringIO())


def test_it_lets_an_administrator_issue_an_invitation_in_the_admin(client, alice, rita, nora):
    client.force_login(alice)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "invite_to_enrol", "_selected_action": [rita.pk, nora.pk]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    link = re.search(r'<code class="invitation-link"[^>]*>([^<]+)</code>', page)[1]
    assert link.startswith("http://testserver/accounts/enrol/#")
    assert invitations.find(rita, link.split("#", 1)[1]) is not None
    assert "holds no role" in page  # nora: refused, and said why
    entry = AuditEntry.objects.get(action=Action.INVITATION_ISSUED)
    assert entry.actor == "alice"
    assert entry.target_id == str(rita.pk)
    # The link is on this page only: not in a message (which may travel in a cookie).
    assert not [m for m in response.wsgi_request._messages]
