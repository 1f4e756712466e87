"""The redaction box editor (files/static/files/redact.js) on its own, in a real browser.

The page is the HTML contract written at the top of redact.js, with two page images: page 1
shown at half its size (so shown pixels and image pixels differ), page 2 at full size.
"""

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.browser

STATIC = Path(__file__).parents[2] / "src/unseen/files/static/files"
WIDTH, HEIGHT = 800, 600


def _image_url() -> str:
    gradient = np.tile(np.linspace(60, 220, WIDTH, dtype=np.uint8), (HEIGHT, 1))
    buffer = io.BytesIO()
    Image.fromarray(gradient, "L").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


PROPOSED = [
    {"page": 1, "x": 100, "y": 100, "w": 200, "h": 160, "origin": "detector"},
    {"page": 2, "x": 400, "y": 300, "w": 100, "h": 100, "origin": "detector"},
    {"page": 7, "x": 1, "y": 2, "w": 30, "h": 40, "origin": "detector"},  # a page not shown
]


def _html(proposed=PROPOSED) -> str:
    url = _image_url()
    value = proposed if isinstance(proposed, str) else json.dumps(proposed)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Redaction editor</title>
<style>body {{ margin: 0; padding: 8px; font: 16px sans-serif; }} .half img {{ width: 400px; }}</style>
</head><body><main>
<form method="post" action="about:blank" data-redact-form
  data-label-box="Box %(n)s of %(count)s, %(origin)s: %(x)s, %(y)s, %(w)s × %(h)s"
  data-label-detector="proposed by the detector" data-label-person="placed by a person"
  data-label-page="page %(page)s" data-msg-added="Box added." data-msg-removed="Box removed."
  data-msg-count="%(count)s boxes." data-msg-one="1 box." data-msg-none="No boxes: nothing will be hidden.">
