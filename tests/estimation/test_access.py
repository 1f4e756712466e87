"""Estimate runs take the strictest access level of their inputs (issue 14): an uploaded table at
the level its uploader declares, a linkage run and its sources, revenue rows and the sources they
list. Publishing needs every input public; withdrawing restores the derived level."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import make_user
from tests.linkage.conftest import finished_run, person
from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.estimation import revenue_runs
from unseen.estimation.models import EstimateRun
from unseen.estimation.publication import set_published

from .test_revenue_runs import form_data as revenue_form

SECRET_SECTOR = "SECRET-sector-8812"
SECRET_SOURCE = "SECRET-source-title-3307"
TABLE = b"A,B,C,count\n1,0,0,30\n0,1,0,25\n0,0,1,20\n1,1,0,10\n1,0,1,8\n0,1,1,6\n1,1,1,3\n"


def mse_form(**overrides):
    data = {
        "title": "Three lists",
        "file": SimpleUploadedFile("lists.csv", TABLE, content_type="text/csv"),
        "methods": ["M0"],
        "ci": "wald",
        "level": "0.95",
        "bootstrap": "1000",
        "seed": "1",
    }
    data.update(overrides)
    return data


def test_an_uploaded_table_is_as_its_uploader_declares_and_internal_by_default(client, alice):
    client.force_login(alice)
    client.post(reverse("estimation:create"), mse_form())
    client.post(reverse("estimation:create"), mse_form(access_level="confidential"))
    client.post(reverse("estimation:create"), mse_form(access_level="public"))
    levels = list(EstimateRun.objects.order_by("pk").values_list("access_level", flat=True))
    # A run on a public table is internal until it is published.
    assert levels == [AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL, AccessLevel.INTERNAL]


def test_publishing_an_mse_run_with_inputs_not_public_is_refused_and_changes_nothing(client, alice):
    client.force_login(alice)
    client.post(reverse("estimation:create"), mse_form(title="Internal table"))
    run = EstimateRun.objects.get()
    before = run.updated_at
    response = client.post(reverse("estimation:publish", args=[run.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "data-refused" in page
    assert "the uploaded table: internal" in page
    run.refresh_from_db()
    assert not run.published and run.published_at is None
    assert run.access_level == AccessLevel.INTERNAL and run.updated_at == before
    client.logout()
    assert "Internal table" not in client.get("/estimates/").content.decode()


def test_an_mse_run_from_a_public_linkage_run_may_be_published_and_withdrawing_restores_it(
    client, alice, andy
):
    lists = [
        factories.source(f"Public list {n}", access_level=AccessLevel.PUBLIC) for n in range(3)
    ]
    rows = []
    for n in range(12):
        on = [lists[i] for i in range(3) if (n >> i) & 1 or n % 5 == i]
        rows.append([person(f"P{n}", *on, access_level=AccessLevel.PUBLIC)])
    linkage = finished_run(andy, lists, rows)
    from unseen.evidence.models import declared_input, input_of

    # As the job leaves a run over public sources and records.
    linkage.derive_from(
        [*(input_of(s, label=f"S{s.pk}") for s in lists), declared_input("records", "public")]
    )
    linkage.save()
    assert linkage.access_level == AccessLevel.INTERNAL  # a derived result is never public itself
    client.force_login(alice)
    client.post(
        f"{reverse('estimation:create')}?linkage={linkage.pk}",
        {"title": "Public lists", "methods": ["M0"], "ci": "wald", "level": 0.95,
         "bootstrap": 1000, "seed": 1},
    )  # fmt: skip
    run = EstimateRun.objects.get()
    assert run.access_level == AccessLevel.INTERNAL and run.input_access_level == "public"
    run = set_published(run, True, by=make_user("olga", Role.ADMINISTRATOR))  # not its runner
    assert run.published and run.access_level == AccessLevel.PUBLIC

    # A list raised since: withdrawing takes the run to its inputs' level now, not "internal".
    lists[1].access_level = AccessLevel.CONFIDENTIAL
    lists[1].save()
    response = client.post(reverse("estimation:publish", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert not run.published and run.access_level == AccessLevel.CONFIDENTIAL


def test_a_revenue_run_over_a_confidential_deployment_is_confidential(client, alice, andy):
    factories.deployment(country="RU", low=1000, high=2000)
    factories.deployment(
        country="CN", low=3000, high=4000, sector=SECRET_SECTOR,
        access_level=AccessLevel.CONFIDENTIAL,
    )  # fmt: skip
    client.force_login(alice)
    client.post(reverse("estimation:revenue"), revenue_form(source="records", file="", title="R"))
    run = EstimateRun.objects.get()
    assert run.access_level == AccessLevel.CONFIDENTIAL
    client.force_login(andy)
    for method, url in [
        ("get", reverse("estimation:revenue_detail", args=[run.pk])),
        ("post", reverse("estimation:revenue_rerun", args=[run.pk])),
        ("get", reverse("estimation:detail", args=[run.pk])),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
        assert SECRET_SECTOR not in response.content.decode()
    listing = client.get(reverse("estimation:list")).content.decode()
    assert reverse("estimation:detail", args=[run.pk]) not in listing


def test_a_revenue_run_listing_a_confidential_source_is_confidential_and_unpublishable(
    client, alice, andy
):
    public = factories.source("Public report", access_level=AccessLevel.PUBLIC)
    made = factories.deployment(country="RU", low=1000, high=2000, evidence=public)
    made.add_claim(factories.source(SECRET_SOURCE, access_level=AccessLevel.CONFIDENTIAL), 1, "x")
    client.force_login(alice)
    client.post(reverse("estimation:revenue"), revenue_form(source="records", file=""))
    run = EstimateRun.objects.get()
    assert SECRET_SOURCE in [s["title"] for s in run.inputs[0]["sources"]]
    assert run.access_level == AccessLevel.CONFIDENTIAL
    assert revenue_runs.publication_problems(run) == [f"deployment {made.pk}: confidential"]
    response = client.post(reverse("estimation:revenue_publish", args=[run.pk]))
    assert response.status_code == 200 and "data-refused" in response.content.decode()
    client.force_login(andy)
    page = client.get(reverse("estimation:list")).content.decode()
    assert SECRET_SOURCE not in page and run.title not in page


def test_withdrawing_a_revenue_run_restores_the_level_of_its_rows(client, alice):
    made = factories.deployment(country="RU", low=1000, high=2000)
    client.force_login(alice)
    client.post(reverse("estimation:revenue"), revenue_form(source="records", file=""))
    olga = make_user("olga", Role.ADMINISTRATOR)  # publishes what alice ran
    run = revenue_runs.publish(EstimateRun.objects.get(), True, by=olga)
    assert run.published and run.published_at <= timezone.now()
    made.access_level = AccessLevel.CONFIDENTIAL
    made.save()
    run = revenue_runs.publish(run, False)
    assert not run.published and run.access_level == AccessLevel.CONFIDENTIAL


def test_a_list_whose_source_was_raised_since_is_a_neutral_name_on_the_run_pages(
    client, andy, alice
):
    roster = factories.source("Roster 2017", access_level=AccessLevel.INTERNAL)
    other = factories.source("Interviews 2019", access_level=AccessLevel.INTERNAL)
    rows = [[person(f"R{n}", roster)] for n in range(4)]
    rows += [[person(f"I{n}", other)] for n in range(3)]
    rows += [[person(f"B{n}", roster, other)] for n in range(2)]
    linkage = finished_run(andy, [roster, other], rows)
    client.force_login(andy)
    client.post(
        f"{reverse('estimation:create')}?linkage={linkage.pk}",
        {"title": "Two lists", "methods": ["M0"], "ci": "wald", "level": 0.95,
         "bootstrap": 1000, "seed": 1},
    )  # fmt: skip
    run = EstimateRun.objects.get()
    other.title, other.access_level = SECRET_SOURCE, AccessLevel.CONFIDENTIAL
    other.save()
    EstimateRun.objects.filter(pk=run.pk).update(
        lists=[run.lists[0], f"S{other.pk} {SECRET_SOURCE}"]  # as if it had been made after
    )
    run.refresh_from_db()
    run.results[0]["warnings"] = [f"{run.lists[1]} overlaps little"]
    run.save()

    for page in (
        client.get(reverse("estimation:detail", args=[run.pk])).content.decode(),
        client.post(reverse("estimation:rerun", args=[run.pk])).content.decode(),
        client.get(reverse("estimation:list")).content.decode(),
    ):
        assert SECRET_SOURCE not in page and "List 2" in page
    client.force_login(alice)
    assert SECRET_SOURCE in client.get(reverse("estimation:detail", args=[run.pk])).content.decode()
