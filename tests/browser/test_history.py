"""Revision history in the browser (#18 items 1-2): one researcher edits with a reason, a second
compares the two revisions, reverts with a reason of her own, and the first sees both."""

import pytest

from tests import factories
from tests.browser.test_layout import PHONE, overflowing, phone  # noqa: F401  (a fixture)
from tests.browser.test_researcher import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_researcher_edits_a_second_reverts_and_the_first_sees_both(page, live_server, rita, ruth):
    deployment = factories.deployment(high=200)
    sign_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/app/deployments/{deployment.pk}/edit/")
    page.fill("#id_workers_high", "900")
    page.click("main button[type=submit]")
    # No reason, no save: the browser asks for one before anything is sent.
    assert page.eval_on_selector("#id_revision-reason", "e => e.validity.valueMissing")
    assert page.url.endswith("/edit/") and page.input_value("#id_workers_high") == "900"
    page.fill("#id_revision-reason", "the contract lists 900 workers")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/app/deployments/{deployment.pk}/")

    page.context.clear_cookies()
    sign_in(page, live_server, "ruth")
    page.goto(f"{live_server.url}/app/deployments/{deployment.pk}/")
    page.click("[data-history-link]")
    page.wait_for_url(f"**/app/deployments/{deployment.pk}/history/")
    rows = page.locator("[data-timeline] [data-entry]")
    assert rows.count() == 2
    newest, oldest = rows.nth(0), rows.nth(1)
    assert "rita" in newest.inner_text() and "the contract lists 900 workers" in newest.inner_text()
    assert "Workers, high" in newest.inner_text()
    oldest.locator("input[name=a]").check()
    newest.locator("input[name=b]").check()
    page.click("[data-compare] button[type=submit]")
    page.wait_for_selector("[data-diff]")
    changed = page.locator("[data-diff] tr[data-changed]")
    assert changed.count() == 1
    assert "200" in changed.inner_text() and "900" in changed.inner_text()

    first = oldest.get_attribute("data-revision") or ""
    page.select_option("#revert-revision", first)
    page.click("[data-revert] button[type=submit]")  # no reason: refused by the browser
    assert page.eval_on_selector("#revert-reason", "e => e.validity.valueMissing")
    page.fill("#revert-reason", "the contract counts shifts, not workers")
    page.click("[data-revert] button[type=submit]")
    page.wait_for_url(f"**/app/deployments/{deployment.pk}/history/")
    assert "Reverted" in page.locator("main").inner_text()
    deployment.refresh_from_db()
    assert deployment.workers_high == 200

    page.context.clear_cookies()
    sign_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/app/deployments/{deployment.pk}/history/")
    rows = page.locator("[data-timeline] [data-entry]")
    assert rows.count() == 3
    revert, edit = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "ruth" in revert and "the contract counts shifts, not workers" in revert
    assert "Workers, high" in revert
    assert "rita" in edit and "the contract lists 900 workers" in edit


def test_the_history_page_fits_a_phone(phone, live_server, rita):  # noqa: F811
    deployment = factories.deployment()
    for number in range(3):
        deployment.workers_low = number
        deployment.save()
    sign_in(phone, live_server, "rita")
    url = f"{live_server.url}/app/deployments/{deployment.pk}/history/"
    first, last = deployment.history.order_by("history_id")[:: deployment.history.count() - 1]
    assert overflowing(phone, url) == []
    assert overflowing(phone, f"{url}?a={first.history_id}&b={last.history_id}") == []
    assert PHONE["width"] == 390
