"""An analyst runs the revenue model for 2017 on the shipped deployments file in the browser."""

from pathlib import Path

import pytest

from tests.browser.test_researcher import sign_in
from unseen.estimation.models import EstimateRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = Path(__file__).parents[2] / "src" / "unseen" / "demo" / "data" / "nk-deployments.csv"


def test_an_analyst_runs_2017_on_the_shipped_file_and_sees_the_intervals_and_tornado(
    page, live_server, andy
):
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/estimates/")
    page.click("text=New revenue estimate")
    page.wait_for_url(f"{live_server.url}/app/estimates/revenue/")

    page.fill("#id_year", "2017")
    page.check("input[name=source][value=upload]")
    page.set_input_files("#id_file", str(CSV))
    page.fill("#id_draws", "20000")
    page.click("main button[type=submit]")
    page.wait_for_url("**/app/estimates/revenue/*/")

    total = page.locator("table[data-total]")
    for cell in ("[data-p05]", "[data-p50]", "[data-p95]"):
        assert "$" in total.locator(cell).inner_text()
    run = EstimateRun.objects.get()
    assert run.kind == "revenue" and run.parameters["year"] == 2017

    page.wait_for_selector("[data-revenue-chart=tornado][data-state=ready] canvas")
    box = page.locator("[data-revenue-chart=tornado] canvas").bounding_box()
    assert box and box["width"] > 200 and box["height"] > 50
    page.wait_for_selector("[data-revenue-chart=histogram][data-state=ready] canvas")
    assert page.locator("table[data-tornado] tbody tr").count() > 0

    page.click("button[data-rerun]")
    page.wait_for_selector("[data-rerun-result]")
    assert page.get_attribute("[data-rerun-result]", "data-rerun-result") == "identical"
