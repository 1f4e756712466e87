import re

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


def test_it_keeps_a_confidential_record_out_of_every_public_url(client, db):
    """Every URL anonymous visitors may open, pages and JSON alike, walked from the matrix."""
    from django.urls import reverse

    from tests.test_permission_matrix import ALL, MATRIX

    title = "CONFIDENTIAL-TITLE-8812"
    secret = factories.source(title, access_level=AccessLevel.CONFIDENTIAL)
    factories.deployment(
        country="BR",
        low=31_337,
        high=31_338,
        sector=title,
        access_level=AccessLevel.CONFIDENTIAL,
        evidence=secret,
    )
    site = factories.site(title, country="BR", access_level=AccessLevel.CONFIDENTIAL)
    site.latitude, site.longitude, site.coordinate_precision = -15.8, -47.9, "city"
    site.save()
    factories.deployment(country="MN", evidence=secret)  # public record, confidential source
    public_urls = [
        reverse(name)
        for name, (method, allowed, args) in MATRIX.items()
        if allowed == ALL and method == "get" and not args
    ]
    assert "/map/data.json" in public_urls and "/" in public_urls
    for url in public_urls:
        body = client.get(url).content.decode()
        # A country menu names every country to everyone; the leak would be Brazil elsewhere.
        body = re.sub(r"<datalist[^>]*>.*?</datalist>", "", body, flags=re.S)
        for leak in (title, "31,337", "31337", "Brazil"):
            assert leak not in body, (url, leak)
