"""Issue #18 item 8: the evidence-gap queue lists each kind of gap, clears an item once it is
fixed, and lists and counts only what its reader may read."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.documentation import gap_finding
from unseen.documentation.models import Finding, Indicator, Sighting, Testimony
from unseen.estimation import revenue_runs
from unseen.estimation.input_changes import stale_rows
from unseen.evidence import reviewing
from unseen.evidence.models import Credibility, Reliability, SourceKind

PUBLIC, INTERNAL, CONFIDENTIAL = AccessLevel.PUBLIC, AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL


def make_testimony(title: str, level: str = INTERNAL) -> Testimony:
    return Testimony.objects.create(
        source=factories.source(title, kind=SourceKind.INTERVIEW, access_level=level),
        consent_to_use=True,
        access_level=level,
    )


def sighting(label: str, level: str = INTERNAL, site=None) -> Sighting:
    return Sighting.objects.create(
        description="seen", public_place_label=label, country="RU", access_level=level, site=site
    )


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    w.report = factories.source("Press report Tynda", reliability=Reliability.B)
    w.rumour = factories.source("Rumour board post", reliability=Reliability.E)
    # One source only behind its head count, and only an E-graded one.
    w.lonely = factories.deployment(country="RU", year=2018, sector="logging")
    w.lonely.add_claim(w.rumour, Credibility.DOUBTFUL, "about 300 loggers", field="workers_low")
    w.interview = make_testimony("Interview INT-1")
    w.coded = make_testimony("Interview INT-2")
    w.coded.code(Indicator.DECEPTION, Finding.PRESENT)
    w.stray = sighting("Stray sighting near Zeya")
    return w


def labels(user, slug):
    kind = gap_finding.kind_for(user, slug)
    assert kind is not None
    return [item.label for item in kind.present(list(kind.rows(user)), user)]


def test_it_lists_each_kind_of_gap_on_a_seeded_database(world, rita, client):
    assert labels(rita, "single-source") == [str(world.lonely)]
    assert labels(rita, "unreliable-sources") == [str(world.lonely)]
    assert str(world.lonely) in labels(rita, "no-coded-testimony")
    assert labels(rita, "uncoded-testimonies") == [str(world.interview)]
    assert labels(rita, "unsited-sightings") == [str(world.stray)]

    client.force_login(rita)
    page = client.get(reverse("documentation:gaps")).content.decode()
    for slug in ("single-source", "unreliable-sources", "no-coded-testimony"):
        assert f'data-gap="{slug}"' in page
    assert reverse("documentation:coding", args=[world.interview.pk]) in page
    assert reverse("documentation:edit", args=["sightings", world.stray.pk]) in page
    claim_page = reverse("documentation:claim_create", args=["deployments", world.lonely.pk])
    assert claim_page in page
    dashboard = client.get(reverse("documentation:dashboard")).content.decode()
    assert reverse("documentation:gap_list", args=["uncoded-testimonies"]) in dashboard


def test_an_item_clears_once_it_is_fixed(world, rita):
    world.lonely.add_claim(world.report, Credibility.PROBABLY_TRUE, "250-300", field="workers_low")
    assert labels(rita, "single-source") == []
    assert labels(rita, "unreliable-sources") == []

    world.lonely.add_claim(world.coded.source, Credibility.POSSIBLY_TRUE, "worked there")
    assert str(world.lonely) not in labels(rita, "no-coded-testimony")

    world.interview.code(Indicator.ISOLATION, Finding.ABSENT)
    assert labels(rita, "uncoded-testimonies") == []

    world.stray.site = factories.site("Camp near Zeya")
    world.stray.save()
    assert labels(rita, "unsited-sightings") == []


def test_an_uncoded_testimony_behind_a_deployment_does_not_count(world, rita):
    world.lonely.add_claim(world.interview.source, Credibility.POSSIBLY_TRUE, "worked there")
    assert str(world.lonely) in labels(rita, "no-coded-testimony")


def test_a_published_estimate_whose_input_changed_is_listed_until_run_again(db, alice):
    run = factories.revenue_run()
    run = revenue_runs.publish(run, True)
    assert stale_rows(alice) == []

    deployment = factories.Deployment.objects.get(host_country="RU")
    deployment.workers_high = 2500
    deployment.save()
    assert labels(alice, "stale-estimates") == [run.title]

    # The fix: estimate again on the records as they are, publish that, withdraw the old run.
    fresh = revenue_runs.run_revenue(
        "Revenue again",
        revenue_runs.platform_rows(2017, None),
        run.parameters,
        input_kind="records",
    )
    revenue_runs.publish(fresh, True)
    revenue_runs.publish(run, False)
    assert labels(alice, "stale-estimates") == []


def test_stale_estimates_are_only_for_those_who_run_estimates(db, rita, andy):
    assert gap_finding.kind_for(rita, "stale-estimates") is None
    assert gap_finding.kind_for(andy, "stale-estimates") is not None


# --- access: a hostile lower-level reader learns nothing from the items or the counts --------------


@pytest.fixture
def mixed(world):
    """Beside the internal world, confidential records andy (no compartment) may not read."""
    m = SimpleNamespace(world=world)
    secret_source = factories.source("Hidden interview notes CONF-9", access_level=CONFIDENTIAL)
    # A second source andy cannot see: for andy the fact still rests on one source.
    world.lonely.add_claim(secret_source, Credibility.PROBABLY_TRUE, "310", field="workers_low")
    m.secret_deployment = factories.deployment(country="CN", access_level=CONFIDENTIAL)
    m.secret_deployment.add_claim(world.rumour, Credibility.DOUBTFUL, "hidden figure")
    m.secret_testimony = make_testimony("Interview CONF-10", CONFIDENTIAL)
    m.secret_sighting = sighting("Hidden sighting at Vanino", CONFIDENTIAL)
    # Linked to a site andy cannot read: for andy it is linked to none.
    m.hidden_site = factories.site("Hidden camp Vanino", access_level=CONFIDENTIAL)
    m.at_hidden_site = sighting("Sighting at a hidden camp", INTERNAL, site=m.hidden_site)
    return m


def counts(user):
    return {kind.slug: count for kind, count in gap_finding.counts(user)}


def test_it_lists_and_counts_only_what_the_reader_may_read(mixed, rita, andy, client):
    world = mixed.world
    assert counts(andy) == {
        "single-source": 1,
        "unreliable-sources": 1,
        "no-coded-testimony": 1,
        "uncoded-testimonies": 1,
        "unsited-sightings": 2,
        "never-reviewed": 9,  # the internal world's sources and records, all drafts
        "stale-estimates": 0,
    }
    # Rita holds the compartment: the hidden source lifts the head count off a single source, and
    # the confidential records are hers to fix.
    assert labels(rita, "single-source") == [str(mixed.secret_deployment)]
    assert counts(rita)["unreliable-sources"] == 1  # the hidden deployment: rumour only
    assert counts(rita)["uncoded-testimonies"] == 2
    assert counts(rita)["unsited-sightings"] == 2  # the stray and the hidden one; not the sited
    # Six confidential drafts: the hidden source, deployment, testimony and its source, sighting
    # and site.
    assert counts(rita)["never-reviewed"] == 9 + 6

    client.force_login(andy)
    pages = [client.get(reverse("documentation:gaps")).content.decode()]
    for kind in gap_finding.kinds_for(andy):
        pages.append(
            client.get(reverse("documentation:gap_list", args=[kind.slug])).content.decode()
        )
    pages.append(client.get(reverse("documentation:dashboard")).content.decode())
    for page in pages:
        for secret in ("CONF-9", "CONF-10", "Vanino", "Hidden"):
            assert secret not in page
        assert f"/deployments/{mixed.secret_deployment.pk}/" not in page
        assert f"/testimonies/{mixed.secret_testimony.pk}/" not in page
        assert f"/sightings/{mixed.secret_sighting.pk}/" not in page
    # Andy may see the gaps but not edit: each item leads to the record's page instead.
    assert reverse("documentation:detail", args=["testimonies", world.interview.pk]) in pages[0]
    assert reverse("documentation:coding", args=[world.interview.pk]) not in pages[0]


def test_a_change_to_an_input_beyond_the_reader_does_not_show(db, alice, andy):
    run = revenue_runs.publish(factories.revenue_run(), True)
    deployment = factories.Deployment.objects.get(host_country="RU")
    deployment.access_level = CONFIDENTIAL
    deployment.save()
    assert labels(alice, "stale-estimates") == [run.title]
    assert stale_rows(andy) == []


def test_an_unknown_gap_kind_is_not_found(client, rita, db):
    client.force_login(rita)
    assert (
        client.get(reverse("documentation:gap_list", args=["stale-estimates"])).status_code == 404
    )
    assert client.get(reverse("documentation:gap_list", args=["nonsense"])).status_code == 404


def test_a_long_group_is_capped_with_a_link_to_the_full_list(db, rita, client):
    for n in range(gap_finding.PREVIEW + 3):
        make_testimony(f"Interview bulk-{n}")
    client.force_login(rita)
    page = client.get(reverse("documentation:gaps")).content.decode()
    assert "and 3 more" in page
    full = client.get(reverse("documentation:gap_list", args=["uncoded-testimonies"]))
    assert full.content.decode().count("data-fix") == gap_finding.PREVIEW + 3


# --- records never reviewed (ADR 0025) -----------------------------------------------------------


def test_records_never_reviewed_are_listed_with_the_review_page_as_fix(world, rita, ruth, client):
    listed = labels(rita, "never-reviewed")
    for record in (world.lonely, world.interview, world.stray, world.report):
        assert str(record) in listed
    sent_back = factories.site("Camp sent back")
    reviewing.request_changes(sent_back, ruth, {"name": "Which camp?"})
    assert str(sent_back) in labels(rita, "never-reviewed")

    client.force_login(rita)
    page = client.get(reverse("documentation:gaps")).content.decode()
    assert 'data-gap="never-reviewed"' in page
    whole = client.get(reverse("documentation:gap_list", args=["never-reviewed"])).content.decode()
    assert reverse("documentation:review", args=["sites", sent_back.pk]) in whole
    kind = gap_finding.kind_for(rita, "never-reviewed")
    assert kind.count(rita) == len(listed) + 1


def test_a_record_in_review_or_reviewed_leaves_the_list(world, rita, ruth):
    reviewing.send_to_review(world.stray, rita)
    assert str(world.stray) not in labels(rita, "never-reviewed")
    reviewing.approve(world.interview, ruth)
    assert str(world.interview) not in labels(rita, "never-reviewed")
    assert str(world.lonely) in labels(rita, "never-reviewed")


def test_records_never_reviewed_are_listed_at_the_readers_levels(db, ruth, andy):
    hidden = factories.site("Secret camp", access_level=CONFIDENTIAL)
    shown = factories.site("Known camp", access_level=INTERNAL)
    assert str(shown) in labels(ruth, "never-reviewed")
    assert str(hidden) not in labels(ruth, "never-reviewed")
    assert gap_finding.kind_for(ruth, "never-reviewed").count(ruth) == 1
    # An analyst sees the gap, with the record's page instead of a review page refused to them.
    items = gap_finding.kind_for(andy, "never-reviewed").present(
        list(gap_finding.unreviewed_rows(andy)), andy
    )
    assert [i.fix_url for i in items] == [reverse("documentation:detail", args=["sites", shown.pk])]
