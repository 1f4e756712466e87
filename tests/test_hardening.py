"""Security headers, the Content Security Policy, error pages, and `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from unseen.core import sealing
from unseen.registry import keys


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/report/", "/healthz", "/nowhere/"])
def test_it_sends_security_headers_on_every_response(client, db, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_it_sends_the_headers_to_signed_in_staff(client, rita):
    client.force_login(rita)
    response = client.get(reverse("documentation:dashboard"))
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


def test_it_has_no_inline_script_or_event_handler_in_the_base_page(client, db):
    page = client.get("/").content.decode()
    assert "onchange=" not in page
    assert "onclick=" not in page
    for chunk in page.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head


def test_it_shows_no_internals_on_error_pages(client, rita, settings):
    settings.DEBUG = False
    client.force_login(rita)
    missing = client.get("/app/sites/999999/")
    assert missing.status_code == 404
    assert "999999" not in missing.content.decode()
    assert "rita" not in missing.content.decode()
    forbidden = client.get(reverse("estimation:list"))  # researchers cannot run estimates
    assert forbidden.status_code == 403
    assert "Traceback" not in forbidden.content.decode()


def test_it_renders_the_server_error_page_without_a_request():
    from django.template import loader

    page = loader.get_template("500.html").render()
    assert "Server error" in page


def check_deploy(folder: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNSEEN_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "unseen.config.settings",
            "UNSEEN_SECRET_KEY": "k" * 20 + "Zq9!x-7Lp#2mW4vR8tY6uB1nC3dF5gH0jK",
            "UNSEEN_ALLOWED_HOSTS": "unseen.example.org",
            "UNSEEN_BEHIND_TLS_PROXY": "1",
            "UNSEEN_SECURE_COOKIES": "1",
            "UNSEEN_VAR_DIR": str(folder / "var"),
            **extra,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_passes_check_deploy_with_production_settings(tmp_path):
    tmp_path = tmp_path / "deploy"  # not the suite's own var/, which holds this test's keys
    # The keys on a volume of their own, away from the database and the uploaded files.
    for name in ("master", "audit"):
        keys.write_key_file(tmp_path / "secrets" / f"{name}.key", sealing.new_key())
    result = check_deploy(
        tmp_path,
        UNSEEN_MASTER_KEY_FILE=str(tmp_path / "secrets" / "master.key"),
        UNSEEN_AUDIT_KEY_FILE=str(tmp_path / "secrets" / "audit.key"),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "System check identified no issues" in output


def test_check_deploy_warns_when_the_keys_sit_beside_the_database(tmp_path):
    tmp_path = tmp_path / "deploy"  # not the suite's own var/, which holds this test's keys
    for name in ("master", "audit"):
        keys.write_key_file(tmp_path / "var" / "keys" / f"{name}.key", sealing.new_key())
    # The SQLite database in var/ is the one the keys sit beside (CI also runs on PostgreSQL).
    output = check_deploy(tmp_path, DATABASE_URL="").stderr
    assert "unseen.W101" in output
    assert (
        f"{tmp_path / 'var' / 'keys' / 'master.key'} is in the same folder as the SQLite" in output
    )
    assert "UNSEEN_AUDIT_KEY_FILE" in output


def test_check_deploy_stops_on_a_missing_key_and_creates_none(tmp_path):
    tmp_path = tmp_path / "deploy"  # not the suite's own var/, which holds this test's keys
    result = check_deploy(tmp_path)
    assert result.returncode != 0
    assert "unseen.E101" in result.stderr and "unseen keys init" in result.stderr
    assert not (tmp_path / "var" / "keys" / "master.key").exists()
    assert not (tmp_path / "var" / "keys" / "audit.key").exists()


def test_the_server_does_not_start_without_its_keys_and_makes_none(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNSEEN_", "DJANGO_"))}
    env.update({"UNSEEN_VAR_DIR": str(tmp_path / "server" / "var"), "DATABASE_URL": ""})
    started = subprocess.run(
        [sys.executable, "-c", "import unseen.config.wsgi"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode != 0
    assert "no master key" in started.stderr and "unseen keys init" in started.stderr
    assert not (tmp_path / "server" / "var" / "keys" / "master.key").exists()
