"""Personas used across the suite (after healthchecks' Alice/Bob/Charlie):

- alice: administrator, holds the confidential compartment
- rita: researcher, holds the confidential compartment
- ruth: a second researcher (no confidential compartment), for what takes two people
- andy: analyst, no confidential compartment
- mona: moderator
- nora: signed in, but with no role: may do nothing
"""

import base64
import os
from pathlib import Path

import pytest

from unseen.accounts.models import User
from unseen.accounts.roles import Role

PASSWORD = "correct horse battery staple"

# `local_tsa`: a timestamp authority on loopback (tests/tsa.py), for any test that stamps.
pytest_plugins = ["tests.tsa"]


@pytest.fixture(autouse=True)
def empty_cache():
    # Test databases roll back and reuse ids, so a cache keyed by the last change id must not
    # carry one test's maps and charts into the next.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language. A request in Korean leaves Korean active in its
    thread (Django's LocaleMiddleware activates it and nothing resets it), which would otherwise
    carry into whatever test the same worker runs next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is right for production and needlessly slow for a suite that signs in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def second_factor_not_enforced(settings):
    # Production enforces two-factor sign-in (UNSEEN_REQUIRE_2FA defaults on outside the demo);
    # the suite signs personas in with force_login and turns enforcement on only in the tests of
    # it (tests/accounts/test_two_factor.py). Nothing outside the suite changes.
    settings.UNSEEN_REQUIRE_2FA = False
    # Tests travel in time (freezegun) with one signed-in client; the idle timeout has its own test.
    settings.UNSEEN_IDLE_SECONDS = 0


def write_key(path: Path) -> None:
    """A key file as `unseen keys init` writes it (0600 in a 0700 folder)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.urlsafe_b64encode(os.urandom(32)).decode() + "\n")


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path, tmp_path_factory):
    # Uploaded photos and the spam model go to a folder of this test's own, never var/.
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.VAR_DIR = tmp_path / "var"
    settings.UNSEEN_FILES_DIR = tmp_path / "var" / "evidence"
    # Keys are never created on first use (#15): each test gets its own, made explicitly as
    # `unseen keys init` would, in a folder apart from tmp_path (which tests list and compare).
    keys = tmp_path_factory.mktemp("keys")
    settings.UNSEEN_MASTER_KEY = settings.UNSEEN_AUDIT_KEY = ""
    settings.UNSEEN_MASTER_KEY_FILE = str(keys / "master.key")
    settings.UNSEEN_AUDIT_KEY_FILE = str(keys / "audit.key")
    settings.UNSEEN_RECEIPT_KEY = ""
    settings.UNSEEN_RECEIPT_KEY_FILE = str(keys / "receipt.key")
    write_key(keys / "master.key")
    write_key(keys / "audit.key")
    write_key(keys / "receipt.key")


def make_user(username: str, role: str, *, confidential: bool = False) -> User:
    user = User(username=username, role=role, confidential_access=confidential)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def alice(db):
    return make_user("alice", Role.ADMINISTRATOR, confidential=True)


@pytest.fixture
def rita(db):
    return make_user("rita", Role.RESEARCHER, confidential=True)


@pytest.fixture
def ruth(db):
    return make_user("ruth", Role.RESEARCHER)


@pytest.fixture
def andy(db):
    return make_user("andy", Role.ANALYST)


@pytest.fixture
def mona(db):
    return make_user("mona", Role.MODERATOR)


@pytest.fixture
def nora(db):
    return make_user("nora", "")


@pytest.fixture
def personas(alice, rita, andy, mona, nora):
    """Every persona by name, plus None for the anonymous visitor."""
    return {
        "anonymous": None,
        "alice": alice,
        "rita": rita,
        "andy": andy,
        "mona": mona,
        "nora": nora,
    }


@pytest.fixture
def export_key(settings):
    """The export key, created explicitly (an export never creates one): its file's path."""
    from unseen.publishing.exports import init_export_key

    settings.UNSEEN_EXPORT_KEY = ""
    return init_export_key()
