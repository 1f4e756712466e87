import pytest

from tests import factories
from tests.browser.test_researcher import sign_in
from unseen.documentation.models import Testimony
from unseen.evidence.models import SourceKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_researcher_opens_the_gap_queue_from_the_dashboard_and_codes_a_testimony(
    page, live_server, rita
):
    testimony = Testimony.objects.create(
        source=factories.source("Interview GAP-1", kind=SourceKind.INTERVIEW),
        consent_to_use=True,
    )
    sign_in(page, live_server)
    counts = page.locator("[data-gap-counts] [data-gap=uncoded-testimonies]")
    assert counts.locator("[data-gap-count]").inner_text() == "1"

    page.click("[data-gap-counts] h2 a")
    page.wait_for_url("**/app/gaps/")
    group = page.locator("section[data-gap=uncoded-testimonies]")
    group.locator("[data-fix]").first.click()
    page.wait_for_url(f"**/app/testimonies/{testimony.pk}/coding/")
    page.check("input[name=coding-indicator_deception][value=present]")
    page.fill("#id_revision-reason", "coded from the interview notes")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/app/testimonies/{testimony.pk}/")

    page.goto(f"{live_server.url}/app/")
    assert counts.locator("[data-gap-count]").inner_text() == "0"
