"""A reader opens the API reference: readable at desktop and phone width, under the real CSP."""

import pytest

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def watch(page):
    """CSP violations, and requests that failed or were refused (the favicon aside)."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status}: {r.url}")
            if r.status >= 400 and "favicon" not in r.url
            else None
        ),
    )
    return problems


def test_a_reader_finds_an_endpoint_from_the_footer_under_the_csp(strict_page, live_server):
    factories.deployment()
    page = strict_page
    problems = watch(page)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/")
    page.locator("footer").get_by_role("link", name="API reference").click()
    page.wait_for_url("**/api/v1/reference/")
    assert page.get_by_role("heading", level=1, name="API reference").is_visible()
    page.get_by_role("navigation", name="Endpoint groups").get_by_role(
        "link", name="deployments"
    ).click()
    bulk = page.locator("#deployments_bulk")
    assert bulk.get_by_text("/api/v1/deployments/bulk/").is_visible()
    assert "edit_records" in bulk.inner_text() and "write" in bulk.inner_text()
    # Each operation's fields are folded under one line, so the page can be scanned; opened, the
    # bulk body's fields are there.
    fields = bulk.locator("table.api-fields code", has_text="host_country").first
    assert not fields.is_visible()
    bulk.locator("summary").click()
    assert fields.is_visible()
    assert page.locator("#openapi").is_visible()
    assert page.locator("script:not([src])").count() == 0
    bulk.scroll_into_view_if_needed()
    page.screenshot(path="var/shots/api-reference-desktop.png", full_page=False)
    assert not problems, problems


def test_the_reference_fits_a_phone(strict_page, live_server):
    page = strict_page
    problems = watch(page)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/api/v1/reference/")
    # Tables scroll inside their own box; the page itself never scrolls sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    assert page.locator("#deployments_list").count() == 1
    page.screenshot(path="var/shots/api-reference-phone.png", full_page=False)
    assert not problems, problems
