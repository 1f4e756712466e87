"""Cached public figures are never stale, and are rebuilt only when what they read changes.

Each test changes a record between two requests and expects the second answer to show the
change (publishing, editing, unpublishing, deleting, a source retitled or withdrawn); the
counting tests expect a change to a model the figure does not read to keep its cached value.
"""

import json

import pytest

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.log import last_change_id, record, record_many
from unseen.audit.models import Action
from unseen.documentation.models import Deployment, Testimony
from unseen.evidence.models import Credibility, SourceKind
from unseen.publishing import freshness, views
from unseen.registry.models import Person

pytestmark = pytest.mark.django_db


def map_json(client) -> dict:
    return json.loads(client.get("/map/data.json").content)


def chart_json(client) -> dict:
    return json.loads(client.get("/charts/data.json").content)


def countries(data: dict) -> dict[str, dict]:
    return {item["country"]: item for item in data["countries"]}


def test_the_version_of_some_models_moves_only_with_changes_to_them():
    deployments = ("documentation.deployment",)
    before = last_change_id(deployments)
    factories.source("Unrelated")
    assert last_change_id(deployments) == before  # a source is another model
    made = factories.deployment()
    after_create = last_change_id(deployments)
    assert after_create > before
    made.workers_high = 300
    made.save()
    after_update = last_change_id(deployments)
    assert after_update > after_create
    made.delete()
    after_delete = last_change_id(deployments)
    assert after_delete > after_update
    # Bulk edits audit each record under its model; imports count as changes to everything.
    other = factories.deployment()
    record_many(Action.UPDATE, [(other, {"fields": ["sector"]})])
    assert last_change_id(deployments) > after_delete
    newest = last_change_id(deployments)
    record(Action.IMPORT, target_type="sources", detail={"rows": 1})
    assert last_change_id(deployments) > newest
    # Views and searches are not changes.
    newest = last_change_id(deployments)
    record(Action.VIEW, other)
    assert last_change_id(deployments) == newest
    assert last_change_id() >= newest  # every model: as before


def test_app_labels_stand_for_all_their_models():
    labels = freshness.model_labels(("files", "registry.site"))
    assert "registry.site" in labels and "files.evidencefile" in labels
    assert "files.attachment" in labels and "registry.person" not in labels


def test_the_map_shows_a_change_at_once(client):
    source = factories.source("Report one")
    made = factories.deployment(country="RU", low=1000, high=2000, evidence=source)
    assert countries(map_json(client))["RU"]["workers_high"] == 2000
    made.workers_high = 2500
    made.save()
    assert countries(map_json(client))["RU"]["workers_high"] == 2500
    # Another deployment published beside it.
    factories.deployment(country="MN", low=10, high=20)
    assert "MN" in countries(map_json(client))
    # Unpublished: gone at once.
    made.access_level = AccessLevel.INTERNAL
    made.save()
    assert "RU" not in countries(map_json(client))
    # Deleted: gone at once.
    Deployment.objects.filter(host_country="MN").delete()
    assert map_json(client)["countries"] == []


def test_the_map_shows_a_retitled_or_withdrawn_source_at_once(client):
    source = factories.source("Old title")
    factories.deployment(country="RU", evidence=source)
    assert [s["title"] for s in map_json(client)["sources"].values()] == ["Old title"]
    source.title = "New title"
    source.save()
    assert [s["title"] for s in map_json(client)["sources"].values()] == ["New title"]
    source.access_level = AccessLevel.INTERNAL
    source.save()
    data = map_json(client)
    assert data["sources"] == {} and countries(data)["RU"]["source_ids"] == []


def test_a_site_renamed_or_a_claim_withdrawn_shows_at_once(client):
    site = factories.site("Camp A", access_level=AccessLevel.PUBLIC)
    site.latitude, site.longitude, site.coordinate_precision = 43.1, 131.9, "city"
    site.save()
    assert [s["label"] for s in map_json(client)["sites"]] == ["Camp A"]
    site.name = "Camp B"
    site.save()
    assert [s["label"] for s in map_json(client)["sites"]] == ["Camp B"]
    source = factories.source("Cited")
    made = factories.deployment(country="RU", evidence=source)
    assert countries(map_json(client))["RU"]["source_ids"] == [source.pk]
    made.supporting_claims.get().delete()
    assert countries(map_json(client))["RU"]["source_ids"] == []


