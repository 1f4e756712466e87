"""The API's OpenAPI document: it describes every endpoint, and the endpoints answer as it says.

schemathesis generates requests from the document (valid and invalid ones) and sends them through
Django's real WSGI application: no answer may be a server error, and every answer must conform to
the document (status, content type, headers, body). The moderation queue is reached with a
moderator's API token, as a program would.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from tests import factories
from unseen.accounts import tokens
from unseen.intake.models import CommentPage
from unseen.intake.receiving import receive_addition, receive_comment

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"


def api_routes(patterns=None, prefix=""):
    """Every path Django routes under /api/v1/, with `{name}` for its arguments."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from api_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith(API_PREFIX):
            yield "/" + route.replace("<int:", "{").replace("<", "{").replace(">", "}")


def test_every_api_url_is_in_the_schema(client):
    document = client.get("/api/v1/openapi.json").json()
    routes = set(api_routes())
    assert routes, "no URL under /api/v1/ found"
    assert routes == set(document["paths"])


def test_the_documented_400_shape_is_what_the_view_answers(client):
    from jsonschema_rs import validator_for

    document = client.get("/api/v1/openapi.json").json()
    response = client.post(
        "/api/v1/sightings", {"description": 7, "colour": "red"}, content_type="application/json"
    )
    assert response.status_code == 400
    errors = document["components"]["schemas"]["ValidationErrors"]
    validator_for(errors).validate(response.json())
    assert set(response.json()["errors"]) == {"description", "colour"}


@pytest.fixture
def wsgi_in_test_transaction():
    # Django's own test client does the same: a request must not close the connection that holds
    # the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def moderator_token(mona):
    return tokens.create("mona", by="test").token


@pytest.fixture
def api_schema(settings, wsgi_in_test_transaction):
    from unseen.config.wsgi import application

    settings.UNSEEN_INTAKE_RATE_LIMIT = "off"
    # schemathesis also sends wrong tokens on purpose (is auth ignored?); with the per-client lock
    # on, they would soon turn every answer into 429 (tests/accounts/test_api_tokens.py tests it).
    settings.UNSEEN_LOGIN_FAILURES = 0
    original = factories.submission(description="Workers at a dormitory", country="RU")
    receive_addition(original, "They left on a bus at six")
    receive_comment(CommentPage.HOME, "Thank you for this", name="K.", email="k@example.org")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_answers_as_its_schema_says(api_schema, moderator_token, mode):
    # Rules JSON Schema cannot state (a pin needs both coordinates, low <= high, from <= to, no
    # future dates, a known country) make some schema-valid requests a 400 with a reason, so
    # "schema-valid means accepted" is not checked; every other built-in check is.
    # schemathesis' pytest plugin does not run under pytest 9 (it sets a removed node attribute),
    # so the same strategies are driven with Hypothesis directly.
    auth = {"Authorization": f"Token {moderator_token}"}

    @given(case=api_schema.as_strategy(generation_mode=mode, headers=auth))
    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def answers_as_documented(case):
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    answers_as_documented()
