"""Comments under a finding: moderated, spam-scored, threaded, published findings only."""

import pytest

from unseen.findings.views import thread
from unseen.intake import receiving
from unseen.intake.models import CommentPage, Status, Submission
from unseen.intake.moderating import approve


def _post(client, slug, **data):
    return client.post(f"/findings/{slug}/comment/", {"body": "A real comment about this.", **data})


def test_a_comment_waits_for_a_moderator_then_shows(client, published, mona):
    response = _post(client, published.slug, name="Reader")
    assert response.status_code == 303
    comment = Submission.objects.get()
    assert (comment.page, comment.topic, comment.status) == ("finding", published.slug, "pending")
    assert "A real comment" not in client.get(f"/findings/{published.slug}/").content.decode()
    approve(comment, user=mona)
    assert "A real comment" in client.get(f"/findings/{published.slug}/").content.decode()


def test_replies_thread_under_their_parent(client, published, mona):
    parent = receiving.receive_comment(CommentPage.FINDING, "first", topic=published.slug)
    approve(parent, user=mona)
    response = _post(client, published.slug, in_reply_to=parent.pk)
    assert response.status_code == 303
    reply = Submission.objects.get(in_reply_to=parent)
    approve(reply, user=mona)
    other = receiving.receive_comment(CommentPage.FINDING, "second", topic=published.slug)
    approve(other, user=mona)
    assert [(c.pk, depth) for c, depth in thread(published.slug)] == [
        (parent.pk, 0),
        (reply.pk, 1),
        (other.pk, 0),
    ]
    page = client.get(f"/findings/{published.slug}/").content.decode()
    assert f'data-reply-to="{parent.pk}"' in page


def test_a_reply_to_an_unapproved_or_other_findings_comment_is_refused(client, published, mona):
    pending = receiving.receive_comment(CommentPage.FINDING, "pending", topic=published.slug)
    elsewhere = receiving.receive_comment(CommentPage.FINDING, "elsewhere", topic="other")
    approve(elsewhere, user=mona)
    home = receiving.receive_comment(CommentPage.HOME, "home")
    approve(home, user=mona)
    for parent in (pending, elsewhere, home):
        assert _post(client, published.slug, in_reply_to=parent.pk).status_code == 400
    with pytest.raises(receiving.ReplyRefused):
        receiving.receive_comment(
            CommentPage.FINDING, "x", topic=published.slug, in_reply_to=pending.pk
        )
    assert Submission.objects.filter(in_reply_to__isnull=False).count() == 0


def test_drafts_and_withdrawn_findings_take_no_comments(client, write, published, rita):
    from unseen.findings import reviewing

    write(slug="draft")
    assert _post(client, "draft").status_code == 404
    reviewing.withdraw(published, by=rita, reason_en="Wrong.")
    assert _post(client, published.slug).status_code == 404
    assert not Submission.objects.exists()


def test_the_generic_comment_form_refuses_the_finding_page(client, db):
    client.post("/report/comment/", {"page": "finding", "body": "x" * 20})
    assert not Submission.objects.exists()


def test_spam_is_scored_as_for_every_comment(client, published):
    _post(client, published.slug, website="http://spam.example")  # the honeypot
    assert Submission.objects.get().spam_score > 0.5


def test_the_moderation_queue_names_the_finding_and_the_parent(client, published, mona):
    parent = receiving.receive_comment(CommentPage.FINDING, "first", topic=published.slug)
    approve(parent, user=mona)
    receiving.receive_comment(
        CommentPage.FINDING, "a reply", topic=published.slug, in_reply_to=parent.pk
    )
    client.force_login(mona)
    page = client.get("/app/moderation/?status=pending").content.decode()
    assert f"/findings/{published.slug}/" in page and f"#{parent.pk}" in page
    reply = Submission.objects.get(status=Status.PENDING)
    detail = client.get(f"/app/moderation/{reply.pk}/").content.decode()
    assert published.slug in detail and "first" in detail
