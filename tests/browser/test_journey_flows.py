"""The journeys' flows page in a browser: the Sankey draws for an analyst, the page says what was
merged, a journey recorded with three deployments and an escape changes the Sankey, and switching
to Korean keeps the page. Screenshots at a laptop's and a phone's size go to
var/screenshots/journeys/ (not committed; UNSEEN_SCREENSHOTS names another folder).
"""

import os
from pathlib import Path

import pytest

from tests.browser.test_accessibility import blocking_violations, sign_in
from tests.journeys.builders import told

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
FOLDER = (
    Path(os.environ.get("UNSEEN_SCREENSHOTS") or Path(__file__).parents[2] / "var" / "screenshots")
    / "journeys"
)


def journeys():
    told(20, indicator="excessive_overtime")
    told(8, channel="applied", host="CN", sector="C", exit_kind="escape", indicator="isolation")
    told(4, channel="personal_connection")  # too few: merged into "other"


def ready(page):
    page.wait_for_selector("#sankey[data-state=ready]")
    page.wait_for_selector("#flow-map[data-state=ready]")


def sankey_rows(page):
    return page.locator("#sankey tbody tr").all_inner_texts()


def test_the_sankey_draws_says_what_was_merged_changes_and_keeps_korean(page, live_server, andy):
    journeys()
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/")
    page.click("nav.subnav >> text=Journey flows")
    page.wait_for_url("**/app/journeys/flows/")
    ready(page)
    assert int(page.locator("#sankey").get_attribute("data-links")) > 0
    notice = page.locator("#suppression").inner_text()
    assert "Through a personal connection" in notice and "merged into “other”" in notice
    assert not any("personal connection" in row for row in sankey_rows(page))
    before = sankey_rows(page)

    # A researcher records journeys with three deployments and an escape (five of them, so
    # that they rest on enough testimonies to be shown): the Sankey changes accordingly.
    told(5, channel="applied", host="RU", sector="F", exit_kind="escape",
         more=(("AE", "F"), ("QA", "F")))  # fmt: skip
    page.reload()
    ready(page)
    after = sankey_rows(page)
    assert after != before
    assert any("United Arab Emirates" in row and "Escaped" in row for row in after), after

    page.select_option("header select[name=language]", "ko")
    page.wait_for_url("**/app/journeys/flows/")
    ready(page)
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator("#sankey tbody tr").count() == len(after)


@pytest.mark.parametrize("size", SIZES)
def test_it_saves_screenshots_and_nothing_is_wider_than_the_screen(
    browser, live_server, andy, size
):
    from PIL import Image, ImageStat

    journeys()
    FOLDER.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="en-GB", bypass_csp=True, viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/journeys/flows/")
    ready(page)
    path = FOLDER / f"flows-{size}.png"
    page.screenshot(path=str(path), full_page=True)
    with Image.open(path) as image:
        assert image.width == SIZES[size]["width"]
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 5, f"{path.name} looks blank"
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow} px wider than the {size} screen"
    assert not blocking_violations(page, f"flows ({size})")
    page.goto(f"{live_server.url}/journeys/")
    page.wait_for_selector("h1")
    assert not blocking_violations(page, f"public flows ({size})")
    context.close()
    print("Screenshot:", path)


def test_the_page_draws_under_the_content_security_policy(strict_page, live_server, andy):
    journeys()
    errors = []
    strict_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(strict_page, live_server, "andy")
    strict_page.goto(f"{live_server.url}/app/journeys/flows/")
    strict_page.wait_for_selector("#sankey[data-state=ready]")
    assert not [e for e in errors if "Content Security Policy" in e], errors
