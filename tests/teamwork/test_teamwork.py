"""Working together (#18 item 5): assignments, My work, threaded comments with mentions, watches,
notifications in the app and by e-mail — all of it only for readers of the record."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories
from tests.conftest import make_user
from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.audit.models import Action, AuditEntry
from unseen.evidence.revisions import revising
from unseen.teamwork.models import Assignment, Comment, Notification, Reason, Watch


@pytest.fixture
def rob(db):
    """A second researcher, without the confidential compartment."""
    return make_user("rob", Role.RESEARCHER)


def _url(name, record, kind="deployments"):
    return reverse(f"teamwork:{name}", args=[kind, record.pk])


def _detail(record, kind="deployments"):
    return reverse("documentation:detail", args=[kind, record.pk])


def test_it_assigns_reassigns_and_unassigns_a_record_with_an_audit_trail(client, rita, rob, alice):
    deployment = factories.deployment()
    client.force_login(rita)
    due = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(_url("assign", deployment), {"assignee": rob.pk, "due": due})
    assert response.status_code == 302
    assignment = Assignment.about(deployment).get()
    assert (assignment.assignee, assignment.due.isoformat(), assignment.assigned_by) == (
        rob,
        due,
        rita,
    )
    assert Notification.objects.filter(recipient=rob, reason=Reason.ASSIGNED).count() == 1
    page = client.get(_detail(deployment)).content.decode()
    assert "Assigned to rob" in page

    client.post(_url("assign", deployment), {"assignee": alice.pk})
    assert Assignment.about(deployment).get().assignee == alice
    client.post(_url("assign", deployment), {"assignee": ""})
    assert not Assignment.about(deployment).exists()
    actions = list(
        AuditEntry.objects.filter(target_type="teamwork.assignment").values_list(
            "action", flat=True
        )
    )
    assert actions == [Action.CREATE, Action.UPDATE, Action.DELETE]
    changed = AuditEntry.objects.get(target_type="teamwork.assignment", action=Action.UPDATE)
    assert "assignee" in changed.detail["fields"]


def test_it_refuses_an_assignee_who_may_not_read_the_record_and_a_past_due_date(client, rita, rob):
    secret = factories.deployment(access_level=AccessLevel.CONFIDENTIAL)
    client.force_login(rita)
    response = client.post(_url("assign", secret), {"assignee": rob.pk}, follow=True)
    assert "may not read this record" in response.content.decode()
    assert not Assignment.about(secret).exists()
    open_one = factories.deployment()
    response = client.post(
        _url("assign", open_one), {"assignee": rob.pk, "due": "2000-01-01"}, follow=True
    )
    assert "due date has passed" in response.content.decode()
    response = client.post(
        _url("assign", open_one), {"assignee": rob.pk, "due": "soon"}, follow=True
    )
    assert "YYYY-MM-DD" in response.content.decode()
    assert not Assignment.about(open_one).exists()


def test_my_work_lists_assignments_with_overdue_mentions_watches_and_edits(client, rita, rob):
    late, later = factories.deployment(year=2015), factories.deployment(year=2016)
    Assignment.objects.create(
        content_type_id=_ct(late),
        object_id=late.pk,
        assignee=rob,
        assigned_by=rita,
        due=dt.date.today() - dt.timedelta(days=1),
    )
    Assignment.objects.create(
        content_type_id=_ct(later), object_id=later.pk, assignee=rob, assigned_by=rita
    )
    client.force_login(rita)
    client.post(_url("comment", later), {"text": "@rob please check the wage figures."})
    client.force_login(rob)
    client.post(_url("watch", late), {"watch": "on"})
    from unseen.audit.context import current_actor

    token = current_actor.set("rob")
    try:
        with revising("typo"):
            site = factories.site("Rob's site")
            site.name = "Rob's site, fixed"
            site.save()
    finally:
        current_actor.reset(token)
    late.workers_high = 300
    with revising("new figure"):
        late.save()  # activity on a watched record

    page = client.get(reverse("teamwork:my_work"))
    assert page.status_code == 200
    work = page.content.decode()
    assigned = work.split("data-assigned", 1)[1].split("</section>", 1)[0]
    assert assigned.index(str(late)) < assigned.index(str(later))  # by due date, none last
    assert "data-overdue" in assigned and assigned.count("data-overdue") == 1
    mentions = work.split("data-mentions", 1)[1].split("</section>", 1)[0]
    assert str(later) in mentions and "rita" in mentions
    watched = work.split("data-watched", 1)[1].split("</section>", 1)[0]
    assert str(late) in watched and "data-new-activity" in watched
    edits = work.split("data-edits", 1)[1].split("</section>", 1)[0]
    assert "Rob&#x27;s site, fixed" in edits


def _ct(record):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(type(record)).pk


def test_comments_thread_replies_and_mention_only_known_readers(client, rita, rob, andy):
    deployment = factories.deployment(access_level=AccessLevel.INTERNAL)
    client.force_login(rita)
    client.post(_url("comment", deployment), {"text": "@rob and @andy: see @nobody. Thanks @rob."})
    first = Comment.objects.get()
    assert set(first.mentions.values_list("username", flat=True)) == {"rob", "andy"}
    assert Notification.objects.filter(reason=Reason.MENTIONED).count() == 2
    client.force_login(rob)
    client.post(_url("comment", deployment), {"text": "Checked.", "parent": first.pk})
    reply = Comment.objects.exclude(pk=first.pk).get()
    assert reply.parent == first
    assert Notification.objects.filter(recipient=rita, reason=Reason.REPLIED).count() == 1
    page = client.get(_detail(deployment)).content.decode()
    assert page.index("see @nobody") < page.index("Checked.")
    assert f'data-comment="{reply.pk}" class="depth-1" data-reply' in page
    history = client.get(reverse("documentation:history", args=["deployments", deployment.pk]))
    timeline = history.content.decode()
    assert timeline.count("data-comment-entry") == 2 and "Checked." in timeline
    # A reply to a comment of another record is refused, and so is an empty comment.
    other = factories.deployment()
    response = client.post(_url("comment", other), {"text": "x", "parent": first.pk}, follow=True)
    assert "not on this record" in response.content.decode()
    response = client.post(_url("comment", other), {"text": "  "}, follow=True)
    assert "Write a comment first" in response.content.decode()
    assert Comment.objects.count() == 2
    assert (
        AuditEntry.objects.filter(target_type="teamwork.comment", action=Action.CREATE).count() == 2
    )


def test_a_confidential_record_keeps_its_comments_and_notifications_from_others(
    client, rita, rob, andy
):
    secret = factories.deployment(access_level=AccessLevel.CONFIDENTIAL)
    client.force_login(rita)
    client.post(_url("comment", secret), {"text": "@andy @rob the source is in Khabarovsk"})
    made = Comment.objects.get()
    assert made.mentions.count() == 0  # neither may read it: left as text, nobody told
    assert Notification.objects.count() == 0
    for outsider in (andy, rob):
        client.force_login(outsider)
        assert client.get(_detail(secret)).status_code == 404
        assert client.post(_url("comment", secret), {"text": "hi"}).status_code == 404
        assert client.post(_url("watch", secret), {"watch": "on"}).status_code == 404
        for page in ("teamwork:my_work", "teamwork:notifications"):
            assert "Khabarovsk" not in client.get(reverse(page)).content.decode()
    assert Comment.objects.count() == 1 and not Watch.objects.exists()
    # Lowered later, a record whose notification was made stays out of the reader's pages.
    open_one = factories.deployment(access_level=AccessLevel.INTERNAL)
    client.force_login(rita)
    client.post(_url("comment", open_one), {"text": "@rob look"})
    assert Notification.objects.filter(recipient=rob).count() == 1
    open_one.access_level = AccessLevel.CONFIDENTIAL
    open_one.save()
    client.force_login(rob)
    assert "data-notification-count" not in client.get(reverse("teamwork:my_work")).content.decode()
    listing = client.get(reverse("teamwork:notifications")).content.decode()
    assert "No notifications." in listing and "data-new" not in listing


def test_the_header_counts_unread_notifications_until_the_page_is_opened(client, rita, rob):
    deployment = factories.deployment()
    client.force_login(rita)
    client.post(_url("comment", deployment), {"text": "@rob one"})
    client.post(_url("assign", deployment), {"assignee": rob.pk})
    client.force_login(rob)
    header = client.get(reverse("documentation:dashboard")).content.decode()
    assert '<span class="badge" data-notification-count>2</span>' in header
    listing = client.get(reverse("teamwork:notifications")).content.decode()
    assert listing.count("data-new") == 2
    assert "assigned to you" in listing and "mentioned you" in listing
    assert (
        "data-notification-count"
        not in client.get(reverse("teamwork:notifications")).content.decode()
    )
    assert not Notification.objects.filter(recipient=rob, read_at__isnull=True).exists()


def test_watchers_are_told_of_edits_comments_and_assignments_but_not_of_their_own(
    client, rita, rob
):
    deployment = factories.deployment()
    client.force_login(rob)
    client.post(_url("watch", deployment), {"watch": "on"})
    assert Watch.objects.filter(user=rob).count() == 1
    client.post(_url("comment", deployment), {"text": "my own note"})
    assert not Notification.objects.filter(recipient=rob).exists()
    client.force_login(rita)
    client.post(_url("comment", deployment), {"text": "a note"})
    deployment.workers_low = 50
    with revising("checked"):
        deployment.save()
    assert Notification.objects.filter(recipient=rob, reason=Reason.ACTIVITY).count() == 2
    client.force_login(rob)
    client.post(_url("watch", deployment), {"watch": "off"})
    assert not Watch.objects.exists()


def test_it_emails_only_where_configured_and_without_record_content(
    client, rita, rob, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.UNSEEN_SITE_URL = "https://unseen.example.org"
    rob.email = "rob@example.org"
    rob.save()
    deployment = factories.deployment()
    client.force_login(rita)
    settings.UNSEEN_EMAIL_NOTIFICATIONS = False
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("comment", deployment), {"text": "@rob off"})
    assert mail.outbox == []
    settings.UNSEEN_EMAIL_NOTIFICATIONS = True
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("comment", deployment), {"text": "@rob the witness Kim said so"})
    (sent,) = mail.outbox
    assert sent.to == ["rob@example.org"]
    assert "rita mentioned you" in sent.subject
    link = f"https://unseen.example.org/app/deployments/{deployment.pk}/"
    assert link in sent.body and f"#{deployment.pk}" in sent.body
    assert "Kim" not in sent.body + sent.subject and str(deployment) not in sent.body


def test_email_is_on_by_default_only_when_a_mail_server_is_named(tmp_path):
    from tests.test_settings_environment import settings_of

    names = ["UNSEEN_EMAIL_NOTIFICATIONS", "EMAIL_HOST"]
    assert settings_of(tmp_path, names)["UNSEEN_EMAIL_NOTIFICATIONS"] is False
    named = settings_of(tmp_path, names, UNSEEN_EMAIL_HOST="mail.example.org")
    assert named == {"UNSEEN_EMAIL_NOTIFICATIONS": True, "EMAIL_HOST": "mail.example.org"}
    console = settings_of(tmp_path, names, UNSEEN_EMAIL_NOTIFICATIONS="on")
    assert console["UNSEEN_EMAIL_NOTIFICATIONS"] is True


@pytest.mark.parametrize("name", ["assign", "comment", "watch"])
def test_a_reader_who_may_not_read_the_record_gets_404(client, andy, name):
    secret = factories.deployment(access_level=AccessLevel.CONFIDENTIAL)
    client.force_login(andy)  # an analyst: may comment and watch, not assign
    response = client.post(_url(name, secret), {"text": "x", "watch": "on"})
    assert response.status_code == (403 if name == "assign" else 404)


# --- review on "My work" (ADR 0025) --------------------------------------------------------------


def _edited_site(user, name, level=AccessLevel.INTERNAL):
    from unseen.audit.context import current_actor

    token = current_actor.set(user.get_username())
    try:
        site = factories.site(name, access_level=level)
        site.city = "Vladivostok"
        site.save()
    finally:
        current_actor.reset(token)
    return site


def _section(page, marker):
    return page.split(marker, 1)[1].split("</section>", 1)[0]


def test_my_work_shows_records_awaiting_my_review_but_not_my_own(client, rita, rob, ruth, andy):
    from unseen.evidence import reviewing

    robs = _edited_site(rob, "Camp edited by rob")
    ritas = _edited_site(rita, "Camp edited by rita")
    secret = _edited_site(rob, "Camp kept confidential", AccessLevel.CONFIDENTIAL)
    _edited_site(rob, "Camp still a draft")
    for record in (robs, ritas, secret):
        reviewing.send_to_review(record, rob)

    client.force_login(rita)
    awaiting = _section(client.get(reverse("teamwork:my_work")).content.decode(), "data-awaiting")
    assert "Camp edited by rob" in awaiting and "Camp kept confidential" in awaiting
    assert "Camp edited by rita" not in awaiting  # her own last edit: someone else reviews it
    assert "Camp still a draft" not in awaiting
    assert reverse("documentation:review", args=["sites", robs.pk]) in awaiting

    client.force_login(ruth)  # no confidential compartment
    awaiting = _section(client.get(reverse("teamwork:my_work")).content.decode(), "data-awaiting")
    assert "Camp edited by rob" in awaiting and "Camp edited by rita" in awaiting
    assert "Camp kept confidential" not in awaiting

    reviewing.approve(robs, ruth)
    client.force_login(rita)
    awaiting = _section(client.get(reverse("teamwork:my_work")).content.decode(), "data-awaiting")
    assert "Camp edited by rob" not in awaiting

    client.force_login(andy)  # an analyst reviews nothing: no such list
    assert "data-awaiting-review" not in client.get(reverse("teamwork:my_work")).content.decode()


def test_my_drafts_are_the_unapproved_records_i_edited_last(client, rita, rob, ruth):
    from unseen.evidence import reviewing

    mine = _edited_site(rob, "Rob's draft camp")
    sent_back = _edited_site(rob, "Rob's camp sent back")
    reviewing.request_changes(sent_back, ruth, {"city": "Which district?"})
    in_review = _edited_site(rob, "Rob's camp in review")
    reviewing.send_to_review(in_review, rob)
    taken_over = _edited_site(rob, "Camp rita edited after rob")
    _edited_site(rita, "Rita's own camp")
    from unseen.audit.context import current_actor

    token = current_actor.set("rita")
    try:
        taken_over.city = "Nakhodka"
        taken_over.save()
    finally:
        current_actor.reset(token)

    client.force_login(rob)
    drafts = _section(client.get(reverse("teamwork:my_work")).content.decode(), "data-drafts")
    assert "Rob&#x27;s draft camp" in drafts and "Rob&#x27;s camp sent back" in drafts
    assert "Changes requested" in drafts
    assert "Rob&#x27;s camp in review" not in drafts
    assert "Camp rita edited after rob" not in drafts and "Rita&#x27;s own camp" not in drafts
    assert reverse("documentation:detail", args=["sites", mine.pk]) in drafts
