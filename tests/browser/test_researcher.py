import pytest

from tests import factories
from tests.browser.test_map import wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username="rita"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery staple")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/app/")


def test_it_lets_a_researcher_source_a_claim_about_a_site_and_find_it_in_korean(
    page, live_server, rita
):
    site = factories.site("Demo logging camp near Tynda", country="RU")
    site.latitude, site.longitude, site.coordinate_precision = 55.15, 124.72, "region"
    site.save()
    sign_in(page, live_server)

    page.goto(f"{live_server.url}/app/sources/new/")
    page.fill("#id_title", "벌목농장 노동자 면담 기록 (합성 데모)")
    page.select_option("#id_kind", "interview")
    page.select_option("#id_reliability", "B")
    page.fill("#id_language", "ko")
    page.click("main button[type=submit]")
    page.wait_for_url("**/app/sources/*/")

    page.goto(f"{live_server.url}/app/sites/{site.pk}/")
    page.click("text=Add a claim")
    page.fill("#id_source", "벌목농장")
    page.click("[role=option]:has-text('벌목농장 노동자 면담 기록 (합성 데모)')")
    page.select_option("#id_credibility", "2")
    page.fill("#id_statement", "about 40 loggers lived at the camp")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/app/sites/{site.pk}/")
    trail = page.locator("section.trail").inner_text()
    assert "about 40 loggers lived at the camp" in trail
    assert (
        "벌목농장 노동자 면담 기록" in trail
        and "B – usually reliable" in trail
        and "2 – probably true" in trail
    )

    page.fill("input[name=q]", "벌목")
    page.keyboard.press("Enter")
    page.wait_for_url("**/app/search/?q=*")
    assert (
        "벌목농장 노동자 면담 기록"
        in page.locator("[data-hits] li[data-kind=sources]").first.inner_text()
    )

    page.goto(f"{live_server.url}/app/map/")
    wait_for_map(page)
    marker = page.locator(f"path[data-site='{site.pk}']")
    assert marker.count() == 1
    marker.click(force=True)
    link = page.locator(".leaflet-popup-content a", has_text="Demo logging camp near Tynda")
    assert link.get_attribute("href") == f"/app/sites/{site.pk}/"


def test_it_keeps_a_bad_form_and_says_what_is_wrong(page, live_server, rita):
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/app/sites/new/")
    page.fill("#id_name", "Camp 7")
    page.select_option("#id_kind", "logging_camp")
    page.fill("#id_country", "Narnia")
    page.click("main button[type=submit]")
    assert "Choose a country from the list" in page.locator("main").inner_text()
    assert page.input_value("#id_name") == "Camp 7"


def test_it_filters_a_list_from_its_menus_and_keeps_a_korean_address_chosen(
    page, live_server, rita
):
    wanted = factories.deployment(country="RU", sector="logging")
    factories.deployment(country="CN", sector="logging")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/app/deployments/")
    page.select_option("select[name=country]", "RU")
    page.select_option("select[name=sector]", "logging")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/app/deployments/?*country=RU*")
    rows = page.locator("table.records tbody").inner_text()
    links = page.locator("table.records tbody a")
    assert links.count() == 1, rows
    assert links.first.get_attribute("href").endswith(f"/app/deployments/{wanted.pk}/")

    page.goto(f"{live_server.url}/app/deployments/?country=러시아&sector=벌목")
    assert page.locator("select[name=country]").input_value() == "RU"
    assert page.locator("select[name=sector]").input_value() == "logging"
    assert page.locator("table.records tbody a").count() == 1
