"""The exports page in the browser, under the real Content Security Policy: an analyst asks for
an export, the progress page follows the job and offers the zip; an administrator decides on a
request for a full export on a phone-sized screen."""

import pytest

from tests import factories
from tests.browser.test_content_security_policy import watch_violations
from tests.browser.test_researcher import sign_in
from unseen.publishing import exporting
from unseen.publishing.models import ExportApproval, ExportJob

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("export_key"),
]


@pytest.fixture(autouse=True)
def exports_area(settings, tmp_path):
    settings.UNSEEN_EXPORTS_DIR = tmp_path / "exports"


def test_an_analyst_exports_and_downloads_and_an_administrator_approves_on_a_phone(
    strict_page, live_server, andy, alice
):
    page = strict_page
    violations = watch_violations(page)
    factories.site(access_level="public")
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/exports/")
    page.select_option("#id_level", "public")
    page.click("[data-export-form] button[type=submit]")
    page.wait_for_selector("[data-progress-url]")
    job = ExportJob.objects.get()
    exporting.execute(job.pk)  # what `unseen worker` does; the page reloads itself when done
    page.wait_for_selector("[data-download]")
    assert "SHA-256" in page.inner_text("[data-result]")
    with page.expect_download() as download:
        page.click("[data-result] ~ p [data-download], p [data-download]")
    assert download.value.suggested_filename == f"unseen-export-{job.pk}-public-csv.zip"

    page.goto(f"{live_server.url}/app/exports/")
    page.fill("#id_request-recipient", "UN Panel of Experts")
    page.fill("#id_request-reason", "case file 2026-14")
    page.click("[data-approval-request] button[type=submit]")
    page.wait_for_selector("[data-requests]:has-text('waiting for an administrator')")

    page.context.clear_cookies()  # Alice, another person, decides on Andy's request
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/app/exports/approvals/")
    page.click("[data-approve]")
    page.wait_for_selector("text=Approved: the requester may make this full export once.")
    assert ExportApproval.objects.get().state == "approved"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the approvals page is {width}px wide on a phone"
    assert violations == []
