"""A claim's edit page (#18): what the claim says, its credibility and its source, changed with a
reason, against concurrent edits, and withdrawing its sign-off."""

import html

import pytest

from tests import factories
from tests.conftest import make_user
from tests.documentation.test_concurrent_edits import opened
from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.audit.context import current_actor
from unseen.evidence import reviewing
from unseen.evidence.models import Claim, ClaimSignOff, Credibility, Reliability


@pytest.fixture
def ruth(db):
    return make_user("ruth", Role.RESEARCHER)


def made_by(username, make):
    token = current_actor.set(username)
    try:
        return make()
    finally:
        current_actor.reset(token)


def signed_claim(ruth, **site):
    claim = made_by(
        "rita",
        lambda: factories.site("Camp 12", **site).add_claim(
            factories.source("Report 2019", reliability=Reliability.B),
            Credibility.PROBABLY_TRUE,
            "40 loggers",
        ),
    )
    reviewing.sign_off(claim, ruth)
    return claim


def edit_url(claim):
    return f"/app/claims/{claim.pk}/edit/"


def test_a_credibility_changed_on_the_page_is_saved_with_its_reason_and_clears_the_sign_off(
    client, rita, ruth
):
    claim = signed_claim(ruth)
    client.force_login(rita)
    mine = opened(client, edit_url(claim))
    mine["credibility"] = str(Credibility.DOUBTFUL)
    mine["revision-reason"] = "the report was retracted in part"
    response = client.post(edit_url(claim), mine)
    assert response.status_code == 302 and response.url == f"/app/claims/{claim.pk}/"
    claim.refresh_from_db()
    assert claim.credibility == Credibility.DOUBTFUL and claim.statement == "40 loggers"
    assert not ClaimSignOff.objects.filter(claim=claim).exists()
    revision = claim.history.order_by("-history_date").first()
    assert revision.history_change_reason == "the report was retracted in part"
    assert revision.actor == "rita"


def test_a_save_with_nothing_changed_keeps_the_sign_off(client, rita, ruth):
    claim = signed_claim(ruth)
    client.force_login(rita)
    response = client.post(edit_url(claim), opened(client, edit_url(claim)))
    assert response.status_code == 302
    assert ClaimSignOff.objects.filter(claim=claim).exists()


def test_an_edit_without_a_reason_is_refused_and_changes_nothing(client, rita, ruth):
    claim = signed_claim(ruth)
    client.force_login(rita)
    mine = opened(client, edit_url(claim))
    mine["statement"] = "400 loggers"
    mine["revision-reason"] = ""
    response = client.post(edit_url(claim), mine)
    assert response.status_code == 200
    assert response.context["revision"].errors["reason"]
    claim.refresh_from_db()
    assert claim.statement == "40 loggers"
    assert ClaimSignOff.objects.filter(claim=claim).exists()


def test_the_source_is_changed_through_the_picker_only_to_a_readable_source(client, rita, ruth):
    claim = signed_claim(ruth)
    readable = factories.source("Ministry figures", access_level=AccessLevel.INTERNAL)
    secret = factories.source("Informant notes", access_level=AccessLevel.CONFIDENTIAL)
    client.force_login(ruth)  # a researcher without confidential clearance
    mine = opened(client, edit_url(claim))
    mine["source"] = str(secret.pk)
    response = client.post(edit_url(claim), mine)
    assert response.status_code == 200 and "source" in response.context["form"].errors
    assert "Informant notes" not in response.content.decode()
    mine["source"] = str(readable.pk)
    assert client.post(edit_url(claim), mine).status_code == 302
    claim.refresh_from_db()
    assert claim.source == readable
    assert not ClaimSignOff.objects.filter(claim=claim).exists()


@pytest.mark.parametrize("hidden", ["subject", "source"])
def test_a_claim_is_editable_only_when_its_source_and_subject_are_readable(client, ruth, hidden):
    confidential = AccessLevel.CONFIDENTIAL
    site = factories.site(
        "Safe house", access_level=confidential if hidden == "subject" else "public"
    )
    source = factories.source(access_level=confidential if hidden == "source" else "public")
    claim = site.add_claim(source, Credibility.CONFIRMED, "seen there")
    client.force_login(ruth)
    assert client.get(edit_url(claim)).status_code == 404
    mine = {"source": source.pk, "credibility": 6, "revision-reason": "x"}
    assert client.post(edit_url(claim), mine).status_code == 404
    assert Claim.objects.get(pk=claim.pk).credibility == Credibility.CONFIRMED


def test_an_analyst_may_read_a_claim_but_not_edit_it(client, andy):
    claim = factories.site().add_claim(factories.source(), Credibility.CONFIRMED, "seen there")
    client.force_login(andy)
    page = client.get(f"/app/claims/{claim.pk}/").content.decode()
    assert edit_url(claim) not in page
    assert edit_url(claim) not in client.get(f"/app/sites/{claim.object_id}/").content.decode()
    assert client.get(edit_url(claim)).status_code == 403


def test_the_claim_and_its_row_in_the_evidence_trail_link_to_the_edit_page(client, rita):
    claim = factories.site().add_claim(factories.source(), Credibility.CONFIRMED, "seen there")
    client.force_login(rita)
    assert edit_url(claim) in client.get(f"/app/claims/{claim.pk}/").content.decode()
    trail = client.get(f"/app/sites/{claim.object_id}/").content.decode()
    assert f'href="{edit_url(claim)}" data-edit-claim' in trail
    page = client.get(edit_url(claim)).content.decode()
    assert f'href="/app/sites/{claim.object_id}/"' in page  # what the claim is about


def test_a_change_made_meanwhile_is_shown_not_overwritten(client, rita):
    claim = factories.site().add_claim(factories.source(), Credibility.CONFIRMED, "seen there")
    client.force_login(rita)
    mine = opened(client, edit_url(claim))
    Claim.objects.filter(pk=claim.pk).update(statement="seen near there")
    mine["statement"] = "seen there in 2019"
    response = client.post(edit_url(claim), mine)
    assert response.status_code == 409
    assert Claim.objects.get(pk=claim.pk).statement == "seen near there"
    [row] = response.context["conflict"].rows
    assert (row.key, row.now, row.mine) == ("statement", "seen near there", "seen there in 2019")
    assert "Someone else changed this record since you opened it" in html.unescape(
        response.content.decode()
    )


def test_a_claim_is_still_not_made_without_the_record_it_is_about(client, rita):
    client.force_login(rita)
    response = client.get("/app/claims/new/")
    assert response.status_code == 302 and response.url == "/app/claims/"
