"""Issue #17 item 3: record pages read as pages, not as field dumps."""

import datetime as dt
import re

import pytest
from django.utils import translation

from tests import factories
from tests.canary import record_url
from unseen.accounts.models import AccessLevel
from unseen.documentation.browsing import shown_fields
from unseen.documentation.models import Deployment, Finding, Indicator, Testimony
from unseen.evidence.models import SourceKind

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
    assert shown["Outcome"] == "Unknown" and shown["Interview country"] == "South Korea"
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
