"""Bulk actions on lists (ADR 0027): a preview that counts and refuses, then one transaction with
a revision and an audit entry per record; only records the user may read are ever selected."""

from contextlib import contextmanager

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import make_user
from tests.failing_writes import audit_inserts_refused, newest_audit_id
from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.audit.context import current_actor
from unseen.audit.models import Action, AuditEntry
from unseen.documentation import bulk_editing
from unseen.documentation.models import Deployment, SearchEntry
from unseen.evidence import reviewing
from unseen.evidence.models import Credibility, Source
from unseen.registry.models import Site

PUBLIC, INTERNAL, CONFIDENTIAL = AccessLevel.PUBLIC, AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL


def _post(client, kind, ids=(), follow=False, **data):
    url = reverse("documentation:bulk", args=[kind])
    data = {"action": "access_level", "ids": [str(i) for i in ids], **data}
    return client.post(url, data, follow=follow)


def _confirm(client, kind, ids, level, reason="Reviewed for release", **data):
    preview = _post(client, kind, ids, level=level)
    expected = len(preview.context["plan"].changing)
    return _post(
        client, kind, ids, level=level, reason=reason, confirm="1", expected=str(expected), **data
    )


def reviewed(*records, by):
    """Reviewed by a second person, so that they may be made public (ADR 0025)."""
    for record in records:
        reviewing.approve(record, by)
    return records


@pytest.fixture
def sites(db, ruth):
    return list(
        reviewed(*[factories.site(f"Site {n}", access_level=INTERNAL) for n in range(3)], by=ruth)
    )


def test_the_preview_counts_what_changes_and_changes_nothing(client, rita, sites):
    factories.site("Already public", access_level=PUBLIC)
    already = factories.site("Public one", access_level=PUBLIC)
    client.force_login(rita)
    response = _post(client, "sites", [s.pk for s in sites] + [already.pk], level=PUBLIC)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert len(plan.changing) == 3 and plan.unchanged == 1 and plan.refused == []
    assert b'data-bulk-changing="3"' in response.content
    assert set(Site_levels(sites)) == {INTERNAL}


def Site_levels(sites):  # noqa: N802 - reads like the records it lists
    from unseen.registry.models import Site

    return Site.objects.filter(pk__in=[s.pk for s in sites]).values_list("access_level", flat=True)


def test_confirming_changes_them_with_a_revision_and_an_audit_entry_each(client, rita, sites):
    client.force_login(rita)
    before = newest_audit_id()
    response = _confirm(client, "sites", [s.pk for s in sites], PUBLIC)
    assert response.status_code == 302
    assert set(Site_levels(sites)) == {PUBLIC}
    for site in sites:
        newest = site.history.order_by("-history_id").first()
        assert newest.access_level == PUBLIC
        assert newest.history_change_reason == "Reviewed for release"
        assert newest.actor == "rita"
        assert SearchEntry.objects.get(kind="sites", object_id=site.pk).access_level == PUBLIC
    entries = AuditEntry.objects.filter(pk__gt=before, action=Action.UPDATE)
    assert sorted(int(e.target_id) for e in entries) == sorted(s.pk for s in sites)
    assert all(e.detail == {"fields": ["access_level"], "bulk": 3} for e in entries)


def test_confirming_without_a_reason_changes_nothing(client, rita, sites):
    client.force_login(rita)
    response = _confirm(client, "sites", [s.pk for s in sites], PUBLIC, reason="  ")
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert set(Site_levels(sites)) == {INTERNAL}


def test_opening_a_record_past_a_source_behind_it_is_refused(client, rita, ruth):
    secret = factories.source("Secret", access_level=CONFIDENTIAL)
    behind = factories.deployment(access_level=INTERNAL, evidence=secret)
    free = factories.deployment(access_level=INTERNAL, evidence=factories.source("Open"))
    reviewed(behind, free, by=ruth)
    client.force_login(rita)
    response = _post(client, "deployments", [behind.pk, free.pk], level=PUBLIC)
    plan = response.context["plan"]
    assert [r.pk for r in plan.refused] == [behind.pk]
    assert "stricter level" in plan.refused[0].reason
    assert [r.pk for r in plan.changing] == [free.pk]
    _confirm(client, "deployments", [behind.pk, free.pk], PUBLIC)
    assert Deployment.objects.get(pk=behind.pk).access_level == INTERNAL
    assert Deployment.objects.get(pk=free.pk).access_level == PUBLIC


