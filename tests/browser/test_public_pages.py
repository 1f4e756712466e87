"""A visitor follows the public map to a site's public page, and from there to its organisation."""

import datetime as dt

import pytest

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Deployment, Relation, RelationKind
from unseen.evidence.models import Credibility, DatePrecision
from unseen.registry.models import CoordinatePrecision, Organisation, Site, SiteKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = AccessLevel.PUBLIC


def public_site_with_operator():
    place = Site.objects.create(
        name="Vladivostok housing block 7",
        kind=SiteKind.CONSTRUCTION_SITE,
        country="RU",
        city="Vladivostok",
        latitude=43.12,
        longitude=131.89,
        coordinate_precision=CoordinatePrecision.NEIGHBOURHOOD,
        access_level=PUBLIC,
    )
    place.add_claim(factories.source("Public press report on block 7"), Credibility.PROBABLY_TRUE)
    operator = Organisation.objects.create(
        name="Korea Rungrado General Trading", kind="trading_company", access_level=PUBLIC
    )
    Relation.objects.create(
        kind=RelationKind.OPERATES_SITE,
        subject_organisation=operator,
        object_site=place,
        access_level=PUBLIC,
    )
    Deployment.objects.create(
        site=place,
        dispatcher=operator,
        workers_low=120,
        workers_high=180,
        sector="construction",
        period_start=dt.date(2016, 1, 1),
        period_start_precision=DatePrecision.YEAR,
        period_end=dt.date(2018, 1, 1),
        period_end_precision=DatePrecision.YEAR,
        access_level=PUBLIC,
    )
    return place, operator


def test_a_visitor_clicks_from_the_map_popup_to_the_site_and_its_operator(page, live_server):
    place, operator = public_site_with_operator()
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("[data-map][data-state=ready]")
    page.locator(f"path[data-site='{place.pk}']").click()
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_role("link", name="Vladivostok housing block 7").click()
    page.wait_for_url(f"**/sites/{place.pk}/")
    page.wait_for_selector("[data-map][data-state=ready]")
    assert "Public press report on block 7" in page.locator("#how-we-know").inner_text()
    page.locator("[data-operators]").get_by_role("link", name=operator.name).click()
    page.wait_for_url(f"**/organisations/{operator.pk}/")
    page.wait_for_selector("[data-charts][data-state=ready]")
    assert "120–180" in page.locator("[data-deployments]").inner_text()
