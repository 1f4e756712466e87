"""No page is wider than a phone (#17 item 8): wide tables scroll inside a named region instead.

Every page is loaded at 390×844 as the persona who uses it; the page's scrollWidth must not pass
the viewport's width. The staff list pages are read from the workspace's own list of kinds, so a
new kind is checked without changing this test.
"""

import pytest

from tests import factories
from tests.browser.test_researcher import sign_in
from unseen.documentation.browsing import KINDS
from unseen.estimation import revenue_runs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG = "A very long report title that goes on and on " * 6


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="en-GB", bypass_csp=True, viewport=PHONE)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def overflowing(page, url: str) -> list[str]:
    response = page.goto(url)
    page.wait_for_load_state("load")
    if response is None or response.status != 200:
        return [f"{url} answered {response.status if response else 'nothing'}"]
    width = page.evaluate("document.documentElement.scrollWidth")
    return [f"{url} is {width} px wide"] if width > PHONE["width"] else []


def sign_out(page):
    page.context.clear_cookies()


def records_to_list():
    """Enough long-worded records that every list has a wide row."""
    source = factories.source(LONG)
    deployment = factories.deployment(
        country="RU", year=2017, low=1000, high=2000, sector="construction " * 8, evidence=source
    )
    factories.site("Logging camp with a long descriptive name " * 4, country="RU")
    return deployment


def test_no_page_is_wider_than_a_phone_for_any_persona(phone, live_server, rita, andy, mona, alice):
    run = revenue_runs.publish(factories.revenue_run("Revenue 2017", access_level="public"), True)
    estimate = factories.estimate_run("Estimate with a long title " * 4)
    linkage = factories.linkage_run()
    deployment = records_to_list()
    submission = factories.submission("Workers on a building site " * 8)
    base = live_server.url
    wide: list[str] = []

    for path in ("/", "/report/", "/estimates/", "/revenue/", "/report/privacy/"):
        wide += overflowing(phone, f"{base}{path}")

    sign_in(phone, live_server, "rita")
    for path in (
        "/app/",
        f"/app/search/?q={deployment.host_country}",
        *(f"/app/{kind}/" for kind in KINDS),
        f"/app/deployments/{deployment.pk}/",
        "/app/import/",
        "/app/import/columns/",
        "/app/indicators/",
        "/app/gaps/",
        "/app/charts/",
        "/app/map/",
    ):
        wide += overflowing(phone, f"{base}{path}")
    sign_out(phone)

    phone.goto(f"{base}/accounts/login/")
    phone.fill("#id_username", "mona")
    phone.fill("#id_password", "correct horse battery staple")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state("load")
    for path in ("/app/moderation/", f"/app/moderation/{submission.pk}/"):
        wide += overflowing(phone, f"{base}{path}")
    sign_out(phone)

    sign_in(phone, live_server, "andy")
    for path in (
        "/app/estimates/",
        "/app/estimates/new/",
        f"/app/estimates/{estimate.pk}/",
        "/app/estimates/revenue/",
        f"/app/estimates/revenue/{run.pk}/",
        "/app/linkage/",
        "/app/linkage/new/",
        f"/app/linkage/{linkage.run.pk}/",
        f"/app/linkage/{linkage.run.pk}/review/",
        f"/app/linkage/{linkage.run.pk}/review/{linkage.review.pk}/",
    ):
        wide += overflowing(phone, f"{base}{path}")
    sign_out(phone)

    sign_in(phone, live_server, "alice")
    wide += overflowing(phone, f"{base}/app/audit/persons/")

    assert wide == [], "\n".join(wide)


def test_a_wide_table_scrolls_in_a_named_region_a_keyboard_can_reach(phone, live_server, rita):
    records_to_list()
    sign_in(phone, live_server, "rita")
    phone.goto(f"{live_server.url}/app/sources/")
    phone.wait_for_selector("html[data-tables-ready]")
    region = phone.locator("main .table-scroll[role=region]").first
    assert region.get_attribute("aria-label").startswith("Sources")  # the heading, with its count
    assert region.get_attribute("tabindex") == "0"
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")

    region.focus()
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function("r => r.scrollLeft > 0", arg=region.element_handle())

    phone.set_viewport_size({"width": 1600, "height": 900})
    phone.wait_for_function("r => !r.hasAttribute('tabindex')", arg=region.element_handle())
