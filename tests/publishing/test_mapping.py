import datetime as dt
import json

import pytest

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Deployment, Sighting
from unseen.evidence.models import Credibility
from unseen.publishing.mapping import country_point, map_data, radius_for
from unseen.registry.models import CoordinatePrecision, Site, SiteKind

pytestmark = pytest.mark.django_db


def sighting(precision, *, access_level=AccessLevel.PUBLIC, **fields):
    values = {
        "description": "Workers in matching clothes",
        "country": "RU",
        "latitude": 43.1,
        "longitude": 131.9,
        "coordinate_precision": precision,
        "observed_from": dt.date(2019, 5, 1),
        "observed_to": dt.date(2019, 5, 3),
        "access_level": access_level,
    }
    values.update(fields)
    return Sighting.objects.create(**values)


def countries(data):
    return {host["country"]: host for host in data["countries"]}


def test_it_draws_the_range_of_the_latest_year_for_each_country():
    source = factories.source("Russia's report to the 1718 Committee")
    factories.deployment(country="RU", year=2017, low=30023, high=30023, evidence=source)
    factories.deployment(country="RU", year=2018, low=35000, high=37000, evidence=source)
    factories.deployment(country="RU", year=2018, low=11490, high=11490)
    factories.deployment(country="MN", year=2017, low=1190, high=1200)
    russia = countries(map_data(published_only=True))["RU"]
    assert (russia["year"], russia["workers_low"], russia["workers_high"]) == (2018, 11490, 37000)
    assert russia["figures"] == 2 and russia["record_count"] == 2
    assert russia["numeric"] == "643"
    assert 40 < russia["lat"] < 75 and 30 < russia["lon"] < 180


def test_it_takes_the_chosen_year_and_sector():
    factories.deployment(country="RU", year=2017, low=30023, high=30023, sector="mixed")
    factories.deployment(country="RU", year=2018, low=500, high=600, sector="logging")
    factories.deployment(country="CN", year=2017, low=10, high=20, sector="IT")
    factories.deployment(country="QA", year=2017, low=1000, high=2000, sector="construction")
    in_2017 = countries(map_data(published_only=True, year=2017))
    assert set(in_2017) == {"RU", "CN", "QA"}
    assert in_2017["RU"]["workers_high"] == 30023
    assert set(countries(map_data(published_only=True, sector="it"))) == {"CN"}
    assert set(countries(map_data(published_only=True, sector="logging"))) == {"RU"}
    assert countries(map_data(published_only=True, sector="other"))["RU"]["workers_low"] == 30023


def test_it_leaves_proxies_out():
    factories.deployment(country="RU", year=2024, low=13221, high=13221, sector="entries: all")
    factories.deployment(country="LY", year=2025, low=600, high=600, sector="planned dispatch")
    data = map_data(published_only=True)
    assert data["countries"] == [] and data["regions"] == []
    assert "13221" not in json.dumps(data)


def test_it_lists_regions_instead_of_drawing_them():
    Deployment.objects.create(
        host_region="World",
        workers_low=100000,
        workers_high=100000,
        period_start=dt.date(2023, 1, 1),
        period_end=dt.date(2023, 1, 1),
        access_level=AccessLevel.PUBLIC,
    )
    data = map_data(published_only=True)
    assert data["countries"] == []
    assert [(r["name"], r["workers_high"]) for r in data["regions"]] == [("World", 100000)]


def test_it_places_small_countries_missing_from_the_outlines():
    assert country_point("MT") is not None
    assert country_point("QA") is not None and country_point("KW") is not None
    assert country_point("XX") is None


def test_it_never_puts_internal_or_confidential_records_or_sources_in_public_data(rita):
    secret_source = factories.source(
        "CONFIDENTIAL-SOURCE-4711", access_level=AccessLevel.CONFIDENTIAL
    )
    factories.deployment(
        country="KW",
        low=654321,
        high=654321,
        sector="SECRET-SECTOR",
        access_level=AccessLevel.INTERNAL,
    )
    public_one = factories.deployment(country="MN", low=1200, high=1500, evidence=secret_source)
    Site.objects.create(
        name="INTERNAL-SITE-NAME",
        kind=SiteKind.DORMITORY,
        country="RU",
        latitude=43.1,
        longitude=131.9,
        coordinate_precision=CoordinatePrecision.CITY,
        access_level=AccessLevel.INTERNAL,
    )
    sighting(CoordinatePrecision.CITY, access_level=AccessLevel.CONFIDENTIAL, place="HIDDEN-PLACE")
    public = json.dumps(map_data(published_only=True), ensure_ascii=False)
    for secret in [
        "CONFIDENTIAL-SOURCE-4711",
        "654321",
        "SECRET-SECTOR",
        "INTERNAL-SITE-NAME",
        "HIDDEN-PLACE",
        "/app/",
        '"KW"',
    ]:
        assert secret not in public, secret
    mongolia = countries(map_data(published_only=True))["MN"]
    assert mongolia["source_ids"] == [] and mongolia["records"][0]["url"] is None
    # An anonymous "user" gets the public picture too.
    assert json.dumps(map_data(None), ensure_ascii=False) == public
    # Staff see it all, linked to the record pages.
    staff = map_data(rita)
    assert countries(staff)["KW"]["workers_high"] == 654321
    assert countries(staff)["MN"]["source_ids"] == [secret_source.pk]
    assert countries(staff)["MN"]["records"][0]["url"] == f"/app/deployments/{public_one.pk}/"
    assert staff["sources"][str(secret_source.pk)]["app_url"] == f"/app/sources/{secret_source.pk}/"
    assert [s["label"] for s in staff["sites"]] == ["INTERNAL-SITE-NAME"]


