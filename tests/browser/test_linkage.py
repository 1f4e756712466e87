"""The linkage progress page under the real Content Security Policy: the static script polls the
run's JSON, moves the bar as the job writes its progress, and shows the result when it is done."""

import pytest
from django.utils import timezone

from tests import factories
from tests.browser.test_content_security_policy import watch_violations
from tests.browser.test_researcher import sign_in
from tests.linkage.conftest import finished_run, person
from unseen.accounts.models import AccessLevel
from unseen.linkage.models import LinkageRun, LinkDecision, PairReview, PairSkip, RunStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_progress_bar_follows_the_job_and_the_page_shows_what_it_found(
    strict_page, live_server, andy
):
    page = strict_page
    violations = watch_violations(page)
    run = LinkageRun.objects.create(
        entity="person", threshold=0.5, review_low=0.1, review_high=0.9, started_by=andy,
        status=RunStatus.RUNNING, stage="training", fraction=0.2, heartbeat_at=timezone.now(),
    )  # fmt: skip
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/linkage/{run.pk}/")
    bar = page.locator("[data-progress-bar]")
    assert bar.get_attribute("value") == "0.2"

    LinkageRun.objects.filter(pk=run.pk).update(
        stage="predicting", fraction=0.6, heartbeat_at=timezone.now()
    )
    page.wait_for_selector("[data-progress-stage]:has-text('scoring candidate pairs')")
    assert bar.get_attribute("value") == "0.6"
    assert page.locator("[data-progress-percent]").inner_text() == "60"

    LinkageRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        stage="done",
        fraction=1.0,
        finished_at=timezone.now(),
        counts={"records": 8, "clusters": 4, "scored_pairs": 6, "histogram": [1] * 20},
    )
    page.wait_for_selector("[data-counts]")  # the page reloaded itself
    assert page.locator("[data-clusters]").inner_text() == "4"
    assert page.locator("[data-progress-bar]").count() == 0
    assert violations == []


def test_the_reviewer_sees_both_clusters_and_skips_an_unsure_pair_to_the_next(
    strict_page, live_server, andy
):
    page = strict_page
    violations = watch_violations(page)
    roster = factories.source("Roster", access_level=AccessLevel.INTERNAL)
    a1, a2, b1, c1, c2 = (person(n, roster) for n in ("A", "B", "C", "D", "E"))
    run = finished_run(andy, [roster], [[a1, a2], [b1], [c1], [c2]])
    first, second = (
        PairReview.objects.create(
            run=run, record_a=min(x.pk, y.pk), record_b=max(x.pk, y.pk), probability=0.5
        )
        for x, y in ((a1, b1), (c1, c2))
    )
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/linkage/{run.pk}/review/{first.pk}/")
    clusters = page.locator("[data-pair-clusters] [data-cluster]")
    assert clusters.count() == 2
    assert a2.pseudonym in clusters.nth(0).inner_text()  # the other member of the first cluster
    assert b1.pseudonym in clusters.nth(1).inner_text()
    assert "into one of 3" in page.locator('[data-effect="same"]').inner_text()

    page.get_by_label("Unsure, skip").check()
    page.get_by_role("button", name="Save the verdict and go to the next pair").click()
    page.wait_for_url(f"{live_server.url}/app/linkage/{run.pk}/review/{second.pk}/")
    assert c1.pseudonym in page.locator("[data-pair-clusters]").inner_text()
    assert "back of your queue" in page.locator(".messages").inner_text()
    assert PairSkip.objects.get().review == first
    assert not LinkDecision.objects.exists()
    assert violations == []
