"""Accepting a match: the list's identifier, a designation and a claim citing the list version."""

import pytest

from unseen.audit.models import AuditEntry
from unseen.evidence.models import Claim
from unseen.linkage.models import ReviewStatus
from unseen.registry.models import (
    Designation,
    ExternalIdentifier,
    Organisation,
    OrganisationKind,
    PublicFigure,
    Site,
    SiteKind,
)
from unseen.sanctions.models import XrefDecision, XrefSkip
from unseen.sanctions.reviewing import AcceptRefused, NotPending, decide, skip
from unseen.sanctions.xref import execute, start_run

from .conftest import MOP, load, sanction

pytestmark = pytest.mark.django_db


def candidate_for(sanctions_list, record):
    from unseen.sanctions.models import RECORD_MODELS

    kind = next(k for k, model in RECORD_MODELS.items() if isinstance(record, model))
    run = execute(start_run(sanctions_list, user=None, queue=False).pk)
    return run.candidates.get(record_kind=kind, record_id=record.pk)


def test_an_accepted_match_carries_the_lists_identifier_and_a_claim_citing_the_list_version(
    un_list, mop, andy
):
    decision = decide(candidate_for(un_list, mop), True, andy)
    identifier = ExternalIdentifier.objects.get(organisation=mop)
    assert (identifier.scheme, identifier.value) == ("un_1718", "KPe.050")
    designation = Designation.objects.get(organisation=mop)
    assert designation.authority == "UN Security Council 1718 Committee"
    assert designation.programme == "UN-SC1718"
    assert designation.reference == "KPe.050"
    assert designation.listed_on.isoformat() == "2017-08-05"
    assert designation.list_code == "un_sc_sanctions"
    assert designation.access_level == "internal"  # new: public only once reviewed (ADR 0025)
    [claim] = mop.evidence_trail()
    assert claim.source == un_list.source
    assert claim.source.kind == "sanctions_list" and "version 1" in claim.source.title
    assert "version 1" in claim.statement and "KPe.050" in claim.statement
    assert designation.evidence_trail().get().source == un_list.source
    assert decision.is_match and decision.list_code == "un_sc_sanctions"
    assert decision.candidate.status == ReviewStatus.ACCEPTED
    assert AuditEntry.objects.filter(target_type="sanctions.xrefdecision", action="create")
    assert AuditEntry.objects.filter(
        target_type="registry.organisation", target_id=str(mop.pk), action="update"
    )


def test_the_verdict_outlives_the_list_version_it_was_given_on(un_list, mop, andy):
    decide(candidate_for(un_list, mop), True, andy)
    newer = load([MOP, sanction("NK-mop", unscId=["KPe.050"])], version="2")
    candidate = candidate_for(newer, mop)
    assert candidate.status == ReviewStatus.ACCEPTED
    assert XrefDecision.objects.active().get().entity_id == "NK-mop"
    # Accepting it again on the new version writes nothing twice.
    decide(candidate, True, andy)
    assert Designation.objects.filter(organisation=mop).count() == 1


def test_rejecting_an_accepted_match_takes_back_what_it_added(un_list, mop, andy):
    candidate = candidate_for(un_list, mop)
    decide(candidate, True, andy)
    decide(candidate, False, andy)
    assert not ExternalIdentifier.objects.filter(organisation=mop).exists()
    assert not Designation.objects.filter(organisation=mop).exists()
    assert not Claim.objects.filter(object_id=mop.pk, source=un_list.source).exists()
    assert XrefDecision.objects.count() == 2
    assert XrefDecision.objects.active().get().is_match is False
    assert AuditEntry.objects.filter(action="delete", target_id=str(mop.pk))


def test_an_identifier_another_record_holds_refuses_the_acceptance_and_writes_nothing(
    un_list, mop, andy
):
    other = Organisation.objects.create(name="Elsewhere", kind=OrganisationKind.OTHER)
    ExternalIdentifier.objects.create(organisation=other, scheme="un_1718", value="KPe.050")
    with pytest.raises(AcceptRefused):
        decide(candidate_for(un_list, mop), True, andy)
    assert not Designation.objects.exists()
    assert not XrefDecision.objects.exists()


def test_a_public_figure_is_designated_and_a_site_gets_the_claim_only(db, andy):
    figure = PublicFigure.objects.create(name="Jong Song Hwa", nationality="KP")
    site = Site.objects.create(
        name="Mansudae Overseas Project Group of Companies",
        kind=SiteKind.CONSTRUCTION_SITE,
        country="KP",
    )
    person = {
        "id": "ofac-jong",
        "schema": "Person",
        "properties": {"name": ["Jong Song Hwa"], "nationality": ["kp"]},
    }
    listed = load([person, sanction("ofac-jong"), MOP], code="us_ofac_sdn")
    decide(candidate_for(listed, figure), True, andy)
    assert ExternalIdentifier.objects.get(public_figure=figure).value == "ofac-jong"
    assert Designation.objects.get(public_figure=figure).list_code == "us_ofac_sdn"
    decide(candidate_for(listed, site), True, andy)
    assert site.evidence_trail().get().source == listed.source
    assert Designation.objects.count() == 1


def test_unsure_is_no_verdict_and_a_decided_pair_cannot_be_skipped(un_list, mop, andy):
    candidate = candidate_for(un_list, mop)
    skip(candidate, andy)
    candidate.refresh_from_db()
    assert candidate.status == ReviewStatus.PENDING
    assert XrefSkip.objects.filter(candidate=candidate, user=andy).exists()
    assert not XrefDecision.objects.exists()
    decide(candidate, False, andy)
    with pytest.raises(NotPending):
        skip(candidate, andy)
