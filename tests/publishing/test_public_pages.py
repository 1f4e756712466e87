"""The public pages of organisations, sites and host countries, the public search, and the public
trails of published estimates and revenue runs: public things only, 404 for anything else."""

import datetime as dt

import pytest

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import AuditEntry
from unseen.documentation.models import Deployment, Relation, RelationKind
from unseen.estimation.models import EstimateRun
from unseen.evidence.models import Credibility, DatePrecision
from unseen.publishing.scope import PUBLIC
from unseen.registry.models import Organisation, OrganisationAlias, Site, SiteKind

pytestmark = pytest.mark.django_db

PUBLIC_LEVEL = AccessLevel.PUBLIC
INTERNAL = AccessLevel.INTERNAL
CONFIDENTIAL = AccessLevel.CONFIDENTIAL


def organisation(name, level=PUBLIC_LEVEL, **fields):
    return Organisation.objects.create(
        name=name, kind=fields.pop("kind", "trading_company"), access_level=level, **fields
    )


def site(name, level=PUBLIC_LEVEL, **fields):
    fields.setdefault("country", "RU")
    fields.setdefault("kind", SiteKind.CONSTRUCTION_SITE)
    return Site.objects.create(name=name, access_level=level, **fields)


def relate(subject, kind, obj, level=PUBLIC_LEVEL):
    ends = {"subject_organisation": subject}
    ends["object_site" if isinstance(obj, Site) else "object_organisation"] = obj
    return Relation.objects.create(kind=kind, access_level=level, **ends)


def headcount(at_site=None, dispatcher=None, low=300, high=500, year=2017, level=PUBLIC_LEVEL):
    return Deployment.objects.create(
        site=at_site,
        host_country="" if at_site else "RU",
        dispatcher=dispatcher,
        workers_low=low,
        workers_high=high,
        sector="construction",
        access_level=level,
        period_start=dt.date(year, 1, 1),
        period_start_precision=DatePrecision.YEAR,
    )


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_an_organisation_page_shows_its_public_claims_and_sources(client):
    org = organisation("Rungrado General Trading Corporation", country="KP")
    OrganisationAlias.objects.create(organisation=org, name="릉라도무역총회사", script="Hang")
    public_source = factories.source("UN Panel of Experts report S/2019/171")
    org.add_claim(public_source, Credibility.PROBABLY_TRUE, "named as dispatcher")
    internal_source = factories.source("INTERNAL-SOURCE-8812", access_level=INTERNAL)
    org.add_claim(internal_source, Credibility.CONFIRMED, "INTERNAL-STATEMENT")
    body = page(client, f"/organisations/{org.pk}/")
    assert "Rungrado General Trading Corporation" in body and "릉라도무역총회사" in body
    assert "UN Panel of Experts report S/2019/171" in body
    assert f"{public_source.reliability}{Credibility.PROBABLY_TRUE}" in body  # grades: B2
    assert "INTERNAL-SOURCE-8812" not in body
    # Claim statements are the team's words: a public page (like a public export) leaves them out.
    assert "named as dispatcher" not in body and "INTERNAL-STATEMENT" not in body


def test_an_internal_claim_source_on_a_public_site_is_absent(client):
    place = site(
        "Vladivostok apartment block 7",
        city="Vladivostok",
        latitude=43.1,
        longitude=131.9,
        coordinate_precision="neighbourhood",
    )
    place.add_claim(factories.source("Public press report"), Credibility.POSSIBLY_TRUE)
    place.add_claim(factories.source("CONF-9921", access_level=CONFIDENTIAL), Credibility.CONFIRMED)
    body = page(client, f"/sites/{place.pk}/")
    assert "Vladivostok apartment block 7" in body and "Public press report" in body
    assert "CONF-9921" not in body
    assert "data-focus=" in body  # a small map around the site


@pytest.mark.parametrize("level", [INTERNAL, CONFIDENTIAL])
def test_a_record_that_is_not_public_answers_as_a_missing_one(client, level):
    hidden_org = organisation("Hidden Trading", level)
    hidden_site = site("Hidden site", level)
    missing = max(Organisation.objects.latest("pk").pk, Site.objects.latest("pk").pk) + 100
    for kind, pk in (("organisations", hidden_org.pk), ("sites", hidden_site.pk)):
        hidden = client.get(f"/{kind}/{pk}/")
        absent = client.get(f"/{kind}/{missing}/")
        assert hidden.status_code == absent.status_code == 404
        assert hidden.content == absent.content
        assert "Hidden" not in hidden.content.decode()


