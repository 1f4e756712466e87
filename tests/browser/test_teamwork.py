import datetime as dt

import pytest

from tests import factories
from tests.browser.test_researcher import sign_in
from tests.conftest import make_user
from unseen.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rita_assigns_a_deployment_and_mentions_a_colleague_who_finds_both_in_my_work(
    browser, page, live_server, rita
):
    make_user("rob", Role.RESEARCHER)
    deployment = factories.deployment()
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/app/deployments/{deployment.pk}/")
    page.select_option("#assignee", label="rob")
    page.fill("#due", due)
    page.click("[data-assign] button[type=submit]")
    page.wait_for_url(f"**/app/deployments/{deployment.pk}/#teamwork")
    assert "Assigned to rob" in page.locator("[data-assignment]").inner_text()
    page.fill("#comment-text", "@rob could you check the wage terms?")
    page.click("[data-comment-form] button[type=submit]")
    page.wait_for_url(f"**/app/deployments/{deployment.pk}/#teamwork")
    assert "could you check" in page.locator("[data-comments]").inner_text()

    other = browser.new_page()
    try:
        sign_in(other, live_server, "rob")
        assert other.locator("[data-notification-count]").inner_text() == "2"
        other.click("[data-my-work-link]")
        other.wait_for_url("**/app/my-work/")
        assigned = other.locator("[data-assigned]").inner_text()
        assert str(deployment) in assigned and due in assigned
        mentions = other.locator("[data-mentions]").inner_text()
        assert str(deployment) in mentions and "rita" in mentions
        other.click("[data-notifications-link]")
        other.wait_for_url("**/app/notifications/")
        assert other.locator("[data-notifications-list] li").count() == 2
        assert other.locator("[data-notification-count]").count() == 0  # read on opening
    finally:
        other.close()
