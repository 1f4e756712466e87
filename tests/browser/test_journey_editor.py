"""The journey editor in the browser (#23): a researcher records a journey with three deployments
(three host sites in three countries) and an escape on one page, sees the flows' Sankey change,
sees it on the testimony's page, and switching to Korean keeps her on that page with the same
journey.

With UNSEEN_WALK set, it also leaves screenshots of the editor at 1280 and 390 px wide in
var/screenshots/journey-editor/ (UNSEEN_SCREENSHOTS names another folder), for a person's eyes.
"""

import os
from pathlib import Path

import pytest

from tests import factories
from tests.browser.test_accessibility import check
from tests.browser.test_files_walk import korean_with_new_strings  # noqa: F401  (a fixture)
from tests.browser.test_layout import PHONE, overflowing
from tests.browser.test_researcher import sign_in
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Testimony
from unseen.evidence.models import Source, SourceKind
from unseen.journeys.models import JourneyEvent, JourneyIndicator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTS = [
    ("Logging camp near Tynda (synthetic)", "RU", "2015", "A"),
    ("Shipyard in Dalian (synthetic)", "CN", "2017-03", "C"),
    ("Tower block in Dubai (synthetic)", "AE", "2018-09", "F"),
]
FOLDER = (
    Path(os.environ.get("UNSEEN_SCREENSHOTS") or Path(__file__).parents[2] / "var" / "screenshots")
    / "journey-editor"
)


def make_testimony() -> Testimony:
    source = Source.objects.create(
        title="Interview J-1 (synthetic)", kind=SourceKind.INTERVIEW, access_level="internal"
    )
    return Testimony.objects.create(
        source=source,
        summary="A synthetic testimony of three deployments and an escape.",
        consent_to_use=True,
        access_level=AccessLevel.INTERNAL,
    )


def choose_stage(page, stage: str) -> None:
    page.select_option("#id_add", stage)
    page.click("[data-choose-stage]")
    page.wait_for_selector("[data-add-event]")


def add_step(page) -> None:
    with page.expect_navigation():
        page.click("[data-add-event] button[type=submit]")


def pick_site(page, name: str) -> None:
    box = page.locator("#id_new-site")
    box.press_sequentially(name.split()[0])
    page.locator("#id_new-site-listbox [role=option]", has_text=name).click()


def record_journey(page, live_server, testimony) -> None:
    page.goto(f"{live_server.url}/app/testimonies/{testimony.pk}/journey/")
    assert page.locator("[data-journey-empty]").is_visible()
    for name, country, start, sector in HOSTS:
        choose_stage(page, "deployment")
        page.fill("#id_new-date_start", start)
        page.fill("#id_new-country", country)
        page.fill("#id_new-place", name.split(" (")[0])
        pick_site(page, name)
        page.select_option("#id_new-sector", sector)
        page.select_option("#id_new-organisation_role", "exploiter")
        add_step(page)
    choose_stage(page, "exit")
    # A field left wrong comes back with its error and everything else kept.
    page.fill("#id_new-date_start", "2019-14")
    page.select_option("#id_new-exit_kind", "escape")
    page.fill("#id_new-place", "Dubai airport")
    add_step(page)
    assert page.locator("[data-add-event] .errors").count() >= 1
    assert page.input_value("#id_new-place") == "Dubai airport"
    page.fill("#id_new-date_start", "2019-04")
    add_step(page)

    events = page.locator("[data-journey-editor] > li")
    assert events.count() == 4
    outcome, violations = check(page, page.url.split("#")[0] + "?add=vetting", "journey editor")
    assert outcome == "checked" and violations == []
    # The passports were kept at the second site: an indicator with its passage.
    second = events.nth(1)
    second.locator("[data-add-indicator] > summary").click()
    second.locator("select[name$=-indicator]").select_option("retention_of_documents")
    second.locator("textarea[name$=-passage]").fill("p. 7: the manager kept our passports")
    with page.expect_navigation():
        second.locator("[data-add-indicator] button[type=submit]").click()


