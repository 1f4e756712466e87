"""Estimate, revenue and linkage runs through the API: read only, as their pages show them."""

import pytest

from tests import factories
from tests.api.test_records import bearer
from unseen.accounts.models import AccessLevel

pytestmark = pytest.mark.django_db


def test_estimate_runs_are_listed_newest_first_with_a_cursor(client, andy):
    made = [factories.estimate_run(f"Run {n}") for n in range(3)]
    hidden = factories.estimate_run("Secret", access_level=AccessLevel.CONFIDENTIAL)
    revenue = factories.revenue_run()
    auth = bearer(andy)
    first = client.get("/api/v1/estimates/?limit=2", **auth)
    assert first.status_code == 200, first.json()
    page = first.json()
    assert len(page["results"]) == 2 and page["next"]
    second = client.get(page["next"], **auth).json()
    ids = [run["id"] for run in page["results"] + second["results"]]
    assert ids == [run.pk for run in reversed(made)] and second["next"] is None
    assert hidden.pk not in ids and revenue.pk not in ids  # revenue runs have their own list
    assert page["results"][0]["lists"] == ["A", "B", "C"]
    assert page["results"][0]["methods"] == ["main-effects"]


def test_an_estimate_runs_detail_is_its_frozen_table_and_results(client, andy):
    run = factories.estimate_run()
    answer = client.get(f"/api/v1/estimates/{run.pk}/", **bearer(andy))
    assert answer.status_code == 200, answer.json()
    shown = answer.json()
    assert shown["histories"] == run.histories and shown["results"] == run.results
    assert shown["parameters"]["seed"] == 1234 and shown["observed"] == 102
    assert "derived_from" not in shown


def test_a_confidential_run_is_a_404_for_the_analyst(client, andy, alice):
    estimate = factories.estimate_run(access_level=AccessLevel.CONFIDENTIAL)
    revenue = factories.revenue_run(access_level=AccessLevel.CONFIDENTIAL)
    linkage = factories.linkage_run(access_level=AccessLevel.CONFIDENTIAL).run
    urls = [
        f"/api/v1/estimates/{estimate.pk}/",
        f"/api/v1/estimates/revenue/{revenue.pk}/",
        f"/api/v1/linkage/{linkage.pk}/",
    ]
    for url in urls:
        answer = client.get(url, **bearer(andy))
        assert answer.status_code == 404 and answer.json()["error"] == "not_found", url
        assert client.get(url, **bearer(alice)).status_code == 200, url
    for url in ("/api/v1/estimates/", "/api/v1/estimates/revenue/", "/api/v1/linkage/"):
        assert client.get(url, **bearer(andy)).json()["results"] == []


def test_an_estimate_made_from_a_linkage_run_is_closed_with_it(client, andy):
    linkage = factories.linkage_run().run
    derived = factories.estimate_run(linkage_run=linkage)
    auth = bearer(andy)
    assert client.get(f"/api/v1/estimates/{derived.pk}/", **auth).status_code == 200
    # The linkage run raised by hand since: its estimate closes with it (ADR 0041).
    type(linkage).objects.filter(pk=linkage.pk).update(access_level=AccessLevel.CONFIDENTIAL)
    assert client.get(f"/api/v1/estimates/{derived.pk}/", **bearer(andy)).status_code == 404
    assert client.get("/api/v1/estimates/", **bearer(andy)).json()["results"] == []


def test_an_id_of_the_other_kind_is_a_404(client, andy):
    estimate = factories.estimate_run()
    revenue = factories.revenue_run()
    auth = bearer(andy)
    assert client.get(f"/api/v1/estimates/{revenue.pk}/", **auth).status_code == 404
    assert client.get(f"/api/v1/estimates/revenue/{estimate.pk}/", **auth).status_code == 404


def test_revenue_runs_are_listed_and_read(client, andy):
    run = factories.revenue_run()
    auth = bearer(andy)
    listed = client.get("/api/v1/estimates/revenue/", **auth).json()
    assert [item["id"] for item in listed["results"]] == [run.pk]
    assert listed["results"][0]["year"] == 2017 and listed["next"] is None
    shown = client.get(f"/api/v1/estimates/revenue/{run.pk}/", **auth).json()
    assert shown["inputs"] == run.inputs and shown["results"]["total"] == run.results["total"]
    assert shown["parameters"]["draws"] == 2000


def test_linkage_runs_are_listed_and_read_with_their_lists_as_the_page_names_them(client, andy):
    linkage = factories.linkage_run().run
    open_source = factories.source("An open roster")
    closed = factories.source("A closed roster", access_level=AccessLevel.CONFIDENTIAL)
    linkage.sources.add(open_source, closed)
    auth = bearer(andy)
    listed = client.get("/api/v1/linkage/", **auth).json()
    assert [item["id"] for item in listed["results"]] == [linkage.pk]
    shown = client.get(f"/api/v1/linkage/{linkage.pk}/", **auth).json()
    assert shown["status"] == "done" and shown["entity"] == "person"
    assert [(row["id"], row["label"]) for row in shown["lists"]] == [
        (open_source.pk, "An open roster"),
        (None, "List 2"),
    ]
    assert "A closed roster" not in str(shown)


def test_the_cursor_must_be_one_the_api_gave(client, andy):
    for url in ("/api/v1/estimates/", "/api/v1/estimates/revenue/", "/api/v1/linkage/"):
        answer = client.get(f"{url}?cursor=nonsense", **bearer(andy))
        assert answer.status_code == 400 and "cursor" in answer.json()["errors"]


def test_runs_need_the_pages_capability_and_the_read_scope(client, alice, andy, mona, nora):
    run = factories.estimate_run()
    for url in ("/api/v1/estimates/", f"/api/v1/estimates/{run.pk}/", "/api/v1/linkage/"):
        assert client.get(url).status_code == 401
        assert client.get(url, **bearer(mona)).status_code == 403
        refused = client.get(url, **bearer(alice, "write"))
        assert refused.status_code == 403 and refused.json()["error"] == "scope_required"
    client.force_login(nora)  # no role: no token can be made for her, and no session passes
    assert client.get(f"/api/v1/estimates/{run.pk}/").status_code == 403
    client.force_login(andy)
    assert client.get(f"/api/v1/estimates/{run.pk}/").status_code == 200