def test_a_relation_with_an_internal_end_is_absent(client):
    org = organisation("Korea Mansudae Overseas Project Group")
    partner = organisation("Public Partner LLC")
    hidden = organisation("INTERNAL-PARTNER-771", INTERNAL)
    relate(org, RelationKind.CONTRACTS_WITH, partner)
    relate(org, RelationKind.PARENT_OF, hidden)
    relate(org, RelationKind.OWNS, organisation("Owned by a secret relation"), level=INTERNAL)
    body = page(client, f"/organisations/{org.pk}/")
    assert "Public Partner LLC" in body and f"/organisations/{partner.pk}/" in body
    assert "INTERNAL-PARTNER-771" not in body
    assert "Owned by a secret relation" not in body


def test_a_site_whose_operator_is_internal_shows_no_operator(client):
    place = site("Shipyard at Gdynia", country="PL")
    relate(organisation("SECRET-OPERATOR-55", INTERNAL), RelationKind.OPERATES_SITE, place)
    body = page(client, f"/sites/{place.pk}/")
    assert "SECRET-OPERATOR-55" not in body and "data-operators" not in body
    operator = organisation("Public Operator Co")
    relate(operator, RelationKind.OPERATES_SITE, place)
    body = page(client, f"/sites/{place.pk}/")
    assert "data-operators" in body and f"/organisations/{operator.pk}/" in body


def test_sites_and_organisations_link_to_each_other_with_public_headcounts(client):
    dispatcher = organisation("Korea Pyongyang Construction")
    place = site("Moscow tower site", city="Moscow")
    headcount(place, dispatcher, low=120, high=180)
    headcount(place, dispatcher, low=999_001, high=999_002, level=INTERNAL)
    hidden_place = site("INTERNAL-SITE-40", INTERNAL)
    headcount(hidden_place, dispatcher, low=50, high=60)
    org_page = page(client, f"/organisations/{dispatcher.pk}/")
    assert f"/sites/{place.pk}/" in org_page and "120–180" in org_page
    assert "999,001" not in org_page and "INTERNAL-SITE-40" not in org_page
    assert "chart-data" in org_page  # workers over time, drawn by the public charts' code
    site_page = page(client, f"/sites/{place.pk}/")
    assert f"/organisations/{dispatcher.pk}/" in site_page and "120–180" in site_page
    assert "/countries/RU/" in site_page


def test_persons_never_appear(client):
    from unseen.registry.models import Person

    person = Person.objects.create(access_level=PUBLIC_LEVEL)
    org = organisation("Employer of one")
    Relation.objects.create(
        kind=RelationKind.EMPLOYS,
        subject_organisation=org,
        object_person=person,
        access_level=PUBLIC_LEVEL,
    )
    Deployment.objects.create(
        person=person,
        employer=org,
        host_country="RU",
        access_level=PUBLIC_LEVEL,
        period_start=dt.date(2018, 1, 1),
    )
    body = page(client, f"/organisations/{org.pk}/")
    assert person.pseudonym not in body and "data-relations" not in body


def test_a_country_page_shows_its_public_sites_figures_and_organisations(client):
    place = site("Tomsk logging camp", kind=SiteKind.LOGGING_CAMP)
    site("INTERNAL-CAMP-2", INTERNAL)
    employer = organisation("Tomsk Timber OOO", kind="host_employer", country="RU")
    factories.deployment(country="RU", low=1000, high=2000, evidence=factories.source("Rosstat"))
    body = page(client, "/countries/ru/")
    assert "Russia" in body and f"/sites/{place.pk}/" in body
    assert f"/organisations/{employer.pk}/" in body
    assert "INTERNAL-CAMP-2" not in body and "Rosstat" in body
    assert client.get("/countries/QA/").status_code == 404  # nothing public there
    assert client.get("/countries/XYZ/").status_code == 404


def test_a_country_with_only_internal_records_has_no_page(client):
    site("Doha site", INTERNAL, country="QA")
    factories.deployment(country="QA", access_level=INTERNAL)
    assert client.get("/countries/QA/").status_code == 404


def search(client, words):
    return page(client, "/search/?" + __import__("urllib.parse").parse.urlencode({"q": words}))


@pytest.mark.parametrize("words", ["Kim Chaek", "Gim Chaek", "kim chaek", "김책", "Gim", "Steel"])
def test_search_finds_names_in_any_romanisation_and_in_hangul(client, words):
    org = organisation("Kim Chaek Iron and Steel Complex")
    body = search(client, words)
    assert f"/organisations/{org.pk}/" in body, words


def test_search_finds_hangul_aliases_and_romanised_names_of_them(client):
    org = organisation("Ryugyong Trading")
    OrganisationAlias.objects.create(organisation=org, name="김정숙무역", script="Hang")
    for words in ("김정숙", "Kim Jong Suk", "Gim Jeong-suk", "Ryugyong"):
        assert f"/organisations/{org.pk}/" in search(client, words), words


