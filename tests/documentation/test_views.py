import io

import pytest

from tests import factories, spreadsheets
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.documentation.models import Deployment, Finding, Indicator, Sighting, Testimony
from unseen.evidence.models import Claim, Source, SourceKind
from unseen.registry.models import Site


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def make_testimony(summary: str, *, access_level=AccessLevel.INTERNAL) -> Testimony:
    source = factories.source(
        f"Interview about {summary[:10]}", kind=SourceKind.INTERVIEW, access_level=access_level
    )
    return Testimony.objects.create(
        source=source, summary=summary, consent_to_use=True, access_level=access_level
    )


def test_it_finds_korean_words_inside_compounds_and_english_words(rita_client):
    korean = make_testimony("러시아 아무르주 벌목농장에서 3년 동안 일함")
    english = make_testimony("worked three years at a logging camp in Amur")
    make_testimony("served in a restaurant in Shenyang")
    page = rita_client.get("/app/search/", {"q": "벌목"}).content.decode()
    assert (
        f"/app/testimonies/{korean.pk}/" in page and f"/app/testimonies/{english.pk}/" not in page
    )
    page = rita_client.get("/app/testimonies/", {"q": "logging"}).content.decode()
    assert (
        f"/app/testimonies/{english.pk}/" in page and f"/app/testimonies/{korean.pk}/" not in page
    )


def test_it_audits_searches_without_the_words_searched(rita_client):
    rita_client.get("/app/search/", {"q": "Kim Chol"})
    entry = AuditEntry.objects.get(action=Action.SEARCH)
    assert "Kim" not in str(entry.detail) and entry.detail["length"] == 8


def test_it_filters_deployments_by_country_year_sector_and_source(rita_client):
    ministry = factories.source("Ministry figures", kind=SourceKind.OFFICIAL_STATISTIC)
    wanted = factories.deployment(country="RU", year=2017, sector="logging", evidence=ministry)
    factories.deployment(country="RU", year=2015, sector="logging", evidence=ministry)
    factories.deployment(country="CN", year=2017, sector="logging", evidence=ministry)
    factories.deployment(country="RU", year=2017, sector="construction", evidence=ministry)
    factories.deployment(
        country="RU", year=2017, sector="logging", evidence=factories.source("News")
    )
    response = rita_client.get(
        "/app/deployments/",
        {
            "country": "Russia",
            "year": 2017,
            "sector": "logging",
            "source_kind": "official_statistic",
        },
    )
    assert [d.pk for d in response.context["page"]] == [wanted.pk]


def test_list_filters_take_labels_in_either_language(rita_client):
    wanted = [
        factories.deployment(country="RU", sector="logging"),
        factories.deployment(country="RU", sector="timber and forestry (Amur)"),
    ]
    factories.deployment(country="RU", sector="construction")
    factories.deployment(country="CN", sector="logging")
    for params in (
        {"country": "러시아", "sector": "벌목"},
        {"country": "Russia", "sector": "Logging"},
        {"country": "ru", "sector": "logging"},
    ):
        response = rita_client.get("/app/deployments/", params)
        assert sorted(d.pk for d in response.context["page"]) == sorted(d.pk for d in wanted)
        page = response.content.decode()
        # The menus show what the address named, chosen.
        assert '<option value="RU" selected>' in page
        assert '<option value="logging" selected>' in page
        assert "data-filter-error" not in page


def test_list_filters_are_menus_labelled_in_the_readers_language(rita_client):
    page = rita_client.get("/app/deployments/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert '<select name="country"' in page and '<option value="RU">러시아</option>' in page
    assert '<select name="sector"' in page and '<option value="logging">벌목</option>' in page
    assert '<select name="year"' in page and '<select name="source_kind"' in page
    assert '<input type="text" name="country"' not in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"country": "XX"}, "Unknown country: “XX”"),
        ({"country": "Narnia", "sector": "logging"}, "Unknown country: “Narnia”"),
        ({"sector": "log"}, "Unknown sector: “log”"),
        ({"year": "17"}, "Unknown year: “17”"),
        ({"reliability": "Z"}, "Unknown reliability: “Z”"),
        ({"source_kind": "rumour"}, "Unknown source kind: “rumour”"),
        ({"access_level": "secret"}, "Unknown access: “secret”"),
    ],
)
def test_an_unknown_filter_value_lists_nothing_and_says_so(rita_client, params, message):
    factories.deployment(country="RU", sector="logging")
    response = rita_client.get("/app/deployments/", params)
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    page = response.content.decode()
    assert message in page and "data-filter-error" in page


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("sources", {"country": "RU"}, "cannot be filtered by country"),
        ("sites", {"year": "2017"}, "cannot be filtered by year"),
        ("persons", {"sector": "logging"}, "cannot be filtered by sector"),
    ],
)
def test_a_filter_the_kind_does_not_have_lists_nothing_and_says_so(
    rita_client, kind, params, message
):
    factories.source("Ministry figures")
    factories.site("Tynda camp", country="RU")
    response = rita_client.get(f"/app/{kind}/", params)
    assert list(response.context["page"]) == []
    page = response.content.decode()
    assert message in page and "data-filter-error" in page
    assert f'name="{next(iter(params))}"' not in page  # not offered either