def test_it_keeps_confidential_records_from_staff_without_the_compartment(andy):
    factories.deployment(country="QA", low=777, high=888, access_level=AccessLevel.CONFIDENTIAL)
    factories.deployment(country="KW", low=5, high=6, access_level=AccessLevel.INTERNAL)
    assert set(countries(map_data(andy))) == {"KW"}


@pytest.mark.parametrize(
    ("precision", "radius"),
    [
        (CoordinatePrecision.EXACT, 100),
        (CoordinatePrecision.NEIGHBOURHOOD, 2_000),
        (CoordinatePrecision.CITY, 15_000),
        (CoordinatePrecision.REGION, 150_000),
        ("", 150_000),
    ],
)
def test_it_draws_sightings_as_large_as_their_place_is_uncertain(precision, radius):
    made = sighting(precision)
    source = factories.source("A traveller's report")
    made.add_claim(source, Credibility.CANNOT_JUDGE)
    (drawn,) = map_data(published_only=True)["sightings"]
    assert drawn["radius_m"] == radius == radius_for(precision)
    assert drawn["precision"] == (precision or "unstated")
    assert drawn["source_ids"] == [source.pk] and drawn["url"] is None


def test_it_lists_sightings_known_only_to_the_country_without_drawing_them():
    sighting(CoordinatePrecision.COUNTRY, public_place_label="Somewhere in Russia")
    sighting(
        CoordinatePrecision.CITY, latitude=None, longitude=None, public_place_label="No coordinates"
    )
    data = map_data(published_only=True)
    assert data["sightings"] == []
    assert {item["label"] for item in data["not_drawn"]} == {
        "Somewhere in Russia",
        "No coordinates",
    }


def test_it_shows_the_public_only_the_text_written_for_it(rita):
    # #14: `place` and `description` may be a reporter's words; staff read them, the public never.
    sighting(
        CoordinatePrecision.CITY,
        place="17 Lenina St, entrance B",
        description="My neighbour Pak drives them",
        observed_from=dt.date(2019, 5, 17),
        observed_precision="month",
    )
    (public,) = map_data(published_only=True)["sightings"]
    assert (public["label"], public["description"]) == ("Russia", "")
    assert (public["observed_from"], public["observed_precision"]) == ("2019-05-01", "month")
    public_text = Sighting.objects.update(
        public_place_label="Vladivostok", public_description="Workers on a site"
    )
    assert public_text == 1
    (public,) = map_data(published_only=True)["sightings"]
    assert (public["label"], public["description"]) == ("Vladivostok", "Workers on a site")
    (staff,) = map_data(rita)["sightings"]
    assert staff["label"] == "17 Lenina St, entrance B" and "Pak" in staff["description"]


def test_it_filters_sightings_by_year(rita):
    sighting(CoordinatePrecision.CITY)
    assert len(map_data(rita, year=2019)["sightings"]) == 1
    assert map_data(rita, year=2020)["sightings"] == []


def test_it_shows_sites_with_their_precision_and_filters_them_by_deployment(rita):
    site = Site.objects.create(
        name="Dormitory",
        kind=SiteKind.DORMITORY,
        country="RU",
        latitude=43.1,
        longitude=131.9,
        coordinate_precision=CoordinatePrecision.NEIGHBOURHOOD,
    )
    Deployment.objects.create(
        site=site,
        sector="construction",
        workers_low=10,
        workers_high=20,
        period_start=dt.date(2016, 1, 1),
        period_end=dt.date(2018, 1, 1),
    )
    (drawn,) = map_data(rita)["sites"]
    assert drawn["radius_m"] == 2_000 and drawn["url"] == f"/app/sites/{site.pk}/"
    assert len(map_data(rita, year=2017, sector="construction")["sites"]) == 1
    assert map_data(rita, year=2019)["sites"] == []
    assert map_data(rita, sector="logging")["sites"] == []
    # The deployment at the site counts for its country in every year it covers.
    assert countries(map_data(rita, year=2017))["RU"]["workers_high"] == 20


def test_the_public_endpoint_answers_published_data_only(client, rita):
    factories.deployment(country="PL", low=400, high=500)
    factories.deployment(country="KW", low=3, high=4, access_level=AccessLevel.INTERNAL)
    client.force_login(rita)  # even signed in, the public endpoint stays public
    data = client.get("/map/data.json?year=2017&sector=construction").json()
    assert data["scope"] == "public" and data["year"] == 2017
    assert set(countries(data)) == {"PL"}
    staff = client.get("/app/map/data.json?year=nonsense").json()
    assert staff["scope"] == "staff" and staff["year"] is None
    assert set(countries(staff)) == {"PL", "KW"}
