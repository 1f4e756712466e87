"""No page is wider than a phone (#17 item 8): wide tables scroll inside their wrapper instead."""

import pytest

from tests import factories
from tests.browser.test_researcher import sign_in
from unseen.estimation import revenue_runs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="en-GB", bypass_csp=True, viewport=PHONE)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def overflowing(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    return [f"{url} is {width} px wide"] if width > PHONE["width"] else []


def sign_out(page):
    page.context.clear_cookies()


def test_no_page_is_wider_than_a_phone_for_any_persona(phone, live_server, rita, andy, mona):
    run = revenue_runs.publish(factories.revenue_run("Revenue 2017", access_level="public"), True)
    deployment = factories.deployment(
        country="RU",
        year=2017,
        low=1000,
        high=2000,
        evidence=factories.source("A very long report title " * 6),
    )
    factories.submission("Workers on a building site " * 8)
    base = live_server.url
    wide: list[str] = []

    for path in ("/", "/report/", "/estimates/", "/revenue/", "/report/privacy/"):
        wide += overflowing(phone, f"{base}{path}")

    sign_in(phone, live_server, "rita")
    for path in (
        "/app/",
        "/app/deployments/",
        f"/app/deployments/{deployment.pk}/",
        "/app/sources/",
    ):
        wide += overflowing(phone, f"{base}{path}")
    sign_out(phone)

    phone.goto(f"{base}/accounts/login/")
    phone.fill("#id_username", "mona")
    phone.fill("#id_password", "correct horse battery staple")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state("load")
    wide += overflowing(phone, f"{base}/app/moderation/")
    sign_out(phone)

    sign_in(phone, live_server, "andy")
    for path in ("/app/estimates/", "/app/estimates/revenue/", f"/app/estimates/revenue/{run.pk}/"):
        wide += overflowing(phone, f"{base}{path}")

    assert wide == [], "\n".join(wide)