def test_an_unknown_filter_value_is_reported_in_korean(rita_client):
    page = rita_client.get(
        "/app/deployments/", {"country": "XX"}, HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "data-filter-error" in page and "“XX”" in page and "Unknown" not in page


def test_list_filters_still_respect_access_levels(client, andy):
    seen = factories.deployment(country="RU", sector="logging", access_level=AccessLevel.INTERNAL)
    factories.deployment(country="RU", sector="logging", access_level=AccessLevel.CONFIDENTIAL)
    client.force_login(andy)
    response = client.get("/app/deployments/", {"country": "러시아", "sector": "벌목"})
    assert [d.pk for d in response.context["page"]] == [seen.pk]
    response = client.get("/app/deployments/", {"access_level": "confidential"})
    assert list(response.context["page"]) == []


def test_sightings_filter_their_work_by_sector(rita_client):
    logging = Sighting.objects.create(description="a", country="RU", work_kind="logging camp")
    Sighting.objects.create(description="b", country="RU", work_kind="restaurant")
    response = rita_client.get("/app/sightings/", {"sector": "벌목", "country": "러시아"})
    assert [s.pk for s in response.context["page"]] == [logging.pk]


def test_it_shows_the_evidence_trail_with_grades(rita_client):
    site = factories.site("Tynda camp")
    site.add_claim(factories.source("AP report 2003", reliability="B"), 2, "loggers housed here")
    page = rita_client.get(f"/app/sites/{site.pk}/").content.decode()
    assert "Evidence trail" in page and "AP report 2003" in page
    assert "B – usually reliable" in page and "2 – probably true" in page


def test_it_hides_records_beyond_the_users_access_as_not_found(client, andy):
    secret = factories.site("Safe house", access_level=AccessLevel.CONFIDENTIAL)
    client.force_login(andy)
    assert client.get(f"/app/sites/{secret.pk}/").status_code == 404
    assert "Safe house" not in client.get("/app/sites/").content.decode()
    assert "Safe house" not in client.get("/app/search/", {"q": "Safe"}).content.decode()


def test_it_creates_a_source_then_a_claim_about_a_site(rita_client):
    site = factories.site("Construction site near Lusail", country="QA")
    response = rita_client.post(
        "/app/sources/new/",
        {
            "title": "벌목농장 관련 언론 보도",
            "kind": "media_report",
            "reliability": "C",
            "language": "ko",
            "access_level": "internal",
        },
    )
    source = Source.objects.get(title="벌목농장 관련 언론 보도")
    assert response.status_code == 302 and response.url == f"/app/sources/{source.pk}/"
    response = rita_client.post(
        f"/app/sites/{site.pk}/claims/new/",
        {"source": source.pk, "credibility": 3, "statement": "crew of 40 seen"},
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.subject == site and claim.source == source


def test_it_re_renders_a_bad_form_with_messages_and_keeps_the_input(rita_client):
    response = rita_client.post(
        "/app/sites/new/",
        {"name": "Camp 7", "kind": "castle", "country": "Narnia", "latitude": "95"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a country from the list" in page and "Camp 7" in page and "castle" in page
    assert not Site.objects.exists()


def test_it_refuses_a_deployment_that_breaks_database_rules_in_the_form(rita_client):
    response = rita_client.post(
        "/app/deployments/new/",
        {"host_country": "RU", "workers_low": 50, "workers_high": 10, "access_level": "internal"},
    )
    assert response.status_code == 200
    assert not Deployment.objects.exists()


def test_it_offers_only_access_levels_the_user_can_see(client, andy):
    client.force_login(andy)
    assert client.get("/app/sites/new/").status_code == 403  # analysts do not edit
    from unseen.documentation.browsing import KINDS
    from unseen.documentation.forms import record_form

    form = record_form(KINDS["sites"])(user=andy)
    assert [value for value, _ in form.fields["access_level"].choices] == ["public", "internal"]


def test_it_saves_indicator_coding(rita_client):
    coded = make_testimony("passports taken on arrival")
    opened = rita_client.get(f"/app/testimonies/{coded.pk}/coding/")
    data = {"edit_token": opened.context["edit_token"]}
    data.update({f"coding-indicator_{i}": "unknown" for i in Indicator.values})
    data.update({f"coding-note_{i}": "" for i in Indicator.values})
    data["coding-indicator_retention_of_documents"] = "present"
    data["coding-note_retention_of_documents"] = "p. 2: minder kept passports"
    data["revision-reason"] = "coded from the transcript"
    response = rita_client.post(f"/app/testimonies/{coded.pk}/coding/", data)
    assert response.status_code == 302
    coded.refresh_from_db()
    assert coded.indicator_profile()[Indicator.RETENTION_OF_DOCUMENTS] == Finding.PRESENT
    # The journey is recorded on its own page (journeys:edit), not with the coding.
    assert "journey-outcome" not in opened.content.decode()


def test_it_counts_the_indicator_matrix(rita_client):
    for finding in (Finding.PRESENT, Finding.PRESENT, Finding.ABSENT):
        make_testimony("x").code(Indicator.DEBT_BONDAGE, finding)
    make_testimony("uncoded")
    matrix = rita_client.get("/app/indicators/").context["matrix"]
    row = next(r for r in matrix.rows if r.indicator == Indicator.DEBT_BONDAGE)
    assert (row.present, row.absent, row.unknown, row.present_share) == (2, 1, 1, 50.0)


def test_it_lists_every_bad_cell_of_an_upload_and_writes_nothing(rita_client):
    upload = io.BytesIO(
        b"host_country,year,sector,workers_low,workers_high,monthly_wage_usd_low,monthly_wage_usd_high,"
        b"state_share_low,state_share_high,source,confidence\n"
        b"Russia,17,logging,1,2,,,,,S,high\nNarnia,2017,logging,1,2,,,,,S,high\nChina,2017,x,-5,2,,,,,S,low\n"
    )
    upload.name = "workers.csv"
    response = rita_client.post("/app/import/", {"file": upload, "kind": "deployments"})
    page = response.content.decode()
    assert "workers.csv:2:year" in page and "workers.csv:3:host_country" in page
    assert "workers.csv:4:workers_low" in page and "nothing was imported" in page
    assert not Deployment.objects.exists() and not Source.objects.exists()


def test_it_imports_an_upload(rita_client):
    upload = io.BytesIO(b"title,kind,reliability\nAP report,media_report,B\n")
    upload.name = "sources.csv"
    response = rita_client.post("/app/import/", {"file": upload, "kind": "sources"}, follow=True)
    assert "Imported 1 row:" in response.content.decode()
    assert Source.objects.get().title == "AP report"


def test_it_caps_the_count_of_a_long_list(rita_client, monkeypatch):
    from unseen.documentation import views

    monkeypatch.setattr(views, "COUNT_LIMIT", 3)
    for _ in range(5):
        factories.deployment()
    response = rita_client.get("/app/deployments/")
    assert response.context["page"].paginator.capped
    assert len(response.context["rows"]) == 5
    assert "more than" in response.content.decode()


def test_it_refuses_a_spreadsheet_bomb_before_reading_it(rita_client, tmp_path):
    bomb = spreadsheets.bomb(tmp_path / "sources.xlsx", unpacked_mb=51)
    with bomb.open("rb") as upload:
        response = rita_client.post("/app/import/", {"file": upload, "kind": "sources"})
    assert (
        "sources.xlsx: the spreadsheet unpacks to 51 MB, more than the 50 MB limit for a table"
        in response.content.decode()
    )
    assert not Source.objects.exists()


def test_it_refuses_an_upload_beyond_the_row_limit(rita_client, settings):
    settings.UNSEEN_TABLE_MAX_ROWS = 2
    upload = io.BytesIO(b"title,kind,reliability\n" + b"AP report,media_report,B\n" * 3)
    upload.name = "sources.csv"
    response = rita_client.post("/app/import/", {"file": upload, "kind": "sources"})
    assert "sources.csv: more than 2 rows, the limit for a table" in response.content.decode()
    assert not Source.objects.exists()


@pytest.mark.parametrize("path", ["/app/testimonies/", "/app/map/", "/app/estimates/"])
def test_it_shows_every_record_kind_in_the_workspace_navigation(client, alice, path):
    from unseen.documentation.browsing import KINDS

    client.force_login(alice)
    page = client.get(path).content.decode()
    nav = page.split('<nav class="subnav"', 1)[1].split("</nav>", 1)[0]
    for slug in KINDS:
        assert f'href="/app/{slug}/"' in nav, slug


@pytest.mark.parametrize(("persona", "shown"), [("rita", True), ("andy", False)])
def test_it_offers_import_only_to_those_who_may_import(client, personas, persona, shown):
    client.force_login(personas[persona])
    page = client.get("/app/sources/").content.decode()
    nav = page.split('<nav class="subnav"', 1)[1].split("</nav>", 1)[0]
    assert ('href="/app/import/"' in nav) is shown
