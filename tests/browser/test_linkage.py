"""The linkage progress page under the real Content Security Policy: the static script polls the
run's JSON, moves the bar as the job writes its progress, and shows the result when it is done."""

import pytest
from django.utils import timezone

from tests.browser.test_content_security_policy import watch_violations
from tests.browser.test_researcher import sign_in
from unseen.linkage.models import LinkageRun, RunStatus

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
