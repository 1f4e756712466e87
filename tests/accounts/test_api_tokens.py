"""API tokens: `unseen token`, `Authorization: Token <key>`, throttling, audit, and JSON errors."""

import datetime as dt
import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from unseen.accounts import tokens
from unseen.accounts.models import ApiToken
from unseen.audit.models import Action, AuditEntry

QUEUE = "/api/v1/moderation/queue"


def create(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", "create", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def get(client, token: str, path: str = QUEUE, **extra):
    return client.get(path, HTTP_AUTHORIZATION=f"Token {token}", **extra)


@pytest.fixture
def mona_token(mona):
    return tokens.create("mona", by="test").token


def test_create_prints_the_token_alone_on_stdout_and_stores_only_a_keyed_hash(mona):
    out, err = create("mona", "--name", "queue script")
    token = out.strip()
    assert out == token + "\n"
    assert tokens.TOKEN_PATTERN.fullmatch(token)
    assert token not in err
    stored = ApiToken.objects.get()
    assert stored.user == mona and stored.name == "queue script"
    assert stored.expires_at.date() == (timezone.now() + dt.timedelta(days=90)).date()
    secret = token.split(".", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        rows = repr(cursor.fetchall())
        cursor.execute("SELECT detail FROM audit_auditentry")
        audit = repr(cursor.fetchall())
    assert secret not in rows and token not in rows
    assert secret not in audit
    entry = AuditEntry.objects.get(action=Action.API_TOKEN_CREATED)
    assert entry.actor == "cli"
    assert entry.detail["user"] == "mona" and entry.detail["prefix"] == stored.prefix


def test_create_refuses_unknown_users_and_accounts_without_a_role(nora):
    with pytest.raises(CommandError, match="no user named"):
        create("nobody")
    with pytest.raises(CommandError, match="holds no role"):
        create("nora")
    assert not ApiToken.objects.exists()


def test_a_moderator_token_reads_the_queue_and_each_use_is_audited(client, mona_token):
    response = get(client, mona_token)
    assert response.status_code == 200
    assert response.json() == {"results": []}
    assert "sessionid" not in response.cookies  # a token request makes no session
    used = AuditEntry.objects.get(action=Action.API_TOKEN_USED)
    assert used.actor == "mona"
    assert used.target_id == mona_token.removeprefix("unseen_").split(".")[0]
    assert used.detail == {"view": "api:moderation_queue", "method": "GET", "status": 200}
    assert ApiToken.objects.get().last_used_on == timezone.localdate()


def test_a_token_needs_no_second_factor(client, mona_token, settings):
    settings.UNSEEN_REQUIRE_2FA = True
    assert get(client, mona_token).status_code == 200


def test_without_a_token_the_api_answers_401_in_json(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["error"] == "authentication_required"
    assert "Authorization: Token" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [
        "Token unseen_0123456789ab." + "A" * 43,  # well formed, unknown
        "Token not-a-token",
        "Bearer whatever",
        "Token ",
    ],
)
def test_a_wrong_token_answers_401_with_a_reason(client, mona_token, header):
    response = client.get(QUEUE, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"] in {"invalid_token", "authentication_required"}
    assert response.json()["detail"]


def test_a_token_with_its_secret_changed_is_refused(client, mona_token):
    prefix, secret = mona_token.split(".")
    forged = f"{prefix}.{'A' if secret[0] != 'A' else 'B'}{secret[1:]}"
    assert get(client, forged).status_code == 401


def test_a_token_without_the_capability_answers_403_in_json(client, andy):
    token = tokens.create("andy", by="test").token
    response = get(client, token)
    assert response.status_code == 403
    assert response.json()["error"] == "permission_denied"


def test_revoked_and_expired_tokens_stop_working(client, mona, andy):
    first = tokens.create("mona", by="test")
    out = StringIO()
    call_command("token", "revoke", first.record.prefix, stdout=out)
    assert "revoked token" in out.getvalue()
    assert get(client, first.token).status_code == 401
    assert AuditEntry.objects.filter(action=Action.API_TOKEN_REVOKED, actor="cli").count() == 1

    with freeze_time(timezone.now() - dt.timedelta(days=31)):
        old = tokens.create("mona", by="test", days=30).token
    assert get(client, old).status_code == 401
    listing = StringIO()
    call_command("token", "list", "--user", "mona", stdout=listing)
    assert "\trevoked\t" in listing.getvalue() and "\texpired\t" in listing.getvalue()
    assert old not in listing.getvalue()

    never = tokens.create("mona", by="test", days=None)
    assert never.record.expires_at is None
    assert get(client, never.token).status_code == 200
    call_command("token", "revoke", "--user", "mona", stdout=StringIO())
    assert get(client, never.token).status_code == 401


def test_a_deactivated_users_token_stops_working(client, mona, mona_token):
    mona.is_active = False
    mona.save()
    assert get(client, mona_token).status_code == 401


def test_a_client_sending_bad_tokens_is_locked_out_for_a_while(client, mona_token, settings):
    settings.UNSEEN_LOGIN_FAILURES = 2  # four times as many for a client: 8
    for _ in range(8):
        assert (
            get(client, "unseen_000000000000.wrong", REMOTE_ADDR="198.51.100.9").status_code == 401
        )
    locked = get(client, mona_token, REMOTE_ADDR="198.51.100.9")
    assert locked.status_code == 429
    assert locked.json()["error"] == "too_many_failures"
    assert int(locked["Retry-After"]) > 0
    assert get(client, mona_token, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert AuditEntry.objects.filter(
        action=Action.LOGIN_LOCKED, detail={"scope": "api-token"}
    ).exists()


def test_no_token_reaches_a_log(client, mona_token, andy, caplog):
    analyst = tokens.create("andy", by="test").token
    with caplog.at_level(logging.DEBUG):
        get(client, mona_token)
        get(client, analyst)  # 403
        get(client, mona_token.replace(".", ".x"))  # 401
        get(client, mona_token, path="/api/v1/nothing-here")  # 404
    text = caplog.text + repr([r.__dict__ for r in caplog.records])
    for token in (mona_token, analyst):
        assert token.split(".")[1] not in text


def test_session_sign_in_still_reads_the_queue(client, mona):
    client.force_login(mona)
    assert client.get(QUEUE).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "error"),
    [
        ("get", "/api/v1/nothing-here", 404, "not_found"),
        ("get", "/api/v1/sightings", 405, "method_not_allowed"),
        ("delete", "/api/v1/openapi.json", 405, "method_not_allowed"),
    ],
)
def test_api_errors_are_json_with_a_reason(client, db, method, path, status, error):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == error and response.json()["detail"]
    if status == 405:
        assert response["Allow"]


def test_the_api_refuses_unknown_and_empty_filters(client, mona):
    client.force_login(mona)
    response = client.get(QUEUE, {"colour": "red", "country": "", "min_score": "high"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"colour", "country"}
    response = client.get(QUEUE, {"min_score": "high"})
    assert response.status_code == 400 and "min_score" in response.json()["errors"]
