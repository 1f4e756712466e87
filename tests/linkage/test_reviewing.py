"""The review queue: both records side by side with their evidence; verdicts remembered."""

from django.urls import reverse

from unseen.audit.models import Action, AuditEntry
from unseen.linkage.models import Entity, LinkDecision, PairReview, ReviewStatus
from unseen.linkage.running import decisions_for

from .conftest import finished_run, person


def queue(run, *pairs):
    return [
        PairReview.objects.create(
            run=run,
            record_a=min(a.pk, b.pk),
            record_b=max(a.pk, b.pk),
            probability=0.42,
            agreement={"name": 2, "birth_date": -1},
        )
        for a, b in pairs
    ]


def test_it_shows_both_records_side_by_side_with_their_evidence_but_no_names(
    client, andy, roster, interviews
):
    ri = person("RI Chol Su", roster, birth_date="1984-03-02")
    lee = person("Lee Chul-soo", interviews, birth_date="1984")
    run = finished_run(andy, [roster, interviews], [[ri], [lee]])
    (review,) = queue(run, (ri, lee))
    client.force_login(andy)
    page = client.get(reverse("linkage:review", args=[run.pk, review.pk])).content.decode()
    assert ri.pseudonym in page and lee.pseudonym in page
    assert roster.title in page and interviews.title in page  # both evidence trails
    assert 'id="trail-heading1"' in page and 'id="trail-heading2"' in page
    assert "0.420" in page and "birth_date -1" in page
    assert "Chul" not in page and "Chol" not in page


def test_accepting_and_rejecting_are_remembered_and_the_last_verdict_is_in_force(
    client, andy, roster
):
    a, b, c = (person(n, roster) for n in ("Kim Chol", "Kim Cheol", "Kim Chul"))
    run = finished_run(andy, [roster], [[a], [b], [c]])
    first, second = queue(run, (a, b), (a, c))
    client.force_login(andy)
    url = reverse("linkage:review", args=[run.pk, first.pk])
    response = client.post(url, {"verdict": "same"})
    assert response.url == reverse("linkage:review", args=[run.pk, second.pk])  # the next pair
    first.refresh_from_db()
    assert (first.status, first.decided_by) == (ReviewStatus.ACCEPTED, andy)
    client.post(url, {"verdict": "different"})
    in_force = LinkDecision.objects.active().get(record_a=first.record_a, record_b=first.record_b)
    assert in_force.is_match is False
    assert LinkDecision.objects.filter(withdrawn_at__isnull=False).count() == 1
    response = client.post(
        reverse("linkage:review", args=[run.pk, second.pk]), {"verdict": "different"}
    )
    assert response.url == reverse("linkage:reviews", args=[run.pk])  # the queue is empty
    entries = AuditEntry.objects.filter(action=Action.CREATE, target_type="linkage.linkdecision")
    assert entries.count() == 3
    assert entries.first().detail["records"] == sorted([a.pseudonym, b.pseudonym])


def test_decisions_in_force_go_to_the_next_run_as_record_keys(client, andy, roster):
    a, b, c = (person(n, roster) for n in ("Ri Yong", "Yi Yong", "Rhee Yong"))
    run = finished_run(andy, [roster], [[a], [b], [c]])
    same, different = queue(run, (a, b), (b, c))
    client.force_login(andy)
    client.post(reverse("linkage:review", args=[run.pk, same.pk]), {"verdict": "same"})
    client.post(reverse("linkage:review", args=[run.pk, different.pk]), {"verdict": "different"})
    assert sorted(decisions_for(Entity.PERSON, [a.pk, b.pk, c.pk])) == sorted(
        [(f"0:{a.pk}", f"0:{b.pk}", True), (f"0:{b.pk}", f"0:{c.pk}", False)]
    )
    assert decisions_for(Entity.PERSON, [a.pk, c.pk]) == []  # only pairs within the run
    assert decisions_for(Entity.SITE, [a.pk, b.pk]) == []


def test_a_bad_verdict_changes_nothing(client, andy, roster):
    a, b = person("So Il", roster), person("Seo Il", roster)
    run = finished_run(andy, [roster], [[a], [b]])
    (review,) = queue(run, (a, b))
    client.force_login(andy)
    response = client.post(reverse("linkage:review", args=[run.pk, review.pk]), {"verdict": "?"})
    assert response.status_code == 200
    assert not LinkDecision.objects.exists()


def test_an_accepted_pair_can_be_merged_from_the_review_page(client, andy, roster):
    a, b = person("Rim Su", roster), person("Lim Soo", roster)
    run = finished_run(andy, [roster], [[a], [b]])
    (review,) = queue(run, (a, b))
    client.force_login(andy)
    merge_url = reverse("linkage:review_merge", args=[run.pk, review.pk])
    client.post(merge_url)
    b.refresh_from_db()
    assert b.merged_into is None  # not before it is accepted
    client.post(reverse("linkage:review", args=[run.pk, review.pk]), {"verdict": "same"})
    client.post(merge_url)
    b.refresh_from_db()
    assert b.merged_into == a


def test_a_run_beyond_the_users_access_level_is_not_found(client, andy, alice, roster):
    a, b = person("Ryu Hyon", roster), person("Yoo Hyun", roster)
    run = finished_run(alice, [roster], [[a, b]])
    run.access_level = "confidential"
    run.save()
    (review,) = queue(run, (a, b))
    client.force_login(andy)
    assert client.get(reverse("linkage:detail", args=[run.pk])).status_code == 404
    assert client.get(reverse("linkage:review", args=[run.pk, review.pk])).status_code == 404
    assert client.post(reverse("linkage:cluster_merge", args=[run.pk, 1])).status_code == 404


def test_a_vault_holder_may_see_both_identities_with_a_purpose_and_each_read_is_audited(
    client, alice, andy, roster
):
    a, b = person("RI Chol Su", roster), person("Lee Chul-soo", roster)
    run = finished_run(alice, [roster], [[a], [b]])
    (review,) = queue(run, (a, b))
    url = reverse("linkage:review", args=[run.pk, review.pk])
    client.force_login(andy)  # an analyst has no vault permission: no button, and refused
    assert "Show identities" not in client.get(url).content.decode()
    assert client.post(url, {"purpose": "check the pair"}).status_code == 403
    client.force_login(alice)
    assert "Chul" not in client.get(url).content.decode()
    response = client.post(url, {"purpose": "check the pair"})
    page = response.content.decode()
    assert "RI Chol Su" in page and "Lee Chul-soo" in page
    assert response["Cache-Control"] == "no-store"
    reads = AuditEntry.objects.filter(action=Action.VAULT_READ, actor="alice")
    assert sorted(e.target_id for e in reads) == sorted([str(a.pk), str(b.pk)])
    assert {e.detail["purpose"] for e in reads} == {"check the pair"}
    assert not LinkDecision.objects.exists()  # asking to see is not a verdict
    assert client.post(url, {"purpose": " "}).status_code == 200  # a blank purpose shows nothing
    assert AuditEntry.objects.filter(action=Action.VAULT_READ).count() == 2