def test_a_researcher_records_three_deployments_and_an_escape(
    page,
    live_server,
    rita,
    korean_with_new_strings,  # noqa: F811
):
    testimony = make_testimony()
    for name, country, _start, _sector in HOSTS:
        factories.site(name, country=country)
    # Two escapes told before: under k = 3 the flows withhold them; the third makes them show.
    for _ in range(2):
        earlier = make_testimony()
        JourneyEvent.objects.create(testimony=earlier, position=0, stage="deployment",
                                    country="AE", sector="F")  # fmt: skip
        JourneyEvent.objects.create(testimony=earlier, position=1, stage="exit",
                                    exit_kind="escape")  # fmt: skip
    sign_in(page, live_server, "rita")
    flows = f"{live_server.url}/app/journeys/flows/?k=3"
    page.goto(flows)
    before = page.locator("main").inner_text()
    assert "Journeys as flows" in before and "Escaped" not in before

    record_journey(page, live_server, testimony)

    # The Sankey now holds the three journeys, and its table names where they ended.
    page.goto(flows)
    page.wait_for_selector("table[aria-labelledby=sankey-title]")
    assert "Escaped" in page.locator("table[aria-labelledby=sankey-title]").inner_text()

    recorded = list(JourneyEvent.objects.filter(testimony=testimony).order_by("position"))
    assert [e.stage for e in recorded] == ["deployment"] * 3 + ["exit"]
    assert [e.country for e in recorded[:3]] == ["RU", "CN", "AE"]
    assert len({e.site_id for e in recorded[:3]}) == 3
    assert recorded[3].exit_kind == "escape"
    assert JourneyIndicator.objects.get().event == recorded[1]

    page.goto(f"{live_server.url}/app/testimonies/{testimony.pk}/")
    timeline = page.locator("[data-journey] [data-journey-event]")
    assert timeline.count() == 4
    text = page.locator("[data-journey]").inner_text()
    for name, _country, _start, _sector in HOSTS:
        assert name in text
    assert "Russia" in text and "China" in text and "United Arab Emirates" in text
    assert "Escaped" in text and "the manager kept our passports" in text
    assert "March 2017" in text and "2015" in text

    here = page.url
    with page.expect_navigation():
        page.select_option("select[name=language]", "ko")
    assert page.url == here
    assert page.locator("html").get_attribute("lang") == "ko"
    text = page.locator("[data-journey]").inner_text()
    assert page.locator("[data-journey] [data-journey-event]").count() == 4
    assert "탈출" in text and "러시아" in text and "중국" in text
    assert "파견" in text and "the manager kept our passports" in text
    page.click("[data-edit-journey]")
    page.wait_for_url(f"**/app/testimonies/{testimony.pk}/journey/")
    assert page.locator("[data-journey-editor] > li").count() == 4
    # On a phone, nothing of the editor scrolls sideways.
    page.set_viewport_size(PHONE)
    assert overflowing(page, page.url.split("#")[0] + "?add=vetting") == []


@pytest.mark.skipif(not os.environ.get("UNSEEN_WALK"), reason="screenshots to look at")
@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_the_editor(
    browser,
    live_server,
    rita,
    width,
    korean_with_new_strings,  # noqa: F811
):
    testimony = make_testimony()
    for name, country, _start, _sector in HOSTS:
        factories.site(name, country=country)
    context = browser.new_context(
        locale="en-GB", bypass_csp=True, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "rita")
    record_journey(page, live_server, testimony)
    FOLDER.mkdir(parents=True, exist_ok=True)
    editor = f"{live_server.url}/app/testimonies/{testimony.pk}/journey/"
    assert overflowing(page, editor) == [] or width > 390
    page.goto(f"{editor}?add=vetting#add")
    page.locator("[data-journey-editor] > li").nth(1).locator("[data-edit-event] > summary").click()
    page.screenshot(path=str(FOLDER / f"editor-{width}.png"), full_page=True)
    page.goto(f"{live_server.url}/app/testimonies/{testimony.pk}/")
    page.screenshot(path=str(FOLDER / f"testimony-{width}.png"), full_page=True)
    with page.expect_navigation():
        page.select_option("select[name=language]", "ko")
    response = page.goto(editor)
    assert response is not None and response.status == 200, response and response.status
    page.screenshot(path=str(FOLDER / f"editor-ko-{width}.png"), full_page=True)
    context.close()