def test_the_charts_and_home_show_a_change_at_once(client):
    source = factories.source("Chart source")
    made = factories.deployment(country="RU", year=2018, low=4000, high=5000, evidence=source)
    home = client.get("/").content.decode()
    assert "4,000–5,000" in home
    points = chart_json(client)["workers"][0]["points"]
    assert (points[0]["low"], points[0]["high"]) == (4000, 5000)
    made.workers_low, made.workers_high = 6000, 7000
    made.save()
    assert "6,000–7,000" in client.get("/").content.decode()
    points = chart_json(client)["workers"][0]["points"]
    assert (points[0]["low"], points[0]["high"]) == (6000, 7000)
    # A new year reaches the map's year filter on the home page.
    factories.deployment(country="RU", year=2021, low=1, high=2)
    assert '<option value="2021">' in client.get("/").content.decode()
    made.delete()
    home = client.get("/").content.decode()
    assert "6,000–7,000" not in home and "Chart source" not in home


def test_the_staff_map_shows_a_change_at_once(client, alice):
    client.force_login(alice)
    made = factories.deployment(country="QA", low=5, high=6, access_level=AccessLevel.INTERNAL)
    data = json.loads(client.get("/app/map/data.json").content)
    assert countries(data)["QA"]["workers_high"] == 6
    made.workers_high = 9
    made.save()
    data = json.loads(client.get("/app/map/data.json").content)
    assert countries(data)["QA"]["workers_high"] == 9


class Builds:
    """Counts how often a builder runs (each run is a cache miss)."""

    def __init__(self, monkeypatch, name: str):
        self.count = 0
        real = getattr(views, name)

        def counted(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(views, name, counted)


def test_changes_to_what_a_figure_does_not_read_keep_it_cached(client, monkeypatch):
    maps = Builds(monkeypatch, "map_data")
    charts = Builds(monkeypatch, "chart_data")
    figures = Builds(monkeypatch, "latest_published_figures")
    factories.deployment(country="RU", low=1, high=2)
    interview = factories.source("Interview", kind=SourceKind.INTERVIEW)
    for _ in range(2):
        client.get("/map/data.json")
        client.get("/charts/data.json")
        client.get("/")
    assert (maps.count, charts.count, figures.count) == (1, 1, 1)  # shared by JSON and page
    # A testimony and a person are read by none of them.
    testimony = Testimony.objects.create(source=interview, access_level=AccessLevel.INTERNAL)
    testimony.summary = "edited"
    testimony.save()
    Person.objects.create(access_level=AccessLevel.INTERNAL)
    client.get("/map/data.json")
    client.get("/charts/data.json")
    client.get("/")
    assert (maps.count, charts.count, figures.count) == (1, 1, 1)
    # A site is read by the map only.
    factories.site("Somewhere")
    client.get("/map/data.json")
    client.get("/charts/data.json")
    client.get("/")
    assert (maps.count, charts.count, figures.count) == (2, 1, 1)
    # A claim is read by all of them.
    deployment = Deployment.objects.get()
    deployment.add_claim(interview, Credibility.POSSIBLY_TRUE, "count")
    client.get("/map/data.json")
    client.get("/charts/data.json")
    client.get("/")
    assert (maps.count, charts.count, figures.count) == (3, 2, 2)


def test_the_cache_is_kept_apart_by_language(client):
    factories.deployment(country="RU", sector="construction")
    english = client.get("/charts/data.json", HTTP_ACCEPT_LANGUAGE="en").content
    korean = client.get("/charts/data.json", HTTP_ACCEPT_LANGUAGE="ko").content
    labels = {json.loads(body)["sectors"]["categories"][0]["label"] for body in (english, korean)}
    assert len(labels) == 2


@pytest.mark.django_db(transaction=True)
def test_the_charts_read_outside_a_transaction_match_those_read_inside():
    """Outside a transaction the charts' two queries run at once, in two connections
    (`figures.both`); the answer is the same as one connection's."""
    from django.db import transaction

    from unseen.publishing.figures import chart_data

    source = factories.source("Parallel source")
    factories.deployment(country="RU", year=2018, low=4000, high=5000, evidence=source)
    factories.deployment(country="MN", year=2019, low=10, high=None, sector="logging")
    at_once = chart_data(published_only=True)
    with transaction.atomic():
        one_connection = chart_data(published_only=True)
    assert at_once == one_connection
    assert at_once["workers"] and at_once["sources"]


@pytest.mark.django_db(transaction=True)
def test_the_home_page_built_side_by_side_shows_every_part(client):
    """Outside a transaction the home page builds its figure in a second thread; it shows it, in
    the visitor's language, and a change at once."""
    made = factories.deployment(country="RU", year=2018, low=4000, high=5000)
    page = client.get("/").content.decode()
    table = page.split('<table id="latest-headcounts">')[1].split("</table>")[0]
    assert "4,000–5,000" in table and "Russia" in table
    korean = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    table = korean.split('<table id="latest-headcounts">')[1].split("</table>")[0]
    assert "연도" in table and "4,000–5,000" in table
    made.workers_high = 6000
    made.save()
    assert "4,000–6,000" in client.get("/").content.decode()
