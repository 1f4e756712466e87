"""Keyboard and form paths (#17 item 4): a skip link first, a focus ring, labels beside boxes."""

import pytest

from tests.browser.test_researcher import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_first_tab_reaches_a_skip_link_to_the_main_content(page, live_server):
    page.goto(f"{live_server.url}/report/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert ring[0] == "solid" and ring[1] >= 3
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # shown once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_focused_link_has_a_strong_ring(page, live_server):
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the brand link in the header
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert ring[0] == "solid" and ring[1] >= 3


def test_a_checkbox_sits_beside_its_label(page, live_server, rita):
    sign_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/app/import/")
    box = page.locator("#id_dry_run").bounding_box()
    label = page.locator("label[for=id_dry_run]").bounding_box()
    assert abs(box["y"] + box["height"] / 2 - (label["y"] + label["height"] / 2)) < 12
    assert 0 <= label["x"] - (box["x"] + box["width"]) < 24
