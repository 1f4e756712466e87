"""Estimates remember where they came from (issue 22 item 5, ADR 0041): a run made from a linkage
run links to it, takes its level and its sources, keeps the records each list held, and is marked
stale (never recomputed) when they change; each reader sees only what they may read."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import make_user
from tests.linkage.conftest import finished_run, person
from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.audit.models import AuditEntry
from unseen.estimation import provenance
from unseen.estimation.input_changes import stale_rows
from unseen.estimation.models import EstimateRun
from unseen.estimation.publication import set_published
from unseen.evidence.models import Credibility, declared_input, input_of
from unseen.linkage.models import LinkageRun
from unseen.linkage.reviewing import record_decision
from unseen.registry.models import Person

SECRET = "SECRET-list-title-5521"
FORM = {"title": "From linkage", "methods": ["M0"], "ci": "wald", "level": 0.95,
        "bootstrap": 100, "seed": 1}  # fmt: skip


@pytest.fixture
def lists(db):
    return [factories.source(f"List {n}", access_level=AccessLevel.INTERNAL) for n in range(3)]


@pytest.fixture
def linked(lists, alice):
    """A finished person linkage run over three lists: twelve people, two of them one entity."""
    people = []
    for n in range(12):
        on = [lists[i] for i in range(3) if (n >> i) & 1 or n % 3 == i]
        people.append(person(f"P{n}", *on))
    clusters = [[p] for p in people[2:]] + [[people[0], people[1]]]
    run = finished_run(alice, lists, clusters)
    run.derive_from(
        [*(input_of(s, label=f"S{s.pk}") for s in lists), declared_input("records", "internal")]
    )
    run.save()
    return run, people


def estimate(client, user, run: LinkageRun) -> EstimateRun:
    client.force_login(user)
    response = client.post(f"{reverse('estimation:create')}?linkage={run.pk}", FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    return EstimateRun.objects.order_by("-pk").first()


def test_a_run_from_a_linkage_run_links_to_it_and_keeps_the_records_of_each_list(
    client, andy, linked, lists
):
    run_, people = linked
    run = estimate(client, andy, run_)
    assert run.linkage_run == run_
    assert run.list_records["entity"] == "person"
    for position, source in enumerate(lists):
        on = sorted(p.pk for p in people if source.pk in run_.members.get(record_id=p.pk).lists)
        assert run.list_records["lists"][str(position)] == on
    assert run.baseline_change is not None and run.baseline_change <= AuditEntry.objects.last().pk
    named = {(e["model"], e["pk"]) for e in run.derived_from}
    assert ("linkage.linkagerun", run_.pk) in named
    assert all(("evidence.source", s.pk) in named for s in lists)
    assert run.list_sources() == {i: s.pk for i, s in enumerate(lists)}
    assert not run.is_stale
    # The page says where it came from, and links to the table of records.
    page = client.get(reverse("estimation:detail", args=[run.pk])).content.decode()
    assert "data-provenance" in page and "data-stale" not in page
    assert reverse("linkage:detail", args=[run_.pk]) in page
    assert reverse("estimation:records", args=[run.pk]) in page
    # The linkage run's page lists it.
    linkage_page = client.get(reverse("linkage:detail", args=[run_.pk])).content.decode()
    assert reverse("estimation:detail", args=[run.pk]) in linkage_page


def test_the_linkage_keyword_makes_a_run_rest_on_the_run_and_its_sources_whatever_inputs_say(
    linked, lists
):
    from unseen.estimation.mse_runs import run_estimate
    from unseen.linkage.histories import capture_histories

    run_, _people = linked
    lists[2].access_level = AccessLevel.CONFIDENTIAL
    lists[2].save()
    made = run_estimate(
        "CLI", capture_histories(run_), ["M0"], "wald", 0.95, 0, 1,
        inputs=[declared_input("a table", AccessLevel.PUBLIC)], linkage_run=run_,
    )  # fmt: skip
    assert made.access_level == AccessLevel.CONFIDENTIAL
    assert made.linkage_run == run_ and made.list_records["lists"]["0"]


def test_a_change_to_a_record_on_a_list_marks_the_run_stale_and_leaves_its_numbers(
    client, andy, linked
):
    run_, people = linked
    run = estimate(client, andy, run_)
    results, histories = run.results, run.histories
    people[3].birth_year = 1990
    people[3].save()
    run.refresh_from_db()
    assert run.is_stale
    changes = run.stale_changes(andy)
    assert changes.edited == [people[3].pk] and changes.records == 1
    assert run.results == results and run.histories == histories
    assert run.rerun() == results  # the frozen table still gives the same numbers
    page = client.get(reverse("estimation:detail", args=[run.pk])).content.decode()
    assert "data-stale" in page and "1 of these records changed since" in page
    listing = client.get(reverse("estimation:list")).content.decode()
    assert "data-stale-badge" in listing
    table = client.get(reverse("estimation:records", args=[run.pk])).content.decode()
    assert f'data-record="{people[3].pk}"' in table and table.count("data-changed") == 1


def test_a_change_to_an_unrelated_record_leaves_the_run_fresh(client, andy, linked):
    run_, _people = linked
    run = estimate(client, andy, run_)
    elsewhere = Person.objects.create()
    elsewhere.birth_year = 1980
    elsewhere.save()
    factories.site().save()
    unrelated = factories.source("Not a list")
    elsewhere.add_claim(unrelated, Credibility.POSSIBLY_TRUE, "elsewhere")
    assert not run.is_stale
    listing = client.get(reverse("estimation:list")).content.decode()
    assert "data-stale-badge" not in listing


def test_a_claim_from_a_list_source_a_verdict_a_merge_or_a_deletion_makes_it_stale(
    client, andy, alice, linked, lists
):
    run_, people = linked
    run = estimate(client, andy, run_)
    newcomer = Person.objects.create()
    # Creating the newcomer is no change to the lists; a claim from a list's source is.
    assert not run.is_stale
    newcomer.add_claim(lists[1], Credibility.POSSIBLY_TRUE, "listed")
    assert run.stale_changes().list_entries == 1 and run.stale_changes().records == 0

    second = estimate(client, andy, run_)
    record_decision("person", people[4].pk, people[5].pk, True, alice)
    assert second.stale_changes().verdicts == 1

    third = estimate(client, andy, run_)
    from unseen.linkage.merging import merge_records

    merge_records("person", [people[6].pk, people[7].pk], alice)
    found = third.stale_changes()
    assert found.merged == [people[6].pk, people[7].pk] and found.edited == []
    assert found.verdicts == 1  # the merge's own verdict joins two clusters

    fourth = estimate(client, andy, run_)
    people[8].supporting_claims.all().delete()
    people[8].delete()
    found = fourth.stale_changes()
    assert found.deleted == 1 and found.records == 1

    fifth = estimate(client, andy, run_)
    people[9].supporting_claims.first().delete()  # off one list, the record itself unchanged
    found = fifth.stale_changes()
    assert found.list_entries == 1 and found.records == 0


def test_merging_a_cluster_the_linkage_run_found_confirms_its_lists(client, andy, alice, linked):
    from unseen.linkage.merging import merge_cluster, undo_merge

    run_, people = linked
    run = estimate(client, andy, run_)
    cluster = run_.members.get(record_id=people[0].pk).cluster
    merge = merge_cluster(run_, cluster, alice)  # people 0 and 1: one cluster of the run
    record_decision("person", people[2].pk, people[3].pk, False, alice)  # as the run has them
    assert not run.is_stale
    undo_merge(merge, alice)
    assert not run.is_stale
    record_decision("person", people[0].pk, people[1].pk, False, alice)  # splits the cluster
    assert run.stale_changes().verdicts == 1


def test_a_run_takes_its_linkage_runs_level_and_closes_when_that_is_raised(
    client, alice, andy, linked
):
    run_, _people = linked
    run = estimate(client, alice, run_)
    assert run.access_level == AccessLevel.INTERNAL
    urls = [reverse(n, args=[run.pk]) for n in ("estimation:detail", "estimation:records")]
    client.force_login(andy)
    assert all(client.get(url).status_code == 200 for url in urls)
    LinkageRun.objects.filter(pk=run_.pk).update(access_level=AccessLevel.CONFIDENTIAL)
    for url in urls:
        assert client.get(url).status_code == 404
    assert (
        reverse("estimation:detail", args=[run.pk])
        not in client.get(reverse("estimation:list")).content.decode()
    )
    assert client.post(reverse("estimation:rerun", args=[run.pk])).status_code == 404
    assert run.pk not in [r.pk for r in stale_rows(andy)]
    client.force_login(alice)
    assert all(client.get(url).status_code == 200 for url in urls)
    # A run made from a confidential linkage run is confidential from the start.
    second = estimate(client, alice, run_)
    assert second.access_level == AccessLevel.CONFIDENTIAL


def test_the_records_are_shown_as_the_reader_may_see_them_and_the_others_counted(
    client, alice, andy, linked
):
    run_, people = linked
    run = estimate(client, alice, run_)
    hidden = people[5]
    hidden.access_level = AccessLevel.CONFIDENTIAL
    hidden.save()
    # alice reads everything: the raise is a change to a record on the lists.
    assert run.stale_changes(alice).edited == [hidden.pk]
    # andy may not read it: it is counted among the records, not named, and its change is not his.
    assert not run.stale_changes(andy)
    client.force_login(andy)
    table = client.get(reverse("estimation:records", args=[run.pk])).content.decode()
    assert f'data-record="{hidden.pk}"' not in table and hidden.pseudonym not in table
    assert "data-hidden-records" in table and "1 more record is beyond" in table
    assert table.count("data-record=") == len(people) - 1
    page = client.get(reverse("estimation:detail", args=[run.pk])).content.decode()
    assert "data-stale" not in page
    client.force_login(alice)
    table = client.get(reverse("estimation:records", args=[run.pk])).content.decode()
    assert f'data-record="{hidden.pk}"' in table and "data-hidden-records" not in table


def test_the_linkage_page_lists_only_the_estimates_the_reader_may_see(client, alice, andy, linked):
    run_, _people = linked
    shared = estimate(client, alice, run_)
    secret = estimate(client, alice, run_)
    EstimateRun.objects.filter(pk=secret.pk).update(
        access_level=AccessLevel.CONFIDENTIAL, title=SECRET
    )
    client.force_login(andy)
    page = client.get(reverse("linkage:detail", args=[run_.pk])).content.decode()
    assert reverse("estimation:detail", args=[shared.pk]) in page
    assert reverse("estimation:detail", args=[secret.pk]) not in page and SECRET not in page
    client.force_login(alice)
    page = client.get(reverse("linkage:detail", args=[run_.pk])).content.decode()
    assert reverse("estimation:detail", args=[secret.pk]) in page


def test_a_newer_linkage_run_of_the_same_lists_is_offered_to_estimate_from(
    client, andy, alice, linked, lists
):
    run_, people = linked
    run = estimate(client, andy, run_)
    people[2].birth_year = 1970
    people[2].save()
    newer = finished_run(alice, lists, [[p] for p in people])
    page = client.get(reverse("estimation:detail", args=[run.pk])).content.decode()
    assert f"{reverse('estimation:create')}?linkage={newer.pk}" in page


def test_stale_runs_from_linkage_runs_are_in_the_gap_queue(client, andy, linked):
    run_, people = linked
    run = estimate(client, andy, run_)
    assert run.pk not in [r.pk for r in stale_rows(andy)]
    people[0].birth_year = 2000
    people[0].save()
    rows = stale_rows(andy)
    assert [r.pk for r in rows] == [run.pk] and rows[0].stale_records == 1


def test_staleness_of_many_runs_takes_a_fixed_number_of_queries(
    client, andy, linked, django_assert_max_num_queries
):
    run_, people = linked
    for _ in range(3):
        estimate(client, andy, run_)
    people[1].birth_year = 1999
    people[1].save()
    runs = list(EstimateRun.objects.all())
    with django_assert_max_num_queries(12) as few:
        provenance.staleness(runs[:1], andy)
    with django_assert_max_num_queries(len(few.captured_queries)):
        found = provenance.staleness(runs, andy)
    assert all(found[r.pk].edited == [people[1].pk] for r in runs)


def test_the_public_trail_says_when_the_inputs_changed_since_publication(client, andy):
    public = [factories.source(f"Public {n}", access_level=AccessLevel.PUBLIC) for n in range(3)]
    people = []
    for n in range(12):
        on = [public[i] for i in range(3) if (n >> i) & 1 or n % 3 == i]
        people.append(person(f"Q{n}", *on, access_level=AccessLevel.PUBLIC))
    run_ = finished_run(andy, public, [[p] for p in people])
    run_.derive_from(
        [*(input_of(s, label=f"S{s.pk}") for s in public), declared_input("records", "public")]
    )
    run_.save()
    run = estimate(client, andy, run_)
    # A change before publication makes the run stale in the workspace, not on the public trail:
    # it was published as it was.
    people[1].birth_year = 1975
    people[1].save()
    record_decision("person", people[2].pk, people[3].pk, False, andy)
    assert run.is_stale
    run = set_published(run, True, by=make_user("olga", Role.ADMINISTRATOR))
    client.logout()
    url = reverse("publishing:estimate", args=[run.pk])
    page = client.get(url).content.decode()
    assert "data-inputs-changed" not in page
    people[4].birth_year = 1985
    people[4].save()
    page = client.get(url).content.decode()
    assert "data-inputs-changed" in page and "changed since this estimate was published" in page
    assert people[4].pseudonym not in page
    # The numbers are as published.
    run.refresh_from_db()
    assert run.published and run.rerun() == run.results
