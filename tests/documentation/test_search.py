"""The search index and the search page: words across fields and languages, facets, filters,
access (as a hostile reader), and the vault's name lookup."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.documentation import indexing, searching
from unseen.documentation.models import SearchEntry
from unseen.evidence.models import Credibility
from unseen.registry import vault
from unseen.registry.models import Person, PersonIdentity
from unseen.registry.vault import Identity, store_identity

pytestmark = pytest.mark.django_db

SEARCH = reverse("documentation:search")


def found(user, q="", **filters):
    results = searching.run(searching.parse({"q": q, **filters}), user)
    return results


def titles(results):
    return [hit.title for hit in results.hits]


@pytest.fixture
def records():
    russia = factories.deployment(country="RU", sector="logging (Amur)", year=2009)
    china = factories.deployment(country="CN", sector="seafood processing", year=2017)
    secret = factories.deployment(
        country="RU", sector="logging", year=2012, access_level=AccessLevel.CONFIDENTIAL
    )
    return {"russia": russia, "china": china, "secret": secret}


def test_every_save_writes_an_entry_and_every_delete_removes_it(records):
    entry = SearchEntry.objects.get(kind="deployments", object_id=records["russia"].pk)
    assert "러시아" in entry.body and "russia" in entry.body and "벌목" in entry.body
    assert (entry.country, entry.sectors, entry.year) == ("RU", "|logging|", 2009)
    records["russia"].sector = "construction"
    records["russia"].save()
    entry = SearchEntry.objects.get(kind="deployments", object_id=records["russia"].pk)
    assert entry.sectors == "|construction|"
    records["russia"].delete()
    assert not SearchEntry.objects.filter(kind="deployments", object_id=records["russia"].pk)


@pytest.mark.parametrize("q", ["logging Russia", "벌목 러시아", "Russia logging", "russia 벌목"])
def test_words_match_across_fields_in_either_language(alice, records, q):
    results = found(alice, q)
    assert {hit.url for hit in results.hits} == {
        reverse("documentation:detail", args=["deployments", records[name].pk])
        for name in ("russia", "secret")
    }


def test_every_word_must_match(alice, records):
    assert found(alice, "logging China").hits == []
    assert len(found(alice, "seafood 중국").hits) == 1


def test_a_korean_word_is_found_inside_a_compound(alice):
    source = factories.source("하바롭스크 벌목장 노동자 증언")
    assert titles(found(alice, "벌목장")) == [source.title]
    # Two letters cannot use the trigram index: the bigram tokens find them.
    assert titles(found(alice, "벌목 하바")) == [source.title]


def test_a_two_letter_korean_word_inside_a_compound_is_a_token(alice):
    source = factories.source("하바롭스크 벌목장 임금체불 증언")
    entry = SearchEntry.objects.get(kind="sources", object_id=source.pk)
    assert {"임금", "금체", "체불"} <= set(entry.tokens.split())
    with CaptureQueriesContext(connection) as queries:
        assert titles(found(alice, "임금")) == [source.title]
    # An exact token of the index, not a scan of every text for a substring.
    assert not any("LIKE" in query["sql"].upper() for query in queries.captured_queries)
    assert titles(found(alice, "체불 logging")) == []
    # Letters of the text that are not next to each other are no word of it.
    assert titles(found(alice, "벌장")) == []
    assert titles(found(alice, "여권")) == []


def test_counts_past_the_cap_say_they_are_of_the_first_matches(client, alice, monkeypatch):
    for n in range(4):
        factories.source(f"Amur timber report {n}")
    monkeypatch.setattr(searching, "CANDIDATES", 3)
    results = found(alice, "amur")
    assert results.capped and results.total == 3 and len(results.hits) == 3
    assert sum(facet.count for facet in dict((n, v) for n, _, v in results.facets)["kind"]) == 3
    client.force_login(alice)
    text = client.get(SEARCH, {"q": "amur"}).content.decode()
    assert "More than 3 matches: the counts are of the first 3." in text
    monkeypatch.setattr(searching, "CANDIDATES", 10)
    text = client.get(SEARCH, {"q": "amur"}).content.decode()
    assert "More than" not in text and "4 matches" in text


def test_title_matches_rank_first(alice):
    in_notes = factories.source("Report A")
    in_notes.notes = "mentions Tynda"
    in_notes.save()
    in_title = factories.source("Tynda logging camp")
    assert titles(found(alice, "tynda")) == [in_title.title, in_notes.title]


def test_claims_sites_and_related_names_are_searched(alice):
    site = factories.site("Amur Timber Yard", country="RU", access_level=AccessLevel.PUBLIC)
    deployment = factories.deployment(country="RU")
    deployment.site = site
    deployment.save()
    source = factories.source("Daily NK report")
    deployment.add_claim(source, Credibility.PROBABLY_TRUE, "forty workers cut timber")
    kinds = {hit.kind for hit in found(alice, "amur timber").hits}
    assert kinds == {"sites", "deployments"}
    assert {hit.kind for hit in found(alice, "forty workers").hits} == {"claims"}


def test_a_stricter_related_record_lends_no_name(alice, rita, andy):
    site = factories.site("Hidden Camp", access_level=AccessLevel.CONFIDENTIAL)
    deployment = factories.deployment(access_level=AccessLevel.INTERNAL)
    deployment.site = site
    deployment.save()
    # The analyst may read the deployment but not the site: its name must not find the deployment.
    assert found(andy, "hidden camp").hits == []
    assert {hit.kind for hit in found(rita, "hidden camp").hits} == {"sites"}


def test_a_hostile_reader_sees_no_hit_and_no_count_beyond_their_level(andy, alice, records):
    results = found(andy, "logging")
    assert len(results.hits) == 1 and results.total == 1
    facets = {name: {v.value: v.count for v in values} for name, _, values in results.facets}
    assert facets["country"] == {"RU": 1}
    assert facets["year"] == {"2009": 1}
    assert "confidential" not in facets["access_level"]
    # Asking for the confidential level by name finds nothing either.
    assert found(andy, "logging", access_level="confidential").hits == []
    assert found(alice, "logging").total == 2


def test_a_claim_is_as_closed_as_its_subject(andy, alice):
    secret = factories.deployment(access_level=AccessLevel.CONFIDENTIAL)
    secret.add_claim(factories.source("Open report"), Credibility.CONFIRMED, "secret statement")
    assert found(andy, "secret statement").hits == []
    assert len(found(alice, "secret statement").hits) == 1


def test_no_search_page_for_a_reader_without_records(client, nora):
    client.force_login(nora)
    assert client.get(SEARCH, {"q": "logging"}).status_code == 403


def test_facets_count_and_filter(alice, records):
    results = found(alice, "", country="RU")
    assert results.total == 2
    facets = {name: {v.value: v.count for v in values} for name, _, values in results.facets}
    assert facets["kind"] == {"deployments": 2}
    assert facets["sector"] == {"logging": 2}
    assert facets["access_level"] == {"public": 1, "confidential": 1}
    assert found(alice, "", country="RU", year="2012").total == 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "러시아", "sector": "벌목"}, {"country": "RU", "sector": "logging"}),
        ({"country": "Russia", "sector": "Logging"}, {"country": "RU", "sector": "logging"}),
        ({"country": "ru", "kind": "파견"}, {"country": "RU", "kind": "deployments"}),
        ({"grade": "b", "year": "2017"}, {"grade": "B", "year": "2017"}),
    ],
)
def test_filters_take_codes_or_labels_in_either_language(params, expected):
    query = searching.parse(params)
    assert query.errors == [] and query.filters == expected


@pytest.mark.parametrize(
    "params",
    [
        {"country": "XX"},
        {"sector": "spaceflight"},
        {"year": "19x"},
        {"grade": "Z"},
        {"kind": "spaceships"},
        {"access_level": "secret"},
    ],
)
def test_an_unknown_filter_value_is_said_not_ignored(client, alice, records, params):
    client.force_login(alice)
    page = client.get(SEARCH, {"q": "logging", **params})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Unknown" in text and "data-filter-error" in text
    # Nothing is shown as if the filter had narrowed it.
    assert "data-hits" not in text


def test_the_page_shows_hits_facets_and_menus(client, alice, records):
    client.force_login(alice)
    text = client.get(SEARCH, {"q": "벌목 러시아"}).content.decode()
    assert 'data-facet="country"' in text and '<select id="filter-country"' in text
    assert f"/app/deployments/{records['russia'].pk}/" in text
    assert "?q=%EB%B2%8C%EB%AA%A9+%EB%9F%AC%EC%8B%9C%EC%95%84&amp;country=RU" in text


def test_the_search_is_audited_without_its_words(client, alice, records):
    client.force_login(alice)
    client.get(SEARCH, {"q": "logging"})
    event = AuditEntry.objects.filter(action=Action.SEARCH).latest("id")
    assert "logging" not in str(event.detail)


def test_rebuild_writes_the_same_entries(records):
    before = set(SearchEntry.objects.values_list("kind", "object_id", "body", "access_level"))
    SearchEntry.objects.all().delete()
    call_command("search", "rebuild", stdout=__import__("io").StringIO())
    after = set(SearchEntry.objects.values_list("kind", "object_id", "body", "access_level"))
    assert after == before and len(after) == 3
    assert indexing.records_to_index() == 3


def test_bulk_imported_records_are_indexed(alice, tmp_path):
    from unseen.documentation.importing import import_file

    path = tmp_path / "deployments.csv"
    path.write_text(
        "host_country,year,sector,workers_low,workers_high,source,confidence\n"
        "Russia,2010,logging (Tynda),100,200,Test report 2010,medium\n"
    )
    import_file(path, "deployments", default_access_level=AccessLevel.PUBLIC)
    assert {hit.kind for hit in found(alice, "tynda").hits} == {"deployments", "claims"}
    assert {hit.kind for hit in found(alice, "test report 2010").hits} >= {"sources"}


# --- names, through the vault ---------------------------------------------------------------

NAMES = reverse("documentation:name_search")


@pytest.fixture
def named():
    person = Person.objects.create(access_level=AccessLevel.CONFIDENTIAL)
    store_identity(person, Identity(full_name="Ri Chol-Su"))
    return person


def test_a_vault_holder_finds_a_person_by_name_with_a_purpose(client, rita, named):
    client.force_login(rita)
    page = client.post(NAMES, {"name": "ri  chol su", "purpose": "check a 2019 roster entry"})
    assert named.pseudonym in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    event = AuditEntry.objects.filter(action=Action.SEARCH).latest("id")
    assert event.detail["purpose"] == "check a 2019 roster entry"
    assert "chol" not in str(event.detail).lower()


@pytest.mark.parametrize("spelling", ["Lee Chul-soo", "리철수", "RI CHOLSU"])
def test_a_romanisation_of_the_name_finds_the_person(client, rita, named, spelling):
    client.force_login(rita)
    page = client.post(NAMES, {"name": spelling, "purpose": "match a South Korean interview"})
    assert named.pseudonym in page.content.decode()
    stored = PersonIdentity.objects.get(person=named)
    # An HMAC, not the folded name: the database learns nothing it could read back.
    assert len(stored.folded_name_index) == 64 and "jol" not in stored.folded_name_index
    assert "jol" not in str(AuditEntry.objects.filter(action=Action.SEARCH).latest("id").detail)


def test_a_different_name_folds_apart(client, rita, named):
    client.force_login(rita)
    page = client.post(NAMES, {"name": "Ri Chol-Ho", "purpose": "match a roster"})
    assert named.pseudonym not in page.content.decode()


def test_identities_stored_before_the_folded_index_get_it(rita, named):
    PersonIdentity.objects.update(folded_name_index="")
    assert vault.find_by_name("Lee Chul-soo", user=rita) == []
    assert vault.fill_folded_name_index() == 1
    assert vault.find_by_name("Lee Chul-soo", user=rita) == [named]


def test_no_name_lookup_without_a_purpose(client, rita, named):
    client.force_login(rita)
    page = client.post(NAMES, {"name": "Ri Chol-Su", "purpose": ""})
    assert named.pseudonym not in page.content.decode()
    assert not AuditEntry.objects.filter(action=Action.SEARCH).exists()


def test_no_name_lookup_without_the_vault_or_by_get(client, andy, rita, named):
    client.force_login(andy)
    assert client.post(NAMES, {"name": "Ri Chol-Su", "purpose": "x y z"}).status_code == 403
    assert 'name="name"' not in client.get(SEARCH).content.decode()
    client.force_login(rita)
    assert client.get(NAMES, {"name": "Ri Chol-Su"}).status_code == 405


def test_a_new_person_is_found_by_the_pseudonym_given_after_its_first_save(db):
    # The first insert carries a placeholder pseudonym; the index must hold the one given after.
    from unseen.documentation.models import SearchEntry
    from unseen.registry.models import Person

    person = Person.objects.create()
    entry = SearchEntry.objects.get(kind="persons", object_id=person.pk)
    assert person.pseudonym.lower() in entry.body and "~" not in entry.title


@pytest.fixture
def many(db):
    """Deployments to Russia in 2009 (three pages of 2) and one to China."""
    made = [factories.deployment(country="RU", sector="logging", year=2009) for _ in range(5)]
    factories.deployment(country="CN", sector="logging", year=2009)
    return made


def test_hits_page_through_every_match_once(alice, many, monkeypatch):
    monkeypatch.setattr(searching, "HITS", 2)
    pages = [
        searching.run(searching.parse({"q": "logging", "country": "RU", "page": n}), alice, 2)
        for n in (1, 2, 3)
    ]
    urls = [hit.url for results in pages for hit in results.hits]
    assert len(urls) == len(set(urls)) == 5
    assert [(r.page, r.pages, r.first, r.last) for r in pages] == [
        (1, 3, 1, 2),
        (2, 3, 3, 4),
        (3, 3, 5, 5),
    ]
    assert pages[0].previous_url == "" and pages[2].next_url == ""
    assert pages[1].next_url == "?q=logging&country=RU&page=3"
    assert pages[1].previous_url == "?q=logging&country=RU"


def test_the_page_says_which_hits_it_shows_and_links_the_next(client, alice, many, monkeypatch):
    monkeypatch.setattr(searching, "HITS", 2)
    client.force_login(alice)
    text = client.get(SEARCH, {"q": "logging", "country": "RU", "page": "2"}).content.decode()
    assert "Showing 3–4 of 5 matches" in text
    assert "Page 2 of 3" in text
    assert 'href="?q=logging&amp;country=RU&amp;page=3" rel="next"' in text
    assert 'href="?q=logging&amp;country=RU" rel="prev"' in text
    assert text.count('<li data-kind="deployments">') == 2 and '<ol start="3">' in text


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1e3", "9" * 40, "２", ""])
def test_a_bad_page_number_is_the_first_page(client, alice, many, monkeypatch, page):
    monkeypatch.setattr(searching, "HITS", 2)
    client.force_login(alice)
    response = client.get(SEARCH, {"q": "logging", "page": page})
    assert response.status_code == 200
    assert "Showing 1–2 of 6 matches" in response.content.decode()


def test_a_page_past_the_last_shows_the_last_and_says_so(client, alice, many, monkeypatch):
    monkeypatch.setattr(searching, "HITS", 2)
    client.force_login(alice)
    text = client.get(SEARCH, {"q": "logging", "page": "40"}).content.decode()
    assert "There is no page 40: this search has 3 pages. Showing the last." in text
    assert "Showing 5–6 of 6 matches" in text and 'rel="next"' not in text


def test_paging_stays_within_the_cap_and_says_so(client, alice, many, monkeypatch):
    monkeypatch.setattr(searching, "HITS", 2)
    monkeypatch.setattr(searching, "CANDIDATES", 3)
    client.force_login(alice)
    text = client.get(SEARCH, {"q": "logging", "page": "2"}).content.decode()
    assert "More than 3 matches: the counts are of the first 3." in text
    assert "Showing 3–3 of 3 matches" in text and "Page 2 of 2" in text


def test_each_hit_says_its_kind_and_a_line_about_it_without_a_query_each(client, alice, many):
    source = factories.source("Logging camp report")
    client.force_login(alice)
    with CaptureQueriesContext(connection) as one:
        client.get(SEARCH, {"q": "logging", "kind": "deployments", "country": "CN"})
    with CaptureQueriesContext(connection) as six:
        text = client.get(SEARCH, {"q": "logging"}).content.decode()
    assert len(six.captured_queries) == len(one.captured_queries)
    assert '<span class="badge">Deployment</span> <span class="muted">Russia · 2009</span>' in text
    assert f'<a href="/app/sources/{source.pk}/">Logging camp report</a>' in text
    assert '<span class="badge">Source</span>' in text
    with translation.override("ko"):
        hit = found(alice, "logging", kind="deployments", country="CN").hits[0]
    assert (hit.kind_label, hit.summary) == ("파견", "중국 · 2009")
