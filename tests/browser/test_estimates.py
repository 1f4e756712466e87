"""An analyst estimates the UK 2013 population from five lists in the browser, and re-runs it."""

import pytest

from tests.browser.test_researcher import sign_in
from tests.core.estimation.mse_data import DATA
from unseen.estimation.models import EstimateRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_uploads_lists_compares_methods_and_reruns_to_the_same_numbers(
    page, live_server, andy
):
    sign_in(page, live_server, "andy")
    page.click("main nav >> text=Estimates")
    page.wait_for_url(f"{live_server.url}/app/estimates/")
    page.click("text=New estimate")

    page.fill("#id_title", "UK 2013, five lists")
    page.set_input_files("#id_file", str(DATA / "uk2013_5lists.csv"))
    for box in page.locator("input[name=methods]").all():
        wanted = box.get_attribute("value") in {"stepwise-poisson", "main-effects"}
        box.set_checked(wanted)
    page.select_option("#id_ci", "profile")
    page.click("main button[type=submit]")
    page.wait_for_url("**/app/estimates/*/")

    results = page.locator("table.estimates").first
    stepwise = results.locator("tr[data-method=stepwise-poisson]")
    assert "11,313" in stepwise.inner_text()
    assert "(95% profile)" in stepwise.inner_text()
    assert "13,444" in results.locator("tr[data-method=main-effects]").inner_text()
    assert results.locator("tr[data-method=M0]").count() == 0
    page.wait_for_selector("[data-forest][data-state=ready] canvas")
    box = page.locator("[data-forest] canvas").bounding_box()
    assert box and box["width"] > 200 and box["height"] > 50
    assert "LA" in page.locator("table.overlaps").inner_text()
    first = results.inner_text()

    page.click("button[data-rerun]")
    page.wait_for_selector("[data-rerun-result]")
    assert page.get_attribute("[data-rerun-result]", "data-rerun-result") == "identical"
    assert "Re-run: identical." in page.locator("[data-rerun-result]").inner_text()
    assert page.locator("table.estimates").first.inner_text() == first
    assert EstimateRun.objects.count() == 1
