"""Type-ahead pickers: the suggestions endpoint, "create new" from a picker, and a testimony
citing a source already entered."""

import datetime as dt

import pytest

from tests import factories
from tests.conftest import make_user
from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.documentation.models import Testimony
from unseen.evidence.models import Source, SourceKind
from unseen.registry.models import Organisation, OrganisationAlias, Person, Sex, Site, SiteKind

pytestmark = pytest.mark.django_db


def suggested(client, kind, q="", **extra):
    response = client.get(f"/app/suggest/{kind}/", {"q": q, **extra})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_it_suggests_sources_with_date_and_grade(client, rita):
    report = factories.source("Amur logging report", reliability="B")
    report.date = dt.date(2019, 3, 1)
    report.save()
    factories.source("Qatar construction news")
    client.force_login(rita)
    results = suggested(client, "sources", "amur")
    assert [r["id"] for r in results] == [report.pk]
    assert results[0]["label"] == "Amur logging report"
    assert "2019-03-01" in results[0]["detail"] and "B" in results[0]["detail"]


def test_it_suggests_persons_with_birth_year_and_sex(client, rita):
    person = Person.objects.create(birth_year=1981, sex=Sex.MALE)
    client.force_login(rita)
    (result,) = suggested(client, "persons", person.pseudonym)
    assert result == {"id": person.pk, "label": person.pseudonym, "detail": "born 1981 · Male"}


def test_it_suggests_sites_with_city_and_country_and_organisations_by_alias(client, rita):
    site = Site.objects.create(
        name="Camp 7", kind=SiteKind.LOGGING_CAMP, country="RU", city="Tynda"
    )
    company = Organisation.objects.create(name="Rungrado General Trading", kind="trading_company")
    OrganisationAlias.objects.create(organisation=company, name="능라도무역총회사")
    OrganisationAlias.objects.create(organisation=company, name="Rungrado Trading Corp")
    client.force_login(rita)
    (found,) = suggested(client, "sites", "tynda")
    assert found["id"] == site.pk and found["detail"] == "Tynda · RU"
    # Found once by a name in another script, though two of its aliases match "Rungrado".
    (by_alias,) = suggested(client, "organisations", "능라도")
    assert by_alias["id"] == company.pk and "능라도무역총회사" in by_alias["detail"]
    assert [r["id"] for r in suggested(client, "organisations", "rungrado")] == [company.pk]


def test_it_never_suggests_a_record_above_the_users_level(client, andy):
    secret = factories.source("Defector list", access_level=AccessLevel.CONFIDENTIAL)
    internal = factories.source("Defector list (redacted)", access_level=AccessLevel.INTERNAL)
    hidden_person = Person.objects.create(access_level=AccessLevel.CONFIDENTIAL)
    client.force_login(andy)
    assert [r["id"] for r in suggested(client, "sources", "defector")] == [internal.pk]
    assert [r["id"] for r in suggested(client, "sources")] == [internal.pk]
    assert suggested(client, "persons", hidden_person.pseudonym) == []
    answer = client.get("/app/suggest/sources/", {"q": "list"}).json()
    assert secret.title not in [r["label"] for r in answer["results"]]


def test_it_leaves_out_merged_records_as_the_list_does(client, rita):
    kept = Person.objects.create()
    merged = Person.objects.create(merged_into=kept)
    client.force_login(rita)
    assert [r["id"] for r in suggested(client, "persons", "P-")] == [kept.pk]
    assert merged.pk not in [r["id"] for r in suggested(client, "persons", merged.pseudonym)]


def test_it_suggests_at_most_ten_newest_first(client, rita):
    made = [factories.source(f"Report {n}") for n in range(15)]
    client.force_login(rita)
    results = suggested(client, "sources", "report")
    assert [r["id"] for r in results] == [s.pk for s in reversed(made)][:10]


def test_it_gives_nothing_to_anonymous_visitors_or_users_without_a_role(client, nora):
    factories.source("Public report", access_level=AccessLevel.PUBLIC)
    response = client.get("/app/suggest/sources/", {"q": "report"})
    assert response.status_code == 302 and "Public report" not in response.content.decode()
    client.force_login(nora)
    response = client.get("/app/suggest/sources/", {"q": "report"})
    assert response.status_code == 403 and "Public report" not in response.content.decode()


def test_it_answers_404_in_json_for_a_kind_that_cannot_be_picked(client, rita):
    client.force_login(rita)
    for kind in ("testimonies", "claims", "nonsense"):
        response = client.get(f"/app/suggest/{kind}/")
        assert response.status_code == 404 and "error" in response.json()
    response = client.post("/app/suggest/sites/new/", {})
    assert response.status_code == 404


def test_it_creates_a_person_from_a_picker_and_answers_how_to_show_them(client, rita):
    client.force_login(rita)
    response = client.post(
        "/app/suggest/persons/new/",
        {
            "new-persons-sex": "f",
            "new-persons-birth_year": "1990",
            "new-persons-nationality": "KP",
            "new-persons-access_level": "internal",
        },
    )
    assert response.status_code == 201
    person = Person.objects.get()
    assert response.json() == {
        "id": person.pk,
        "label": person.pseudonym,
        "detail": "born 1990 · Female",
    }


