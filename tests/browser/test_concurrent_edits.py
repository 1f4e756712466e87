"""Two researchers, two browsers, one deployment: the later save meets the conflict screen."""

import pytest

from tests import factories
from tests.browser.test_researcher import sign_in
from tests.conftest import make_user
from unseen.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def second_page(browser):
    context = browser.new_context(locale="en-GB", bypass_csp=True)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def test_two_researchers_editing_one_deployment_merge_instead_of_overwriting(
    page, second_page, live_server, rita
):
    make_user("rex", Role.RESEARCHER)
    deployment = factories.deployment(low=100, high=200, sector="construction")
    edit = f"{live_server.url}/app/deployments/{deployment.pk}/edit/"
    sign_in(page, live_server, "rita")
    sign_in(second_page, live_server, "rex")
    page.goto(edit)
    second_page.goto(edit)

    page.fill("#id_workers_high", "300")
    page.fill("#id_workers_low", "150")
    page.fill("#id_revision-reason", "the 2019 roster")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/app/deployments/{deployment.pk}/")

    second_page.fill("#id_workers_high", "250")
    second_page.fill("#id_host_region", "Amur")
    second_page.fill("#id_revision-reason", "the contract names Amur")
    second_page.click("main button[type=submit]")
    conflict = second_page.locator("[data-conflict]")
    assert "Someone else changed this record since you opened it" in conflict.inner_text()
    row = conflict.locator("tr[data-field=workers_high]").inner_text()
    assert "200" in row and "300" in row and "250" in row
    assert "theirs is kept" in conflict.locator("tr[data-field=workers_low]").inner_text()
    deployment.refresh_from_db()
    assert (deployment.workers_high, deployment.host_region) == (300, "")  # nothing saved

    # A save without choosing is held by the browser: the choice is required.
    second_page.click("main button[type=submit]")
    assert second_page.locator("[data-conflict]").count() == 1
    second_page.check("input[name=keep-workers_high][value=mine]")
    second_page.click("main button[type=submit]")
    second_page.wait_for_url(f"**/app/deployments/{deployment.pk}/")

    deployment.refresh_from_db()
    # Rex's choice and his other change; Rita's change he did not touch is not lost.
    assert (deployment.workers_high, deployment.host_region, deployment.workers_low) == (
        250,
        "Amur",
        150,
    )
