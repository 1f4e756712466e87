"""Issue #14 item 2: a page shows no related record beyond its reader's level.

One small world mixes levels on purpose: a public source with a claim about a confidential
testimony, an internal deployment of a confidential person at a confidential site, an internal
incident with a confidential victim, records merged across levels. Andy (analyst, no compartment)
and the anonymous visitor walk their pages; nothing above their level may appear.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from tests import factories
from tests.canary import assert_nothing_shown, leaks, record_marks, record_url
from tests.conftest import make_user
from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.documentation.models import Act, Deployment, Incident, Sighting, Testimony
from unseen.evidence.models import Claim, Credibility, SourceKind
from unseen.registry.models import Organisation, OrganisationKind, Person

PUBLIC, INTERNAL, CONFIDENTIAL = AccessLevel.PUBLIC, AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL


def person(level: str, province: str) -> Person:
    return Person.objects.create(access_level=level, home_province=province)


def organisation(name: str, level: str) -> Organisation:
    return Organisation.objects.create(
        name=name, kind=OrganisationKind.STATE_ORGAN, country="RU", access_level=level
    )


def make_testimony(title: str, level: str, *, interviewee: Person | None = None) -> Testimony:
    return Testimony.objects.create(
        source=factories.source(title, kind=SourceKind.INTERVIEW, access_level=level),
        interviewee=interviewee,
        summary=f"Summary of {title}",
        consent_to_use=True,
        access_level=level,
    )


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    w.report = factories.source("Openly published logging report", access_level=PUBLIC)
    # Confidential: none of it may reach andy or the public.
    w.secret_person = person(CONFIDENTIAL, "Hiddenprovince")
    w.secret_site = factories.site("Hidden camp Zeya", access_level=CONFIDENTIAL)
    w.secret_dispatcher = organisation("Hidden bureau Moranbong", CONFIDENTIAL)
    w.secret_testimony = make_testimony("Interview CONF-77 Vladivostok", CONFIDENTIAL)
    w.secret_claim = w.secret_testimony.add_claim(
        w.report, Credibility.PROBABLY_TRUE, "Secret statement about the hidden interview"
    )
    w.secret_person.add_claim(w.report, Credibility.POSSIBLY_TRUE, "Secret claim about a person")
    # Internal: andy may read these, the public may not.
    w.worker = person(INTERNAL, "Visibleprovince")
    w.deployment = Deployment.objects.create(
        person=w.secret_person,
        site=w.secret_site,
        dispatcher=w.secret_dispatcher,
        host_country="RU",
        sector="logging",
        period_start=dt.date(2017, 1, 1),
        access_level=INTERNAL,
    )
    w.testimony = make_testimony("Interview INT-12 Seoul", INTERNAL, interviewee=w.secret_person)
    w.incident = Incident.objects.create(
        act=Act.BEATING, site=w.secret_site, country="RU", access_level=INTERNAL
    )
    w.incident.victims.set([w.secret_person, w.worker])
    w.incident.perpetrator_organisations.set([w.secret_dispatcher])
    w.sighting = Sighting.objects.create(
        description="Internal sighting of a brigade",
        site=w.secret_site,
        country="RU",
        access_level=INTERNAL,
    )
    # Merged across levels: a hidden record merged into a visible one and the other way round.
    w.secret_person.merged_into = w.worker
    w.secret_person.save()
    w.bureau = organisation("Visible bureau Rungrado", INTERNAL)
    w.bureau.merged_into = w.secret_dispatcher
    w.bureau.save()
    w.internal_site = factories.site("Internal camp Tynda", access_level=INTERNAL)
    # Records whose own name once embedded a related record (__str__): a testimony whose interview
    # source is confidential, a deployment whose only place is a confidential site.
    w.retold = Testimony.objects.create(
        source=factories.source(
            "Interview SRC-CONF-5 Khasan", kind=SourceKind.INTERVIEW, access_level=CONFIDENTIAL
        ),
        summary="Interview retold",
        access_level=INTERNAL,
    )
    w.placed = Deployment.objects.create(site=w.secret_site, workers_low=5, access_level=INTERNAL)
    Deployment.objects.filter(pk=w.placed.pk).update(host_country="")  # as a bulk import leaves it
    w.internal_testimony_source = w.testimony.source
    return w


def confidential_strings(w) -> list[str]:
    return [
        "Hiddenprovince",
        w.secret_person.pseudonym,
        "Hidden camp Zeya",
        "Hidden bureau Moranbong",
        "Interview CONF-77 Vladivostok",
        "Secret statement about the hidden interview",
        "Secret claim about a person",
        "Interview SRC-CONF-5 Khasan",
        f"#{w.secret_testimony.pk}",
        *record_marks(w.secret_person),
        *record_marks(w.secret_site),
        *record_marks(w.secret_dispatcher),
        *record_marks(w.secret_testimony),
        *record_marks(w.secret_testimony.source),
        *record_marks(w.secret_claim),
    ]


def internal_strings(w) -> list[str]:
    return [
        "Visibleprovince",
        w.worker.pseudonym,
        "Visible bureau Rungrado",
        "Internal camp Tynda",
        "Interview INT-12 Seoul",
        "Internal sighting of a brigade",
        *record_marks(w.deployment),
        *record_marks(w.testimony),
        *record_marks(w.incident),
        *record_marks(w.sighting),
        *record_marks(w.worker),
    ]


def andy_pages(w) -> list[str]:
    return [
        "/app/",
        "/app/search/?q=Interview",
        "/app/search/?q=camp",
        "/app/search/?q=bureau",
        "/app/claims/",
        "/app/sources/",
        "/app/testimonies/",
        "/app/persons/",
        "/app/persons/?merged=on",
        "/app/organisations/?merged=on",
        "/app/sites/",
        "/app/deployments/",
        "/app/incidents/",
        "/app/sightings/",
        record_url(w.report),
        record_url(w.deployment),
        record_url(w.testimony),
        record_url(w.internal_testimony_source),
        record_url(w.incident),
        record_url(w.sighting),
        record_url(w.worker),
        record_url(w.bureau),
        record_url(w.internal_site),
        record_url(w.retold),
        record_url(w.placed),
        "/app/indicators/",
        "/app/map/",
        "/app/map/data.json",
        "/app/charts/data.json",
    ]


def test_it_shows_andy_no_confidential_record_related_to_what_he_reads(client, andy, world):
    client.force_login(andy)
    assert_nothing_shown(client, andy_pages(world), confidential_strings(world))


def test_it_still_shows_andy_the_internal_records_themselves(client, andy, world):
    # The canary above would pass on empty pages; these pages do show what andy may read.
    client.force_login(andy)
    assert leaks(client, [record_url(world.incident)], [world.worker.pseudonym])
    assert leaks(client, ["/app/search/?q=Interview"], ["Interview INT-12 Seoul"])
    assert leaks(client, [record_url(world.report)], ["Openly published logging report"])


def test_it_shows_rita_the_confidential_relations(client, rita, world):
    client.force_login(rita)
    assert leaks(client, [record_url(world.deployment)], ["Hidden camp Zeya"])
    assert leaks(
        client, [record_url(world.report)], [record_marks(world.secret_claim)[0]], status=200
    )
    assert leaks(client, [record_url(world.worker)], [world.secret_person.pseudonym])


def test_it_hides_a_claim_about_a_record_andy_cannot_read(client, andy, rita, world):
    client.force_login(andy)
    assert client.get(record_url(world.secret_claim)).status_code == 404
    assert not Claim.objects.visible_to(andy).filter(pk=world.secret_claim.pk).exists()
    assert Claim.objects.visible_to(rita).filter(pk=world.secret_claim.pk).exists()


def test_it_shows_the_public_nothing_internal_or_confidential(client, world):
    factories.deployment(country="RU", year=2017, access_level=PUBLIC, evidence=world.report)
    everything = confidential_strings(world) + internal_strings(world)
    assert_nothing_shown(
        client,
        ["/", "/estimates/", "/revenue/", "/map/data.json", "/charts/data.json"],
        everything,
    )
    assert_nothing_shown(client, andy_pages(world), everything, status=None)


@pytest.fixture
def rex(db):
    """A researcher without the compartment: may edit, may not read confidential records."""
    return make_user("rex", Role.RESEARCHER)


def test_it_offers_in_edit_forms_only_related_records_the_editor_may_read(client, rex, world):
    client.force_login(rex)
    pages = [
        f"{record_url(world.deployment)}edit/",
        f"{record_url(world.incident)}edit/",
        f"{record_url(world.testimony)}edit/",
        f"{record_url(world.sighting)}edit/",
        f"{record_url(world.retold)}edit/",
        f"{record_url(world.retold)}coding/",
        "/app/deployments/new/",
        f"{record_url(world.deployment)}claims/new/",
        # The forms' pickers ask these for what to offer, by name, by part of one, or empty.
        *[
            f"/app/suggest/{kind}/?q={text}"
            for kind in ("sources", "persons", "sites", "organisations")
            for text in ("", "Interview", "camp", "bureau", "province", "P-", "Khasan")
        ],
        "/app/suggest/sources/?q=Interview&unused_by=testimony",
    ]
    assert_nothing_shown(client, pages, confidential_strings(world))
    # The check can fail: a record the editor may read is offered.
    assert leaks(client, ["/app/suggest/sites/?q=camp"], ["Internal camp Tynda"])


def test_it_refuses_a_posted_id_beyond_the_editors_level(client, rex, world):
    client.force_login(rex)
    response = client.post(
        "/app/sightings/new/",
        {
            "description": "New sighting",
            "country": "RU",
            "site": world.secret_site.pk,
            "access_level": INTERNAL,
        },
    )
    assert response.status_code == 200 and "site" in response.context["form"].errors
    assert not Sighting.objects.filter(description="New sighting").exists()
    response = client.post(
        f"{record_url(world.deployment)}claims/new/",
        {"source": world.secret_testimony.source.pk, "credibility": 2, "statement": "x"},
    )
    assert response.status_code == 200 and "source" in response.context["form"].errors


def test_it_keeps_links_the_editor_cannot_see_when_saving(client, rex, world):
    client.force_login(rex)
    token = client.get(f"{record_url(world.incident)}edit/").context["edit_token"]
    response = client.post(
        f"{record_url(world.incident)}edit/",
        {
            "edit_token": token,
            "act": Act.BEATING,
            "description": "Edited by rex",
            "country": "RU",
            "victims": [world.worker.pk],
            "access_level": INTERNAL,
            "revision-reason": "described the beating",
        },
    )
    assert response.status_code == 302
    world.incident.refresh_from_db()
    assert world.incident.description == "Edited by rex"
    assert world.incident.site == world.secret_site
    assert set(world.incident.victims.all()) == {world.worker, world.secret_person}
    assert list(world.incident.perpetrator_organisations.all()) == [world.secret_dispatcher]


def test_it_lists_a_record_merged_into_one_andy_cannot_read_as_unmerged(client, andy, world):
    client.force_login(andy)
    for url in ("/app/organisations/", "/app/organisations/?merged=on"):
        page = client.get(url).content.decode()
        assert "Visible bureau Rungrado" in page and "data-merged" not in page
    page = client.get(record_url(world.bureau)).content.decode()
    assert "data-merged-into" not in page
