"""Review before publishing (ADR 0025): states, the two-person rule, estimates, claim sign-off."""

from contextlib import contextmanager

import pytest

from tests import factories
from tests.conftest import make_user
from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.audit.context import current_actor
from unseen.documentation.browsing import kind_of
from unseen.estimation.publication import NotPublishable, set_published
from unseen.evidence import reviewing
from unseen.evidence.models import ClaimSignOff, Credibility, Reliability, ReviewState
from unseen.registry.models import Site


@contextmanager
def acting(user):
    token = current_actor.set(user.get_username())
    try:
        yield
    finally:
        current_actor.reset(token)


@pytest.fixture
def ruth(db):
    return make_user("ruth", Role.RESEARCHER)


def edited_site(user):
    with acting(user):
        site = factories.site("Camp")
        site.city = "Vladivostok"
        site.save()
    return Site.objects.get(pk=site.pk)


def publish(site, user):
    with acting(user):
        site.access_level = AccessLevel.PUBLIC
        site.save()


def test_a_record_moves_draft_in_review_changes_requested_reviewed(rita, ruth):
    site = edited_site(rita)
    assert site.review_state == ReviewState.DRAFT
    reviewing.send_to_review(site, rita)
    assert Site.objects.get(pk=site.pk).review_state == ReviewState.IN_REVIEW
    with pytest.raises(reviewing.ReviewRefused):
        reviewing.send_to_review(site, rita)  # in review already
    with pytest.raises(reviewing.ReviewRefused, match="comment on at least one field"):
        reviewing.request_changes(site, ruth, {"city": "  "})
    reviewing.request_changes(site, ruth, {"city": "Which district?"})
    stored = Site.objects.get(pk=site.pk)
    assert stored.review_state == ReviewState.CHANGES_REQUESTED
    assert [(c.field_name, c.text) for c in reviewing.comments_on(stored)] == [
        ("city", "Which district?")
    ]
    reviewing.approve(stored, ruth)
    stored = Site.objects.get(pk=site.pk)
    assert (stored.review_state, stored.reviewed_by) == (ReviewState.REVIEWED, "ruth")
    # A review is not an edit: rita is still the last editor.
    assert reviewing.last_editor(stored) == "rita"


def test_the_last_editor_cannot_review_their_own_edit(rita):
    site = edited_site(rita)
    with pytest.raises(reviewing.ReviewRefused, match="last edit"):
        reviewing.approve(site, rita)


def test_an_analyst_may_not_review(andy):
    site = factories.site()
    with pytest.raises(reviewing.ReviewRefused):
        reviewing.approve(site, andy)


def test_an_unreviewed_record_cannot_be_made_public_by_its_editor(rita):
    site = edited_site(rita)
    with pytest.raises(reviewing.ReviewRefused, match="two-person rule"):
        publish(site, rita)
    assert Site.objects.get(pk=site.pk).access_level == AccessLevel.INTERNAL


def test_another_reviewers_review_allows_publishing(rita, ruth):
    site = edited_site(rita)
    reviewing.approve(site, ruth)
    site = Site.objects.get(pk=site.pk)
    publish(site, ruth)
    assert Site.objects.get(pk=site.pk).access_level == AccessLevel.PUBLIC
    site.save()  # saved again: it is public already, nothing becomes public


def test_an_edit_after_the_review_needs_a_new_review(rita, ruth):
    site = edited_site(rita)
    reviewing.approve(site, ruth)
    with acting(rita):
        site = Site.objects.get(pk=site.pk)
        site.city = "Nakhodka"
        site.save()
    site = Site.objects.get(pk=site.pk)
    assert not reviewing.review_is_current(site)
    with pytest.raises(reviewing.ReviewRefused):
        publish(site, ruth)
    reviewing.approve(site, ruth)
    publish(Site.objects.get(pk=site.pk), ruth)


def test_a_form_shows_the_refusal_as_a_field_error(rita):
    from django.core.exceptions import ValidationError

    site = edited_site(rita)
    site.access_level = AccessLevel.PUBLIC
    with pytest.raises(ValidationError) as refused:
        site.clean()
    assert "access_level" in refused.value.message_dict
    new = Site(name="New", kind=site.kind, country="RU", access_level=AccessLevel.PUBLIC)
    with pytest.raises(ValidationError):
        new.clean()


def test_a_revert_to_a_public_revision_obeys_the_rule(rita, ruth):
    site = edited_site(rita)
    reviewing.approve(site, ruth)
    publish(Site.objects.get(pk=site.pk), ruth)
    with acting(rita):
        site = Site.objects.get(pk=site.pk)
        site.access_level = AccessLevel.INTERNAL
        site.save()
    public = Site.history.filter(id=site.pk, access_level=AccessLevel.PUBLIC).first()
    with acting(rita), pytest.raises(reviewing.ReviewRefused):
        public.instance.save()


def test_an_import_holds_public_rows_back_as_internal(rita):
    from unseen.documentation.importing import import_table

    table = [{"name": "A camp", "kind": "logging_camp", "country": "RU", "access_level": "public"}]
    result = import_table(_table(table), "sites")
    assert result.held_back == 1
    assert Site.objects.get(name="A camp").access_level == AccessLevel.INTERNAL


