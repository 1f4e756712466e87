"""Failed sign-ins lock the account and the client for a while; passwords are stored as Argon2."""

from django.core.cache import cache
from django.urls import reverse

from tests.conftest import PASSWORD
from unseen.accounts.models import User
from unseen.audit.models import Action, AuditEntry


def attempt(client, username="rita", secret="not the password", address="203.0.113.7"):  # noqa: S107
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": secret, "next": "/app/"},
        REMOTE_ADDR=address,
    )


def test_it_locks_an_account_after_five_failures(client, rita):
    for _ in range(5):
        assert attempt(client).status_code == 200
    response = attempt(client, secret=PASSWORD)  # even the right password, while locked
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(
        action=Action.LOGIN_LOCKED, detail={"scope": "account"}
    ).exists()


def test_it_locks_the_account_from_every_address(client, rita):
    for n in range(5):
        attempt(client, address=f"198.51.100.{n}")
    assert (
        "Too many failed sign-ins"
        in attempt(client, secret=PASSWORD, address="192.0.2.1").content.decode()
    )


def test_it_lets_the_account_in_again_after_the_lock(client, rita, settings):
    settings.UNSEEN_LOGIN_LOCK_SECONDS = 900
    for _ in range(5):
        attempt(client)
    cache.clear()  # the counters expire with the lock
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


def test_it_never_keeps_an_address_or_a_name_in_the_cache(client, rita):
    attempt(client, address="203.0.113.77")
    keys = list(cache._cache.keys())  # the local-memory cache of the suite
    assert keys
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
