"""Merging a cluster keeps every claim and source; undoing it restores both records exactly."""

import pytest
from django.urls import reverse

from unseen.audit.models import Action, AuditEntry
from unseen.linkage.merging import MergeRefused, merge_cluster, merge_records, undo_merge
from unseen.linkage.models import Entity, LinkDecision, Merge
from unseen.linkage.reviewing import record_decision
from unseen.registry.models import Person

from .conftest import finished_run, person


@pytest.fixture
def pair(roster, interviews):
    return person("RI Chol Su", roster), person("Lee Chul-soo", interviews)


def trail_sources(record, user=None):
    return sorted(c.source.title for c in record.evidence_trail(user))


def test_merging_a_cluster_keeps_both_records_claims_and_shows_them_on_the_survivor(
    client, andy, pair, roster, interviews
):
    ri, lee = pair
    run = finished_run(andy, [roster, interviews], [[ri, lee]])
    client.force_login(andy)
    response = client.post(reverse("linkage:cluster_merge", args=[run.pk, 1]))
    assert response.status_code == 302
    ri.refresh_from_db()
    lee.refresh_from_db()
    assert (ri.merged_into, lee.merged_into) == (None, ri)
    # Nothing moved: each claim is still about the record it was made about.
    assert [c.source for c in lee.supporting_claims.all()] == [interviews]
    assert [c.source for c in ri.supporting_claims.all()] == [roster]
    assert trail_sources(ri, andy) == sorted([roster.title, interviews.title])
    page = client.get(reverse("documentation:detail", args=["persons", ri.pk])).content.decode()
    assert "data-merged-records" in page and lee.pseudonym in page and interviews.title in page
    page = client.get(reverse("documentation:detail", args=["persons", lee.pk])).content.decode()
    assert "data-merged-into" in page and ri.pseudonym in page
    assert LinkDecision.objects.active().get(record_a=ri.pk, record_b=lee.pk).is_match


def test_undoing_a_merge_restores_both_records_and_withdraws_its_verdict(andy, pair, roster):
    ri, lee = pair
    run = finished_run(andy, [roster], [[ri, lee]])
    merge = merge_cluster(run, 1, andy)
    undo_merge(merge, andy)
    ri.refresh_from_db()
    lee.refresh_from_db()
    assert (ri.merged_into, lee.merged_into) == (None, None)
    assert trail_sources(ri) == [roster.title]
    assert not LinkDecision.objects.active().exists()
    assert LinkDecision.objects.filter(merge=merge, withdrawn_at__isnull=False).count() == 1
    with pytest.raises(MergeRefused):
        undo_merge(merge, andy)


def test_undo_is_a_page_action_for_analysts(client, andy, pair, roster):
    ri, lee = pair
    run = finished_run(andy, [roster], [[ri, lee]])
    merge = merge_cluster(run, 1, andy)
    client.force_login(andy)
    page = client.get(reverse("linkage:detail", args=[run.pk])).content.decode()
    assert reverse("linkage:merge_undo", args=[merge.pk]) in page
    response = client.post(reverse("linkage:merge_undo", args=[merge.pk]))
    assert response.url == reverse("linkage:detail", args=[run.pk])
    lee.refresh_from_db()
    assert lee.merged_into is None
    assert Merge.objects.get().undone_by == andy


def test_a_not_the_same_verdict_wins_over_a_cluster(andy, pair, roster):
    ri, lee = pair
    run = finished_run(andy, [roster], [[ri, lee]])
    record_decision(Entity.PERSON, lee.pk, ri.pk, False, andy)
    with pytest.raises(MergeRefused, match=ri.pseudonym):
        merge_cluster(run, 1, andy)
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_it_merges_into_what_a_record_is_already_part_of(andy, roster):
    first, second, third = (person(n, roster) for n in ("Kim Il", "Kim Il", "Kim Ill"))
    merge_records(Entity.PERSON, [first.pk, second.pk], andy)
    merge_records(Entity.PERSON, [second.pk, third.pk], andy)
    third.refresh_from_db()
    assert third.merged_into == first
    assert first.merged_family() == [first.pk, second.pk, third.pk]
    with pytest.raises(MergeRefused, match="already one record"):
        merge_records(Entity.PERSON, [third.pk, first.pk], andy)


def test_it_refuses_records_the_user_may_not_read(andy, roster):
    from unseen.accounts.models import AccessLevel

    secret = person("Han Song Hui", roster, access_level=AccessLevel.CONFIDENTIAL)
    open_ = person("Han Song-hee", roster)
    with pytest.raises(MergeRefused):
        merge_records(Entity.PERSON, [secret.pk, open_.pk], andy)
    assert Merge.objects.count() == 0


def test_every_merge_and_undo_is_audited_by_pseudonym(andy, pair, roster):
    ri, lee = pair
    merge = merge_records(Entity.PERSON, [ri.pk, lee.pk], andy)
    undo_merge(merge, andy)
    about_lee = AuditEntry.objects.filter(
        action=Action.UPDATE, target_type="registry.person", target_id=str(lee.pk)
    )
    assert [e.detail.get("merged_into") or e.detail.get("unmerged_from") for e in about_lee] == [
        ri.pseudonym,
        ri.pseudonym,
    ]
    assert AuditEntry.objects.filter(action=Action.CREATE, target_type="linkage.linkdecision")
    assert not AuditEntry.objects.filter(detail__icontains="Chul").exists()


def test_lists_show_a_merged_record_once_unless_merged_records_are_asked_for(
    client, andy, pair, roster
):
    ri, lee = pair
    merge = merge_cluster(finished_run(andy, [roster], [[ri, lee]]), 1, andy)
    client.force_login(andy)
    url = reverse("documentation:list", args=["persons"])
    page = client.get(url).content.decode()
    assert ri.pseudonym in page and lee.pseudonym not in page
    with_merged = client.get(url, {"merged": "on"}).content.decode()
    assert ri.pseudonym in with_merged and lee.pseudonym in with_merged
    assert with_merged.count("data-merged>") == 1
    # A filtered list leaves them out as well.
    searched = client.get(url, {"q": lee.pseudonym}).content.decode()
    assert reverse("documentation:detail", args=["persons", lee.pk]) not in searched
    undo_merge(merge, andy)
    assert lee.pseudonym in client.get(url).content.decode()
