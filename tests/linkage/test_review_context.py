"""A pair under review in context: the clusters both records are in (members the reader may not
read counted, never shown), what each verdict would change, the fields side by side with their
differences marked, and "unsure, skip", which is no verdict."""

import re

from django.urls import reverse

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.linkage.models import Entity, LinkDecision, PairSkip, ReviewStatus
from unseen.linkage.running import decisions_for

from .conftest import finished_run, person
from .test_reviewing import queue


def page_of(client, run, review):
    return client.get(reverse("linkage:review", args=[run.pk, review.pk])).content.decode()


def effect(page, verdict):
    found = re.search(rf'<li data-effect="{verdict}">(.*?)</li>', page, re.S)
    assert found, verdict
    return " ".join(found.group(1).split())


def test_it_shows_both_clusters_and_that_the_same_would_merge_them(client, andy, roster):
    a1, a2, a3, b1, b2 = (person(n, roster) for n in ("A", "B", "C", "D", "E"))
    run = finished_run(andy, [roster], [[a1, a2, a3], [b1, b2]])
    (review,) = queue(run, (a1, b1))
    client.force_login(andy)
    page = page_of(client, run, review)
    for member in (a1, a2, a3, b1, b2):
        assert f'data-member="{member.pk}"' in page and member.pseudonym in page
    assert "Cluster 1 (3 records)" in page and "Cluster 2 (2 records)" in page
    assert effect(page, "same") == (
        "The same: merges cluster 1 (3 records) and cluster 2 (2 records) into one of 5 on the "
        "next run."
    )
    assert effect(page, "different") == "Not the same: keeps them apart, as they are now."
    assert "changes nothing" in effect(page, "unsure")
    assert "data-hidden-members" not in page


def test_in_one_cluster_same_changes_nothing_and_different_splits(client, andy, roster):
    a, b, c = (person(n, roster) for n in ("A", "B", "C"))
    run = finished_run(andy, [roster], [[a, b, c]])
    (review,) = queue(run, (a, b))
    client.force_login(andy)
    page = page_of(client, run, review)
    assert "Both records are already in one cluster" in page
    assert page.count("data-cluster=") == 1
    assert "changes nothing" in effect(page, "same")
    assert effect(page, "different").startswith("Not the same: splits cluster 1 (3 records)")


def test_a_verdict_in_force_keeping_members_apart_is_said_to_block_the_merge(client, andy, roster):
    a1, a2, b1 = (person(n, roster) for n in ("A", "B", "C"))
    run = finished_run(andy, [roster], [[a1, a2], [b1]])
    (review,) = queue(run, (a1, b1))
    LinkDecision.objects.create(
        entity=Entity.PERSON, record_a=min(a2.pk, b1.pk), record_b=max(a2.pk, b1.pk),
        is_match=False,
    )  # fmt: skip
    client.force_login(andy)
    assert "keeps them apart" in effect(page_of(client, run, review), "same")


def test_cluster_members_the_reader_may_not_read_are_counted_and_never_shown(
    client, andy, alice, roster
):
    a, b = person("A", roster), person("B", roster)
    secret = person("C", roster, access_level=AccessLevel.CONFIDENTIAL)
    run = finished_run(alice, [roster], [[a, secret], [b]])
    (review,) = queue(run, (a, b))
    client.force_login(andy)
    page = page_of(client, run, review)
    assert secret.pseudonym not in page
    assert f'data-member="{secret.pk}"' not in page
    assert reverse("documentation:detail", args=["persons", secret.pk]) not in page
    assert 'data-hidden-members="1"' in page and "and 1 record you may not read" in page
    assert "Cluster 1 (2 records)" in page  # counted: the merge would make one of 3
    assert "into one of 3" in effect(page, "same")
    client.force_login(alice)  # who may read it sees it
    page = page_of(client, run, review)
    assert secret.pseudonym in page and "data-hidden-members" not in page


def test_fields_side_by_side_mark_differences_and_fold_romanised_names(client, andy, roster):
    first = factories.site("Vostok-Stroy LLC", country="RU")
    second = factories.site("ООО «Восток-Строй»", country="CN")
    run = finished_run(andy, [roster], [[first], [second]], entity=Entity.SITE)
    (review,) = queue(run, (first, second))
    client.force_login(andy)
    page = page_of(client, run, review)
    rows = {
        label: agreement
        for agreement, label in re.findall(
            r'data-agreement="(\w+)">\s*<th scope="row">([^<]+)</th>', page
        )
    }
    assert rows["Name"] == "folded"  # the same name in Latin and Cyrillic letters
    assert rows["Country"] == "different"
    assert rows["Kind"] == "equal"
    assert '<mark aria-label="differs: ' in page and "≠ differs" in page
    assert "same name, romanised differently" in page