def test_a_reader_without_the_compartment_learns_no_level_beyond_theirs(client, db):
    rob = make_user("rob", Role.RESEARCHER)
    secret = factories.source("Secret", access_level=CONFIDENTIAL)
    behind = factories.deployment(access_level=INTERNAL, evidence=secret)
    client.force_login(rob)
    plan = _post(client, "deployments", [behind.pk], level=PUBLIC).context["plan"]
    assert plan.refused[0].reason == "it rests on evidence beyond your access level"


def test_closing_a_source_past_the_records_resting_on_it_is_refused(client, rita):
    source = factories.source("Open", access_level=INTERNAL)
    factories.deployment(access_level=INTERNAL, evidence=source)
    factories.deployment(access_level=PUBLIC, evidence=source)
    lone = factories.source("Lone", access_level=INTERNAL)
    client.force_login(rita)
    plan = _post(client, "sources", [source.pk, lone.pk], level=CONFIDENTIAL).context["plan"]
    assert [(r.pk, r.reason) for r in plan.refused] == [
        (source.pk, "2 records resting on it would be more open than it")
    ]
    assert [r.pk for r in plan.changing] == [lone.pk]


def test_closing_an_input_of_a_published_result_is_refused(client, rita):
    run = factories.revenue_run(access_level=PUBLIC)
    inputs = [e["pk"] for e in run.derived_from if e.get("model") == "documentation.deployment"]
    assert inputs
    client.force_login(rita)
    plan = _post(client, "deployments", inputs, level=INTERNAL).context["plan"]
    assert sorted(r.pk for r in plan.refused) == sorted(inputs)
    assert "published result" in plan.refused[0].reason


def test_a_forged_id_beyond_the_users_access_is_ignored(client, ruth):
    rob = make_user("rob", Role.RESEARCHER)
    hidden = factories.site("Hidden", access_level=CONFIDENTIAL)
    mine = factories.site("Mine", access_level=INTERNAL)
    reviewed(hidden, mine, by=ruth)
    client.force_login(rob)
    preview = _post(client, "sites", [hidden.pk, mine.pk], level=PUBLIC)
    assert [r.pk for r in preview.context["plan"].changing] == [mine.pk]
    assert b"Hidden" not in preview.content
    _post(
        client, "sites", [hidden.pk, mine.pk], level=PUBLIC, reason="x", confirm="1", expected="2"
    )
    _confirm(client, "sites", [hidden.pk, mine.pk], PUBLIC)
    hidden.refresh_from_db()
    mine.refresh_from_db()
    assert (hidden.access_level, mine.access_level) == (CONFIDENTIAL, PUBLIC)
    assert hidden.history.count() == 1


def test_a_level_beyond_the_users_own_is_refused(client, db):
    rob = make_user("rob", Role.RESEARCHER)
    mine = factories.site("Mine", access_level=INTERNAL)
    client.force_login(rob)
    response = _post(client, "sites", [mine.pk], level=CONFIDENTIAL)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.access_level == INTERNAL


def test_select_all_matching_takes_the_filter_not_the_ticks(client, rita, ruth):
    ru = reviewed(*[factories.site(f"RU {n}", country="RU") for n in range(4)], by=ruth)
    cn = factories.site("CN", country="CN")
    client.force_login(rita)
    plan = _post(client, "sites", [], level=PUBLIC, all="1", query="country=RU").context["plan"]
    assert sorted(r.pk for r in plan.changing) == sorted(s.pk for s in ru)
    assert cn.pk not in [r.pk for r in plan.changing]


def test_a_selection_changed_since_the_preview_is_shown_again(client, rita, sites):
    client.force_login(rita)
    ids = [s.pk for s in sites]
    response = _post(client, "sites", ids, level=PUBLIC, reason="r", confirm="1", expected="2")
    assert response.status_code == 200
    assert set(Site_levels(sites)) == {INTERNAL}


def test_a_failure_midway_changes_nothing(client, rita, sites):
    """The audit insert comes after the records and their revisions are written: failing it
    must undo them too."""
    client.force_login(rita)
    with audit_inserts_refused("bulk"):
        revisions = sum(s.history.count() for s in sites)
        with pytest.raises(Exception, match="refused"):
            _confirm(client, "sites", [s.pk for s in sites], PUBLIC)
    assert set(Site_levels(sites)) == {INTERNAL}
    assert sum(s.history.count() for s in sites) == revisions