def _table(rows):
    from unseen.core.tables import Table

    return Table(columns=list(rows[0]), rows=[(n + 2, row) for n, row in enumerate(rows)])


# --- estimates and revenue runs -----------------------------------------------------------------


def test_the_runner_cannot_publish_their_own_run_alone(alice, rita):
    run = factories.estimate_run(access_level=AccessLevel.PUBLIC)
    run.created_by = alice
    run.save(update_fields=["created_by"])
    with pytest.raises(NotPublishable, match="two-person rule"):
        set_published(run, True, by=alice)
    with pytest.raises(NotPublishable):
        set_published(run, True)  # a run someone ran needs a named publisher
    other = make_user("olga", Role.ADMINISTRATOR)
    assert set_published(run, True, by=other).published


def test_a_reviewed_run_may_be_published_by_its_runner(alice, rita):
    from unseen.estimation import revenue_runs

    run = factories.revenue_run(access_level=AccessLevel.PUBLIC)
    run.created_by = alice
    run.save(update_fields=["created_by"])
    with pytest.raises(NotPublishable):
        revenue_runs.publish(run, True, by=alice)
    with pytest.raises(reviewing.ReviewRefused):
        reviewing.approve(run, alice)  # its runner may not review it either
    reviewing.approve(run, rita)
    assert revenue_runs.publish(run, True, by=alice).published


# --- sign-off per claim -------------------------------------------------------------------------


def signed_claim(rita, ruth):
    with acting(rita):
        source = factories.source(reliability=Reliability.B)
        site = factories.site()
        claim = site.add_claim(source, Credibility.PROBABLY_TRUE, "seen there")
    reviewing.sign_off(claim, ruth)
    return site, source, claim


def test_a_change_to_the_claim_clears_its_sign_off(rita, ruth):
    _site, _source, claim = signed_claim(rita, ruth)
    assert ClaimSignOff.objects.filter(claim=claim).exists()
    claim.save()  # saved unchanged: still signed
    assert ClaimSignOff.objects.filter(claim=claim).exists()
    claim.credibility = Credibility.DOUBTFUL
    claim.save()
    assert not ClaimSignOff.objects.filter(claim=claim).exists()


def test_a_change_to_the_statement_clears_its_sign_off(rita, ruth):
    _site, _source, claim = signed_claim(rita, ruth)
    claim.statement = "seen near there"
    claim.save()
    assert not ClaimSignOff.objects.filter(claim=claim).exists()


def test_a_change_to_the_sources_grade_clears_its_sign_off(rita, ruth):
    _site, source, claim = signed_claim(rita, ruth)
    source.notes = "read again"
    source.save()
    assert ClaimSignOff.objects.filter(claim=claim).exists()
    source.reliability = Reliability.E
    source.save()
    assert not ClaimSignOff.objects.filter(claim=claim).exists()


def test_the_claims_author_cannot_sign_it_off(rita):
    with acting(rita):
        claim = factories.site().add_claim(factories.source(), Credibility.CONFIRMED)
    with pytest.raises(reviewing.ReviewRefused):
        reviewing.sign_off(claim, rita)


def test_lists_and_pages_show_x_of_y_claims_signed_off(client, rita, ruth):
    site, source, _claim = signed_claim(rita, ruth)
    site.add_claim(source, Credibility.POSSIBLY_TRUE, "a second")
    assert reviewing.signed_off_counts(Site, [site.pk]) == {site.pk: (1, 2)}
    assert reviewing.signed_off_counts(type(source), [source.pk]) == {source.pk: (1, 2)}
    client.force_login(ruth)
    listed = client.get("/app/sites/").content.decode()
    assert "Signed off: 1 of 2 claims" in listed
    page = client.get(f"/app/sites/{site.pk}/").content.decode()
    assert "Signed off: 1 of 2 claims" in page


def test_the_review_page_approves_and_comments_beside_the_field(client, rita, ruth):
    site = edited_site(rita)
    client.force_login(ruth)
    response = client.post(
        f"/app/sites/{site.pk}/review/",
        {"decision": "changes", "comment-city": "Which district of the city?"},
    )
    assert response.status_code == 302
    page = client.get(f"/app/sites/{site.pk}/").content.decode()
    assert "Which district of the city?" in page
    assert Site.objects.get(pk=site.pk).review_state == ReviewState.CHANGES_REQUESTED
    client.post(f"/app/sites/{site.pk}/review/", {"decision": "approve"})
    assert Site.objects.get(pk=site.pk).review_state == ReviewState.REVIEWED
    # rita, the last editor, is refused the review page's form
    client.force_login(rita)
    assert (
        "someone else must review" in client.get(f"/app/sites/{site.pk}/review/").content.decode()
    )
    assert kind_of("sites").model is Site


def test_publishing_may_not_change_other_fields_in_the_same_save(rita, ruth):
    site = edited_site(rita)
    reviewing.approve(site, ruth)
    site = Site.objects.get(pk=site.pk)
    site.city = "Unreviewed city"
    with pytest.raises(reviewing.ReviewRefused, match="without changing anything else"):
        publish(site, ruth)
    assert Site.objects.get(pk=site.pk).access_level == AccessLevel.INTERNAL
