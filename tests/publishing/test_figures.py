import datetime as dt
import json
from decimal import Decimal

import pytest

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Deployment
from unseen.documentation.sectors import categories_of
from unseen.publishing.figures import chart_data

pytestmark = pytest.mark.django_db


def series(data, label):
    return next(s for s in data["workers"] if s["label"] == label)


def test_it_draws_workers_as_ranges_over_time_with_their_sources():
    report = factories.source("Russian report to the 1718 Committee")
    officials = factories.source("Russian officials, 2018")
    factories.deployment(country="RU", year=2017, low=30023, high=30023, evidence=report)
    factories.deployment(country="RU", year=2018, low=35000, high=37000, evidence=officials)
    factories.deployment(country="RU", year=2018, low=11490, high=11490, evidence=report)
    factories.deployment(country="RU", year=2019, low=None, high=10000)
    data = chart_data(published_only=True)
    points = {p["year"]: p for p in series(data, "Russia")["points"]}
    assert (points[2017]["low"], points[2017]["high"]) == (30023, 30023)
    assert (points[2018]["low"], points[2018]["high"], points[2018]["records"]) == (11490, 37000, 2)
    assert set(points[2018]["source_ids"]) == {report.pk, officials.pk}
    assert (
        points[2019]["low"] is None and points[2019]["open_low"] and not points[2019]["open_high"]
    )
    assert data["sources"][str(report.pk)]["title"] == "Russian report to the 1718 Committee"


def test_it_spreads_a_deployment_over_every_year_it_covers():
    Deployment.objects.create(
        host_country="MN",
        workers_low=100,
        workers_high=150,
        period_start=dt.date(2015, 1, 1),
        period_end=dt.date(2017, 1, 1),
        access_level=AccessLevel.PUBLIC,
    )
    points = series(chart_data(published_only=True), "Mongolia")["points"]
    assert [p["year"] for p in points] == [2015, 2016, 2017]


def test_a_year_without_figures_is_null_not_a_line_across_it_nor_zero():
    factories.deployment(country="RU", year=2015, low=20000, high=25000)
    factories.deployment(country="RU", year=2018, low=30000, high=40000)
    factories.deployment(country="RU", year=2019, low=None, high=10000)
    points = series(chart_data(published_only=True), "Russia")["points"]
    assert [p["year"] for p in points] == [2015, 2016, 2017, 2018, 2019]
    gaps = [p for p in points if p["year"] in (2016, 2017)]
    for gap in gaps:
        # Neither interpolated (22,500–32,500 or so) nor zero: nothing is known of these years.
        assert (gap["low"], gap["high"], gap["records"]) == (None, None, 0)
        assert gap["no_data"] and gap["source_ids"] == []
    assert not any(p["no_data"] for p in points if p["year"] not in (2016, 2017))
    # An open range (only an upper bound) is a figure, not a gap.
    assert points[-1]["high"] == 10000 and not points[-1]["no_data"]


def test_the_numbers_table_lists_only_years_with_figures(client):
    factories.deployment(country="MN", year=2011, low=1200, high=1300)
    factories.deployment(country="MN", year=2014, low=1500, high=1600)
    page = client.get("/").content.decode()
    table = page[page.index('data-chart="workers"') : page.index('data-chart="sectors"')]
    assert "2011" in table and "2014" in table
    assert "2012" not in table and "2013" not in table


def test_it_leaves_proxies_out_of_every_chart():
    factories.deployment(country="RU", year=2024, low=13221, high=13221, sector="entries: all")
    data = chart_data(published_only=True)
    assert data["workers"] == [] and data["sectors"]["hosts"] == []
    assert "13221" not in json.dumps(data)


def test_it_counts_sectors_by_host():
    source = factories.source("Polish labour inspectorate")
    factories.deployment(country="PL", sector="shipbuilding; construction", evidence=source)
    factories.deployment(country="PL", sector="construction")
    factories.deployment(country="CN", sector="IT")
    factories.deployment(country="CN", sector="mixed (Dandong)")
    data = chart_data(published_only=True)
    hosts = {h["label"]: h for h in data["sectors"]["hosts"]}
    assert hosts["Poland"]["categories"]["construction"]["records"] == 2
    assert hosts["Poland"]["categories"]["shipbuilding"] == {
        "records": 1,
        "source_ids": [source.pk],
    }
    assert set(hosts["China"]["categories"]) == {"it", "other"}
    assert [c["key"] for c in data["sectors"]["categories"]] == [
        "construction",
        "it",
        "shipbuilding",
        "other",
    ]


