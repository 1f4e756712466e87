"""Request bodies are refused by their headers before anything reads them (issue #14)."""

import json
import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from unseen.intake import ratelimit
from unseen.intake.models import Submission

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def small_cap(settings):
    settings.UNSEEN_MAX_REQUEST_MB = 1
    settings.UNSEEN_INTAKE_RATE_LIMIT = "1/600"
    cache.clear()
    return MB


def counted(scope: str, seconds: int = 600) -> int | None:
    """What the rate limiter holds for the test client (127.0.0.1) in this window."""
    request = RequestFactory().post("/")
    return cache.get(ratelimit.bucket_key(request, scope, int(time.time() // seconds)))


def test_the_default_cap_fits_every_photo_at_its_largest(settings):
    from unseen.config.bodies import max_request_bytes

    photos = settings.UNSEEN_INTAKE_MAX_PHOTOS * settings.UNSEEN_INTAKE_MAX_UPLOAD_MB * MB
    assert photos < max_request_bytes() <= photos + 2 * MB


def test_it_refuses_a_form_body_over_the_cap_before_the_rate_limit_or_the_view(client, small_cap):
    photo = SimpleUploadedFile("p.jpg", b"\0" * small_cap, content_type="image/jpeg")
    response = client.post("/report/", {"description": "seen", "photos": photo})
    assert response.status_code == 413
    assert "1 MB" in response.content.decode()
    assert counted("report") is None
    assert not Submission.objects.exists()


def test_it_answers_json_413_under_the_api_before_the_rate_limit(client, small_cap):
    # 40 MB declared, a few bytes sent: had anything read the body, the test client would have
    # raised for reading past what was sent.
    response = client.post(
        "/api/v1/sightings",
        json.dumps({"description": "seen"}),
        content_type="application/json",
        CONTENT_LENGTH=str(40 * MB),
    )
    assert response.status_code == 413
    assert response.json() == {
        "error": "too_large",
        "detail": "The request is larger than the 1 MB this server takes.",
    }
    assert counted("api-sightings") is None


def test_it_takes_a_body_under_the_cap(client, small_cap):
    response = client.post(
        "/api/v1/sightings", json.dumps({"description": "seen"}), content_type="application/json"
    )
    assert response.status_code == 202


def test_it_refuses_a_chunked_body_without_a_length(client):
    response = client.post(
        "/api/v1/sightings",
        json.dumps({"description": "seen"}),
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 411
    assert response.json()["error"] == "length_required"


def test_it_answers_400_for_a_content_length_that_is_not_a_number(client):
    response = client.post(
        "/api/v1/sightings", "{}", content_type="application/json", CONTENT_LENGTH="lots"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_it_says_why_an_api_body_is_too_large_to_read_into_memory(client, settings):
    from tests.conftest import make_user
    from unseen.accounts import tokens
    from unseen.documentation.models import Deployment

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = MB  # UNSEEN_API_MAX_BODY_MB=1
    make_user("rita", "researcher")
    auth = {"HTTP_AUTHORIZATION": f"Token {tokens.create('rita', by='test').token}"}
    item = {"host_country": "RU", "sector": "construction", "workers_low": 3, "host_region": "x"}
    items = [{**item, "host_region": "Primorsky Krai " * 8} for _ in range(12_000)]
    body = json.dumps({"items": items})
    assert len(body) > MB
    response = client.post(
        "/api/v1/deployments/bulk/", body, content_type="application/json", **auth
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert "smaller batches" in response.json()["detail"]
    assert not Deployment.objects.exists()
