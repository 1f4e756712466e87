import pytest

from tests import factories
from tests.browser.test_public_pages import public_site_with_operator
from tests.conftest import make_user
from unseen.accounts.roles import Role
from unseen.estimation import revenue_runs
from unseen.estimation.publication import set_published
from unseen.registry.models import OrganisationAlias

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_shots(browser, live_server, viewport):
    place, operator = public_site_with_operator()
    OrganisationAlias.objects.create(organisation=operator, name="릉라도무역총회사", script="Hang")
    factories.deployment(country="RU", year=2015, low=20000, high=30000, evidence=factories.source("Rosstat"))
    factories.deployment(country="RU", year=2017, low=30023, high=35000, evidence=factories.source("Russia's report to the 1718 Committee"))
    run = factories.estimate_run("Workers in Russia, three lists", access_level="public")
    run = set_published(run, True, by=make_user("olga", Role.ADMINISTRATOR))
    rev = revenue_runs.publish(factories.revenue_run("Revenue 2017", access_level="public"), True)
    context = browser.new_context(locale="en-GB", bypass_csp=True, viewport=viewport)
    page = context.new_page()
    name = "phone" if viewport["width"] < 500 else "desktop"
    wide = []
    for slug, path in [
        ("site", f"/sites/{place.pk}/"),
        ("org", f"/organisations/{operator.pk}/"),
        ("country", "/countries/RU/"),
        ("search", "/search/?q=Gim"),
        ("estimate", f"/estimates/{run.pk}/"),
        ("revenue", f"/revenue/{rev.pk}/"),
        ("home", "/"),
    ]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(1500)
        page.screenshot(path=f"/tmp/h21pp/{slug}-{name}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            wide.append((path, width))
    context.close()
    assert wide == []
