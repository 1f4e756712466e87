"""Saved revenue runs (issue 5, platform part): frozen rows, re-runs, the pages, publishing."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import unseen
from tests import checkout, factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.estimation import revenue_runs
from unseen.estimation.models import EstimateRun

CSV = Path(__file__).parents[2] / "src" / "unseen" / "demo" / "data" / "nk-deployments.csv"
SECRET_SECTOR = "SECRET-sector-5521"
SECRET_SOURCE = "SECRET-source-title-9902"


def upload(content: bytes | None = None, name: str = "nk-deployments.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, CSV.read_bytes() if content is None else content)


def form_data(**overrides):
    data = {
        "title": "",
        "year": "2017",
        "scenarios": ["sourced-ranges", "civil-society-2012", "un-panel-2023"],
        "source": "upload",
        "file": upload(),
        "file_access_level": "public",
        "draws": "5000",
        "seed": "1234",
        "combine": "pooled",
        "distribution": "uniform",
    }
    data.update(overrides)
    return data


def post(client, user, **overrides):
    client.force_login(user)
    return client.post(reverse("estimation:revenue"), form_data(**overrides))


# Saving and re-running


def test_it_saves_an_uploaded_run_with_frozen_rows_seed_and_version(client, andy):
    response = post(client, andy)
    run = EstimateRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("estimation:revenue_detail", args=[run.pk])
    assert run.kind == "revenue" and run.access_level == AccessLevel.INTERNAL
    assert run.title == "Revenue to the state, 2017"
    assert run.parameters["year"] == 2017 and run.parameters["seed"] == 1234
    assert run.parameters["draws"] == 5000 and run.parameters["input"] == "upload"
    assert run.parameters["scenarios"][0] == "sourced-ranges"
    assert set(run.software_version) >= {"unseen", "numpy", "scipy"}
    assert run.software_version["revision"] == checkout.revision()
    assert run.inputs and all(row["year"] == 2017 for row in run.inputs)
    assert all(row["origin"] == "upload" and row["access_level"] == "public" for row in run.inputs)
    results = run.results
    assert results["total"]["p05"] < results["total"]["p50"] < results["total"]["p95"]
    assert (
        sum(results["histogram"]["counts"])
        + results["histogram"]["below"]
        + results["histogram"]["above"]
        == 5000
    )
    assert [s["name"] for s in results["scenarios"]] == run.parameters["scenarios"]
    assert results["tornado"]["bars"]
    entry = AuditEntry.objects.get(target_type="estimation.estimaterun", target_id=str(run.pk))
    assert entry.action == Action.CREATE
    assert entry.detail["kind"] == "revenue" and entry.detail["seed"] == 1234


def test_it_reruns_to_identical_numbers(client, andy):
    post(client, andy)
    run = EstimateRun.objects.get()
    assert revenue_runs.rerun(run) == EstimateRun.objects.get().results
    response = client.post(reverse("estimation:revenue_rerun", args=[run.pk]))
    assert b'data-rerun-result="identical"' in response.content


def test_a_different_seed_gives_different_numbers(client, andy):
    post(client, andy)
    post(client, andy, seed="99", file=upload())
    first, second = EstimateRun.objects.order_by("id")
    assert first.results["total"] != second.results["total"]


def test_the_detail_page_shows_intervals_charts_scenarios_and_evidence(client, andy):
    post(client, andy)
    run = EstimateRun.objects.get()
    page = client.get(reverse("estimation:revenue_detail", args=[run.pk])).content.decode()
    for marker in (
        "data-p05",
        "data-p50",
        "data-p95",
        'data-revenue-chart="histogram"',
        'data-revenue-chart="tornado"',
        'data-scenario="civil-society-2012"',
        "data-assumptions",
        "data-evidence",
        "<details",
    ):
        assert marker in page, marker
    # An uploaded row's evidence is its source column.
    assert run.inputs[0]["source"][:40] in page


def test_the_mse_detail_url_of_a_revenue_run_redirects(client, andy):
    post(client, andy)
    run = EstimateRun.objects.get()
    response = client.get(reverse("estimation:detail", args=[run.pk]))
    assert response.url == reverse("estimation:revenue_detail", args=[run.pk])
    assert client.post(reverse("estimation:rerun", args=[run.pk])).status_code == 404


# Bad input


def test_a_bad_upload_is_listed_by_row_and_column_and_nothing_is_saved(client, andy):
    header = CSV.read_text().splitlines()[0]
    bad = f"{header}\nRU,2017,construction,500,100,,,,,Some source,medium\n".encode()
    response = post(client, andy, file=upload(bad, "bad.csv"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "bad.csv:2:workers_high" in page or "bad.csv:2:workers_low" in page
    assert EstimateRun.objects.count() == 0


def test_an_upload_choice_without_a_file_is_refused(client, andy):
    response = post(client, andy, file="")
    assert response.status_code == 200 and b"Choose a file" in response.content
    assert EstimateRun.objects.count() == 0


def test_a_year_without_headcounts_is_reported(client, andy):
    response = post(client, andy, year="1960")
    assert response.status_code == 200 and b"nothing was saved" in response.content
    assert EstimateRun.objects.count() == 0


# Platform records: only what the user may read


def test_it_runs_on_the_records_the_user_may_read_only(client, andy):
    shown = factories.deployment(country="RU", low=1000, high=2000)
    hidden = factories.deployment(
        country="CN", low=3000, high=4000, access_level=AccessLevel.CONFIDENTIAL
    )
    post(client, andy, source="records", file="")
    run = EstimateRun.objects.get()
    assert [row["deployment"] for row in run.inputs] == [shown.pk]
    assert hidden.pk not in [row["deployment"] for row in run.inputs]
    page = client.get(reverse("estimation:revenue_detail", args=[run.pk])).content.decode()
    assert f"/app/deployments/{shown.pk}/" in page


def test_platform_rows_carry_their_visible_sources(andy):
    public = factories.source("Public report", access_level=AccessLevel.PUBLIC)
    secret = factories.source(SECRET_SOURCE, access_level=AccessLevel.CONFIDENTIAL)
    made = factories.deployment(evidence=public)
    made.add_claim(secret, 1, "x")
    rows = revenue_runs.platform_rows(2017, andy)
    titles = [s["title"] for s in rows[0]["sources"]]
    assert titles == ["Public report"]
    assert rows[0]["source"] == "Public report" and rows[0]["access_level"] == "public"


# Publishing


def test_only_an_administrator_may_publish_and_the_public_page_shows_intervals(client, alice, andy):
    post(client, andy)
    run = EstimateRun.objects.get()
    client.force_login(andy)
    assert client.post(reverse("estimation:revenue_publish", args=[run.pk])).status_code == 403
    client.logout()
    assert run.title not in client.get("/revenue/").content.decode()

    client.force_login(alice)
    client.post(reverse("estimation:revenue_publish", args=[run.pk]))
    run.refresh_from_db()
    assert run.published and run.access_level == AccessLevel.PUBLIC
    client.logout()
    page = client.get("/revenue/").content.decode()
    assert run.title in page and "data-headline" in page
    assert f"computed by Unseen {unseen.__version__}+{checkout.revision()} from" in page
    assert "(90%:" in page and "data-p05" in page and "data-p95" in page
    assert 'data-scenario="un-panel-2023"' in page
    # No links into the app from the public page.
    assert "/app/deployments/" not in page
    # /estimates/ keeps to MSE runs.
    assert run.title not in client.get("/estimates/").content.decode()


def test_an_unpublished_run_is_not_on_the_public_page(client, andy):
    post(client, andy, title="UNPUBLISHED-revenue-title")
    assert b"UNPUBLISHED-revenue-title" not in client.get("/revenue/").content


def test_a_run_on_an_internal_deployment_cannot_be_published_nor_leak(client, alice):
    factories.deployment(country="RU", low=1000, high=2000)
    factories.deployment(
        country="CN", low=3000, high=4000, sector=SECRET_SECTOR, access_level=AccessLevel.INTERNAL
    )
    post(client, alice, source="records", file="", title="Mixed access")
    run = EstimateRun.objects.get()
    assert (
        SECRET_SECTOR
        in client.get(reverse("estimation:revenue_detail", args=[run.pk])).content.decode()
    )
    response = client.post(reverse("estimation:revenue_publish", args=[run.pk]))
    assert response.status_code == 200 and b"data-refused" in response.content
    run.refresh_from_db()
    assert not run.published and run.access_level == AccessLevel.INTERNAL
    with pytest.raises(revenue_runs.NotPublishable):
        revenue_runs.publish(run, True)
    client.logout()
    page = client.get("/revenue/").content.decode()
    assert SECRET_SECTOR not in page and "Mixed access" not in page


def test_a_row_made_internal_after_the_run_blocks_publishing(client, alice):
    made = factories.deployment(country="RU", low=1000, high=2000)
    post(client, alice, source="records", file="")
    run = EstimateRun.objects.get()
    assert revenue_runs.publication_problems(run) == []
    made.access_level = AccessLevel.INTERNAL
    made.save()
    assert revenue_runs.publication_problems(run) == [f"deployment {made.pk}: internal"]


def test_an_upload_declared_internal_cannot_be_published(client, alice):
    post(client, alice, file_access_level="internal")
    run = EstimateRun.objects.get()
    assert revenue_runs.publication_problems(run)
    with pytest.raises(revenue_runs.NotPublishable):
        revenue_runs.publish(run, True)


def test_the_public_home_links_to_the_revenue_page(client, db):
    assert b'href="/revenue/"' in client.get("/").content


def test_an_upload_beyond_the_row_limit_is_refused(client, andy, settings):
    settings.UNSEEN_TABLE_MAX_ROWS = 3
    response = post(client, andy, file=upload(name="big.csv"))
    assert "big.csv: more than 3 rows, the limit for a table" in response.content.decode()
    assert EstimateRun.objects.count() == 0
