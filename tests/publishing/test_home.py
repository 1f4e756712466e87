from tests import factories
from unseen.accounts.models import AccessLevel


def test_it_shows_published_figures_with_their_sources(client, db):
    source = factories.source("Russia's report to the 1718 Committee")
    factories.deployment(country="RU", year=2017, low=30023, high=30023, evidence=source)
    factories.deployment(country="RU", year=2016, low=1, high=2, evidence=source)
    page = client.get("/").content.decode()
    assert "Russia" in page and "30,023" in page and "1718 Committee" in page
    table = page.split('<table id="latest-headcounts">')[1].split("</table>")[0]
    assert "30,023" in table
    assert "1–2" not in table  # only the latest year per host (the charts show every year)


def test_it_never_shows_unpublished_records_or_sources(client, db, alice):
    secret_source = factories.source(
        "CONFIDENTIAL-SOURCE-TITLE-4711", access_level=AccessLevel.CONFIDENTIAL
    )
    factories.deployment(
        country="QA",
        low=777_777,
        high=888_888,
        access_level=AccessLevel.CONFIDENTIAL,
        evidence=secret_source,
    )
    factories.deployment(country="KW", low=654_321, high=654_321, access_level=AccessLevel.INTERNAL)
    public_one = factories.deployment(country="MN", low=1200, high=1500)
    public_one.add_claim(secret_source, 2)
    for path in ["/", "/healthz", "/accounts/login/"]:
        body = client.get(path).content.decode()
        for secret in [
            "CONFIDENTIAL-SOURCE-TITLE-4711",
            "777,777",
            "888,888",
            "654,321",
            "Qatar",
            "Kuwait",
        ]:
            assert secret not in body, (path, secret)
    assert "1,200–1,500" in client.get("/").content.decode()


def test_it_leaves_proxies_out_of_headcounts(client, db):
    factories.deployment(
        country="RU", year=2024, low=13221, high=13221, sector="entries: all purposes (proxy)"
    )
    assert "13,221" not in client.get("/").content.decode()
