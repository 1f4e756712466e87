"""Screenshots of the main pages at a laptop's and a phone's size, for a person to look at.

They are written to var/screenshots/ (not committed; UNSEEN_SCREENSHOTS names another folder):
the home page, a deployment record, search results and the moderation queue, each at 1366×900
and 390×844. The test checks each one is a whole page at that width, not a blank or cut one.
"""

import os
from pathlib import Path

import pytest

from tests.browser.test_accessibility import demo_records, settle, sign_in
from unseen.documentation.models import Deployment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
FOLDER = Path(
    os.environ.get("UNSEEN_SCREENSHOTS") or Path(__file__).parents[2] / "var" / "screenshots"
)


def shoot(page, url: str, name: str, size: str) -> Path:
    from PIL import Image, ImageStat

    page.goto(url)
    settle(page)
    path = FOLDER / f"{name}-{size}.png"
    page.screenshot(path=str(path), full_page=True)
    with Image.open(path) as image:
        assert image.width == SIZES[size]["width"], f"{path.name} is {image.width} px wide"
        assert image.height >= SIZES[size]["height"], path.name
        # A blank page is one colour: its pixels do not vary.
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 5, f"{path.name} looks blank"
    return path


@pytest.mark.parametrize("size", SIZES)
def test_it_saves_screenshots_of_the_main_pages(browser, live_server, rita, mona, size):
    demo_records()
    FOLDER.mkdir(parents=True, exist_ok=True)
    deployment = Deployment.objects.filter(host_country="RU").order_by("pk").first()
    context = browser.new_context(locale="en-GB", bypass_csp=True, viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    saved = [shoot(page, f"{base}/", "home", size)]
    sign_in(page, live_server, "rita")
    saved.append(shoot(page, f"{base}/app/deployments/{deployment.pk}/", "deployment", size))
    saved.append(shoot(page, f"{base}/app/search/?q=logging+Russia", "search", size))
    context.clear_cookies()
    sign_in(page, live_server, "mona")
    saved.append(shoot(page, f"{base}/app/moderation/", "moderation-queue", size))
    context.close()
    print("Screenshots:", ", ".join(str(path) for path in saved))
