"""Saved searches: kept under a name, private or shared, counted for each reader at their levels."""

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.documentation.models import Deployment, SavedSearch, SavedSearchVisit


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def save(client, name="Russian deployments", kind="deployments", query="country=RU", **extra):
    return client.post(
        "/app/saved/new/", {"name": name, "kind": kind, "query": query, **extra}, follow=True
    )


def row(client, saved):
    """The saved searches page's row of `saved`, as the reader sees it: (count, new) or None."""
    page = client.get("/app/saved/")
    for found in page.context["searches"]:
        if found.saved.pk == saved.pk:
            return found.count, found.new
    return None


def backdate(saved, user, minutes=10):
    """As if `user` last looked at `saved` some minutes ago (and it was saved before that)."""
    earlier = timezone.now() - dt.timedelta(minutes=minutes)
    SavedSearch.objects.filter(pk=saved.pk).update(created_at=earlier - dt.timedelta(minutes=1))
    SavedSearchVisit.objects.filter(saved_search=saved, user=user).update(last_seen_at=earlier)
    Deployment.objects.update(created_at=earlier - dt.timedelta(minutes=5))


def test_it_saves_a_lists_filters_under_a_name_and_lists_it_with_its_count(rita_client, rita):
    factories.deployment(country="RU")
    factories.deployment(country="RU")
    factories.deployment(country="CN")
    response = save(rita_client, query="country=Russia&page=3&sector=")
    saved = SavedSearch.objects.get()
    # Only the list's own parameters are kept: no page number, no blank filter.
    assert (saved.owner, saved.kind, saved.query, saved.shared) == (
        rita,
        "deployments",
        "country=Russia",
        False,
    )
    assert "Search saved." in response.content.decode()
    assert row(rita_client, saved) == (2, 0)
    assert AuditEntry.objects.filter(
        action=Action.CREATE, target_type="documentation.savedsearch"
    ).exists()


def test_the_list_and_the_search_page_offer_to_save_themselves(rita_client):
    page = rita_client.get("/app/deployments/", {"country": "RU"}).content.decode()
    assert "data-save-search" in page and 'name="query" value="country=RU"' in page
    page = rita_client.get("/app/search/", {"q": "Tynda"}).content.decode()
    assert "data-save-search" in page and 'value="search"' in page
    # A list whose filter names nothing offers nothing to save.
    page = rita_client.get("/app/deployments/", {"country": "Atlantis"}).content.decode()
    assert "data-save-search" not in page


def test_it_counts_what_is_new_since_the_reader_last_looked_and_starts_again_when_opened(
    rita_client, rita
):
    factories.deployment(country="RU")
    save(rita_client)
    saved = SavedSearch.objects.get()
    backdate(saved, rita)
    factories.deployment(country="RU")
    factories.deployment(country="CN")  # not matching: not new to this search
    assert row(rita_client, saved) == (2, 1)
    response = rita_client.get(f"/app/saved/{saved.pk}/")
    assert response.status_code == 302 and response.url == "/app/deployments/?country=RU"
    assert row(rita_client, saved) == (2, 0)


def test_a_shared_search_is_seen_by_the_team_a_private_one_only_by_its_owner(client, rita, andy):
    private = SavedSearch.objects.create(owner=rita, name="Mine", kind="sites", query="")
    shared = SavedSearch.objects.create(
        owner=rita, name="Ours", kind="sites", query="", shared=True
    )
    client.force_login(andy)
    assert row(client, private) is None
    assert row(client, shared) == (0, 0)
    assert client.get(f"/app/saved/{private.pk}/").status_code == 404
    assert client.get(f"/app/saved/{shared.pk}/").status_code == 302
    # Opening a colleague's search is the reader's own visit: the owner's is untouched.
    assert SavedSearchVisit.objects.filter(saved_search=shared, user=andy).exists()
    assert not SavedSearchVisit.objects.filter(saved_search=shared, user=rita).exists()


