import json
import logging

import pytest
from django.db import connection

from unseen.intake.models import ReporterContact, Status, Submission, receipt_digest
from unseen.intake.vault import read_contact

pytestmark = pytest.mark.django_db

URL = "/api/v1/sightings"
IP = "203.0.113.77"
AGENT = "Mozilla/5.0 (SecretPhone 12; reporter-fingerprint-xyz)"


def post(client, payload, **extra):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(URL, body, content_type="application/json", **extra)


def test_it_answers_202_with_a_receipt_and_stores_the_sighting(client):
    response = post(
        client,
        {
            "description": "About 40 workers in blue overalls at a tower block site",
            "place": "Ulaanbaatar, 3rd district",
            "country": "MN",
            "latitude": 47.918,
            "longitude": 106.917,
            "observed_from": "2026-03-01",
            "observed_to": "2026-03-05",
            "workers_low": 30,
            "workers_high": 50,
            "work_kind": "construction",
        },
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "received"
    stored = Submission.objects.get()
    assert stored.receipt_digest == receipt_digest(body["receipt"])
    assert body["receipt"] not in json.dumps(list(Submission.objects.values()), default=str)
    assert stored.status == Status.PENDING and stored.workers_high == 50


def test_it_needs_no_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post(strict, {"description": "seen"}).status_code == 202


def test_it_gives_per_field_reasons_for_wrong_types(client):
    response = post(
        client,
        {
            "description": 42,
            "latitude": "north",
            "workers_low": 2.5,
            "workers_high": True,
            "colour": "x",
        },
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"description", "latitude", "workers_low", "workers_high", "colour"}
    assert Submission.objects.count() == 0


def test_it_refuses_over_long_fields_and_bad_values_with_reasons(client):
    response = post(
        client,
        {
            "description": "x" * 5001,
            "place": "p" * 301,
            "country": "Atlantis",
            "latitude": 91,
            "observed_from": "2026-13-01",
            "workers_low": 10,
            "workers_high": 5,
        },
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "5000" in errors["description"][0]
    assert "place" in errors and "country" in errors and "latitude" in errors
    assert "observed_from" in errors


def test_it_requires_a_description_and_a_json_object(client):
    assert post(client, {}).json()["errors"]["description"]
    assert post(client, "[1, 2]").status_code == 400
    assert post(client, "{not json").json()["errors"]["__all__"]


def test_it_keeps_the_contact_only_in_the_vault(client, alice):
    response = post(client, {"description": "seen", "contact": "signal: +976 5555 0101"})
    assert response.status_code == 202
    submission = Submission.objects.get()
    assert submission.has_contact
    stored = ReporterContact.objects.get().contact
    assert stored.startswith("v1:")  # sealed: ciphertext only
    assert "5555" not in stored
    assert read_contact(submission, user=alice, purpose="reply").contact == (
        "signal: +976 5555 0101"
    )
    assert "5555" not in json.dumps(list(Submission.objects.values()), default=str)


def test_it_rate_limits_per_client_without_storing_the_address(client, settings):
    from django.core.cache import cache

    settings.UNSEEN_INTAKE_RATE_LIMIT = "3/600"
    answers = [
        post(client, {"description": f"seen {i}"}, REMOTE_ADDR=IP).status_code for i in range(5)
    ]
    assert answers == [202, 202, 202, 429, 429]
    assert post(client, {"description": "other"}, REMOTE_ADDR="198.51.100.9").status_code == 202
    keys = " ".join(str(k) for k in cache._cache)  # type: ignore[attr-defined]
    assert IP not in keys and "203.0.113" not in keys


def text_of_database() -> str:
    """Every text column of every table, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                chunks.extend(str(value) for value in row if value is not None)
    return "\n".join(chunks)


def test_it_keeps_no_address_or_user_agent_in_the_database_or_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    ok = post(
        client, {"description": "seen", "contact": "me"}, REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT
    )
    bad = post(client, {"description": ""}, REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    assert ok.status_code == 202 and bad.status_code == 400
    form = client.post(
        "/report/", {"description": "seen from the bus"}, REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT
    )
    assert form.status_code == 303
    stored = text_of_database()
    for secret in (IP, AGENT, "reporter-fingerprint"):
        assert secret not in stored
        assert secret not in caplog.text
    assert Submission.objects.count() == 2
    # The day only: a date column, no time of day anywhere on the submission.
    assert {type(s.received_on).__name__ for s in Submission.objects.all()} == {"date"}


def test_it_refuses_what_the_schema_refuses_that_the_form_alone_would_take(client):
    body = (
        '{"description": "seen \\ud800 here", "observed_from": "03/04/2026", '
        '"place": "' + "p" * 300 + '   "}'
    )
    response = post(client, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"description", "observed_from", "place"}
    assert "YYYY-MM-DD" in errors["observed_from"][0]
    assert Submission.objects.count() == 0


def test_it_answers_400_not_a_server_error_for_deeply_nested_json(client):
    response = post(client, "[" * 60_000)
    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": ["The body is not valid JSON."]}}


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_it_takes_json_only_and_answers_415_otherwise(client, content_type):
    # text/plain is what a foreign page may send without asking first (no CORS preflight).
    response = client.post(URL, json.dumps({"description": "seen"}), content_type=content_type)
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert "application/json" in response.json()["detail"]
    assert not Submission.objects.exists()


def test_it_takes_json_with_a_charset(client):
    body = json.dumps({"description": "seen"})
    response = client.post(URL, body, content_type="application/json; charset=utf-8")
    assert response.status_code == 202


def test_the_rate_limit_hash_is_keyed_by_a_window_key_kept_only_in_memory(settings, tmp_path):
    """Another process holding the same secret key (all that is on disk) cannot recompute it."""
    import os
    import subprocess
    import sys

    from django.test import RequestFactory

    from unseen.intake import ratelimit

    settings.SECRET_KEY = "a secret key another process could read from var/keys"
    request = RequestFactory().post("/report/", REMOTE_ADDR="203.0.113.7")
    window = 123456
    here = ratelimit.bucket_key(request, "report", window)
    assert here == ratelimit.bucket_key(request, "report", window)  # one window counts together
    assert here != ratelimit.bucket_key(request, "report", window + 1)
    script = (
        "from django.test import RequestFactory\n"
        "from unseen.intake import ratelimit\n"
        "r = RequestFactory().post('/report/', REMOTE_ADDR='203.0.113.7')\n"
        f"print(ratelimit.bucket_key(r, 'report', {window}))\n"
    )
    env = {**os.environ, "UNSEEN_SECRET_KEY": settings.SECRET_KEY, "UNSEEN_VAR_DIR": str(tmp_path)}
    elsewhere = subprocess.run(
        [sys.executable, "-m", "unseen.cli", "shell", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    assert elsewhere.startswith("intake-rate:")
    assert elsewhere != here
