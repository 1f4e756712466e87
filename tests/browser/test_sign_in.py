import pytest

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_a_researcher_in_and_shows_the_workspace(page, live_server, rita):
    factories.source("Russia's report to the 1718 Committee")
    page.goto(f"{live_server.url}/app/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "rita")
    page.fill("#id_password", "correct horse battery staple")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/app/")
    assert page.locator("h1").inner_text() == "Workspace"
    assert "1718 Committee" in page.locator("table").inner_text()
    assert page.locator(".card[data-kind=sources] .count").inner_text() == "1"


def test_it_shows_the_public_home_and_switches_language_on_the_same_page(page, live_server):
    factories.deployment(
        country="MN", low=1200, high=1500, evidence=factories.source("Mongolian ministry")
    )
    page.goto(f"{live_server.url}/")
    assert "Mongolia" in page.locator("#latest-headcounts").inner_text()
    with page.expect_navigation():
        page.select_option("select[name=language]", "ko")
    assert page.url == f"{live_server.url}/"
    assert page.locator("html").get_attribute("lang") == "ko"


def test_it_enrols_a_second_factor_from_an_invitation_link(page, live_server, rita):
    from unseen.accounts import invitations

    made = invitations.issue("rita", by="alice")
    page.goto(made.link(live_server.url))
    # The code came in the fragment (never sent to the server); the page moved it into the form.
    assert page.input_value("#id_invitation") == made.code
    assert "#" not in page.url
    page.fill("#id_username", "rita")
    page.fill("#id_password", "correct horse battery staple")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/")
    assert page.locator(".qr svg").count() == 1


def test_it_asks_an_account_without_an_invitation_for_one(page, live_server, rita):
    page.goto(f"{live_server.url}/accounts/two-factor/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "correct horse battery staple")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/")
    assert "needs an invitation" in page.locator("main").inner_text()
    assert page.locator(".qr svg").count() == 0
