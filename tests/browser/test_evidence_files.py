"""Issue #19's acceptance test, in a real browser: evidence files from upload to publication.

A researcher uploads a multi-page PDF and a photo to a source in one go and sees the SHA-256 and
the type of each; opens the photo's redaction page, sees the face the detector proposes, confirms
it; describes the photo (credit, licence) and sends it to review; a colleague, signed in in a
browser of her own, reviews what the public would see and approves; the researcher makes it
public. An anonymous visitor then sees only the redacted copy, with its credit and licence line;
the original, downloaded by the researcher, is byte for byte what was uploaded.

Screenshots of the redaction page and the public page at 1366×900 and 390×844 go to
var/screenshots/ (UNSEEN_SCREENSHOTS names another folder), for a person to look at.
"""

import hashlib
import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from tests import factories
from tests.browser.test_accessibility import blocking_violations
from tests.conftest import PASSWORD
from unseen.demo import files as demo
from unseen.files.models import EvidenceFile, Redaction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
FOLDER = Path(
    os.environ.get("UNSEEN_SCREENSHOTS") or Path(__file__).parents[2] / "var" / "screenshots"
)
# Where the astronaut's face is in the 512 × 512 photo (x, y, w, h), by eye.
FACE = (180, 60, 110, 130)


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/app/")