def test_a_shared_search_counts_only_what_the_reader_may_open(client, rita, andy):
    """Rita holds the confidential compartment and Andy does not: her shared search shows Andy
    the count of the records he may open, never of those hidden from him."""
    client.force_login(rita)
    save(client, shared="on")
    saved = SavedSearch.objects.get()
    backdate(saved, rita)
    factories.deployment(country="RU", access_level=AccessLevel.INTERNAL)
    factories.deployment(country="RU", access_level=AccessLevel.CONFIDENTIAL)
    factories.deployment(country="RU", access_level=AccessLevel.CONFIDENTIAL)
    assert row(client, saved) == (3, 3)
    client.force_login(andy)
    assert row(client, saved) == (1, 1)
    page = client.get("/app/saved/").content.decode()
    assert "Shared by rita" in page


def test_a_saved_search_of_every_kind_counts_at_the_readers_levels(client, rita, andy):
    factories.site("Camp near Tynda", access_level=AccessLevel.INTERNAL)
    factories.site("Depot at Tynda", access_level=AccessLevel.CONFIDENTIAL)
    factories.site("Camp near Vladivostok", access_level=AccessLevel.INTERNAL)
    client.force_login(rita)
    save(client, name="Tynda", kind="search", query="q=Tynda", shared="on")
    saved = SavedSearch.objects.get()
    assert saved.query == "q=Tynda"
    assert row(client, saved) == (2, 0)
    client.force_login(andy)
    assert row(client, saved) == (1, 0)
    assert client.get(f"/app/saved/{saved.pk}/").url == "/app/search/?q=Tynda"


def test_it_refuses_a_search_whose_filter_names_nothing_in_the_lists_own_words(rita_client):
    response = save(rita_client, query="country=Atlantis")
    assert not SavedSearch.objects.exists()
    assert "Unknown country: “Atlantis”" in response.content.decode()
    response = save(rita_client, kind="sources", query="country=RU")
    assert not SavedSearch.objects.exists()
    assert "These records cannot be filtered by country." in response.content.decode()
    response = save(rita_client, name="   ")
    assert not SavedSearch.objects.exists()
    assert "Give the search a name." in response.content.decode()


def test_it_saves_no_page_but_a_list_or_the_search_and_never_a_vault_name(rita_client):
    save(rita_client, kind="names", query="name=Kim+Chol")
    save(rita_client, kind="search", query="")
    assert not SavedSearch.objects.exists()
    # Parameters the page does not read are dropped, a vault name among them.
    save(rita_client, kind="search", query="q=logging&name=Kim+Chol&purpose=check")
    assert SavedSearch.objects.get().query == "q=logging"


def test_a_filter_that_no_longer_holds_is_not_counted_and_opening_it_says_why(rita_client, rita):
    saved = SavedSearch.objects.create(
        owner=rita, name="Old", kind="deployments", query="country=Atlantis"
    )
    assert row(rita_client, saved) == (None, None)
    assert "Its filters no longer hold" in rita_client.get("/app/saved/").content.decode()
    page = rita_client.get(f"/app/saved/{saved.pk}/", follow=True).content.decode()
    assert "Unknown country: “Atlantis”" in page


def test_names_are_shown_escaped(rita_client, rita):
    SavedSearch.objects.create(owner=rita, name="<script>alert(1)</script>", kind="sites")
    page = rita_client.get("/app/saved/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_only_the_owner_renames_or_deletes_a_search(client, rita, andy):
    saved = SavedSearch.objects.create(owner=rita, name="Ours", kind="sites", shared=True)
    client.force_login(andy)
    assert client.post(f"/app/saved/{saved.pk}/edit/", {"name": "Mine now"}).status_code == 404
    assert client.post(f"/app/saved/{saved.pk}/delete/").status_code == 404
    assert "Mine now" not in client.get("/app/saved/").content.decode()
    saved.refresh_from_db()
    assert saved.name == "Ours" and saved.shared
    client.force_login(rita)
    client.post(f"/app/saved/{saved.pk}/edit/", {"name": "Renamed"})
    saved.refresh_from_db()
    assert saved.name == "Renamed" and not saved.shared  # unticked: private again
    client.post(f"/app/saved/{saved.pk}/delete/")
    assert not SavedSearch.objects.exists()


def test_changing_a_search_takes_post_only(rita_client, rita):
    saved = SavedSearch.objects.create(owner=rita, name="Mine", kind="sites")
    assert rita_client.get(f"/app/saved/{saved.pk}/delete/").status_code == 405
    assert SavedSearch.objects.exists()
