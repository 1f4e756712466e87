"""Assigning many records from a list (#18 item 7, ADR 0027): the preview counts and refuses
records the colleague may not read, the confirmation assigns in one transaction with an audit
entry and a notification per record, and only records the editor may read are ever selected."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories
from tests.conftest import make_user
from tests.failing_writes import audit_inserts_refused, newest_audit_id
from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.audit.models import Action, AuditEntry
from unseen.teamwork import working
from unseen.teamwork.models import Assignment, Comment, Notification, Reason, Watch

CONFIDENTIAL, INTERNAL = AccessLevel.CONFIDENTIAL, AccessLevel.INTERNAL


@pytest.fixture
def rob(db):
    """A second researcher, without the confidential compartment."""
    return make_user("rob", Role.RESEARCHER)


def _post(client, ids, assignee, **data):
    url = reverse("documentation:bulk", args=["deployments"])
    payload = {"action": "assign", "assignee": str(assignee.pk), "ids": [str(i) for i in ids]}
    return client.post(url, {**payload, **data})


def test_the_list_offers_assignment_to_colleagues(client, rita, rob, andy):
    client.force_login(rita)
    page = client.get(reverse("documentation:list", args=["deployments"])).content.decode()
    assert 'value="assign"' in page and 'name="assignee"' in page
    assert f'<option value="{rob.pk}">rob</option>' in page


def test_the_preview_counts_and_refuses_what_the_colleague_may_not_read(client, rita, rob):
    open_ones = [factories.deployment(access_level=INTERNAL) for _ in range(2)]
    secret = factories.deployment(access_level=CONFIDENTIAL)
    theirs = factories.deployment(access_level=INTERNAL)
    working.assign(_spec(), theirs, rob, None, rita)
    client.force_login(rita)
    ids = [d.pk for d in [*open_ones, secret, theirs]]
    response = _post(client, ids, rob)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [r.pk for r in plan.changing] == [d.pk for d in open_ones]
    assert plan.unchanged == 1
    assert [(r.pk, r.reason) for r in plan.refused] == [
        (secret.pk, "this colleague may not read it, so it cannot be theirs")
    ]
    content = response.content.decode()
    assert "1 is assigned to them already." in content and "rob" in content
    assert Assignment.objects.count() == 1


def test_confirming_assigns_audits_comments_and_notifies(client, rita, rob, ruth):
    new = factories.deployment(access_level=INTERNAL)
    due = dt.date.today() + dt.timedelta(days=5)
    moved = factories.deployment(access_level=INTERNAL)
    working.assign(_spec(), moved, ruth, due, rita)
    Watch.objects.create(user=ruth, content_type_id=_type(), object_id=new.pk)
    Notification.objects.all().delete()
    before = newest_audit_id()
    client.force_login(rita)
    response = _post(
        client, [new.pk, moved.pk], rob, reason="Wage terms to check", confirm="1", expected="2"
    )
    assert response.status_code == 302
    assignments = {a.object_id: a for a in Assignment.objects.all()}
    assert {pk: (a.assignee, a.assigned_by) for pk, a in assignments.items()} == {
        new.pk: (rob, rita),
        moved.pk: (rob, rita),
    }
    assert assignments[moved.pk].due == due  # reassigning keeps the work's due date
    assert sorted(c.object_id for c in Comment.objects.filter(text="Wage terms to check")) == [
        new.pk,
        moved.pk,
    ]
    entries = AuditEntry.objects.filter(pk__gt=before, target_type="teamwork.assignment")
    assert sorted((e.action, e.detail) for e in entries) == [
        (Action.CREATE, {"bulk": 2}),
        (Action.UPDATE, {"fields": ["assigned_by", "assignee"], "bulk": 2}),
    ]
    told = set(Notification.objects.values_list("recipient__username", "reason", "object_id"))
    assert told == {
        ("rob", Reason.ASSIGNED, new.pk),
        ("rob", Reason.ASSIGNED, moved.pk),
        ("ruth", Reason.ACTIVITY, new.pk),  # she watches it
    }


def test_without_a_reason_or_with_a_stale_count_nothing_is_assigned(client, rita, rob):
    deployments = [factories.deployment() for _ in range(2)]
    ids = [d.pk for d in deployments]
    client.force_login(rita)
    response = _post(client, ids, rob, reason="  ", confirm="1", expected="2")
    assert "reason" in response.context["form"].errors
    _post(client, ids, rob, reason="why", confirm="1", expected="3")
    assert not Assignment.objects.exists() and not Notification.objects.exists()


def test_a_forged_id_is_not_assigned(client, rita, rob):
    hidden = factories.deployment(access_level=CONFIDENTIAL)
    mine = factories.deployment(access_level=INTERNAL)
    client.force_login(rob)
    preview = _post(client, [hidden.pk, mine.pk], rita)
    assert [r.pk for r in preview.context["plan"].changing] == [mine.pk]
    _post(client, [hidden.pk, mine.pk], rita, reason="r", confirm="1", expected="1")
    assert list(Assignment.objects.values_list("object_id", flat=True)) == [mine.pk]


def test_an_unknown_colleague_is_refused_with_a_message(client, rita):
    deployment = factories.deployment()
    client.force_login(rita)
    response = client.post(
        reverse("documentation:bulk", args=["deployments"]),
        {"action": "assign", "assignee": "99999", "ids": [str(deployment.pk)]},
        follow=True,
    )
    assert "Select a valid choice." in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_failure_midway_assigns_nothing(client, rita, rob):
    deployments = [factories.deployment() for _ in range(3)]
    client.force_login(rita)
    with audit_inserts_refused("bulk"), pytest.raises(Exception, match="refused"):
        _post(client, [d.pk for d in deployments], rob, reason="r", confirm="1", expected="3")
    assert not Assignment.objects.exists()
    assert not Comment.objects.exists() and not Notification.objects.exists()


def test_one_email_per_colleague_names_the_records_without_their_content(
    client, rita, rob, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.UNSEEN_SITE_URL = "https://unseen.example.org"
    settings.UNSEEN_EMAIL_NOTIFICATIONS = True
    rob.email = "rob@example.org"
    rob.save()
    deployments = [factories.deployment() for _ in range(3)]
    client.force_login(rita)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, [d.pk for d in deployments], rob, reason="r", confirm="1", expected="3")
    (sent,) = mail.outbox
    assert sent.to == ["rob@example.org"] and "rita assigned to you" in sent.subject
    assert all(f"#{d.pk}" in sent.body for d in deployments)
    assert "https://unseen.example.org/app/notifications/" in sent.body
    assert all(str(d) not in sent.body for d in deployments)


def _spec():
    from unseen.documentation.browsing import kind_of

    return kind_of("deployments")


def _type():
    from django.contrib.contenttypes.models import ContentType

    from unseen.documentation.models import Deployment

    return ContentType.objects.get_for_model(Deployment).pk
