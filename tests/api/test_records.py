"""The record endpoints: the same rules as the pages, through the same code."""

import pytest

from tests import factories
from unseen.accounts import tokens
from unseen.audit.models import AuditEntry
from unseen.documentation.models import Deployment, SearchEntry

pytestmark = pytest.mark.django_db


def bearer(user, *scopes):
    made = tokens.create(user.username, by="test", scopes=scopes or None)
    return {"HTTP_AUTHORIZATION": f"Token {made.token}"}


def test_a_list_shows_what_the_reader_may_read_newest_first_with_a_cursor(client, andy):
    for year in (2015, 2016, 2017):
        factories.deployment(year=year)
    factories.deployment(access_level="confidential")
    auth = bearer(andy)
    first = client.get("/api/v1/deployments/?limit=2", **auth)
    assert first.status_code == 200
    page = first.json()
    assert len(page["results"]) == 2
    assert page["next"]
    second = client.get(page["next"], **auth).json()
    ids = [r["id"] for r in page["results"] + second["results"]]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 3  # the confidential one is not there
    assert second["next"] is None


def test_a_filter_is_the_list_pages_filter(client, andy):
    factories.deployment(country="RU")
    factories.deployment(country="CN")
    answer = client.get("/api/v1/deployments/?country=CN", **bearer(andy)).json()
    assert [r["host_country"] for r in answer["results"]] == ["CN"]
    bad = client.get("/api/v1/deployments/?country=Atlantis", **bearer(andy))
    assert bad.status_code == 400
    assert "country" in bad.json()["errors"]


def test_a_confidential_record_is_a_404_for_an_analyst(client, andy, rita):
    hidden = factories.deployment(access_level="confidential")
    assert client.get(f"/api/v1/deployments/{hidden.pk}/", **bearer(andy)).status_code == 404
    assert client.get(f"/api/v1/deployments/{hidden.pk}/", **bearer(rita)).status_code == 200


def test_create_update_and_a_stale_if_match(client, rita):
    auth = bearer(rita)
    made = client.post(
        "/api/v1/deployments/",
        {
            "host_country": "RU",
            "sector": "construction",
            "workers_low": 10,
            "workers_high": 20,
            "period_start": "2017",
            "access_level": "internal",
        },
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    etag = made["ETag"]
    assert client.get(f"/api/v1/deployments/{pk}/", **auth)["ETag"] == etag
    changed = client.patch(
        f"/api/v1/deployments/{pk}/",
        {"workers_high": 30, "revision": {"reason": "A second source"}},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **auth,
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["workers_high"] == 30
    assert changed.json()["host_country"] == "RU"
    stale = client.patch(
        f"/api/v1/deployments/{pk}/",
        {"workers_high": 40, "revision": {"reason": "Stale"}},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **auth,
    )
    assert stale.status_code == 412
    assert Deployment.objects.get(pk=pk).workers_high == 30


def test_bulk_is_all_or_nothing_with_errors_per_item(client, rita):
    auth = bearer(rita)
    items = [
        {
            "host_country": "RU",
            "sector": "construction",
            "workers_low": 5,
            "access_level": "internal",
        },
        {
            "host_country": "RU",
            "sector": "construction",
            "workers_low": 50,
            "workers_high": 5,
            "access_level": "internal",
        },
    ]
    refused = client.post(
        "/api/v1/deployments/bulk/", {"items": items}, content_type="application/json", **auth
    )
    assert refused.status_code == 400
    assert any(key.startswith("1.") for key in refused.json()["errors"]), refused.json()
    assert not Deployment.objects.exists()
    items[1]["workers_high"] = 500
    done = client.post(
        "/api/v1/deployments/bulk/", {"items": items}, content_type="application/json", **auth
    )
    assert done.status_code == 201, done.json()
    created = done.json()["created"]
    assert sorted(Deployment.objects.values_list("pk", flat=True)) == sorted(created)
    # Written for the batch, still one per record: a revision, an audit entry, a search entry.
    for pk in created:
        revisions = Deployment.history.filter(id=pk)
        assert revisions.count() == 1
        assert revisions.get().history_change_reason == "Created through the API (bulk)"
        assert (
            AuditEntry.objects.filter(
                action="create", target_type="documentation.deployment", target_id=str(pk)
            ).count()
            == 1
        )
        assert SearchEntry.objects.filter(kind="deployments", object_id=pk).exists()


def test_a_token_without_the_scope_is_403_with_a_reason(client, rita):
    answer = client.post(
        "/api/v1/deployments/",
        {"host_country": "RU"},
        content_type="application/json",
        **bearer(rita, "read"),
    )
    assert answer.status_code == 403
    assert answer.json()["error"] == "scope_required"
