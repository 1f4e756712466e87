"""Acceptance for public intake (#7): report with a photo, moderate, see it on the public map."""

import io

import pytest
from PIL import Image

from tests.conftest import PASSWORD
from tests.factories import jpeg_with_gps
from unseen.documentation.models import Sighting
from unseen.intake import attachments
from unseen.intake.images import has_metadata
from unseen.intake.models import Status, Submission, Upload
from unseen.intake.promotion import coarsen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAT, LON = 47.91837, 106.91752  # where the reporter stood


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_public_sighting_travels_from_the_form_to_the_public_map(browser, live_server, mona):
    visitor = browser.new_context(locale="en-GB")
    page = visitor.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/report/")
    assert page.locator("a[href='/report/privacy/']").count() >= 1
    page.fill("#id_description", "About 40 Korean workers in blue overalls on a tower block site")
    page.fill("#id_place", "Ulaanbaatar, near the 3rd district market")
    page.fill("#id_country", "Mongolia")
    page.fill("#id_latitude", str(LAT))
    page.fill("#id_longitude", str(LON))
    page.fill("#id_observed_from", "2026-03-01")
    page.fill("#id_workers_low", "30")
    page.fill("#id_workers_high", "50")
    page.fill("#id_work_kind", "construction")
    page.set_input_files(
        "#id_photos", {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    )
    page.wait_for_timeout(4200)  # a person takes a few seconds; robots do not
    page.click("form.intake-form button[type=submit]")
    receipt = page.locator("[data-receipt]").inner_text()
    assert len(receipt) == 14

    # Obvious spam, sent back at once.
    page.goto(f"{live_server.url}/report/")
    page.fill(
        "#id_description",
        "CHEAP VIAGRA and casino bonus!!! buy now http://spam.example http://spam2.example",
    )
    page.click("form.intake-form button[type=submit]")
    page.wait_for_selector("[data-receipt]")
    visitor.close()

    real = Submission.objects.get(description__startswith="About 40")
    junk = Submission.objects.get(description__startswith="CHEAP")
    upload = Upload.objects.get()
    stored = attachments.read(upload, user=mona)
    assert not has_metadata(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert len(image.getexif()) == 0

    moderator = browser.new_context(locale="en-GB")
    page = moderator.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "mona")
    page.goto(f"{live_server.url}/app/moderation/")
    junk_score = float(page.get_attribute(f"tr[data-submission='{junk.pk}']", "data-score"))
    real_score = float(page.get_attribute(f"tr[data-submission='{real.pk}']", "data-score"))
    assert junk_score >= 0.9 > 0.5 > real_score
    page.check(f"tr[data-submission='{junk.pk}'] input[name=ids]")
    page.select_option("select[name=action]", "spam")
    page.click("button[name=bulk]")
    page.wait_for_selector(".messages")
    junk.refresh_from_db()
    assert junk.status == Status.SPAM

    page.click(f"tr[data-submission='{real.pk}'] a")
    # The click navigates: wait for the submission's page before counting what it shows.
    page.wait_for_url(f"**/app/moderation/{real.pk}/")
    page.locator("img[data-upload]").first.wait_for()
    assert page.locator("img[data-upload]").count() == 1
    # #14: nothing is published until the moderator writes the public text and ticks the box.
    assert not page.is_checked("#id_publish")
    assert page.is_checked("input[name=observed_precision][value=month]")
    assert page.input_value("#id_public_description") == ""
    assert page.get_attribute("#id_public_description", "required") is not None
    page.fill("#id_public_place_label", "Ulaanbaatar")
    page.fill("#id_public_description", "About 40 workers on a tower block site.")
    page.check("#id_publish")
    page.click("button[name=approve]")
    page.wait_for_selector(".messages li.success")
    sighting = Sighting.objects.get()
    assert (sighting.latitude, sighting.longitude) == coarsen(LAT, LON, 10)
    moderator.close()

    public = browser.new_context(locale="en-GB")
    page = public.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("[data-map][data-state=ready]")
    assert page.locator(f"[data-sighting='{sighting.pk}']").count() == 1
    data = page.request.get(f"{live_server.url}/map/data.json").json()
    (drawn,) = [s for s in data["sightings"] if s["id"] == sighting.pk]
    assert (drawn["lat"], drawn["lon"]) == coarsen(LAT, LON, 10)
    assert drawn["radius_m"] == 10_000 and drawn["label"] == "Ulaanbaatar"
    page.click("details.map-table summary")
    row = page.locator(".map-table-body tr", has_text="Ulaanbaatar")
    assert "within 10 km" in row.inner_text()
    assert str(LAT) not in page.content() and str(LON) not in page.content()
    assert "3rd district market" not in page.content()
    public.close()


def test_a_comment_is_approved_in_the_browser_and_shown_on_its_page(browser, live_server, mona):
    """#17 item 6: the moderator's approve button publishes a comment (no sighting fields)."""
    visitor = browser.new_context(locale="en-GB")
    page = visitor.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/")
    page.fill("form.comment-form textarea[name=body]", "We saw them at the port in May")
    page.fill("form.comment-form input[name=name]", "Ji-ho")
    page.wait_for_timeout(4200)
    page.click("form.comment-form button[type=submit]")
    page.wait_for_selector("#comments .messages li.success")
    comment = Submission.objects.get(description="We saw them at the port in May")

    moderator = browser.new_context(locale="en-GB")
    mpage = moderator.new_page()
    mpage.set_default_timeout(15_000)
    sign_in(mpage, live_server, "mona")
    mpage.goto(f"{live_server.url}/app/moderation/{comment.pk}/")
    assert mpage.locator("#id_public_description").count() == 0
    mpage.click("button[name=approve]")
    mpage.wait_for_selector(".messages li.success")
    assert "Choose how coarse" not in mpage.content()
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    moderator.close()

    page.goto(f"{live_server.url}/")
    shown = page.locator(f"article[data-comment='{comment.pk}']")
    assert "We saw them at the port in May" in shown.inner_text()
    assert "Ji-ho" in shown.inner_text()
    visitor.close()


def test_a_korean_reporter_chooses_china_and_the_report_arrives_with_country_cn(
    browser, live_server, mona
):
    """#17: the form in Korean offers countries by their Korean names; 중국 arrives as CN."""
    reporter = browser.new_context(locale="ko-KR")
    page = reporter.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/report/")
    assert page.locator("html").get_attribute("lang") == "ko"
    menu = page.locator("#id_country-countries option[value='중국']")
    assert menu.count() == 1 and page.get_attribute("#id_country", "list") == "id_country-countries"
    page.fill("#id_description", "벌목장 근처에서 북한 노동자 약 20명을 보았습니다")
    page.fill("#id_country", "중국")
    assert page.get_attribute("#id_observed_from", "type") == "date"
    page.fill("#id_observed_from", "2026-03-01")
    page.click("form.intake-form button[type=submit]")
    page.wait_for_selector("[data-receipt]")
    # Reloading the receipt page sends nothing again; the code, shown once, is not shown again.
    page.reload()
    page.wait_for_selector("[data-receipt-gone]")
    assert page.url.endswith("/report/received/")
    assert Submission.objects.count() == 1
    reporter.close()

    submission = Submission.objects.get()
    assert submission.country == "CN" and submission.status == Status.PENDING
    moderator = browser.new_context(locale="en-GB")
    page = moderator.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "mona")
    page.goto(f"{live_server.url}/app/moderation/")
    row = page.locator(f"tr[data-submission='{submission.pk}']")
    assert row.locator("td").nth(4).inner_text().strip() == "China"  # named, not coded
    moderator.close()
