import pytest

from tests import factories
from tests.browser.test_researcher import sign_in
from unseen.evidence import reviewing
from unseen.registry.models import Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_researcher_ticks_three_sites_and_makes_them_public(page, live_server, rita, ruth):
    chosen = [factories.site(f"Bulk site {n}", access_level="internal") for n in range(3)]
    for site in chosen:
        reviewing.approve(site, ruth)  # the two-person rule (ADR 0025)
    other = factories.site("Left alone", access_level="internal")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/app/sites/")
    for site in chosen:
        page.check(f"input[data-bulk-id][value='{site.pk}']")
    page.select_option("form[data-bulk] select[name=level]", "public")
    page.click("form[data-bulk] button[type=submit]")
    page.wait_for_url("**/app/sites/bulk/")
    assert page.locator("[data-bulk-changing]").get_attribute("data-bulk-changing") == "3"

    page.fill("form[data-bulk-confirm] textarea[name=reason]", "Cleared for publication")
    page.click("form[data-bulk-confirm] button[name=confirm]")
    page.wait_for_url("**/app/sites/")
    assert page.get_by_text("Changed the access level of 3 records.").is_visible()
    levels = dict(Site.objects.values_list("pk", "access_level"))
    assert [levels[s.pk] for s in chosen] == ["public"] * 3
    assert levels[other.pk] == "internal"
