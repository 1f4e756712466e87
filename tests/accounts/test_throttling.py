"""Failed sign-ins lock the account and the client for a while; passwords are stored as Argon2."""

import datetime as dt

from django.core.cache import cache
from django.urls import reverse
from freezegun import freeze_time

from tests.conftest import PASSWORD
from unseen.accounts import throttling
from unseen.accounts.models import SignInFailureCounter, User
from unseen.audit.models import Action, AuditEntry


def attempt(client, username="rita", secret="not the password", address="203.0.113.7"):  # noqa: S107
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": secret, "next": "/app/"},
        REMOTE_ADDR=address,
    )


def test_it_locks_an_account_on_one_client_after_five_failures(client, rita):
    for _ in range(5):
        assert attempt(client).status_code == 200
    response = attempt(client, secret=PASSWORD)  # even the right password, while locked
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(
        action=Action.LOGIN_LOCKED, detail={"scope": "account-client"}
    ).exists()


def test_it_keeps_the_counters_in_the_database_where_every_worker_sees_them(client, rita):
    for _ in range(5):
        attempt(client)
    assert SignInFailureCounter.objects.exists()
    # Counted, not audited row by row: only the lock's beginning is an audit entry.
    assert not AuditEntry.objects.filter(target_type__icontains="signinfailurecounter").exists()
    cache.clear()  # another worker has a cache of its own, or none: the database is shared
    response = attempt(client.__class__(), secret=PASSWORD)
    assert "Too many failed sign-ins" in response.content.decode()


def test_it_does_not_lock_the_owner_out_from_their_own_client(client, rita):
    with freeze_time("2026-05-01 10:00:00") as clock:
        for _ in range(10):
            attempt(client, address="198.51.100.66")  # a stranger, somewhere else
        stranger = attempt(client, secret=PASSWORD, address="198.51.100.66")
        assert "Too many failed sign-ins" in stranger.content.decode()
        clock.tick(dt.timedelta(seconds=throttling.MAX_DELAY_SECONDS))
        owner = attempt(client.__class__(), secret=PASSWORD, address="192.0.2.10")
        assert owner.status_code == 302


def test_it_slows_an_account_that_fails_from_many_clients(client, rita):
    with freeze_time("2026-05-01 10:00:00") as clock:
        for n in range(5):
            attempt(client, address=f"198.51.100.{n}")
        slowed = attempt(client, secret=PASSWORD, address="192.0.2.1")
        assert slowed.status_code == 200
        assert "wait" in slowed.content.decode()
        clock.tick(dt.timedelta(seconds=throttling.BASE_DELAY_SECONDS))
        assert attempt(client, secret=PASSWORD, address="192.0.2.1").status_code == 302


def test_it_makes_each_further_failure_wait_longer_up_to_a_limit(rita, rf):
    delays = []
    with freeze_time("2026-05-01 10:00:00") as clock:
        for n in range(12):
            request = rf.post("/accounts/login/", REMOTE_ADDR=f"198.51.100.{n}")
            wait = throttling.refusal(request, "rita")
            if wait is not None:
                delays.append(wait.seconds)
                clock.tick(dt.timedelta(seconds=wait.seconds))
            throttling.register_failure(request, "rita")
    assert delays == sorted(delays)
    assert delays[0] == throttling.BASE_DELAY_SECONDS
    assert delays[-1] == throttling.MAX_DELAY_SECONDS


def test_it_lets_the_account_in_again_after_the_lock(client, rita, settings):
    settings.UNSEEN_LOGIN_LOCK_SECONDS = 900
    with freeze_time("2026-05-01 10:00:00") as clock:
        for _ in range(5):
            attempt(client)
        clock.tick(dt.timedelta(seconds=901))  # the counters expire with the lock
        assert attempt(client, secret=PASSWORD).status_code == 302


def test_it_forgets_failures_after_a_successful_sign_in(client, rita):
    for _ in range(4):
        attempt(client)
    assert attempt(client, secret=PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client)
    assert attempt(client, secret=PASSWORD).status_code == 302


def test_it_locks_a_client_trying_many_accounts(client, db):
    for n in range(20):
        attempt(client, username=f"guess{n}")
    User.objects.create_user("victor", password=PASSWORD, role="researcher")
    response = attempt(client, username="victor", secret=PASSWORD)
    assert "Too many failed sign-ins" in response.content.decode()
    other = attempt(client.__class__(), username="victor", secret=PASSWORD, address="192.0.2.9")
    assert other.status_code == 302


def test_it_never_keeps_an_address_or_a_name_in_the_counters(client, rita):
    attempt(client, address="203.0.113.77")
    keys = list(SignInFailureCounter.objects.values_list("key", flat=True))
    assert len(keys) == 3  # client, account on this client, account
    assert not any("203.0.113.77" in key or "rita" in key for key in keys)


def test_it_locks_the_admin_sign_in_too(client, alice):
    for _ in range(5):
        attempt(client, username="alice")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 200  # the form again: not signed in
    assert "_auth_user_id" not in client.session


def test_it_stores_a_new_password_as_argon2(db, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = User(username="petra")
    user.set_password("a long enough passphrase")
    assert user.password.startswith("argon2$")
    assert user.check_password("a long enough passphrase")


def test_it_ends_an_idle_session(client, rita, settings):
    settings.UNSEEN_IDLE_SECONDS = 60
    client.force_login(rita)
    assert client.get("/app/").status_code == 200
    session = client.session
    session["last_seen"] -= 3600
    session.save()
    response = client.get("/app/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
