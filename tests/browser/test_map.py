import datetime as dt
import re

import pytest

from tests.conftest import PASSWORD
from unseen.accounts.models import AccessLevel
from unseen.demo.loading import DEPLOYMENTS_CSV
from unseen.documentation.importing import import_file
from unseen.documentation.models import Deployment
from unseen.evidence.models import Credibility, Reliability, Source, SourceKind
from unseen.registry.models import CoordinatePrecision, Site, SiteKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTERNAL_SECTOR = "INTERNAL-ONLY underground tunnelling"
INTERNAL_SOURCE = "INTERNAL-ONLY informant report 9931"


def wait_for_map(page):
    page.wait_for_selector("[data-map][data-state=ready]")


def test_the_public_home_maps_the_real_deployments_and_nothing_internal(page, live_server):
    import_file(
        DEPLOYMENTS_CSV,
        "deployments",
        default_access_level=AccessLevel.PUBLIC,
        published_elsewhere=True,  # published figures, as the demo loads them
    )
    secret_source = Source.objects.create(
        kind=SourceKind.INTERVIEW,
        title=INTERNAL_SOURCE,
        reliability=Reliability.C,
        access_level=AccessLevel.INTERNAL,
    )
    internal = Deployment.objects.create(
        host_country="BR",
        sector=INTERNAL_SECTOR,
        workers_low=424242,
        workers_high=434343,
        period_start=dt.date(2030, 1, 1),
        period_end=dt.date(2030, 1, 1),
        access_level=AccessLevel.INTERNAL,
    )
    internal.add_claim(secret_source, Credibility.PROBABLY_TRUE, "internal only")
    responses = []
    page.on(
        "response",
        lambda r: responses.append(r) if r.url.endswith(".json") or "data.json" in r.url else None,
    )
    page.goto(f"{live_server.url}/")
    wait_for_map(page)

    for country in ["RU", "CN", "MN", "PL"]:
        assert page.locator(f"path[data-country={country}]").count() == 1, country
    for gulf_state in ["QA", "KW", "AE"]:
        assert page.locator(f"path[data-country={gulf_state}]").count() == 1, gulf_state
    assert page.locator("path[data-country=BR]").count() == 0
    drawn = page.get_attribute("[data-map]", "data-countries").split()
    assert {"RU", "CN", "MN", "QA", "KW", "AE", "PL"} <= set(drawn)
    # Each marker says its figure and opens its sources.
    page.locator("path[data-country=MN]").click()
    popup = page.locator(".leaflet-popup-content")
    assert "Mongolia" in popup.inner_text() and "Mongolian Ministry of Labour" in popup.inner_text()
    # The charts are drawn; clicking a bar lists its sources; the table holds the same numbers.
    page.wait_for_selector("[data-charts][data-state=ready]")
    canvas = page.locator("[data-chart=wages] canvas")
    canvas.scroll_into_view_if_needed()
    shown = page.locator("[data-chart=wages] .chart-sources")
    # On a loaded machine the chart may still be growing or re-laying out when we measure it, so
    # measure and click again until the click lands on the bar (a person would simply click again).
    for _attempt in range(5):
        page.wait_for_timeout(600)
        bar = page.evaluate(
            """() => {
                const chart = Chart.getChart(document.querySelector('[data-chart=wages] canvas'));
                chart.update('none');  // finish any animation: positions are final
                const bars = chart.getDatasetMeta(0).data;
                let widest = 0;
                bars.forEach((b, i) => { if (b.width > bars[widest].width) widest = i; });
                const centre = bars[widest].getCenterPoint();
                return {x: centre.x, y: centre.y, label: chart.data.labels[widest]};
            }"""
        )
        canvas.click(position={"x": bar["x"], "y": bar["y"]})
        if bar["label"] in shown.inner_text():
            break
    assert bar["label"] in shown.inner_text() and shown.locator("li").count() >= 1
    table = page.locator("[data-chart=workers] details.text-alternative").text_content()
    assert "Mongolia" in table and re.search(r"\bS\d+\b", table)
    # The table cites sources by number; each is listed once, in full, under the charts.
    listed = page.locator("[data-charts] details.chart-source-list").text_content()
    assert "Asan Institute" in listed

    page.locator("details.map-table summary").click()
    body = page.content()
    for secret in [INTERNAL_SECTOR, INTERNAL_SOURCE, "424,242", "424242", "434343", "Brazil"]:
        assert secret not in body, secret
    assert "/app/" not in page.locator("main").inner_html()
    data_responses = [r for r in responses if "data.json" in r.url]
    assert data_responses, "the map fetched no data"
    for response in data_responses:
        text = response.text()
        for secret in [INTERNAL_SECTOR, INTERNAL_SOURCE, "424242", "434343", '"BR"', "/app/"]:
            assert secret not in text, (response.url, secret)
    for url in ["/map/data.json", "/map/data.json?year=2030", "/charts/data.json"]:
        text = page.request.get(f"{live_server.url}{url}").text()
        for secret in [INTERNAL_SECTOR, INTERNAL_SOURCE, "424242", "434343", '"BR"']:
            assert secret not in text, (url, secret)


def test_the_map_filters_by_year(page, live_server):
    import_file(
        DEPLOYMENTS_CSV,
        "deployments",
        default_access_level=AccessLevel.PUBLIC,
        published_elsewhere=True,  # published figures, as the demo loads them
    )
    page.goto(f"{live_server.url}/")
    wait_for_map(page)
    page.select_option("[data-map] select[name=year]", "2017")
    page.wait_for_function(
        "document.querySelector('[data-map]').dataset.state === 'ready'"
        " && document.querySelector('.map-status').textContent.includes('2017')"
    )
    assert page.get_attribute("path[data-country=RU]", "data-high") == "30023"
    assert page.locator("path[data-country=QA]").count() == 1


def test_a_researcher_sees_an_internal_site_on_the_app_map(page, live_server, rita):
    site = Site.objects.create(
        name="Dormitory by the Vladivostok port",
        kind=SiteKind.DORMITORY,
        country="RU",
        city="Vladivostok",
        latitude=43.12,
        longitude=131.89,
        coordinate_precision=CoordinatePrecision.NEIGHBOURHOOD,
        access_level=AccessLevel.INTERNAL,
    )
    page.goto(f"{live_server.url}/app/map/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/app/map/")
    wait_for_map(page)
    marker = page.locator(f"path[data-site='{site.pk}']")
    assert marker.count() == 1
    assert marker.get_attribute("data-radius") == "2000"
    marker.click(force=True)
    link = page.locator(".leaflet-popup-content a", has_text="Dormitory by the Vladivostok port")
    assert link.get_attribute("href") == f"/app/sites/{site.pk}/"
    # The public home does not show it.
    page.goto(f"{live_server.url}/")
    wait_for_map(page)
    assert page.locator("path[data-site]").count() == 0
