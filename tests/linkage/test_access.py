"""A linkage run takes the strictest access level of what it read (issue 14): its sources and
records, from the moment it is queued, whether it then fails or finishes; and a reader who may see
a run but not one of its sources never sees that source's title."""

import pytest
from django.urls import reverse

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.estimation.models import EstimateRun
from unseen.linkage.models import Entity, LinkageRun, RunStatus
from unseen.linkage.running import execute, start_run
from unseen.registry.models import Site, SiteKind

from .conftest import finished_run, person

SECRET_TITLE = "SECRET-defector-list-4471"


@pytest.fixture
def secret(db):
    return factories.source(SECRET_TITLE, access_level=AccessLevel.CONFIDENTIAL)


def queued(user, sources, callbacks, entity=Entity.PERSON) -> LinkageRun:
    with callbacks(execute=False):
        return start_run(
            entity=entity, sources=sources, threshold=0.5, review_low=0.1, review_high=0.9,
            user=user,
        )  # fmt: skip


def run_urls(run: LinkageRun) -> list[tuple[str, str]]:
    return [
        ("get", reverse("linkage:detail", args=[run.pk])),
        ("get", reverse("linkage:progress", args=[run.pk])),
        ("get", reverse("linkage:histories", args=[run.pk])),
        ("get", reverse("linkage:reviews", args=[run.pk])),
        ("post", reverse("linkage:rerun", args=[run.pk])),
        ("post", reverse("linkage:cluster_merge", args=[run.pk, 1])),
        ("get", f"{reverse('estimation:create')}?linkage={run.pk}"),
    ]


def assert_hidden_from_andy(client, andy, run: LinkageRun) -> None:
    runs = LinkageRun.objects.count()
    client.force_login(andy)
    for method, url in run_urls(run):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
        assert SECRET_TITLE not in response.content.decode(), url
    listing = client.get(reverse("linkage:list")).content.decode()
    assert reverse("linkage:detail", args=[run.pk]) not in listing
    assert SECRET_TITLE not in listing
    assert LinkageRun.objects.count() == runs  # the re-run was refused, not started


def test_a_run_over_a_confidential_source_is_confidential_as_soon_as_it_is_queued(
    client, alice, andy, roster, secret, django_capture_on_commit_callbacks
):
    person("Kim Chol", roster)
    person("Kim Cheol", secret)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("linkage:create"),
            {"entity": "person", "sources": [roster.pk, secret.pk], "threshold": "0.5"},
        )
    run = LinkageRun.objects.get()
    assert run.status == RunStatus.QUEUED
    assert run.access_level == AccessLevel.CONFIDENTIAL
    assert run.input_access_level == AccessLevel.CONFIDENTIAL
    assert SECRET_TITLE in client.get(reverse("linkage:detail", args=[run.pk])).content.decode()
    assert_hidden_from_andy(client, andy, run)


def test_a_run_over_a_confidential_record_of_an_internal_source_is_confidential_when_queued(
    alice, roster, django_capture_on_commit_callbacks
):
    person("Kim Chol", roster)
    person("Choe Myong Nam", roster, access_level=AccessLevel.CONFIDENTIAL)
    run = queued(alice, [roster], django_capture_on_commit_callbacks)
    assert run.access_level == AccessLevel.CONFIDENTIAL


def test_a_run_over_records_its_starter_may_read_stays_internal(
    andy, roster, django_capture_on_commit_callbacks
):
    person("Kim Chol", roster)
    person("Choe Myong Nam", roster, access_level=AccessLevel.CONFIDENTIAL)  # not andy's to read
    run = queued(andy, [roster], django_capture_on_commit_callbacks)
    assert run.access_level == AccessLevel.INTERNAL


def test_a_failed_run_over_a_confidential_source_stays_confidential(
    client, alice, andy, secret, django_capture_on_commit_callbacks
):
    person("Kim Chol", secret)  # one record: nothing to link, the job fails
    run = execute(queued(alice, [secret], django_capture_on_commit_callbacks).pk)
    assert run.status == RunStatus.FAILED
    assert run.access_level == AccessLevel.CONFIDENTIAL
    assert_hidden_from_andy(client, andy, run)


