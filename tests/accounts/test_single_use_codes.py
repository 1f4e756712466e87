"""Recovery codes are kept only as keyed hashes; a code, or a TOTP time step, admits one request.

The races run in threads, each with its own database connection. On PostgreSQL they start
together (a barrier), so the check and the spending really overlap; SQLite would answer
"database table is locked" for its shared in-memory test database, so there they run one after
the other, which must still refuse the second use.
"""

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, connections
from django.test import RequestFactory
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from tests.accounts.test_two_factor import code_for
from unseen.accounts import two_factor
from unseen.accounts.models import SealedTOTPDevice
from unseen.registry import keys

UNSEEN = str(Path(sys.executable).with_name("unseen"))

MAKE_CODES = """
import json
from unseen.accounts import two_factor
from unseen.accounts.models import User
user = User.objects.create(username="rita", role="researcher")
print(json.dumps(two_factor.replace_recovery_codes(user)))
"""


def a_request(user: Any) -> Any:
    request = RequestFactory().post("/accounts/login/verify/")
    request.user = user
    request.session = SessionStore()
    return request


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in a thread of its own; together on PostgreSQL, in turn on SQLite."""
    together = connection.vendor == "postgresql"
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            if together:
                barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
        if not together:
            thread.join()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def confirmed_authenticator(user: Any) -> SealedTOTPDevice:
    device = two_factor.new_totp_device(user)
    device.confirmed = True
    device.save()
    return device


def forgive_failures() -> None:
    for model in (StaticDevice, SealedTOTPDevice):
        model.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)


def clear_codes_in(text: bytes, codes: list[str]) -> list[str]:
    return [c for c in codes if c.encode() in text or c.replace("-", "").encode() in text]


# --- stored as keyed hashes ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the PostgreSQL variant runs below")
def test_the_sqlite_file_holds_no_recovery_code(tmp_path):
    database = tmp_path / "unseen.sqlite3"
    env = {
        **os.environ,
        "UNSEEN_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{database}",
    }
    for name in ("UNSEEN_MASTER_KEY", "UNSEEN_MASTER_KEY_FILE", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    subprocess.run([UNSEEN, "migrate", "--no-input", "-v0"], env=env, check=True)
    subprocess.run([UNSEEN, "keys", "init"], env=env, check=True, capture_output=True)
    shell = subprocess.run(
        [UNSEEN, "shell", "-c", MAKE_CODES], env=env, check=True, capture_output=True, text=True
    )
    codes = json.loads(shell.stdout.strip().splitlines()[-1])
    assert len(codes) == two_factor.RECOVERY_CODES
    with sqlite3.connect(database) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert raw.execute("SELECT count(*) FROM otp_static_statictoken").fetchone()[0] == 10
    haystack = b"".join(p.read_bytes() for p in [database, *tmp_path.glob("unseen.sqlite3-*")])
    assert clear_codes_in(haystack, codes) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://…")
@pytest.mark.django_db
def test_no_postgresql_table_holds_a_recovery_code(rita):
    codes = two_factor.replace_recovery_codes(rita)
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT t::text FROM {quoted} AS t")  # noqa: S608 (table names from the catalogue)
            dump.extend(row[0] for row in cursor.fetchall())
    assert StaticToken.objects.filter(device__user=rita).count() == 10
    assert clear_codes_in("\n".join(dump).encode("utf-8"), codes) == []


def test_recovery_codes_keep_working_after_the_data_key_is_rotated(rita):
    codes = two_factor.replace_recovery_codes(rita)
    keys.replace_data_key()
    two_factor.forget_opened_keys()  # as another process would: the old data key is gone
    keys.forget_cached_keys()
    assert two_factor.verify(a_request(rita), codes[3]) == "recovery_code"


# --- used once ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_one_recovery_code_sent_twice_at_once_admits_one_request(rita):
    codes = two_factor.replace_recovery_codes(rita)
    for code in codes[:4]:  # a few rounds: one lucky interleaving must not be the only evidence
        results = at_once(
            lambda c=code: two_factor.verify(a_request(rita), c),
            lambda c=code: two_factor.verify(a_request(rita), c),
        )
        assert sorted(results, key=str) == [None, "recovery_code"]
        forgive_failures()  # the refused request counted a failure, which delays the next try
    assert StaticToken.objects.filter(device__user=rita).count() == len(codes) - 4


@pytest.mark.django_db(transaction=True)
def test_one_totp_code_sent_twice_at_once_admits_one_request(rita):
    device = confirmed_authenticator(rita)
    code = code_for(device)
    results = at_once(
        lambda: two_factor.verify(a_request(rita), code),
        lambda: two_factor.verify(a_request(rita), code),
    )
    assert sorted(results, key=str) == [None, "totp"]


def test_a_totp_code_is_refused_by_a_device_loaded_before_it_was_used(rita):
    # The interleaving of a race, made by hand: both requests loaded the device, then both check.
    device = confirmed_authenticator(rita)
    first, second = (SealedTOTPDevice.objects.get(pk=device.pk) for _ in range(2))
    code = code_for(device)
    assert first.verify_token(code)
    assert not second.verify_token(code)


def test_a_failed_try_does_not_undo_the_use_of_a_code(rita):
    # A wrong code, checked by a request that loaded the device before a good code was used,
    # must not write the old time step back (which would let the good code be used again).
    device = confirmed_authenticator(rita)
    first, second = (SealedTOTPDevice.objects.get(pk=device.pk) for _ in range(2))
    code = code_for(device)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert first.verify_token(code)
    assert not second.verify_token(wrong)
    assert SealedTOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 1
    forgive_failures()  # the wrong code delays the next try: not what this test is about
    assert two_factor.verify(a_request(rita), code) is None
