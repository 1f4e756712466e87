"""Review before publishing in the browser (ADR 0025): the two-person rule, claim sign-off."""

import pytest

from tests import factories
from tests.browser.test_researcher import sign_in
from tests.conftest import make_user
from unseen.accounts.roles import Role
from unseen.audit.context import current_actor
from unseen.evidence.models import Credibility, Reliability
from unseen.registry.models import Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def edit_site(page, live_server, site, *, city="", public=False):
    page.goto(f"{live_server.url}/app/sites/{site.pk}/edit/")
    if city:
        page.fill("#id_city", city)
    if public:
        page.select_option("#id_access_level", "public")
    page.fill("#id_revision-reason", "checked against the 2019 report")
    page.click("main button[type=submit]")


def sign_out(page):
    page.context.clear_cookies()


def test_a_record_cannot_be_published_by_its_own_editor_and_can_by_a_reviewer(
    page, live_server, rita
):
    make_user("ruth", Role.RESEARCHER)
    site = factories.site("Camp 12", country="RU")
    sign_in(page, live_server, "rita")
    edit_site(page, live_server, site, city="Tynda")
    page.wait_for_url(f"**/app/sites/{site.pk}/")
    page.click("[data-send-to-review]")
    assert page.locator("[data-review-state]").get_attribute("data-review-state") == "in_review"
    # rita, the last editor, may not publish it
    edit_site(page, live_server, site, public=True)
    assert "two-person rule" in page.locator("main").inner_text()
    assert Site.objects.get(pk=site.pk).access_level == "internal"
    # nor review it
    page.goto(f"{live_server.url}/app/sites/{site.pk}/review/")
    assert page.locator("[data-review-refused]").count() == 1

    sign_out(page)
    sign_in(page, live_server, "ruth")
    page.goto(f"{live_server.url}/app/sites/{site.pk}/review/")
    page.fill("textarea[name=comment-city]", "Tynda matches the report")
    page.click("[data-approve]")
    page.wait_for_url(f"**/app/sites/{site.pk}/")
    assert "Tynda matches the report" in page.locator("dl.fields").inner_text()
    edit_site(page, live_server, site, public=True)
    page.wait_for_url(f"**/app/sites/{site.pk}/")
    assert Site.objects.get(pk=site.pk).access_level == "public"


def test_a_claims_sign_off_disappears_when_its_credibility_is_changed(page, live_server, rita):
    make_user("ruth", Role.RESEARCHER)
    token = current_actor.set("rita")
    try:
        source = factories.source("Report 2019", reliability=Reliability.B)
        site = factories.site("Camp 12")
        claim = site.add_claim(source, Credibility.PROBABLY_TRUE, "40 loggers")
    finally:
        current_actor.reset(token)
    sign_in(page, live_server, "ruth")
    page.goto(f"{live_server.url}/app/claims/{claim.pk}/")
    page.click("[data-sign-off]")
    page.wait_for_url(f"**/app/claims/{claim.pk}/")
    assert page.locator("[data-signed-off-by]").count() == 1
    page.goto(f"{live_server.url}/app/sites/{site.pk}/")
    assert "Signed off: 1 of 1 claim" in page.locator("[data-signed-off]").inner_text()

    # rita regrades the claim from its row in the site's evidence trail, through its edit page.
    sign_out(page)
    sign_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/app/sites/{site.pk}/")
    page.click(f"a[data-edit-claim][href='/app/claims/{claim.pk}/edit/']")
    page.wait_for_url(f"**/app/claims/{claim.pk}/edit/")
    assert page.locator("[data-claim-subject]").inner_text().endswith("Camp 12")
    page.select_option("#id_credibility", str(Credibility.DOUBTFUL))
    page.fill("#id_revision-reason", "the 2019 report was corrected")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/app/claims/{claim.pk}/")
    claim.refresh_from_db()
    assert claim.credibility == Credibility.DOUBTFUL
    assert page.locator("[data-signed-off-by]").count() == 0
    assert page.locator("[data-not-signed-off]").count() == 1
    page.goto(f"{live_server.url}/app/sites/")
    assert "Signed off: 0 of 1 claim" in page.locator("main").inner_text()