def test_a_finished_run_over_a_confidential_source_is_confidential_and_so_is_its_estimate(
    client, alice, andy, roster, secret, django_capture_on_commit_callbacks
):
    pairs = [("Okryu Restaurant", "Okryu restaurant (Vladivostok)", "Vladivostok", "RU"),
             ("Koryo Textile Factory", "Koryo textile factory, Dandong", "Dandong", "CN"),
             ("Sonbong Construction Site", "Sonbong construction site", "Nakhodka", "RU")]  # fmt: skip
    for formal, local, city, country in pairs:
        for name, source in ((formal, roster), (local, secret)):
            site = Site.objects.create(name=name, kind=SiteKind.OTHER, country=country, city=city)
            site.add_claim(source, 3, "named")
    for name, source in (("Haedanghwa Logging Camp", roster), ("Rungra Hotel", secret)):
        Site.objects.create(name=name, kind=SiteKind.OTHER, country="RU").add_claim(source, 3, "x")
    run = queued(alice, [roster, secret], django_capture_on_commit_callbacks, Entity.SITE)
    run = execute(run.pk)
    assert run.status == RunStatus.DONE, run.error
    assert run.access_level == AccessLevel.CONFIDENTIAL
    assert_hidden_from_andy(client, andy, run)

    client.force_login(alice)
    url = f"{reverse('estimation:create')}?linkage={run.pk}"
    client.post(url, {"title": "From secret lists", "methods": ["M0"], "ci": "wald",
                      "level": 0.95, "bootstrap": 1000, "seed": 1})  # fmt: skip
    estimate = EstimateRun.objects.get()
    assert estimate.access_level == AccessLevel.CONFIDENTIAL
    assert any(SECRET_TITLE[:20] in name for name in estimate.lists)
    publish = reverse("estimation:publish", args=[estimate.pk])
    response = client.post(publish)
    assert response.status_code == 200 and "data-refused" in response.content.decode()
    estimate.refresh_from_db()
    assert not estimate.published and estimate.access_level == AccessLevel.CONFIDENTIAL

    client.force_login(andy)
    for method, estimate_url in [
        ("get", reverse("estimation:detail", args=[estimate.pk])),
        ("post", reverse("estimation:rerun", args=[estimate.pk])),
    ]:
        response = getattr(client, method)(estimate_url)
        assert response.status_code == 404, estimate_url
    assert client.post(publish).status_code == 403  # analysts do not publish at all
    listing = client.get(reverse("estimation:list")).content.decode()
    assert "From secret lists" not in listing and SECRET_TITLE not in listing
    client.logout()
    assert "From secret lists" not in client.get("/estimates/").content.decode()


def test_a_source_raised_since_the_run_is_a_neutral_list_name_to_readers_without_it(
    client, andy, alice, roster, interviews
):
    rows = [[person("R0", roster)], [person("I0", interviews)],
            [person("B0", roster), person("B0x", interviews)]]  # fmt: skip
    run = finished_run(andy, [roster, interviews], rows)
    run.counts = {"on_lists": {f"S{roster.pk}": 2, f"S{interviews.pk}": 2}}
    run.save()
    interviews.title = SECRET_TITLE
    interviews.access_level = AccessLevel.CONFIDENTIAL
    interviews.save()

    client.force_login(andy)
    page = client.get(reverse("linkage:detail", args=[run.pk])).content.decode()
    assert SECRET_TITLE not in page and "List 2" in page and roster.title in page
    assert reverse("documentation:detail", args=["sources", interviews.pk]) not in page
    table = client.get(reverse("linkage:histories", args=[run.pk])).content.decode()
    assert table.splitlines()[0] == f'"S{roster.pk} {roster.title[:40]}",List 2,count'

    # An estimate from it would rest on a source andy may not read: as if it did not exist.
    assert client.get(f"{reverse('estimation:create')}?linkage={run.pk}").status_code == 404

    client.force_login(alice)
    page = client.get(reverse("linkage:detail", args=[run.pk])).content.decode()
    assert SECRET_TITLE in page
