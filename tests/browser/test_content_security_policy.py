"""Pages keep working under the Content Security Policy: the browser reports no violation."""

import pytest

from tests.conftest import PASSWORD
from unseen.accounts.models import AccessLevel
from unseen.demo.loading import DEPLOYMENTS_CSV
from unseen.documentation.importing import import_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_violations(page):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_it_shows_public_and_staff_pages_without_a_policy_violation(
    strict_page, live_server, alice
):
    import_file(
        DEPLOYMENTS_CSV,
        "deployments",
        default_access_level=AccessLevel.PUBLIC,
        published_elsewhere=True,  # published figures, as the demo loads them
    )
    page = strict_page
    violations = watch_violations(page)
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("[data-map][data-state=ready]")
    page.goto(f"{live_server.url}/report/")
    sign_in(page, live_server, "alice")
    for path in ["/app/", "/app/map/", "/app/charts/", "/app/indicators/", "/admin/"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert violations == []


def test_it_switches_language_with_the_static_script(strict_page, live_server):
    page = strict_page
    page.goto(f"{live_server.url}/accounts/login/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "ko")
    assert page.locator("html").get_attribute("lang") == "ko"
