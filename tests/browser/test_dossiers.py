"""A dossier from a record's page: made in the background, its page follows the job and offers
the download once the worker is done; the pages at desktop and phone widths."""

import os
from pathlib import Path

import pytest

from tests import factories
from tests.browser.test_content_security_policy import watch_violations
from tests.browser.test_researcher import sign_in
from unseen.accounts.models import AccessLevel
from unseen.dossiers.models import Dossier
from unseen.dossiers.rendering import execute
from unseen.registry.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, tmp_path: Path, name: str) -> None:
    # UNSEEN_SCREENSHOTS=DIR keeps them for a person to look at; otherwise the test's own folder.
    folder = Path(os.environ.get("UNSEEN_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    for width, height, label in ((1280, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_analyst_makes_a_dossier_from_an_organisations_page_and_downloads_it(
    strict_page, live_server, andy, tmp_path
):
    page = strict_page
    violations = watch_violations(page)
    company = Organisation.objects.create(
        name="Mokran LLC", kind="host_employer", access_level=AccessLevel.PUBLIC
    )
    company.add_claim(factories.source("Press report"), 2, "employs workers from the North")
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/organisations/{company.pk}/")
    page.locator("[data-dossier-panel] select[name=language]").select_option("en")
    page.get_by_role("button", name="Make a dossier (PDF)").click()
    page.wait_for_selector("[data-progress-bar]")
    dossier = Dossier.objects.get()
    assert page.url == f"{live_server.url}/app/dossiers/{dossier.pk}/"
    shoot(page, tmp_path, "dossier-queued")

    execute(dossier.pk)  # what `unseen worker` does
    page.wait_for_selector("[data-download]")  # the page reloaded itself once it was done
    dossier.refresh_from_db()
    pages = f"{dossier.pages} page" if dossier.pages == 1 else f"{dossier.pages} pages"
    assert pages in page.locator("[data-download]").inner_text()
    shoot(page, tmp_path, "dossier-done")
    with page.expect_download() as download:
        page.locator("[data-download]").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    page.goto(f"{live_server.url}/app/dossiers/")
    assert page.locator(f'[data-dossier="{dossier.pk}"]').count() == 1
    shoot(page, tmp_path, "dossier-list")
    assert violations == []