def test_claims_have_no_bulk_actions(client, rita):
    site = factories.site()
    claim = site.add_claim(factories.source(), Credibility.POSSIBLY_TRUE, "x")
    client.force_login(rita)
    assert _post(client, "claims", [claim.pk], level=PUBLIC).status_code == 404
    assert b'id="bulk"' not in client.get(reverse("documentation:list", args=["claims"])).content
    assert b'id="bulk"' in client.get(reverse("documentation:list", args=["sites"])).content


def test_an_analyst_sees_no_bulk_form(client, andy):
    client.force_login(andy)
    assert b'id="bulk"' not in client.get(reverse("documentation:list", args=["sites"])).content
    assert Source.objects.count() == 0


def test_tagging_adds_the_tag_once_with_a_revision_and_an_audit_entry_each(client, rita, sites):
    from unseen.evidence.models import Tag

    client.force_login(rita)
    first = sites[0]
    Tag.objects.create(name="to verify", content_type_id=_site_type(), object_id=first.pk)
    before = newest_audit_id()
    updated = [s.updated_at for s in sites]
    ids = [str(s.pk) for s in sites]
    preview = _post(client, "sites", ids, action="tag", tag="  to   verify ")
    plan = preview.context["plan"]
    assert len(plan.changing) == 2 and plan.unchanged == 1
    response = _post(
        client,
        "sites",
        ids,
        action="tag",
        tag="to verify",
        reason="Batch check",
        confirm="1",
        expected="2",
    )
    assert response.status_code == 302
    assert Tag.objects.filter(name="to verify").count() == 3
    for site in sites[1:]:
        newest = site.history.order_by("-history_id").first()
        assert newest.other_changes == ["tags"] and newest.history_change_reason == "Batch check"
    entries = AuditEntry.objects.filter(pk__gt=before, action=Action.UPDATE)
    assert sorted(int(e.target_id) for e in entries) == sorted(s.pk for s in sites[1:])
    assert all(e.detail == {"fields": ["tags"], "bulk": 2} for e in entries)
    # A tag is not an edit of the record's values.
    for site, stamp in zip(sites, updated, strict=True):
        site.refresh_from_db()
        assert site.updated_at == stamp
    # The tag is a list filter, and the record page shows it.
    listed = client.get(reverse("documentation:list", args=["sites"]), {"tag": "to verify"})
    assert {r[2].pk for r in listed.context["rows"]} == {s.pk for s in sites}
    other = factories.site("Untagged")
    listed = client.get(reverse("documentation:list", args=["sites"]), {"tag": "to verify"})
    assert other.pk not in {r[2].pk for r in listed.context["rows"]}
    page = client.get(reverse("documentation:detail", args=["sites", first.pk]))
    assert b"data-tags" in page.content and b"to verify" in page.content


def test_a_blank_tag_is_refused_with_a_message(client, rita, sites):
    from unseen.evidence.models import Tag

    client.force_login(rita)
    response = _post(client, "sites", [sites[0].pk], action="tag", tag="   ", follow=True)
    assert "Write the tag to add." in response.content.decode()
    assert Tag.objects.count() == 0


def test_a_forged_id_is_not_tagged(client, db):
    from unseen.evidence.models import Tag

    rob = make_user("rob", Role.RESEARCHER)
    hidden = factories.site("Hidden", access_level=CONFIDENTIAL)
    client.force_login(rob)
    _post(
        client, "sites", [hidden.pk], action="tag", tag="x", reason="r", confirm="1", expected="0"
    )
    _post(
        client, "sites", [hidden.pk], action="tag", tag="x", reason="r", confirm="1", expected="1"
    )
    assert Tag.objects.count() == 0


def _site_type():
    from django.contrib.contenttypes.models import ContentType

    from unseen.registry.models import Site

    return ContentType.objects.get_for_model(Site).pk


# --- the two-person rule (ADR 0025) --------------------------------------------------------------


@contextmanager
def acting(user):
    token = current_actor.set(user.get_username())
    try:
        yield
    finally:
        current_actor.reset(token)


def _edited_by(user):
    with acting(user):
        site = factories.site("Camp", access_level=INTERNAL)
        site.city = "Vladivostok"
        site.save()
    return site


