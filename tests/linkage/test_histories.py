"""Clusters become capture histories, one list per chosen source, and an estimate from them."""

import pytest
from django.urls import reverse

from tests import factories
from unseen.estimation.models import EstimateRun
from unseen.linkage.histories import NoHistories, capture_histories, histories_csv
from unseen.linkage.models import RunStatus

from .conftest import finished_run, person


@pytest.fixture
def linked(andy, roster, interviews):
    """Seven entities: three on the roster only, two interviewed only, two on both."""
    third = factories.source("Sightings 2018")
    rows = []
    for i in range(3):
        rows.append([person(f"R{i}", roster)])
    for i in range(2):
        rows.append([person(f"I{i}", interviews)])
    for i in range(2):
        rows.append([person(f"B{i}", roster), person(f"B{i}x", interviews)])
    return finished_run(andy, [roster, interviews, third], rows)


def test_it_counts_each_cluster_once_on_every_list_any_of_its_records_is_on(linked, roster):
    histories = capture_histories(linked)
    assert histories.lists[0].startswith(f"S{roster.pk} Leaked roster")
    assert histories.observed == 7
    assert histories.count_of((1, 0, 0)) == 3
    assert histories.count_of((0, 1, 0)) == 2
    assert histories.count_of((1, 1, 0)) == 2
    assert histories.list_totals()[histories.lists[2]] == 0  # the third list saw no one
    lines = histories_csv(histories).splitlines()
    assert lines[0].endswith(",count") and len(lines) == 1 + 7


def test_it_refuses_an_unfinished_run_or_a_single_list(andy, roster):
    run = finished_run(andy, [roster], [[person("X", roster)], [person("Y", roster)]])
    with pytest.raises(NoHistories):
        capture_histories(run)
    run.status = RunStatus.RUNNING
    with pytest.raises(NoHistories):
        capture_histories(run)


def test_the_table_downloads_as_csv_for_unseen_mse(client, andy, linked):
    client.force_login(andy)
    response = client.get(reverse("linkage:histories", args=[linked.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[-1] == "1,1,1,0"


def test_the_estimation_page_opens_with_the_runs_table_and_estimates_from_it(
    client, andy, linked, roster, interviews
):
    client.force_login(andy)
    detail = client.get(reverse("linkage:detail", args=[linked.pk])).content.decode()
    url = f"{reverse('estimation:create')}?linkage={linked.pk}"
    assert url in detail
    page = client.get(url).content.decode()
    assert "data-linked" in page and 'name="file"' not in page
    response = client.post(
        url, {"title": "From linkage", "methods": ["M0"], "ci": "wald", "level": 0.95,
              "bootstrap": 1000, "seed": 1}
    )  # fmt: skip
    estimate = EstimateRun.objects.get()
    assert response.url == reverse("estimation:detail", args=[estimate.pk])
    assert estimate.lists == list(capture_histories(linked).lists)
    assert estimate.observed == 7
    assert [r["method"] for r in estimate.results] == ["M0"]


def test_the_estimation_page_refuses_a_run_without_histories(client, andy, roster):
    run = finished_run(andy, [roster], [[person("X", roster)], [person("Y", roster)]])
    client.force_login(andy)
    assert client.get(f"{reverse('estimation:create')}?linkage={run.pk}").status_code == 404
    assert client.get(f"{reverse('estimation:create')}?linkage=x").status_code == 404


def test_the_downloaded_table_makes_a_formula_in_a_list_name_inert():
    from unseen.core.estimation.histories import CaptureHistories

    histories = CaptureHistories.from_counts(
        ['=HYPERLINK("http://evil","x")', "Roster"], [((1, 0), 3), ((0, 1), 2), ((1, 1), 1)]
    )
    header = histories_csv(histories).splitlines()[0]
    assert header.startswith("\"'=HYPERLINK(") and header.endswith(",Roster,count")
