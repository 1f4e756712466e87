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


def sign_in(client, username: str, **query: str):
    return client.post(
        reverse("accounts:login") + ("?next=" + query["next"] if query else ""),
        {"username": username, "password": "correct horse battery staple"},
    )


def test_a_moderator_lands_on_the_moderation_queue(client, mona):
    response = sign_in(client, "mona")
    assert response.status_code == 302 and response["Location"] == "/app/moderation/"


def test_a_researcher_lands_on_the_workspace(client, rita):
    response = sign_in(client, "rita")
    assert response.status_code == 302 and response["Location"] == "/app/"


def test_a_moderator_asking_for_a_page_still_gets_it(client, mona):
    response = sign_in(client, "mona", next="/app/")
    assert response["Location"] == "/app/"


def test_the_workspace_links_a_moderator_to_the_queue(client, mona):
    client.force_login(mona)
    html = client.get("/app/").content.decode()
    assert 'href="/app/moderation/"' in html
    assert "no records to browse" not in html


def test_the_workspace_links_an_administrator_to_every_part_of_the_work(client, alice):
    client.force_login(alice)
    html = client.get("/app/").content.decode()
    work = html[html.index("data-work") :]
    for target in ("/app/moderation/", "/app/estimates/", "/app/linkage/", "/app/audit/persons/"):
        assert f'href="{target}"' in work


def test_a_persons_page_links_an_administrator_to_their_access_report(client, alice, rita):
    from unseen.registry.models import Person

    person = Person.objects.create()
    page = f"/app/persons/{person.pk}/"
    client.force_login(alice)
    html = client.get(page).content.decode()
    report = reverse("audit:person_report", args=[person.pseudonym])
    assert f'href="{report}" data-access-report-link' in html
    assert client.get(report).status_code == 200

    client.force_login(rita)  # a researcher holds no audit capability
    html = client.get(page).content.decode()
    assert "data-access-report-link" not in html
    assert 'class="breadcrumbs"' in html


def test_flash_messages_are_styled_and_announced(rf, rita):
    from django.contrib import messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.template.loader import render_to_string

    request = rf.get("/app/")
    request.user, request.session = rita, SessionStore()
    request._messages = FallbackStorage(request)
    messages.success(request, "Saved.")
    messages.error(request, "Refused.")
    html = render_to_string("ui/base.html", request=request)
    assert '<li class="message success" role="status">Saved.</li>' in html
    assert '<li class="message error" role="alert">Refused.</li>' in html
    assert html.index('class="skip-link" href="#main"') < html.index("<header")
    assert '<main id="main"' in html