def shoot(browser, live_server, path, name, *, user=None, ready=None):
    """Screenshots of `path` at both sizes; returns the files written."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    written = []
    for size, viewport in SIZES.items():
        context = browser.new_context(locale="en-GB", bypass_csp=True, viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(20_000)
        if user:
            sign_in(page, live_server, user)
        page.goto(f"{live_server.url}{path}")
        if ready:
            page.wait_for_selector(ready)
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        target = FOLDER / f"{name}-{size}.png"
        page.screenshot(path=str(target), full_page=True)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name} scrolls sideways at {size} ({width} px)"
        written.append(target)
        context.close()
    return written


def sharpness(gray: np.ndarray) -> float:
    """How much fine detail a picture has: the spread of its edges (a blurred face has few)."""
    edges = Image.fromarray(gray.astype(np.uint8)).filter(ImageFilter.FIND_EDGES)
    return float(np.asarray(edges, dtype=np.float64)[2:-2, 2:-2].std())


def test_a_researcher_uploads_redacts_and_publishes_and_the_public_sees_only_the_redacted_copy(
    browser, page, live_server, rita, alice, tmp_path
):
    source = factories.source("Report on a construction site (synthetic)", access_level="public")
    roster = demo.roster_pdf()
    photo, _, _ = demo.astronaut_jpeg()
    (tmp_path / "crew-roster.pdf").write_bytes(roster)
    (tmp_path / "astronaut.jpg").write_bytes(photo)

    # Upload both at once from the source's page.
    sign_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/app/sources/{source.pk}/")
    form = page.locator("[data-files-panel] form[data-upload-form]")
    form.locator("input[type=file]").set_input_files(
        [str(tmp_path / "crew-roster.pdf"), str(tmp_path / "astronaut.jpg")]
    )
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-upload-results]")
    shown = {
        item.locator("[data-sha256]").inner_text(): item.locator("[data-type]").inner_text()
        for item in page.locator("[data-result]").all()
    }
    assert shown == {
        hashlib.sha256(roster).hexdigest(): "application/pdf",
        hashlib.sha256(photo).hexdigest(): "image/jpeg",
    }
    file = EvidenceFile.objects.get(sha256=hashlib.sha256(photo).hexdigest())
    pdf = EvidenceFile.objects.get(sha256=hashlib.sha256(roster).hexdigest())
    assert pdf.attachments.get().object_id == source.pk

    # The photo cannot be made public yet: no one has looked at its faces, no one reviewed it.
    page.goto(f"{live_server.url}/app/files/{file.pk}/")
    steps = page.locator("[data-publication] [data-check]")
    assert [s.get_attribute("data-done") for s in steps.all()] == ["false", "false"]
    page.select_option("#id_access-access_level", "public")
    page.fill("#id_access-revision-reason", "Publish the photo")
    page.locator("form[data-access-form] button[type=submit]").click()
    refusal = page.locator("form[data-access-form]").inner_text()
    assert "confirmed its redaction" in refusal and "two-person rule" in refusal

    # The redaction page proposes the face; the researcher confirms it.
    page.goto(f"{live_server.url}/app/files/{file.pk}/")
    page.click("[data-redact-link]")
    page.wait_for_selector("form[data-redact-ready=true]")
    assert "proposed by the face detector: 1 (" in page.locator("[data-proposal]").inner_text()
    box = page.locator(".redact-box")
    assert box.count() == 1
    stage = page.locator("[data-redact-stage]").bounding_box()
    drawn = box.bounding_box()
    # The box covers the face, where the face is in the picture as shown.
    scale = stage["width"] / 512
    assert drawn["x"] - stage["x"] <= FACE[0] * scale + 2
    assert drawn["x"] + drawn["width"] - stage["x"] >= (FACE[0] + FACE[2]) * scale - 10
    assert shoot(
        browser,
        live_server,
        f"/app/files/{file.pk}/redact/",
        "redaction",
        user="rita",
        ready="form[data-redact-ready=true]",
    )
    assert blocking_violations(page, "redaction page") == []
    page.click("[data-confirm-redaction]")
    page.wait_for_url(f"{live_server.url}/app/files/{file.pk}/")
    assert "Redacted" in page.locator("[data-redaction]").inner_text()

    # Credit and licence, then a colleague's review, then public.
    page.fill("#id_title_en", "NASA astronaut Eileen Collins")
    page.fill("#id_title_ko", "NASA 우주비행사 아일린 콜린스")
    page.fill("#id_credit", "NASA")
    page.select_option("#id_licence", "PDM")
    page.fill("#id_revision-reason", "Credit and licence from NASA")
    page.locator("form[data-file-form] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/app/files/{file.pk}/")
    file.refresh_from_db()
    assert (file.credit, file.licence) == ("NASA", "PDM")
    assert page.locator("[data-check=redaction]").get_attribute("data-done") == "true"
    page.click("[data-send-to-review]")
    page.wait_for_selector("[data-check=review][data-review-state=in_review]")
    # Rita made the last edit: the page tells her a colleague must review it.
    assert page.locator("[data-review-link]").count() == 0
    assert "someone else must review it" in page.locator("[data-review-refused]").inner_text()

    # Alice, in a browser of her own, reviews what the public would see and approves it.
    colleague = browser.new_context(locale="en-GB", bypass_csp=True)
    reviewer = colleague.new_page()
    reviewer.set_default_timeout(15_000)
    sign_in(reviewer, live_server, "alice")
    reviewer.goto(f"{live_server.url}/app/files/{file.pk}/")
    reviewer.click("[data-review-link]")
    reviewer.wait_for_url(f"{live_server.url}/app/files/{file.pk}/review/")
    reviewer.wait_for_function("() => [...document.images].every(i => i.complete)")
    [picture] = reviewer.locator("[data-review-picture] img").all()
    assert picture.evaluate("img => img.naturalWidth") > 0
    assert "NASA" in reviewer.locator("[data-review-form]").inner_text()
    assert blocking_violations(reviewer, "file review page") == []
    reviewer.fill("textarea[name=comment-credit]", "Credit and licence match NASA's page.")
    reviewer.click("[data-approve]")
    reviewer.wait_for_url(f"{live_server.url}/app/files/{file.pk}/")
    review = reviewer.locator("[data-check=review]")
    assert review.get_attribute("data-done") == "true"
    assert "by alice" in review.inner_text()
    colleague.close()

    # Back in Rita's browser: both steps done, she makes it public.
    page.reload()
    steps = page.locator("[data-publication] [data-check]")
    assert [s.get_attribute("data-done") for s in steps.all()] == ["true", "true"]
    assert (
        "Credit and licence match NASA's page." in page.locator("[data-publication]").inner_text()
    )
    page.select_option("#id_access-access_level", "public")
    page.fill("#id_access-revision-reason", "Reviewed by Alice; publish it")
    page.locator("form[data-access-form] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/app/files/{file.pk}/")
    file.refresh_from_db()
    assert file.access_level == "public" and file.reviewed_by == "alice"
    assert page.locator("[data-public-link]").get_attribute("href") == f"/evidence/{file.pk}/"

    # An anonymous visitor.
    visitor = browser.new_context(locale="en-GB")
    public = visitor.new_page()
    public.goto(f"{live_server.url}/")
    public.click("nav.public-nav >> text=Evidence")
    public.click(f"a[href='/evidence/{file.pk}/'] >> nth=0")
    public.wait_for_url(f"{live_server.url}/evidence/{file.pk}/")
    assert public.locator("h1").inner_text() == "NASA astronaut Eileen Collins"
    credit = public.locator("[data-picture] [data-credit]").inner_text()
    assert credit == "Photo: NASA · Public domain mark"
    licence = public.locator("[data-picture] [data-credit] a")
    assert licence.get_attribute("href") == "https://creativecommons.org/publicdomain/mark/1.0/"
    html = public.content()
    assert file.sha256 not in html and "/app/" not in html
    [source_url] = public.eval_on_selector_all("main img", "images => images.map(i => i.src)")
    served = visitor.request.get(source_url)
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["content-disposition"].startswith("inline")
    assert served.headers["x-content-type-options"] == "nosniff"
    redacted = served.body()
    assert redacted != photo and hashlib.sha256(redacted).hexdigest() != file.sha256
    before = np.asarray(Image.open(io.BytesIO(photo)).convert("L"), dtype=np.float64)
    after = np.asarray(Image.open(io.BytesIO(redacted)).convert("L"), dtype=np.float64)
    # The box the researcher confirmed (the detector's) covers the face, and it is blurred.
    [confirmed] = Redaction.objects.get(file=file).boxes
    assert confirmed["origin"] == "detector" and confirmed["style"] == "blur"
    x, y, w, h = (round(confirmed[k]) for k in ("x", "y", "w", "h"))
    assert x <= FACE[0] and y <= FACE[1] and x + w >= FACE[0] + FACE[2] - 10
    face_before, face_after = before[y : y + h, x : x + w], after[y : y + h, x : x + w]
    assert np.abs(face_before - face_after).mean() > 10
    assert sharpness(face_after) < sharpness(face_before) / 3
    # Away from the face the photo is the photo.
    assert np.abs(before[330:500, 300:500] - after[330:500, 300:500]).mean() < 4
    assert visitor.request.get(f"{live_server.url}/evidence/{pdf.pk}/").status == 404
    assert shoot(browser, live_server, f"/evidence/{file.pk}/", "evidence-public")
    assert shoot(browser, live_server, "/evidence/", "evidence-gallery")
    assert blocking_violations(public, "public evidence page") == []
    visitor.close()

    # The original, downloaded by the researcher, is what was uploaded.
    page.goto(f"{live_server.url}/app/files/{file.pk}/")
    page.fill("[data-download-form] input[name=reason]", "Check the original against the copy")
    with page.expect_download() as download:
        page.locator("[data-download-form] button[type=submit]").click()
    assert Path(download.value.path()).read_bytes() == photo