def test_it_sorts_sector_texts_into_categories():
    assert categories_of("IT") == ("it",)
    assert categories_of("military construction workers") == ("construction", "military")
    assert categories_of("hospitality") == ("restaurants",)  # not IT, though it contains "it"
    assert categories_of("mixed") == ("other",)


def test_it_gives_wage_and_share_ranges_by_host():
    wages = factories.source("AP 2017")
    made = factories.deployment(country="QA", evidence=wages)
    made.monthly_wage_usd_low, made.monthly_wage_usd_high = Decimal("1000"), None
    made.state_share_low, made.state_share_high = Decimal("0.5"), Decimal("0.8")
    made.save()
    other = factories.deployment(country="QA", year=2014)
    other.state_share_low = other.state_share_high = Decimal("0.7")
    other.save()
    data = chart_data(published_only=True)
    (wage,) = data["wages"]
    assert (wage["label"], wage["low"], wage["high"], wage["source_ids"]) == (
        "Qatar",
        1000,
        1000,
        [wages.pk],
    )
    (share,) = data["shares"]
    assert (share["low"], share["high"], share["records"]) == (0.5, 0.8, 2)
    assert (share["first_year"], share["last_year"]) == (2014, 2017)


def test_it_never_puts_internal_or_confidential_records_or_sources_in_public_charts(rita, andy):
    secret = factories.source("CONFIDENTIAL-SOURCE-4711", access_level=AccessLevel.CONFIDENTIAL)
    factories.deployment(
        country="KW",
        low=654321,
        high=654321,
        sector="SECRET-SECTOR",
        access_level=AccessLevel.INTERNAL,
    )
    factories.deployment(
        country="QA", low=777777, high=888888, access_level=AccessLevel.CONFIDENTIAL
    )
    factories.deployment(country="MN", low=1200, high=1500, evidence=secret)
    public = json.dumps(chart_data(published_only=True), ensure_ascii=False)
    for text in ["CONFIDENTIAL-SOURCE-4711", "654321", "777777", "Kuwait", "Qatar", "/app/"]:
        assert text not in public, text
    assert series(chart_data(published_only=True), "Mongolia")["points"][0]["source_ids"] == []
    staff = chart_data(rita)
    assert {s["label"] for s in staff["workers"]} == {"Kuwait", "Qatar", "Mongolia"}
    assert staff["sources"][str(secret.pk)]["app_url"] == f"/app/sources/{secret.pk}/"
    # Without the confidential compartment: internal yes, confidential no.
    assert {s["label"] for s in chart_data(andy)["workers"]} == {"Kuwait", "Mongolia"}


def test_the_endpoints_and_pages_answer(client, rita):
    factories.deployment(country="PL", low=400, high=500, evidence=factories.source("NYT 2018"))
    factories.deployment(country="KW", low=3, high=4, access_level=AccessLevel.INTERNAL)
    data = client.get("/charts/data.json").json()
    assert data["scope"] == "public" and [s["label"] for s in data["workers"]] == ["Poland"]
    client.force_login(rita)
    staff = client.get("/app/charts/data.json").json()
    assert {s["label"] for s in staff["workers"]} == {"Poland", "Kuwait"}
    page = client.get("/app/charts/").content.decode()
    assert "Kuwait" in page and "NYT 2018" in page and 'id="chart-data"' in page
    assert "data-map" in client.get("/app/map/").content.decode()


def test_the_public_home_shows_map_and_charts_of_public_records_only(client):
    factories.deployment(country="PL", low=400, high=500, evidence=factories.source("NYT 2018"))
    factories.deployment(country="KW", low=3, high=4, access_level=AccessLevel.INTERNAL)
    page = client.get("/").content.decode()
    assert 'data-url="/map/data.json"' in page and 'id="chart-data"' in page
    assert "Poland" in page and "NYT 2018" in page
    assert "Kuwait" not in page and "/app/" not in page


def test_a_table_cell_cites_its_strongest_sources_by_number_and_lists_each_source_once(client):
    sources = [factories.source(f"Report {n}") for n in range(15)]
    for source in sources:
        factories.deployment(country="RU", year=2018, low=100, high=200, evidence=source)
    html = client.get("/").content.decode()
    table = html[html.index('data-chart="workers"') : html.index('data-chart="sectors"')]
    cell = table[table.index("15 sources") :]
    cell = cell[: cell.index("</details>")]
    assert cell.count('href="#chart-source-') == 12
    assert "and 3 more" in cell
    listing = html[html.index("chart-source-list") :]
    for source in sources:
        assert listing.count(f'id="chart-source-{source.pk}"') == 1
