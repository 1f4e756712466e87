"""From a finished linkage run, an analyst estimates over alternative linkages and sees the
sampling-only and combined intervals (and the linkage-only one) on the estimate's page, under
the real Content Security Policy (ADR 0037)."""

import pytest

from tests.browser.test_content_security_policy import watch_violations
from tests.browser.test_researcher import sign_in
from tests.estimation.test_linkage_draws import drawable_run
from unseen.estimation.models import EstimateRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_a_linkage_run_an_analyst_estimates_with_linkage_uncertainty(
    strict_page, live_server, andy
):
    page = strict_page
    violations = watch_violations(page)
    run = drawable_run(andy)
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/linkage/{run.pk}/")
    page.click("a[data-estimate]")
    page.wait_for_selector("[data-linked]")
    assert "At most 200" in page.locator("form.estimate-form").inner_text()
    for box in page.locator("input[name=methods]").all():
        box.set_checked(box.get_attribute("value") == "main-effects")
    page.select_option("#id_ci", "profile")
    page.fill("#id_draws", "40")
    page.click("main button[type=submit]")
    page.wait_for_url("**/app/estimates/*/")

    section = page.locator("[data-linkage-uncertainty]")
    method = section.locator("[data-linkage-method=main-effects]")
    sampling = method.locator("tr[data-interval=sampling]").inner_text()
    combined = method.locator("tr[data-interval=combined]").inner_text()
    assert "sampling only" in sampling and "combined" in combined
    assert method.locator("tr[data-interval=linkage]").count() == 1
    assert "wider than sampling alone" in method.locator("[data-linkage-sentence]").inner_text()
    for kind in ("sampling", "linkage", "combined"):
        bar = method.locator(f"svg rect[data-bar={kind}]").bounding_box()
        assert bar and bar["width"] > 0
    estimate = EstimateRun.objects.get()
    entry = estimate.linkage_uncertainty["methods"][0]
    low, high = entry["combined"]
    assert f"{low:,.0f}" in combined and f"{high:,.0f}" in combined
    assert violations == []