<input type="hidden" name="boxes" value='{value}' data-redact-boxes>
<p id="redact-help">Arrow keys move a box, Shift+arrows resize it, Delete removes it.</p>
<div class="redact-stage half" data-redact-stage data-page="1" data-width="{WIDTH}" data-height="{HEIGHT}">
<img src="{url}" alt="Page 1" data-redact-image></div>
<div class="redact-stage" data-redact-stage data-page="2">
<img src="{url}" alt="Page 2" data-redact-image></div>
<div class="redact-tools">
<fieldset><legend>How to hide</legend>
<label><input type="radio" name="style" value="blur" checked> Blur</label>
<label><input type="radio" name="style" value="fill"> Solid black</label></fieldset>
<button type="button" data-redact-add>Add a box</button>
<button type="button" data-redact-remove>Remove the selected box</button></div>
<p role="status" data-redact-status></p>
<button type="submit">Confirm the redaction</button>
</form></main></body></html>"""


def _open(page, proposed=PROPOSED):
    page.set_content(_html(proposed))
    page.add_style_tag(path=str(STATIC / "redact.css"))
    page.add_script_tag(path=str(STATIC / "redact.js"))
    page.wait_for_selector("form[data-redact-ready=true]")


def _boxes(page) -> list[dict]:
    return json.loads(page.locator("[data-redact-boxes]").input_value())


def _shown(page):
    return [box for box in _boxes(page) if box["page"] != 7]


def test_proposed_boxes_are_shown_where_they_are_in_the_image(page):
    _open(page)
    boxes = page.locator(".redact-box")
    assert boxes.count() == 2
    first = boxes.nth(0).bounding_box()
    stage = page.locator(".redact-stage").nth(0).bounding_box()
    # Page 1 is shown at half size: 100 image pixels are 50 shown pixels.
    assert first["x"] - stage["x"] == pytest.approx(51, abs=1.5)  # + the stage's 1 px border
    assert first["width"] == pytest.approx(100, abs=1.5)
    assert boxes.nth(0).get_attribute("aria-label") == (
        "Box 1 of 2, proposed by the detector: 100, 100, 200 × 160 (page 1)"
    )
    assert boxes.nth(0).get_attribute("aria-describedby") == "redact-help"
    assert page.locator("[data-redact-status]").text_content() == "2 boxes."
    assert _boxes(page) == [
        {**PROPOSED[2], "style": "blur"},
        {**PROPOSED[0], "style": "blur"},
        {**PROPOSED[1], "style": "blur"},
    ]


def test_a_box_is_drawn_with_the_mouse_in_image_pixels(page):
    _open(page)
    stage = page.locator(".redact-stage").nth(0).bounding_box()
    left, top = stage["x"] + 1, stage["y"] + 1  # inside the border
    page.mouse.move(left + 250, top + 150)
    page.mouse.down()
    page.mouse.move(left + 300, top + 200, steps=5)
    page.mouse.up()
    drawn = [box for box in _shown(page) if box["origin"] == "person"]
    assert len(drawn) == 1
    assert drawn[0]["page"] == 1
    assert drawn[0]["x"] == pytest.approx(500, abs=3)
    assert drawn[0]["y"] == pytest.approx(300, abs=3)
    assert drawn[0]["w"] == pytest.approx(100, abs=3)
    assert drawn[0]["h"] == pytest.approx(100, abs=3)
    assert page.evaluate("document.activeElement.className").startswith("redact-box")
    assert "Box added." in page.locator("[data-redact-status]").text_content()


def test_a_click_without_a_drag_draws_nothing(page):
    _open(page)
    stage = page.locator(".redact-stage").nth(0).bounding_box()
    page.mouse.click(stage["x"] + 350, stage["y"] + 250)
    assert len(_shown(page)) == 2


def test_a_box_is_moved_and_resized_with_the_mouse(page):
    _open(page)
    box = page.locator(".redact-box").nth(0)
    shown = box.bounding_box()
    page.mouse.move(shown["x"] + 30, shown["y"] + 30)
    page.mouse.down()
    page.mouse.move(shown["x"] + 50, shown["y"] + 40, steps=4)
    page.mouse.up()
    moved = _shown(page)[0]
    assert (moved["x"], moved["y"]) == (pytest.approx(140, abs=2), pytest.approx(120, abs=2))
    assert (moved["w"], moved["h"]) == (200, 160)
    assert moved["origin"] == "person"
    handle = box.locator(".redact-handle").bounding_box()
    centre = (handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.move(*centre)
    page.mouse.down()
    page.mouse.move(centre[0] + 30, centre[1] + 20, steps=4)
    page.mouse.up()
    resized = _shown(page)[0]
    assert (resized["x"], resized["y"]) == (moved["x"], moved["y"])
    assert resized["w"] == pytest.approx(260, abs=4)
    assert resized["h"] == pytest.approx(200, abs=4)


def test_a_box_cannot_leave_the_image(page):
    _open(page)
    box = page.locator(".redact-box").nth(0).bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] - 500, box["y"] - 500, steps=3)
    page.mouse.up()
    moved = _shown(page)[0]
    assert (moved["x"], moved["y"]) == (0, 0)


def test_the_keyboard_moves_resizes_and_removes_a_box(page):
    _open(page)
    page.locator(".redact-box").nth(1).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Alt+ArrowLeft")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowUp")
    second = _shown(page)[1]
    # Steps of 1 % of the width (8 px here); with Alt, 1 px.
    assert (second["x"], second["y"]) == (407, 308)
    assert (second["w"], second["h"]) == (108, 92)
    assert second["origin"] == "person"
    assert page.locator(".redact-box").nth(1).get_attribute("aria-pressed") == "true"
    page.keyboard.press("Delete")
    assert len(_shown(page)) == 1
    assert page.locator(".redact-box").count() == 1
    # Focus goes to a remaining box, not to the page's start.
    assert page.evaluate("document.activeElement.className").startswith("redact-box")
    assert page.locator("[data-redact-status]").text_content() == "Box removed. 1 box."


def test_the_buttons_add_and_remove_boxes(page):
    _open(page)
    remove = page.locator("[data-redact-remove]")
    assert remove.is_disabled()
    page.locator(".redact-box").nth(0).click()
    assert remove.is_enabled()
    remove.click()
    assert [box["page"] for box in _shown(page)] == [2]
    page.locator("[data-redact-add]").focus()
    page.keyboard.press("Enter")
    added = [box for box in _shown(page) if box["origin"] == "person"]
    assert len(added) == 1
    assert added[0]["w"] == added[0]["h"] == 120  # a fifth of the shorter side
    assert page.evaluate("document.activeElement.className").startswith("redact-box")


def test_the_style_is_chosen_for_every_box(page):
    _open(page)
    page.check("input[name=style][value=fill]")
    assert {box["style"] for box in _boxes(page)} == {"fill"}
    assert "redact-style-fill" in page.locator(".redact-stage").nth(0).get_attribute("class")
    colour = page.locator(".redact-box").nth(0).evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(0, 0, 0)"


def test_a_page_not_shown_keeps_its_boxes(page):
    _open(page)
    page.locator(".redact-box").nth(0).focus()
    page.keyboard.press("Delete")
    page.locator(".redact-box").nth(0).focus()
    page.keyboard.press("Delete")
    assert _boxes(page) == [{**PROPOSED[2], "style": "blur"}]
    assert page.locator("[data-redact-status]").text_content().startswith("Box removed.")


def test_no_proposals_and_a_broken_value_start_empty(page):
    _open(page, proposed=[])
    assert _boxes(page) == []
    assert (
        page.locator("[data-redact-status]").text_content() == "No boxes: nothing will be hidden."
    )
    _open(page, proposed="{not json")
    assert _boxes(page) == []


def test_it_works_at_phone_width_with_a_finger(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    phone = context.new_page()
    try:
        _open(phone)
        stage = phone.locator(".redact-stage").nth(1).bounding_box()
        assert stage["width"] <= 360  # the 800 px page image is scaled down to fit
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        box = phone.locator(".redact-box").nth(1)
        shown = box.bounding_box()
        scale = WIDTH / (stage["width"] - 2)
        x, y = shown["x"] + 5, shown["y"] + 5
        touch = {"pointerType": "touch", "pointerId": 7, "isPrimary": True, "button": 0}
        box.dispatch_event("pointerdown", {**touch, "clientX": x, "clientY": y})
        box.dispatch_event("pointermove", {**touch, "clientX": x + 20, "clientY": y + 10})
        box.dispatch_event("pointerup", {**touch, "clientX": x + 20, "clientY": y + 10})
        moved = _shown(phone)[1]
        assert moved["x"] == pytest.approx(400 + 20 * scale, abs=3)
        assert moved["y"] == pytest.approx(300 + 10 * scale, abs=3)
        # A finger on the image itself scrolls the page: it draws no box.
        image = phone.locator(".redact-stage img").nth(1)
        image.dispatch_event(
            "pointerdown", {**touch, "clientX": stage["x"] + 20, "clientY": stage["y"] + 20}
        )
        image.dispatch_event(
            "pointerup", {**touch, "clientX": stage["x"] + 90, "clientY": stage["y"] + 90}
        )
        assert len(_shown(phone)) == 2
        # The corner handle is a finger-sized target on a touch screen.
        handle = box.locator(".redact-handle").bounding_box()
        assert handle["width"] >= 24
        phone.locator("[data-redact-add]").tap()
        assert len(_shown(phone)) == 3
    finally:
        context.close()
