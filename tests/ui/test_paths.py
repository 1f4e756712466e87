"""Paths for every role (#17 item 4): what each page links to, and where each role lands."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PUBLIC_LINKS = ("/", "/report/", "/estimates/", "/revenue/", "/report/privacy/")


def links_in(html: str, nav_class: str) -> str:
    start = html.index(f'class="{nav_class}')
    return html[start : html.index("</nav>", start)]


@pytest.mark.parametrize("path", ["/", "/report/", "/estimates/", "/revenue/"])
def test_every_public_page_links_to_every_public_page(client, path):
    nav = links_in(client.get(path).content.decode(), "public-nav")
    for target in PUBLIC_LINKS:
        assert f'href="{target}"' in nav


def test_the_public_navigation_is_there_for_staff_too(client, rita):
    client.force_login(rita)
    nav = links_in(client.get("/app/").content.decode(), "public-nav")
    assert 'href="/report/"' in nav


def test_moderation_pages_have_the_staff_navigation(client, mona):
    client.force_login(mona)
    nav = links_in(client.get("/app/moderation/").content.decode(), "subnav staff-nav")
    assert 'href="/app/"' in nav
    assert 'href="/app/moderation/" aria-current="page"' in nav
    assert "/app/audit/" not in nav  # a moderator holds no audit capability


def test_audit_pages_have_the_staff_navigation(client, alice):
    client.force_login(alice)
    nav = links_in(client.get("/app/audit/persons/").content.decode(), "subnav staff-nav")
    assert 'href="/app/moderation/"' in nav
    assert f'href="{reverse("audit:person_report_lookup")}" aria-current="page"' in nav
