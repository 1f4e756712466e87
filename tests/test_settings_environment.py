"""Settings read from the environment: strict flags and numbers, and `NAME_FILE` for every secret.

Settings are imported in a fresh process, as a server or a command would, so what is tested is
what start-up does with the environment it is given.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Every secret setting that can come from a `NAME_FILE` holding it (README's configuration table).
SECRETS = {
    "UNSEEN_SECRET_KEY": "SECRET_KEY",
    "UNSEEN_HEALTH_TOKEN": "UNSEEN_HEALTH_TOKEN",
    "UNSEEN_AKISMET_KEY": "UNSEEN_AKISMET_KEY",
    "UNSEEN_EXPORT_KEY": "UNSEEN_EXPORT_KEY",
    "UNSEEN_BACKUP_PASSPHRASE": "UNSEEN_BACKUP_PASSPHRASE",
    "UNSEEN_EMAIL_PASSWORD": "EMAIL_HOST_PASSWORD",
}
#: Their `NAME_FILE` already is the key file, read (and its permissions checked) where it is used.
KEY_FILES = ("UNSEEN_MASTER_KEY", "UNSEEN_AUDIT_KEY", "UNSEEN_RECEIPT_KEY")


def start(tmp_path: Path, code: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNSEEN_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="unseen.config.settings",
        UNSEEN_VAR_DIR=str(tmp_path / "var"),
        **variables,
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )


def settings_of(tmp_path: Path, names: list[str], **variables: str) -> dict[str, object]:
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}, default=str))"
    )
    result = start(tmp_path, code, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refused(tmp_path: Path, **variables: str) -> str:
    """The one-line message `unseen check` stops with."""
    result = start(tmp_path, "from unseen.cli import main; main(['check'])", **variables)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.strip()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("UNSEEN_REQUIRE_2FA", "flase"),
        ("UNSEEN_DEBUG", "2"),
        ("UNSEEN_SECURE_COOKIES", "enabled"),
        ("UNSEEN_BEHIND_TLS_PROXY", "y"),
    ],
)
def test_it_stops_on_a_flag_it_cannot_read(tmp_path, variable, value):
    message = refused(tmp_path, **{variable: value})
    assert message.startswith(f"unseen: configuration: {variable}={value!r} is not a flag")
    for form in ("1, true, yes or on", "0, false, no or off"):
        assert form in message


def test_it_reads_flags_in_any_case_and_blank_as_the_default(tmp_path):
    read = settings_of(
        tmp_path,
        ["UNSEEN_REQUIRE_2FA", "SECURE_HSTS_PRELOAD", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "DEBUG"],
        UNSEEN_REQUIRE_2FA="Off",
        UNSEEN_HSTS_PRELOAD=" YES ",
        UNSEEN_HSTS_INCLUDE_SUBDOMAINS="",
        UNSEEN_DEBUG="0",
    )
    assert read == {
        "UNSEEN_REQUIRE_2FA": False,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "DEBUG": False,
    }


@pytest.mark.parametrize(
    ("variable", "value", "kind"),
    [
        ("UNSEEN_IDLE_SECONDS", "1h", "whole number"),
        ("UNSEEN_LOGIN_FAILURES", "5.5", "whole number"),
        ("UNSEEN_HSTS_SECONDS", "a year", "whole number"),
        ("UNSEEN_INTAKE_MAX_UPLOAD_MB", "10MB", "number"),
        ("UNSEEN_AUDIT_ANCHOR_MINUTES", "nan", "number"),
        ("UNSEEN_INTAKE_RATE_LIMIT", "ten", "COUNT/SECONDS"),
    ],
)
def test_it_stops_on_a_number_it_cannot_read(tmp_path, variable, value, kind):
    message = refused(tmp_path, **{variable: value})
    assert message.startswith(f"unseen: configuration: {variable}={value!r} is not ")
    assert kind in message


def test_every_secret_can_come_from_a_file(tmp_path):
    variables = {}
    for name in [*SECRETS, "DATABASE_URL"]:
        path = tmp_path / name.lower()
        value = f"sqlite:///{tmp_path}/other.sqlite3" if name == "DATABASE_URL" else f"{name}-x9"
        path.write_text(value + "\n")
        variables[f"{name}_FILE"] = str(path)
    read = settings_of(tmp_path, [*SECRETS.values(), "DATABASES"], **variables)
    for name, setting in SECRETS.items():
        assert read[setting] == f"{name}-x9"
    assert read["DATABASES"]["default"]["NAME"] == f"{tmp_path}/other.sqlite3"


def test_it_refuses_a_secret_given_twice_or_a_file_it_cannot_read(tmp_path):
    secret = tmp_path / "token"
    secret.write_text("the-token-itself")
    message = refused(
        tmp_path, UNSEEN_HEALTH_TOKEN="the-token-itself", UNSEEN_HEALTH_TOKEN_FILE=str(secret)
    )
    assert "UNSEEN_HEALTH_TOKEN and UNSEEN_HEALTH_TOKEN_FILE are both set" in message
    assert "the-token-itself" not in message

    message = refused(tmp_path, UNSEEN_EXPORT_KEY_FILE=str(tmp_path / "missing"))
    assert "UNSEEN_EXPORT_KEY_FILE: cannot read" in message

    binary = tmp_path / "binary"
    binary.write_bytes(b"\xffsecret-bytes")
    message = refused(tmp_path, DATABASE_URL_FILE=str(binary))
    assert "DATABASE_URL_FILE" in message
    assert "secret-bytes" not in message and "xff" not in message

    empty = tmp_path / "empty"
    empty.write_text("\n")
    assert "UNSEEN_SECRET_KEY_FILE" in refused(tmp_path, UNSEEN_SECRET_KEY_FILE=str(empty))


@pytest.mark.parametrize("name", KEY_FILES)
def test_a_key_and_its_key_file_are_not_both_given(tmp_path, name):
    message = refused(tmp_path, **{name: "a" * 43, f"{name}_FILE": str(tmp_path / "k.key")})
    assert f"{name} and {name}_FILE are both set" in message
    assert "a" * 43 not in message
