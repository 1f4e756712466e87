"""The figures others published, drawn beside a revenue run's interval (ADR 0042)."""

from pathlib import Path

import pytest

from tests.browser.test_researcher import sign_in
from unseen.core.revenue import records
from unseen.estimation import revenue_sources

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = Path(__file__).parents[2] / "src" / "unseen" / "demo" / "data" / "nk-deployments.csv"


def test_an_analyst_sees_the_published_figures_beside_the_run_and_follows_a_number_to_its_source(
    page, live_server, andy
):
    revenue_sources.load()
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/estimates/revenue/")
    page.fill("#id_year", "2017")
    page.check("input[name=source][value=upload]")
    page.set_input_files("#id_file", str(CSV))
    page.fill("#id_draws", "5000")
    page.click("main button[type=submit]")
    page.wait_for_url("**/app/estimates/revenue/*/")

    chart = page.locator("[data-published-chart] svg")
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    assert page.locator("[data-published-chart] g[data-bar=published]").count() == len(
        records.published()
    )
    model = page.locator("[data-published-chart] g[data-bar=model] rect").first.bounding_box()
    assert model and model["width"] > 5
    assert "These 5 figures all trace back" in page.locator("[data-trace-note]").first.inner_text()

    page.click("text=Published estimates: the numbers")
    assert page.locator("table[data-published-table] tr[data-figure=un-poe-2023]").is_visible()

    # Russia's 2017 wage is blank: its default range links to the source record behind it.
    page.locator("table[data-defaults-used] a", has_text="500–1,000").first.click()
    page.wait_for_url("**/app/sources/*/")
    assert "Matsegora" in page.locator("main").inner_text()
