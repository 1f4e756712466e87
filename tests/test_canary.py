"""Issue #14's canary: confidential records and everything derived from them, walked as every reader
without the confidential compartment.

As an administrator we make confidential sources (the lists of a witness programme), persons on
them, a confidential site, testimony and deployment, a claim from a public source about that
testimony, linkage runs over the lists (one queued, one failed, one finished), an MSE run from the
finished one and a revenue run over the confidential deployment. Then the analyst without the
compartment, the moderator, a user with no role and an anonymous visitor each open every page and
JSON answer of the platform, and the public and pseudonymised exports are written: none may show a
confidential title, name, pseudonym or id, and every run over the lists answers 404 to the analyst.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.canary import leaks
from tests.test_permission_matrix import MATRIX
from unseen.accounts.models import AccessLevel, User
from unseen.accounts.roles import Role
from unseen.core.linkage.synthetic import generate_workers
from unseen.documentation.browsing import KINDS
from unseen.documentation.importing import import_file
from unseen.documentation.models import Deployment, Testimony
from unseen.estimation.models import EstimateRun, RunKind
from unseen.evidence.models import Credibility, DatePrecision, Reliability, Source, SourceKind
from unseen.linkage.models import Entity, LinkageRun, RunStatus
from unseen.linkage.running import execute, start_run
from unseen.registry.models import Person, Site, SiteKind

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.slow]

CONFIDENTIAL = AccessLevel.CONFIDENTIAL
# Ids far above anything else the test makes, so that an id in a page is a leak, not a coincidence.
SITE_PK, INTERVIEW_PK, TESTIMONY_PK, DEPLOYMENT_PK = 990_011, 990_021, 990_031, 990_041
SECRETS = [
    "CANARY list",
    "CANARY interview Khasan",
    "CANARY camp Zeya",
    "CANARY foreman Pak",
    "CANARY statement",
    "CANARY estimate",
    "CANARY revenue",
    "CANARY testimony summary",
]


def post_ok(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, (url, response.content.decode()[:2000])
    return response


@pytest.fixture
def secret_world(alice, rita, tmp_path, django_capture_on_commit_callbacks):
    # The lists: synthetic workers on three sources, imported as confidential.
    path = tmp_path / "workers.csv"
    frame = generate_workers(30, seed=7, sources=3).drop(columns=["truth"])
    frame.assign(nationality="KP").to_csv(path, index=False)
    import_file(path, "persons", default_access_level=CONFIDENTIAL)
    lists = list(Source.objects.order_by("pk"))
    for n, source in enumerate(lists, start=1):
        source.title = f"CANARY list {n} of the witness programme"
        source.access_level = CONFIDENTIAL
        source.save()
    persons = list(Person.objects.all())
    assert persons and all(p.access_level == CONFIDENTIAL for p in persons)

    site = Site.objects.create(
        pk=SITE_PK,
        name="CANARY camp Zeya",
        kind=SiteKind.LOGGING_CAMP,
        country="RU",
        access_level=CONFIDENTIAL,
    )
    interview = Source.objects.create(
        pk=INTERVIEW_PK,
        title="CANARY interview Khasan",
        kind=SourceKind.INTERVIEW,
        reliability=Reliability.B,
        access_level=CONFIDENTIAL,
    )
    testimony = Testimony.objects.create(
        pk=TESTIMONY_PK,
        source=interview,
        interviewee=persons[0],
        consent_to_use=True,
        summary="CANARY testimony summary",
        access_level=CONFIDENTIAL,
    )
    # An internal deployment the analyst may read, pointing at a confidential person and site.
    internal = Deployment.objects.create(
        host_country="RU",
        sector="logging",
        person=persons[1],
        site=site,
        access_level=AccessLevel.INTERNAL,
        period_start=dt.date(2017, 1, 1),
        period_start_precision=DatePrecision.YEAR,
    )
    confidential = Deployment.objects.create(
        pk=DEPLOYMENT_PK,
        host_country="RU",
        host_region="CANARY foreman Pak's brigade",
        sector="logging",
        workers_low=300,
        workers_high=500,
        site=site,
        access_level=CONFIDENTIAL,
        period_start=dt.date(2017, 1, 1),
        period_start_precision=DatePrecision.YEAR,
        period_end=dt.date(2017, 1, 1),
        period_end_precision=DatePrecision.YEAR,
    )
    confidential.add_claim(interview, Credibility.PROBABLY_TRUE, "CANARY statement on the brigade")
    news = Source.objects.create(
        title="A public news report",
        kind=SourceKind.MEDIA_REPORT,
        reliability=Reliability.C,
        access_level=AccessLevel.PUBLIC,
    )
    testimony.add_claim(news, Credibility.POSSIBLY_TRUE, "CANARY statement about the testimony")

    def started(user):
        with django_capture_on_commit_callbacks(execute=False):
            return start_run(
                entity=Entity.PERSON,
                sources=lists,
                threshold=0.5,
                review_low=0.2,
                review_high=0.8,
                user=user,
            )

    queued = started(alice)
    # A run whose starter lost the right to link before the job ran fails, as in production.
    cara = User.objects.create(username="cara", role=Role.ANALYST, confidential_access=True)
    failed = started(cara)
    cara.role = Role.RESEARCHER
    cara.save()
    failed = execute(failed.pk)
    assert failed.status == RunStatus.FAILED
    finished = execute(started(alice).pk)
    assert finished.status == RunStatus.DONE

    from django.test import Client

    admin = Client()
    admin.force_login(alice)
    post_ok(
        admin,
        reverse("estimation:create") + f"?linkage={finished.pk}",
        {
            "title": "CANARY estimate of the programme",
            "methods": ["main-effects"],
            "ci": "wald",
            "level": "0.95",
            "bootstrap": "200",
            "seed": "1234",
        },
    )
    mse = EstimateRun.objects.get(kind=RunKind.MSE)
    post_ok(
        admin,
        reverse("estimation:revenue"),
        {
            "title": "CANARY revenue of the brigade",
            "year": "2017",
            "source": "records",
            "file_access_level": AccessLevel.INTERNAL,
            "draws": "1000",
            "seed": "1234",
            "combine": "pooled",
            "distribution": "uniform",
        },
    )
    revenue = EstimateRun.objects.get(kind=RunKind.REVENUE)
    return {
        "lists": lists,
        "persons": persons,
        "site": site,
        "interview": interview,
        "testimony": testimony,
        "deployments": [internal, confidential],
        "runs": {"queued": queued, "failed": failed, "finished": finished},
        "mse": mse,
        "revenue": revenue,
        "admin": admin,
    }


def forbidden(world) -> list[str]:
    strings = [*SECRETS, *(p.pseudonym for p in world["persons"])]
    strings += [str(pk) for pk in (SITE_PK, INTERVIEW_PK, TESTIMONY_PK, DEPLOYMENT_PK)]
    return strings


def run_urls(world) -> list[str]:
    """Every page, answer and download of the runs derived from the confidential lists."""
    urls = []
    for run in world["runs"].values():
        for name in ("detail", "progress", "histories", "reviews"):
            urls.append(reverse(f"linkage:{name}", args=[run.pk]))
        urls.append(reverse("estimation:create") + f"?linkage={run.pk}")
    urls.append(reverse("estimation:detail", args=[world["mse"].pk]))
    urls.append(reverse("estimation:revenue_detail", args=[world["revenue"].pk]))
    return urls


def every_url(world) -> list[str]:
    """Every page and JSON answer a reader could try: the matrix's pages without arguments, every
    list with searches, every confidential record's pages, every run's pages and downloads."""
    urls = [
        reverse(name)
        for name, (method, _personas, args) in MATRIX.items()
        if method == "get" and not args
    ]
    for kind in KINDS:
        base = reverse("documentation:list", args=[kind])
        urls += [base, f"{base}?q=CANARY", f"{base}?q=Khasan", f"{base}?merged=on"]
    urls += [reverse("documentation:search") + f"?q={q}" for q in ("CANARY", "Zeya", "Pak")]
    records = [("persons", p.pk) for p in world["persons"][:3]] + [
        ("sites", SITE_PK),
        ("sources", INTERVIEW_PK),
        ("sources", world["lists"][0].pk),
        ("testimonies", TESTIMONY_PK),
        ("deployments", DEPLOYMENT_PK),
        ("deployments", world["deployments"][0].pk),
    ]
    for kind, pk in records:
        urls += [
            reverse("documentation:detail", args=[kind, pk]),
            reverse("documentation:edit", args=[kind, pk]),
        ]
    urls.append(reverse("documentation:coding", args=[TESTIMONY_PK]))
    urls += run_urls(world)
    urls.append(reverse("audit:person_report", args=[world["persons"][0].pseudonym]))
    return urls


@pytest.mark.parametrize("persona", ["andy", "mona", "nora", "anonymous"])
def test_no_reader_without_the_compartment_sees_anything_confidential_or_derived_from_it(
    client, secret_world, personas, persona
):
    world = secret_world
    for run in [*world["runs"].values(), world["mse"], world["revenue"]]:
        run.refresh_from_db()
        assert run.access_level == CONFIDENTIAL, run
    if personas[persona] is not None:
        client.force_login(personas[persona])
    urls = every_url(world)
    found = leaks(client, urls, forbidden(world), status=None)
    assert not found, "\n".join(found)
    if persona == "andy":
        # The analyst may read runs in general: these ones do not exist for him.
        for url in run_urls(world):
            assert client.get(url).status_code == 404, url
        listed = client.get(reverse("linkage:list")).content.decode()
        for run in world["runs"].values():
            assert reverse("linkage:detail", args=[run.pk]) not in listed


def test_the_confidential_compartment_does_see_them(client, secret_world, rita):
    # The canary can fail: a reader with the compartment is shown what the others are not.
    client.force_login(rita)
    page = client.get(reverse("documentation:detail", args=["sites", SITE_PK])).content.decode()
    assert "CANARY camp Zeya" in page
    claims = client.get(reverse("documentation:detail", args=["sources", INTERVIEW_PK]))
    assert "CANARY interview Khasan" in claims.content.decode()


def test_publishing_a_run_over_confidential_lists_is_refused(secret_world):
    world = secret_world
    mse = world["mse"]
    world["admin"].post(reverse("estimation:publish", args=[mse.pk]))
    mse.refresh_from_db()
    assert (mse.published, mse.access_level) == (False, CONFIDENTIAL)
    revenue = world["revenue"]
    world["admin"].post(reverse("estimation:revenue_publish", args=[revenue.pk]))
    revenue.refresh_from_db()
    assert (revenue.published, revenue.access_level) == (False, CONFIDENTIAL)
    assert not LinkageRun.objects.exclude(access_level=CONFIDENTIAL).exists()


@pytest.mark.parametrize("fmt", ["csv", "ftm", "geojson"])
def test_no_export_below_full_carries_anything_confidential(
    secret_world, export_key, tmp_path, fmt
):
    strings = forbidden(secret_world)
    for level, extra in (("public", []), ("pseudonymised", ["--recipient", "partner", "--k", "1"])):
        out = tmp_path / f"{fmt}-{level}"
        call_command("export", "--format", fmt, "--level", level, "--out", str(out), *extra)
        text = "\n".join(p.read_text() for p in sorted(Path(out).iterdir()))
        shown = [s for s in strings if s in text]
        assert not shown, (fmt, level, shown)
