"""Issue #17 item 3: record pages read as pages, not as field dumps."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import translation

from tests import factories
from tests.canary import record_url
from unseen.accounts.models import AccessLevel
from unseen.documentation.browsing import shown_fields
from unseen.documentation.models import Deployment, Finding, Indicator, Testimony
from unseen.evidence.models import SourceKind
from unseen.registry.models import Person

PUBLIC, INTERNAL, CONFIDENTIAL = AccessLevel.PUBLIC, AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL


def fields_text(page: str) -> str:
    """The page's field list as plain text, one "label: value" a line."""
    block = page.split('<dl class="fields">', 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block, re.S)
    return "\n".join(f"{label}: {value}" for label, value in pairs)


@pytest.fixture
def year_only(db) -> Deployment:
    return Deployment.objects.create(
        host_country="RU",
        sector="logging",
        period_start=dt.date(2009, 1, 1),
        period_start_precision="year",
        period_end=dt.date(2011, 3, 1),
        period_end_precision="month",
        is_synthetic=True,
        access_level=INTERNAL,
    )


def test_a_deployment_page_reads_as_names_and_dates_at_their_precision(client, rita, year_only):
    client.force_login(rita)
    page = client.get(record_url(year_only)).content.decode()
    fields = fields_text(page)
    assert "Host country: Russia" in fields and "RU" not in fields
    assert "Period start: 2009\n" in fields and "Jan. 1, 2009" not in fields
    assert "Period end: March 2011" in fields
    assert "precision" not in fields.lower()
    assert "synthetic" not in fields.lower()
    assert 'class="badge synthetic"' in page  # shown as the badge instead


def test_it_names_countries_and_months_in_the_readers_language(rita, year_only):
    with translation.override("ko"):
        values = [str(value) for _label, value in shown_fields(year_only, rita)]
    assert "러시아" in values and "2011년 3월" in values and "2009" in values


def make_testimony(title: str, level: str = INTERNAL, **fields) -> Testimony:
    return Testimony.objects.create(
        source=factories.source(title, kind=SourceKind.INTERVIEW, access_level=level),
        consent_to_use=True,
        access_level=level,
        **fields,
    )


def test_booleans_choices_and_languages_read_as_words(rita):
    testimony = make_testimony("Interview in Seoul", interview_country="KR")
    shown = dict(shown_fields(testimony, rita))
    assert shown["Consent to use"] == "Yes" and shown["Consent to publish"] == "No"
    assert "Outcome" not in shown and shown["Interview country"] == "South Korea"
    assert shown["Interview language"] == "Korean"


def test_a_testimony_page_shows_each_indicator_by_its_label_with_its_note(client, rita):
    testimony = make_testimony("Interview in Seoul")
    testimony.code(
        Indicator.RETENTION_OF_DOCUMENTS, Finding.PRESENT, "Passport taken by the site manager"
    )
    client.force_login(rita)
    page = client.get(record_url(testimony)).content.decode()
    assert "abuse_of_vulnerability" not in page and "retention_of_documents" not in page
    assert "Passport taken by the site manager" in page
    indicators = page.split("data-indicators>", 1)[1].split("</dl>", 1)[0]
    assert "Retention of identity documents" in indicators
    assert "Passport taken by the site manager" in indicators
    assert "Abuse of vulnerability" in indicators  # uncoded: shown as unknown


def section(page: str, marker: str) -> str:
    assert marker in page, f"no {marker} section"
    return page.split(marker, 1)[1].split("</section>", 1)[0]


def test_what_points_here_lists_visible_deployments_and_omits_confidential_ones(client, andy):
    camp = factories.site("Camp Tynda", access_level=INTERNAL)
    seen = Deployment.objects.create(
        site=camp, sector="logging", period_start=dt.date(2016, 1, 1), access_level=INTERNAL
    )
    hidden = Deployment.objects.create(
        site=camp,
        sector="secret mining",
        period_start=dt.date(2018, 1, 1),
        access_level=CONFIDENTIAL,
    )
    client.force_login(andy)
    page = client.get(record_url(camp)).content.decode()
    pointing = section(page, "data-points-here>")
    assert "Deployments" in pointing and record_url(seen) in pointing
    assert record_url(hidden) not in page and "secret mining" not in page
    assert "(1 / 2)" not in page  # no count of what andy may not read


def test_related_records_are_grouped_under_headings_and_linked(client, rita, andy):
    camp = factories.site("Camp Tynda", access_level=INTERNAL)
    secret = factories.site("Camp Zeya", access_level=CONFIDENTIAL)
    worker = Person.objects.create(access_level=INTERNAL)
    deployment = Deployment.objects.create(
        site=camp, person=worker, period_start=dt.date(2016, 1, 1), access_level=INTERNAL
    )
    hidden_site = Deployment.objects.create(
        site=secret, workers_low=5, period_start=dt.date(2016, 1, 1), access_level=INTERNAL
    )
    client.force_login(rita)
    related = section(client.get(record_url(deployment)).content.decode(), "data-related>")
    assert "<h3>Site" in related and f'href="{record_url(camp)}"' in related
    assert "<h3>Person" in related and f'href="{record_url(worker)}"' in related
    client.force_login(andy)
    page = client.get(record_url(hidden_site)).content.decode()
    assert "Camp Zeya" not in page and record_url(secret) not in page


@pytest.mark.parametrize(("language", "expected"), [("en", "20,000"), ("ko", "20,000")])
def test_headcounts_and_wages_are_grouped_in_the_readers_locale(client, rita, language, expected):
    deployment = factories.deployment(low=20000, high=125000)
    deployment.monthly_wage_usd_low = Decimal("1250.50")
    deployment.save()
    client.force_login(rita)
    with translation.override(language):
        values = [str(value) for _label, value in shown_fields(deployment, rita)]
    assert {expected, "125,000", "1,250.50"} <= set(values)
    fields = fields_text(client.get(record_url(deployment)).content.decode())
    assert "Workers, low: 20,000\n" in fields and "20000" not in fields
    listing = client.get("/app/deployments/").content.decode()
    assert "<td>20,000</td>" in listing and "<td>125,000</td>" in listing


def test_years_and_ids_are_never_grouped(client, rita):
    person = Person.objects.create(birth_year=1985, access_level=PUBLIC)
    assert dict(shown_fields(person, rita))["Birth year"] == 1985
    client.force_login(rita)
    listing = client.get("/app/persons/").content.decode()
    assert "<td>1985</td>" in listing and "1,985" not in listing
