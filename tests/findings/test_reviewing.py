"""The way to publication: two people, embeds public, edits refused once published."""

import pytest

from unseen.audit.models import AuditEntry
from unseen.findings import reviewing
from unseen.findings.models import Finding, Status


def test_an_analyst_writes_and_submits_but_cannot_publish(write, andy):
    finding = write()
    reviewing.submit(finding, by=andy)
    with pytest.raises(reviewing.Refused):
        reviewing.review(finding, by=andy, decision="approve")  # andy lacks REVIEW_RECORDS
    assert Finding.objects.get().status == Status.IN_REVIEW


def test_a_reviewer_may_not_review_their_own_finding(rita):
    finding = reviewing.write({"slug": "mine", "title_en": "Mine", "body_en": "x"}, by=rita)
    reviewing.submit(finding, by=rita)
    with pytest.raises(reviewing.Refused, match="someone else"):
        reviewing.review(finding, by=rita, decision="approve")
    assert Finding.objects.get().status == Status.IN_REVIEW


def test_a_moderator_cannot_write(mona):
    with pytest.raises(reviewing.Refused):
        reviewing.write({"slug": "x", "title_en": "x", "body_en": "x"}, by=mona)


def test_a_second_person_publishes_and_every_step_is_audited(published, rita):
    assert published.status == Status.PUBLISHED
    assert published.reviewer == rita and published.published_at
    steps = [
        e.detail.get("step") or e.detail.get("status")
        for e in AuditEntry.objects.filter(target_type="findings.finding").order_by("id")
    ]
    assert steps == ["draft", "submitted", "reviewed"]


def test_asking_for_changes_sends_it_back_to_draft(write, andy, rita):
    finding = write()
    reviewing.submit(finding, by=andy)
    reviewing.review(finding, by=rita, decision="request_changes", comment="Source the 2nd claim")
    assert Finding.objects.get().status == Status.DRAFT


def test_the_body_is_frozen_once_published(published, andy):
    with pytest.raises(reviewing.Refused, match="corrected"):
        reviewing.write(
            {"slug": published.slug, "body_en": "Silently changed"}, by=andy, finding=published
        )
    published.refresh_from_db()
    assert "Silently" not in published.body_en


def test_embedding_something_not_public_refuses_submission_and_publication(write, andy, rita):
    from tests import factories

    internal = factories.estimate_run(access_level="internal")
    finding = write(f"{{{{estimate {internal.pk}}}}}\n\n{{{{record organisation 999999}}}}")
    with pytest.raises(reviewing.Refused, match="not a published estimate"):
        reviewing.submit(finding, by=andy)
    assert Finding.objects.get().status == Status.DRAFT


def test_the_preview_lists_the_embeds_that_are_not_public(client, write, andy):
    write("{{estimate 424242}}\n\n{{chart nonsense}}\n\n{{map}}")
    client.force_login(andy)
    page = client.get("/app/findings/a-finding/").content.decode()
    assert "data-problems" in page
    assert "{{estimate 424242}}: not a published estimate" in page
    assert "no such chart" in page
    assert "{{map}}" not in page.split("data-problems")[1].split("</section>")[0]


def test_a_correction_is_appended_with_its_date_and_the_body_stays(client, published, andy):
    import datetime as dt

    reviewing.correct(
        published, by=andy, text_en="The interval was 95%, not 90%.", on=dt.date(2026, 3, 2)
    )
    page = client.get(f"/findings/{published.slug}/").content.decode()
    assert 'datetime="2026-03-02"' in page and "The interval was 95%, not 90%." in page
    assert "Intro." in page


def test_a_draft_cannot_be_corrected(write, andy):
    with pytest.raises(reviewing.Refused):
        reviewing.correct(write(), by=andy, text_en="x")


def test_withdrawal_keeps_the_page_and_says_why(client, published, rita, andy):
    with pytest.raises(reviewing.Refused):
        reviewing.withdraw(published, by=andy, reason_en="no")  # analysts cannot withdraw
    with pytest.raises(reviewing.Refused, match="why"):
        reviewing.withdraw(published, by=rita)
    reviewing.withdraw(published, by=rita, reason_en="A list was counted twice.")
    page = client.get(f"/findings/{published.slug}/").content.decode()
    assert "data-withdrawn" in page and "A list was counted twice." in page
    assert "takes no more comments" in page
    assert client.get("/findings/").content.decode().count("Withdrawn") >= 1


def test_drafts_are_not_on_the_public_side(client, write):
    write()
    assert client.get("/findings/a-finding/").status_code == 404
    assert client.get("/findings/a-finding/pdf").status_code == 404
    assert "a-finding" not in client.get("/findings/").content.decode()
    assert "a-finding" not in client.get("/findings/feed.atom").content.decode()