def test_it_refuses_a_bad_new_person_with_translated_errors_and_writes_nothing(client, rita):
    client.force_login(rita)
    response = client.post(
        "/app/suggest/persons/new/",
        {"new-persons-sex": "q", "new-persons-access_level": "internal"},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and all(":" in error for error in errors)
    assert Person.objects.count() == 0


def test_it_lets_no_one_create_above_their_own_level(client, andy):
    researcher = make_user("ed", Role.RESEARCHER)
    client.force_login(researcher)
    response = client.post(
        "/app/suggest/sources/new/",
        {
            "new-sources-title": "Leaked list",
            "new-sources-kind": "document",
            "new-sources-reliability": "C",
            "new-sources-access_level": "confidential",
        },
    )
    assert response.status_code == 400 and not Source.objects.exists()
    client.force_login(andy)  # an analyst reads records but may not write them
    response = client.post("/app/suggest/sources/new/", {"new-sources-title": "X"})
    assert response.status_code == 403 and not Source.objects.exists()


def posted_testimony(**fields):
    return {
        "interview_language": "ko",
        "interview_country": "KR",
        "access_level": "internal",
        "consent_to_use": "on",
        **fields,
    }


def test_a_testimony_citing_an_existing_source_makes_no_new_source(client, rita):
    recording = factories.source(
        "Interview T-21, Seoul", kind=SourceKind.INTERVIEW, access_level=AccessLevel.INTERNAL
    )
    person = Person.objects.create()
    client.force_login(rita)
    response = client.post(
        "/app/testimonies/new/",
        posted_testimony(
            source_choice="existing", existing_source=recording.pk, interviewee=person.pk
        ),
    )
    assert response.status_code == 302, response.content.decode()
    testimony = Testimony.objects.get()
    assert testimony.source == recording and testimony.interviewee == person
    assert Source.objects.count() == 1


def test_a_testimony_with_a_new_source_still_makes_one(client, rita):
    client.force_login(rita)
    response = client.post(
        "/app/testimonies/new/", posted_testimony(source_choice="new", title="Interview T-22")
    )
    assert response.status_code == 302
    assert Testimony.objects.get().source.title == "Interview T-22"


def test_a_testimony_may_not_cite_a_source_it_cannot_use(client, andy):
    researcher = make_user("ed", Role.RESEARCHER)
    secret = factories.source("Secret recording", access_level=AccessLevel.CONFIDENTIAL)
    taken = factories.source("Interview T-1", access_level=AccessLevel.INTERNAL)
    Testimony.objects.create(source=taken, access_level=AccessLevel.INTERNAL)
    client.force_login(researcher)
    for source in (secret, taken):
        response = client.post(
            "/app/testimonies/new/",
            posted_testimony(source_choice="existing", existing_source=source.pk),
        )
        assert response.status_code == 200 and "existing_source" in response.context["form"].errors
    assert "Interview T-1" not in [
        r["label"] for r in suggested(client, "sources", "interview", unused_by="testimony")
    ]
    response = client.post("/app/testimonies/new/", posted_testimony(source_choice="existing"))
    assert "Choose the source this testimony is from." in response.content.decode()
    response = client.post("/app/testimonies/new/", posted_testimony(source_choice="new"))
    assert "Give the new interview source a title." in response.content.decode()
    assert Testimony.objects.count() == 1 and Source.objects.count() == 2


def test_the_form_shows_pickers_and_a_dialog_for_new_persons(client, rita):
    person = Person.objects.create(birth_year=1975, sex=Sex.FEMALE)
    source = factories.source("Interview T-3", access_level=AccessLevel.INTERNAL)
    testimony = Testimony.objects.create(
        source=source, interviewee=person, access_level=AccessLevel.INTERNAL
    )
    client.force_login(rita)
    page = client.get("/app/testimonies/new/").content.decode()
    assert 'data-url="/app/suggest/persons/"' in page
    assert 'data-url="/app/suggest/sources/?unused_by=testimony"' in page
    assert '<dialog id="new-persons"' in page and 'name="new-persons-birth_year"' in page
    assert '<select name="interviewee"' not in page
    page = client.get(f"/app/testimonies/{testimony.pk}/edit/").content.decode()
    assert f'value="{person.pk}"' in page and "born 1975 · Female" in page


def test_an_incident_takes_its_victims_and_perpetrators_as_record_numbers(client, rita):
    first, second = Person.objects.create(), Person.objects.create(birth_year=1970)
    bureau = Organisation.objects.create(name="Bureau 39", kind="state_organ")
    client.force_login(rita)
    page = client.get("/app/incidents/new/").content.decode()
    assert 'data-url="/app/suggest/persons/"' in page and "data-multiple" in page
    assert 'data-url="/app/suggest/organisations/"' in page
    response = client.post(
        "/app/incidents/new/",
        {
            "act": "passport_confiscation",
            "description": "Passports taken on arrival",
            "country": "RU",
            "victims": f"{first.pk}, {second.pk}",  # as typed without JavaScript
            "perpetrator_organisations": [str(bureau.pk), ""],  # as the chips post them
            "access_level": "internal",
        },
    )
    assert response.status_code == 302, response.content.decode()
    from unseen.documentation.models import Incident

    incident = Incident.objects.get()
    assert set(incident.victims.all()) == {first, second}
    assert list(incident.perpetrator_organisations.all()) == [bureau]
    page = client.get(f"/app/incidents/{incident.pk}/edit/").content.decode()
    assert f'value="{first.pk}, {second.pk}"' in page or f'value="{second.pk}, {first.pk}"' in page
    assert "born 1970" in page
