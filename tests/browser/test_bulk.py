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


def test_a_researcher_assigns_two_deployments_and_sends_them_to_review(
    page, live_server, rita, ruth
):
    from unseen.documentation.models import Deployment
    from unseen.teamwork.models import Assignment

    chosen = [factories.deployment(access_level="internal") for _ in range(2)]
    secret = factories.deployment(access_level="confidential")  # ruth may not read it
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/app/deployments/")
    for deployment in [*chosen, secret]:
        page.check(f"input[data-bulk-id][value='{deployment.pk}']")
    page.select_option("form[data-bulk] select[name=action]", "assign")
    page.select_option("form[data-bulk] select[name=assignee]", label="ruth")
    page.click("form[data-bulk] button[type=submit]")
    page.wait_for_url("**/app/deployments/bulk/")
    assert page.locator("[data-bulk-changing]").get_attribute("data-bulk-changing") == "2"
    assert "may not read it" in page.locator("[data-bulk-refusals]").inner_text()
    page.fill("form[data-bulk-confirm] textarea[name=reason]", "Her region")
    page.click("form[data-bulk-confirm] button[name=confirm]")
    page.wait_for_url("**/app/deployments/")
    assert page.get_by_text("Assigned 2 records.").is_visible()
    assert sorted(Assignment.objects.values_list("object_id", flat=True)) == sorted(
        d.pk for d in chosen
    )

    for deployment in chosen:
        page.check(f"input[data-bulk-id][value='{deployment.pk}']")
    page.select_option("form[data-bulk] select[name=action]", "review")
    page.click("form[data-bulk] button[type=submit]")
    page.wait_for_url("**/app/deployments/bulk/")
    page.fill("form[data-bulk-confirm] textarea[name=reason]", "Ready")
    page.click("form[data-bulk-confirm] button[name=confirm]")
    page.wait_for_url("**/app/deployments/")
    assert page.get_by_text("Sent 2 records to review.").is_visible()
    states = dict(Deployment.objects.values_list("pk", "review_state"))
    assert [states[d.pk] for d in chosen] == ["in_review"] * 2
    assert states[secret.pk] == "draft"
