"""`/healthz` tells anyone whether the platform is up; version and migrations only to operators."""

import json

import pytest

import unseen
from tests import checkout

DETAIL = {
    "status": "ok",
    "database": "ok",
    "migrations": "applied",
    "version": unseen.__version__,
    "revision": checkout.revision(),
}


def test_it_tells_an_anonymous_visitor_only_that_the_platform_is_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok"}


@pytest.mark.parametrize("persona", ["rita", "andy", "mona", "nora"])
def test_it_tells_staff_who_are_not_administrators_only_that_it_is_up(client, personas, persona):
    client.force_login(personas[persona])
    assert json.loads(client.get("/healthz").content) == {"status": "ok"}


def test_it_gives_a_signed_in_administrator_the_version_and_migrations(client, alice):
    client.force_login(alice)
    assert json.loads(client.get("/healthz").content) == DETAIL


def test_it_withholds_the_detail_from_an_administrator_who_owes_the_second_factor(
    client, alice, settings
):
    settings.UNSEEN_REQUIRE_2FA = True
    client.force_login(alice)  # password only: the session is not verified
    assert json.loads(client.get("/healthz").content) == {"status": "ok"}


def test_it_gives_the_operator_token_the_version_and_migrations(client, db, settings):
    settings.UNSEEN_HEALTH_TOKEN = "a long operator secret for the monitor"
    granted = client.get(
        "/healthz", HTTP_AUTHORIZATION="Bearer a long operator secret for the monitor"
    )
    assert json.loads(granted.content) == DETAIL
    wrong = client.get("/healthz", HTTP_AUTHORIZATION="Bearer a wrong guess")
    assert json.loads(wrong.content) == {"status": "ok"}


def test_it_ignores_a_bearer_header_when_no_operator_token_is_configured(client, db, settings):
    settings.UNSEEN_HEALTH_TOKEN = ""
    response = client.get("/healthz", HTTP_AUTHORIZATION="Bearer ")
    assert json.loads(response.content) == {"status": "ok"}


def test_it_answers_unavailable_while_migrations_are_pending(client, db, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [object()])
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable"}