def test_search_never_finds_what_is_not_public(client):
    organisation("Kim Chaek Secret Branch", INTERNAL)
    site("Kim Chaek hidden dormitory", CONFIDENTIAL)
    public_site = site("Kim Chaek restaurant", country="CN", kind=SiteKind.RESTAURANT)
    body = search(client, "Gim Chaek")
    assert "Secret Branch" not in body and "hidden dormitory" not in body
    assert f"/sites/{public_site.pk}/" in body


def test_search_finds_host_countries_by_english_and_korean_name(client):
    site("Harbin seafood plant", country="CN", kind=SiteKind.FISHERY)
    assert "/countries/CN/" in search(client, "China")
    assert "/countries/CN/" in search(client, "중국")


def test_search_pages_through_many_hits_and_records_nothing(client):
    for n in range(45):
        site(f"Kim restaurant {n:02d}", kind=SiteKind.RESTAURANT)
    entries = AuditEntry.objects.count()
    first = search(client, "Kim")
    assert "45 published records found" in first and "page=2" in first
    third = page(client, "/search/?q=Kim&page=3")
    assert third.count('data-hit="site"') == 5
    assert AuditEntry.objects.count() == entries  # the public's searches are not recorded


def test_the_public_scope_links_map_popups_to_public_pages():
    place = site("A site")
    org = organisation("An organisation")
    assert PUBLIC.url(Site, place.pk) == f"/sites/{place.pk}/"
    assert PUBLIC.url(Organisation, org.pk) == f"/organisations/{org.pk}/"
    assert PUBLIC.url(Deployment, 1) is None  # no public page of its own


def test_a_published_estimate_has_a_public_trail(client):
    from tests.conftest import make_user
    from unseen.accounts.roles import Role
    from unseen.estimation.publication import set_published

    run = factories.estimate_run("Workers in Russia, three lists", access_level=PUBLIC_LEVEL)
    assert client.get(f"/estimates/{run.pk}/").status_code == 404  # public but not published
    run = set_published(run, True, by=make_user("olga", Role.ADMINISTRATOR))
    body = page(client, f"/estimates/{run.pk}/")
    assert "Workers in Russia, three lists" in body and "main-effects" in body
    assert "Independence" in body  # the method's assumption
    assert run.software_label in body
    assert f"/estimates/{run.pk}/" in page(client, "/estimates/")
    set_published(run, False)
    assert client.get(f"/estimates/{run.pk}/").status_code == 404


def test_a_published_revenue_run_has_a_public_trail(client):
    from unseen.estimation import revenue_runs

    run = factories.revenue_run("Revenue 2017", access_level=PUBLIC_LEVEL)
    assert client.get(f"/revenue/{run.pk}/").status_code == 404
    run = revenue_runs.publish(run, True)
    body = page(client, f"/revenue/{run.pk}/")
    assert "Revenue 2017" in body and "data-evidence" in body
    assert f"/revenue/{run.pk}/" in page(client, "/revenue/")
    assert client.get(f"/revenue/{EstimateRun.objects.latest('pk').pk + 1}/").status_code == 404


def test_a_change_shows_at_once(client):
    org = organisation("Soon withdrawn")
    assert client.get(f"/organisations/{org.pk}/").status_code == 200
    org.access_level = INTERNAL
    org.save()
    assert client.get(f"/organisations/{org.pk}/").status_code == 404


def test_pages_are_cached_per_language(client):
    place = site("Khabarovsk dormitory", kind=SiteKind.DORMITORY)
    english = page(client, f"/sites/{place.pk}/")
    client.cookies["django_language"] = "ko"
    korean = page(client, f"/sites/{place.pk}/")
    assert "Russia" in english and "러시아" in korean and "러시아" not in english
    assert "/countries/RU/" in search(client, "러시아")


def test_a_source_withdrawn_or_a_new_relation_shows_at_once(client):
    org = organisation("Cached Trading Co")
    source = factories.source("SOON-INTERNAL-SOURCE")
    org.add_claim(source, Credibility.PROBABLY_TRUE)
    assert "SOON-INTERNAL-SOURCE" in page(client, f"/organisations/{org.pk}/")
    source.access_level = INTERNAL
    source.save()
    assert "SOON-INTERNAL-SOURCE" not in page(client, f"/organisations/{org.pk}/")
    relate(org, RelationKind.CONTRACTS_WITH, organisation("Newly Related LLC"))
    assert "Newly Related LLC" in page(client, f"/organisations/{org.pk}/")
    assert "Cached Trading Co" in search(client, "Cached")
    org.name = "Renamed Trading Co"
    org.save()
    assert "Renamed Trading Co" in search(client, "Renamed")
