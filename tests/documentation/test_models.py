import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests import factories
from unseen.documentation.models import Deployment, Finding, Indicator, Sighting, Testimony
from unseen.evidence.models import SourceKind
from unseen.registry.models import Person


def refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Deployment.objects.create(**{"host_country": "RU", **fields})


def test_it_refuses_impossible_wage_terms_in_the_database(db):
    refused(state_share_low=Decimal("0.5"), state_share_high=Decimal("1.2"))
    refused(state_share_low=Decimal("0.9"), state_share_high=Decimal("0.5"))
    refused(workers_low=500, workers_high=100)
    refused(monthly_wage_usd_low=Decimal("-1"))
    refused(hours_per_day=Decimal("25"))


def test_it_refuses_a_deployment_without_a_place(db):
    with pytest.raises(IntegrityError):
        Deployment.objects.create(host_country="", sector="construction")


def test_it_refuses_a_person_with_a_headcount(db):
    refused(person=Person.objects.create(), workers_low=10)


def test_it_takes_the_host_country_from_the_site(db):
    deployment = Deployment.objects.create(site=factories.site(country="MN"))
    assert deployment.host_country == "MN"


def test_it_finds_deployments_of_a_year(db):
    factories.deployment(year=2016)
    factories.deployment(year=2018)
    assert [d.period_start.year for d in Deployment.objects.in_year(2018)] == [2018]


def test_it_refuses_publish_consent_without_use_consent(db):
    source = factories.source(kind=SourceKind.INTERVIEW)
    with pytest.raises(IntegrityError):
        Testimony.objects.create(source=source, consent_to_use=False, consent_to_publish=True)


def test_it_profiles_all_eleven_indicators(db):
    testimony = Testimony.objects.create(
        source=factories.source(kind=SourceKind.INTERVIEW), consent_to_use=True
    )
    testimony.code(Indicator.RETENTION_OF_DOCUMENTS, Finding.PRESENT)
    testimony.code(
        Indicator.RETENTION_OF_DOCUMENTS, Finding.ABSENT, note="recoded on second reading"
    )
    profile = testimony.indicator_profile()
    assert len(profile) == 11
    assert profile[Indicator.RETENTION_OF_DOCUMENTS] == Finding.ABSENT
    assert profile[Indicator.DEBT_BONDAGE] == Finding.UNKNOWN
    assert testimony.codings.count() == 1


def test_it_refuses_a_sighting_that_ends_before_it_starts(db):
    with pytest.raises(IntegrityError):
        Sighting.objects.create(
            description="crew", observed_from=dt.date(2020, 5, 1), observed_to=dt.date(2020, 4, 1)
        )


def test_it_refuses_half_a_coordinate(db):
    with pytest.raises(IntegrityError):
        Sighting.objects.create(description="crew", latitude=10.0)
