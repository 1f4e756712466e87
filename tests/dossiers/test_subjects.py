"""Dossier subjects: parsing what a person typed, and resolving it for one reader."""

import pytest

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import SavedSearch
from unseen.dossiers.subjects import NotReadable, Subject, resolve, subject_of
from unseen.registry.models import Organisation, Person


def test_parse_normalises_kinds_keys_and_countries():
    assert Subject.parse("Organisation", " 007 ") == Subject("organisation", "7")
    assert Subject.parse("saved_search", "3") == Subject("saved-search", "3")
    assert Subject.parse("country", "ru") == Subject("country", "RU")
    assert Subject.parse("country", "Russia") == Subject("country", "RU")
    assert Subject.parse("site", "12").slug == "site-12"


@pytest.mark.parametrize(
    ("kind", "key", "reason"),
    [
        ("planet", "1", "unknown dossier subject"),
        ("site", "abc", "named by its number"),
        ("person", "0", "named by its number"),
        ("country", "Atlantis", "unknown country"),
    ],
)
def test_parse_refuses_with_a_reason(kind, key, reason):
    with pytest.raises(ValueError, match=reason):
        Subject.parse(kind, key)


@pytest.mark.django_db
def test_a_record_beyond_the_reader_is_as_missing_as_a_missing_one(andy, rita):
    secret = Organisation.objects.create(
        name="Secret", kind="trading_company", access_level=AccessLevel.CONFIDENTIAL
    )
    assert resolve(Subject("organisation", str(secret.pk)), rita) == secret
    with pytest.raises(NotReadable):
        resolve(Subject("organisation", str(secret.pk)), andy)
    with pytest.raises(NotReadable):
        resolve(Subject("organisation", "999999"), rita)


@pytest.mark.django_db
def test_without_a_reader_only_public_records_resolve(andy):
    site = factories.site(access_level=AccessLevel.INTERNAL)
    with pytest.raises(NotReadable):
        resolve(Subject("site", str(site.pk)), None)
    assert resolve(Subject("site", str(site.pk)), andy) == site


@pytest.mark.django_db
def test_a_person_resolves_to_the_pseudonymous_record(andy):
    person = Person.objects.create(pseudonym="Worker A", access_level=AccessLevel.INTERNAL)
    assert resolve(Subject("person", str(person.pk)), andy) == person
    assert subject_of(person) == Subject("person", str(person.pk))


@pytest.mark.django_db
def test_a_country_resolves_for_everyone(andy):
    assert resolve(Subject.parse("country", "RU"), andy) == "RU"
    assert resolve(Subject.parse("country", "RU"), None) == "RU"


@pytest.mark.django_db
def test_saved_searches_the_owners_own_or_shared(andy, rita):
    own = SavedSearch.objects.create(owner=rita, name="Mine", kind="organisation", query="")
    shared = SavedSearch.objects.create(
        owner=rita, name="Ours", kind="organisation", query="", shared=True
    )
    assert resolve(Subject("saved-search", str(own.pk)), rita) == own
    assert resolve(Subject("saved-search", str(shared.pk)), andy) == shared
    with pytest.raises(NotReadable):
        resolve(Subject("saved-search", str(own.pk)), andy)
    with pytest.raises(NotReadable):
        resolve(Subject("saved-search", str(shared.pk)), None)