def test_a_researchers_own_unreviewed_records_cannot_be_bulk_published(client, rita, ruth):
    own = _edited_by(rita)
    sent = _edited_by(rita)
    reviewing.send_to_review(sent, rita)
    by_ruth = _edited_by(rita)
    reviewing.approve(by_ruth, ruth)
    client.force_login(rita)
    plan = _post(client, "sites", [own.pk, sent.pk, by_ruth.pk], level=PUBLIC).context["plan"]
    assert sorted(r.pk for r in plan.refused) == sorted([own.pk, sent.pk])
    assert all("two-person rule" in r.reason for r in plan.refused)
    assert [r.pk for r in plan.changing] == [by_ruth.pk]
    _confirm(client, "sites", [own.pk, sent.pk, by_ruth.pk], PUBLIC)
    assert dict(Site.objects.values_list("pk", "access_level")) == {
        own.pk: INTERNAL,
        sent.pk: INTERNAL,
        by_ruth.pk: PUBLIC,
    }


def test_an_edit_after_the_review_needs_a_new_review(client, rita, ruth):
    site = _edited_by(rita)
    reviewing.approve(site, ruth)
    with acting(rita):
        site = Site.objects.get(pk=site.pk)
        site.city = "Nakhodka"
        site.save()
    client.force_login(rita)
    plan = _post(client, "sites", [site.pk], level=PUBLIC).context["plan"]
    assert [r.pk for r in plan.refused] == [site.pk] and plan.changing == []


def test_the_reviewers_own_edit_does_not_count_as_reviewed(client, rita, ruth):
    site = _edited_by(rita)
    reviewing.approve(site, ruth)
    with acting(ruth):
        site = Site.objects.get(pk=site.pk)
        site.city = "Nakhodka"
        site.save()
    # The review predates ruth's edit: she is now its last editor, unreviewed.
    client.force_login(ruth)
    plan = _post(client, "sites", [site.pk], level=PUBLIC).context["plan"]
    assert [r.pk for r in plan.refused] == [site.pk]


def test_a_forged_confirm_without_a_preview_is_refused(client, rita):
    own = [_edited_by(rita) for _ in range(2)]
    client.force_login(rita)
    for expected in ("2", "0"):
        response = _post(
            client,
            "sites",
            [s.pk for s in own],
            level=PUBLIC,
            reason="x",
            confirm="1",
            expected=expected,
            follow=True,
        )
        assert response.status_code == 200
    assert set(Site_levels(own)) == {INTERNAL}
    assert all(s.history.filter(access_level=PUBLIC).count() == 0 for s in own)


def test_the_confirmation_checks_the_rule_again_on_the_stored_rows(client, rita, ruth):
    """A plan made before the record's last edit (or forged) is refused whole at confirmation."""
    from unseen.documentation.browsing import kind_of

    site = _edited_by(rita)
    reviewing.approve(site, ruth)
    spec = kind_of("sites")
    plan = bulk_editing.plan_access_change(spec, rita, Site.objects.filter(pk=site.pk), PUBLIC)
    assert [r.pk for r in plan.changing] == [site.pk]
    with acting(rita):
        edited = Site.objects.get(pk=site.pk)
        edited.city = "Nakhodka"  # after the preview: not what ruth reviewed
        edited.save()
    other = _edited_by(rita)
    plan.changing.append(other)  # and one never planned: a forged plan
    with pytest.raises(bulk_editing.BulkRefused, match="two-person rule"):
        bulk_editing.change_access_level(plan, "release")
    assert set(Site_levels([site, other])) == {INTERNAL}


# --- sending to review ---------------------------------------------------------------------------


def _send(client, ids, **data):
    return _post(client, "sites", ids, action="review", **data)


