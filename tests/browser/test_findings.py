"""#21 acceptance: an analyst drafts a finding embedding a published estimate, a second person
reviews and publishes it, a visitor comments, a moderator approves, the comment shows; a
correction appears as a dated note.

Screenshots of the finding page and the app pages at 1366×900 and 390×844 go to
var/screenshots/findings/ (UNSEEN_SCREENSHOTS names another folder), for a person to look at.
"""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from tests import factories
from unseen.estimation.publication import set_published
from unseen.findings.models import Finding, Status
from unseen.intake.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
FOLDER = (
    Path(os.environ.get("UNSEEN_SCREENSHOTS") or Path(__file__).parents[2] / "var" / "screenshots")
    / "findings"
)


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery staple")
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # each role lands elsewhere


def shoot(page, name):
    FOLDER.mkdir(parents=True, exist_ok=True)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(FOLDER / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size(SIZES["desktop"])


def context(browser):
    opened = browser.new_context(locale="en-GB")
    page = opened.new_page()
    page.set_default_timeout(15_000)
    return opened, page


def test_a_finding_is_drafted_reviewed_published_commented_and_corrected(
    browser, live_server, andy, rita, mona
):
    run = set_published(
        factories.estimate_run("Workers seen on three lists", access_level="public"), True
    )
    slug = "three-lists"

    # andy, an analyst, drafts it and sends it for review; he cannot publish it
    writer, page = context(browser)
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/findings/new/")
    page.fill("#id_slug", slug)
    page.fill("#id_title_en", "What three lists tell us")
    page.fill("#id_summary_en", "Three overlapping lists, one estimate with its interval.")
    page.fill(
        "#id_body_en",
        f"Three lists of workers overlap.\n\n{{{{estimate {run.pk}}}}}\n\nRead the trail.",
    )
    page.click("form.finding-form button[type=submit]")
    page.wait_for_url(f"**/app/findings/{slug}/")
    assert page.locator("[data-problems]").count() == 0
    shoot(page, "app-preview-draft")
    page.click("button[name=submit]")
    page.wait_for_selector(".messages li.success")
    assert page.locator("[data-status]").get_attribute("data-status") == "in_review"
    assert page.locator("form[action$='/review/']").count() == 0
    page.goto(f"{live_server.url}/app/findings/")
    shoot(page, "app-list")
    writer.close()

    # rita, a researcher, reviews and publishes it
    reviewer, page = context(browser)
    sign_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/app/findings/{slug}/")
    shoot(page, "app-review")
    page.check("input[name=decision][value=approve]")
    page.click("form[action$='/review/'] button[type=submit]")
    page.wait_for_url(f"**/findings/{slug}/")
    finding = Finding.objects.get(slug=slug)
    assert finding.status == Status.PUBLISHED and finding.reviewer == rita
    reviewer.close()

    # a visitor reads it, with the estimate's interval and its trail, and comments
    visitor, page = context(browser)
    page.goto(f"{live_server.url}/findings/{slug}/")
    embed = page.locator("[data-embed=estimate]")
    assert embed.locator("[data-interval]").count() >= 1
    assert (
        embed.locator("a", has_text="How we know").get_attribute("href") == f"/estimates/{run.pk}/"
    )
    page.fill("form.comment-form textarea[name=body]", "The port records say the same.")
    page.fill("form.comment-form input[name=name]", "Ji-ho")
    page.wait_for_timeout(4200)  # a person takes a few seconds; robots do not
    page.click("form.comment-form button[type=submit]")
    page.wait_for_selector("#comments .messages li.success")
    comment = Submission.objects.get(description="The port records say the same.")
    assert comment.topic == slug and page.locator(f"[data-comment='{comment.pk}']").count() == 0

    # mona, a moderator, sees which finding it is on and approves it
    moderator, mpage = context(browser)
    sign_in(mpage, live_server, "mona")
    mpage.goto(f"{live_server.url}/app/moderation/")
    assert mpage.locator(f"[data-topic='{slug}']").count() == 1
    shoot(mpage, "moderation-queue")
    mpage.goto(f"{live_server.url}/app/moderation/{comment.pk}/")
    mpage.click("button[name=approve]")
    mpage.wait_for_selector(".messages li.success")
    moderator.close()

    page.reload()
    assert (
        "The port records say the same."
        in page.locator(f"[data-comment='{comment.pk}']").inner_text()
    )

    # a correction is appended as a dated note; the text stays as published
    writer, wpage = context(browser)
    sign_in(wpage, live_server, "andy")
    wpage.goto(f"{live_server.url}/app/findings/{slug}/correct/")
    wpage.fill("#id_text_en", "The interval is a 95% interval; an earlier caption said 90%.")
    wpage.click("main form button[type=submit]")
    wpage.wait_for_url(f"**/findings/{slug}/")
    writer.close()
    page.reload()
    note = page.locator("[data-correction]")
    today = timezone.localdate().isoformat()
    assert note.locator("time").get_attribute("datetime") == today
    assert "an earlier caption said 90%" in note.inner_text()
    assert "Three lists of workers overlap." in page.locator(".finding-body").inner_text()
    shoot(page, "finding")
    page.goto(f"{live_server.url}/findings/{slug}/print/")
    shoot(page, "finding-print")
    visitor.close()


def test_the_demo_finding_draws_its_charts_map_and_estimate(browser, live_server):
    """The demo article as the public sees it (screenshots), and its PDF beside them."""
    from unseen.accounts.models import AccessLevel
    from unseen.demo.findings import PUBLISHED_SLUG, load_findings
    from unseen.demo.loading import DEPLOYMENTS_CSV, ensure_logins
    from unseen.documentation.importing import import_file

    import_file(
        DEPLOYMENTS_CSV,
        "deployments",
        default_access_level=AccessLevel.PUBLIC,
        published_elsewhere=True,
    )
    ensure_logins()
    load_findings()
    visitor, page = context(browser)
    page.goto(f"{live_server.url}/findings/{PUBLISHED_SLUG}/")
    for kind in ("estimate", "chart", "map", "record"):
        assert page.locator(f"[data-embed={kind}]").count() == 1, kind
    assert page.locator("[data-embed=chart] svg rect").count() >= 3
    page.set_viewport_size(SIZES["phone"])
    wider = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => {  // inside a box that scrolls or clips, it does not widen the page
                for (let a = e.parentElement; a; a = a.parentElement) {
                    if (getComputedStyle(a).overflowX !== 'visible') return false;
                }
                return true;
            })
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    assert wider == [], wider  # nothing on a phone makes the page scroll sideways
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SIZES["phone"]["width"]
    shoot(page, "demo-finding")
    response = page.request.get(f"{live_server.url}/findings/{PUBLISHED_SLUG}/pdf")
    assert response.body().startswith(b"%PDF")
    FOLDER.mkdir(parents=True, exist_ok=True)
    (FOLDER / "demo-finding.pdf").write_bytes(response.body())
    visitor.close()

    korean = browser.new_context(locale="ko-KR")
    page = korean.new_page()
    page.goto(f"{live_server.url}/findings/{PUBLISHED_SLUG}/")
    assert "허가는 줄었지만" in page.locator("h1").inner_text()
    shoot(page, "demo-finding-ko")
    korean.close()