def test_revealed_identities_are_compared_with_korean_aware_names(client, alice, roster):
    a = person("Lee Chul-soo", roster, birth_date="1984-03-02")
    b = person("RI Chol Su", roster, birth_date="1985")
    run = finished_run(alice, [roster], [[a], [b]])
    (review,) = queue(run, (a, b))
    client.force_login(alice)
    url = reverse("linkage:review", args=[run.pk, review.pk])
    page = client.post(url, {"purpose": "check the pair"}).content.decode()
    identities = page.split('data-comparison="identities"', 1)[1].split("</table>", 1)[0]
    assert re.search(r'data-agreement="folded">\s*<th scope="row">Full name', identities)
    assert re.search(r'data-agreement="different">\s*<th scope="row">Birth date', identities)
    assert "Chul" not in page_of(client, run, review)  # not without asking again


def test_unsure_skips_to_the_next_pair_and_is_no_verdict(client, andy, alice, roster):
    a, b, c, d = (person(n, roster) for n in ("Kim Chol", "Kim Cheol", "Kim Chul", "Kim Il"))
    run = finished_run(andy, [roster], [[a], [b], [c], [d]])
    first, second, third = queue(run, (a, b), (a, c), (c, d))
    client.force_login(andy)
    response = client.post(
        reverse("linkage:review", args=[run.pk, first.pk]), {"verdict": "unsure"}
    )
    assert response.url == reverse("linkage:review", args=[run.pk, second.pk])
    first.refresh_from_db()
    assert first.status == ReviewStatus.PENDING and first.decided_by is None
    assert not LinkDecision.objects.exists()
    assert decisions_for(Entity.PERSON, [a.pk, b.pk, c.pk, d.pk]) == []  # nothing for a run
    (skipped,) = PairSkip.objects.all()
    assert (skipped.review, skipped.user) == (first, andy)
    entry = AuditEntry.objects.get(action=Action.CREATE, target_type="linkage.pairskip")
    assert entry.detail["unsure"] is True
    assert entry.detail["records"] == sorted([a.pseudonym, b.pseudonym])

    # The skipped pair is last in this reviewer's queue, and only in theirs.
    queue_url = reverse("linkage:reviews", args=[run.pk])
    listing = client.get(queue_url).content.decode()
    order = [int(n) for n in re.findall(r"/review/(\d+)/", listing)]
    assert order == [second.pk, third.pk, first.pk]
    assert "you were unsure (skipped)" in listing
    client.force_login(alice)
    listing = client.get(queue_url).content.decode()
    assert [int(n) for n in re.findall(r"/review/(\d+)/", listing)] == [
        first.pk, second.pk, third.pk,
    ]  # fmt: skip
    assert "you were unsure" not in listing

    # Deciding the rest comes back to the skipped pair, then to the empty queue.
    client.force_login(andy)
    url = reverse("linkage:review", args=[run.pk, second.pk])
    assert client.post(url, {"verdict": "same"}).url == reverse(
        "linkage:review", args=[run.pk, third.pk]
    )
    url = reverse("linkage:review", args=[run.pk, third.pk])
    assert client.post(url, {"verdict": "different"}).url == reverse(
        "linkage:review", args=[run.pk, first.pk]
    )
    url = reverse("linkage:review", args=[run.pk, first.pk])
    assert client.post(url, {"verdict": "different"}).url == queue_url


def test_a_decided_pair_cannot_be_skipped(client, andy, roster):
    a, b = person("So Il", roster), person("Seo Il", roster)
    run = finished_run(andy, [roster], [[a], [b]])
    (review,) = queue(run, (a, b))
    client.force_login(andy)
    url = reverse("linkage:review", args=[run.pk, review.pk])
    client.post(url, {"verdict": "same"})
    response = client.post(url, {"verdict": "unsure"}, follow=True)
    assert "This pair has a verdict; give another one to change it." in response.content.decode()
    assert not PairSkip.objects.exists()
    assert LinkDecision.objects.active().get().is_match is True  # the verdict stays in force
