"""A researcher uploads several evidence files from a source's page, with and without JavaScript."""

import hashlib

import pytest

from tests import factories
from tests.browser.test_researcher import sign_in
from unseen.accounts.models import AccessLevel
from unseen.files.models import EvidenceFile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def roster_pdf() -> bytes:
    """A sound PDF of about 300 KB (a page of noise), so the progress bar has something to show."""
    import io
    import random

    import pymupdf
    from PIL import Image

    noise = random.Random(19).randbytes(320 * 320 * 3)
    picture = io.BytesIO()
    Image.frombytes("RGB", (320, 320), noise).save(picture, "PNG")
    document = pymupdf.open()
    page = document.new_page()
    page.insert_text((72, 72), "Roster of a crew (synthetic)")
    page.insert_image(pymupdf.Rect(72, 100, 392, 420), stream=picture.getvalue())
    return document.tobytes()


PDF = roster_pdf()


def upload_two(page, live_server, source) -> str:
    photo = factories.jpeg_with_gps()
    page.goto(f"{live_server.url}/app/sources/{source.pk}/")
    page.set_input_files(
        "#upload-files",
        [
            {"name": "roster.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "site.png", "mimeType": "image/png", "buffer": photo},
        ],
    )
    page.click("[data-upload-form] button[type=submit]")
    page.wait_for_url(f"**/app/files/upload/sources/{source.pk}/")
    page.wait_for_selector("[data-upload-results]")
    results = page.locator("[data-upload-results]").inner_text()
    for data in (PDF, photo):
        assert hashlib.sha256(data).hexdigest() in results
    assert "application/pdf" in results and "image/jpeg" in results
    return results


def test_files_uploaded_with_the_progress_bar_under_the_content_security_policy(
    strict_page, live_server, rita
):
    source = factories.source("Leaked roster", access_level=AccessLevel.INTERNAL)
    sign_in(strict_page, live_server)
    errors: list[str] = []
    strict_page.on("pageerror", lambda error: errors.append(str(error)))
    strict_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sent: list[str] = []
    strict_page.on(
        "request",
        lambda r: (
            sent.append(r.resource_type) if r.method == "POST" and "/upload/" in r.url else None
        ),
    )
    upload_two(strict_page, live_server, source)
    assert sent == ["xhr"]  # sent by upload.js, which shows the bytes sent as they go
    assert errors == []
    assert EvidenceFile.objects.count() == 2
    # Again: the same bytes are linked, not stored twice, and the page says so.
    results = upload_two(strict_page, live_server, source)
    assert results.count("linked here too") == 2
    assert EvidenceFile.objects.count() == 2


def test_a_plain_form_post_works_without_javascript(browser, live_server, rita):
    source = factories.source("Leaked roster", access_level=AccessLevel.INTERNAL)
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server)
        upload_two(page, live_server, source)
    finally:
        context.close()
    assert EvidenceFile.objects.count() == 2
