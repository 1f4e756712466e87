import pytest

from tests import factories
from tests.browser.test_researcher import sign_in
from unseen.accounts.models import AccessLevel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_researcher_shares_a_filtered_list_and_a_colleague_sees_it_with_its_count(
    page, browser, live_server, rita, andy
):
    factories.deployment(country="RU")
    factories.deployment(country="RU")
    factories.deployment(country="RU", access_level=AccessLevel.CONFIDENTIAL)  # not Andy's
    factories.deployment(country="CN")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/app/deployments/")
    page.select_option("form.filters select[name=country]", "RU")
    page.click("form.filters button:has-text('Filter')")
    page.wait_for_url("**/app/deployments/?*country=RU*")
    page.click("[data-save-search] summary")
    page.fill("[data-save-search] input[name=name]", "Russia <all years>")
    page.check("[data-save-search] input[name=shared]")
    page.click("[data-save-search] button[type=submit]")
    page.wait_for_url("**/app/saved/")
    mine = page.locator("[data-saved-searches] tbody tr").first
    assert "Russia <all years>" in mine.inner_text()
    assert mine.locator("[data-count]").inner_text() == "3"

    context = browser.new_context(locale="en-GB", bypass_csp=True)
    try:
        colleague = context.new_page()
        colleague.set_default_timeout(15_000)
        sign_in(colleague, live_server, "andy")
        colleague.click("[data-saved-searches-link]")
        colleague.wait_for_url("**/app/saved/")
        shared = colleague.locator("[data-saved-searches] tbody tr").first
        assert "Shared by rita" in shared.inner_text()
        # Two: the confidential deployment is beyond Andy's level and is not counted.
        assert shared.locator("[data-count]").inner_text() == "2"
        assert shared.locator("[data-new]").inner_text() == "0"
        shared.locator("a:has-text('Russia <all years>')").click()
        colleague.wait_for_url("**/app/deployments/?country=RU")
        assert colleague.locator("table.records tbody tr").count() == 2
    finally:
        context.close()


def test_the_saved_searches_page_and_the_save_control_pass_axe_core(page, live_server, rita):
    from tests.browser.test_accessibility import blocking_violations, check
    from unseen.documentation.models import SavedSearch

    factories.deployment(country="RU")
    SavedSearch.objects.create(owner=rita, name="Russia", kind="deployments", query="country=RU")
    sign_in(page, live_server)
    outcome, violations = check(page, f"{live_server.url}/app/saved/", "saved searches")
    assert outcome == "checked" and violations == []
    page.click("[data-saved-search] summary")  # the rename and delete forms, open
    assert blocking_violations(page, "saved searches, changing one") == []
    page.goto(f"{live_server.url}/app/deployments/?country=RU")
    page.click("[data-save-search] summary")
    assert blocking_violations(page, "save control") == []