def test_sending_to_review_refuses_records_in_review_or_reviewed_since_their_last_edit(
    client, rita, ruth
):
    from unseen.evidence.models import ReviewComment, ReviewState

    draft = _edited_by(rita)
    sent = _edited_by(rita)
    reviewing.send_to_review(sent, rita)
    done = _edited_by(rita)
    reviewing.approve(done, ruth)
    stale = _edited_by(rita)
    reviewing.approve(stale, ruth)
    with acting(rita):
        stale = Site.objects.get(pk=stale.pk)
        stale.city = "Nakhodka"  # edited after the review: it needs another
        stale.save()
    ids = [draft.pk, sent.pk, done.pk, stale.pk]
    client.force_login(rita)
    before = newest_audit_id()
    revisions = sum(Site.objects.get(pk=pk).history.count() for pk in ids)

    plan = _send(client, ids).context["plan"]
    assert [r.pk for r in plan.changing] == [draft.pk, stale.pk]
    assert {(r.pk, r.reason) for r in plan.refused} == {
        (sent.pk, "it is in review already"),
        (done.pk, "it is reviewed, and unchanged since"),
    }
    assert Site.objects.get(pk=draft.pk).review_state == ReviewState.DRAFT

    response = _send(client, ids, reason="Ready for a second look", confirm="1", expected="2")
    assert response.status_code == 302
    states = dict(Site.objects.values_list("pk", "review_state"))
    assert states == {
        draft.pk: ReviewState.IN_REVIEW,
        sent.pk: ReviewState.IN_REVIEW,
        done.pk: ReviewState.REVIEWED,
        stale.pk: ReviewState.IN_REVIEW,
    }
    assert Site.objects.get(pk=stale.pk).reviewed_by == ""
    # The reason is what the reviewer reads first; a review step is not an edit: no revision.
    comments = ReviewComment.objects.filter(text="Ready for a second look")
    assert sorted(c.object_id for c in comments) == [draft.pk, stale.pk]
    assert sum(Site.objects.get(pk=pk).history.count() for pk in ids) == revisions
    entries = AuditEntry.objects.filter(pk__gt=before, action=Action.UPDATE)
    assert sorted(int(e.target_id) for e in entries) == [draft.pk, stale.pk]
    assert all(e.detail == {"review_state": "in_review", "bulk": 2} for e in entries)


def test_sending_to_review_without_a_reason_or_with_a_stale_count_changes_nothing(client, rita):
    from unseen.evidence.models import ReviewState

    sites = [_edited_by(rita) for _ in range(2)]
    ids = [s.pk for s in sites]
    client.force_login(rita)
    response = _send(client, ids, reason=" ", confirm="1", expected="2")
    assert "reason" in response.context["form"].errors
    _send(client, ids, reason="why", confirm="1", expected="3")
    assert set(Site.objects.values_list("review_state", flat=True)) == {ReviewState.DRAFT}


def test_a_forged_id_is_not_sent_to_review(client, db):
    from unseen.evidence.models import ReviewState

    rob = make_user("rob", Role.RESEARCHER)
    hidden = factories.site("Hidden", access_level=CONFIDENTIAL)
    mine = factories.site("Mine", access_level=INTERNAL)
    client.force_login(rob)
    preview = _send(client, [hidden.pk, mine.pk])
    assert [r.pk for r in preview.context["plan"].changing] == [mine.pk]
    assert b"Hidden" not in preview.content
    _send(client, [hidden.pk, mine.pk], reason="r", confirm="1", expected="1")
    states = dict(Site.objects.values_list("pk", "review_state"))
    assert states == {hidden.pk: ReviewState.DRAFT, mine.pk: ReviewState.IN_REVIEW}


def test_a_failure_midway_sends_nothing_to_review(client, rita):
    """The audit insert comes after the states and the comments are written: failing it must
    undo them too."""
    from unseen.evidence.models import ReviewComment, ReviewState

    sites = [_edited_by(rita) for _ in range(3)]
    client.force_login(rita)
    with audit_inserts_refused("bulk"), pytest.raises(Exception, match="refused"):
        _send(client, [s.pk for s in sites], reason="r", confirm="1", expected="3")
    assert set(Site.objects.values_list("review_state", flat=True)) == {ReviewState.DRAFT}
    assert not ReviewComment.objects.exists()


def test_the_confirmation_refuses_a_plan_overtaken_by_a_review(rita, ruth):
    """A record sent (or reviewed) between the plan and the change is not what was confirmed."""
    from unseen.documentation.browsing import kind_of

    site = _edited_by(rita)
    plan = bulk_editing.plan_sending_to_review(
        kind_of("sites"), rita, Site.objects.filter(pk=site.pk), ""
    )
    reviewing.send_to_review(Site.objects.get(pk=site.pk), ruth)
    with pytest.raises(bulk_editing.BulkRefused, match="selection changed"):
        bulk_editing.send_to_review(plan, "again", rita)
