"""The job's input: which records, on which lists, with names from the vault (audited, never kept)."""

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.documentation.models import Testimony
from unseen.evidence.models import SourceKind
from unseen.linkage.gathering import NothingToLink, gather
from unseen.linkage.models import Entity, LinkageRun
from unseen.registry.models import Organisation, OrganisationAlias

from .conftest import person


def queued(user, sources, entity=Entity.PERSON):
    run = LinkageRun.objects.create(
        entity=entity, threshold=0.5, review_low=0.1, review_high=0.9, started_by=user
    )
    run.sources.set(sources)
    return run


def test_it_reads_names_from_the_vault_for_an_analyst_and_audits_each_person(
    andy, roster, interviews
):
    lee = person("Lee Chul-soo", interviews, birth_date="1984-03-02")
    ri = person("RI Chol Su", roster, birth_date="1984-03-02")
    gathered = gather(queued(andy, [roster, interviews]), andy, purpose="linkage test")
    rows = gathered.frame.set_index("record_id")
    assert rows.loc[str(lee.pk), "full_name"] == "Lee Chul-soo"
    assert rows.loc[str(ri.pk), "birth_date"] == "1984-03-02"
    assert rows.loc[str(lee.pk), "source"] == f"S{interviews.pk}"
    reads = AuditEntry.objects.filter(action=Action.VAULT_READ).order_by("id")
    assert [(e.actor, e.target_id) for e in reads] == [("andy", str(lee.pk)), ("andy", str(ri.pk))]
    assert all(e.detail["purpose"] == "linkage test" for e in reads)
    assert not AuditEntry.objects.filter(detail__icontains="Chul").exists()


def test_it_refuses_a_user_who_may_neither_link_nor_read_the_vault(mona, roster):
    # Set directly: publishing through a save needs a second person's review (ADR 0025).
    type(roster).objects.filter(pk=roster.pk).update(access_level=AccessLevel.PUBLIC)
    roster.refresh_from_db()
    person("Kim Yong Ho", roster, access_level=AccessLevel.PUBLIC)
    person("Kim Yong-ho", roster, access_level=AccessLevel.PUBLIC)
    with pytest.raises(PermissionDenied):
        gather(queued(mona, [roster]), mona, purpose="linkage test")


def test_it_leaves_out_records_the_user_may_not_read_and_takes_the_most_restricted_level(
    andy, alice, roster
):
    person("Pak Song Il", roster)
    person("Park Sung-il", roster)
    secret = person("Choe Myong Nam", roster, access_level=AccessLevel.CONFIDENTIAL)
    for_andy = gather(queued(andy, [roster]), andy, purpose="t")
    assert str(secret.pk) not in set(for_andy.frame["record_id"])
    assert for_andy.access_level == AccessLevel.INTERNAL
    for_alice = gather(queued(alice, [roster]), alice, purpose="t")
    assert str(secret.pk) in set(for_alice.frame["record_id"])
    assert for_alice.access_level == AccessLevel.CONFIDENTIAL


def test_it_puts_a_record_on_every_list_that_speaks_about_it(andy, roster, interviews):
    both = person("Jong Myong Chol", roster)
    interview = factories.source("Interview no. 7", kind=SourceKind.INTERVIEW)
    Testimony.objects.create(source=interview, interviewee=both, access_level=AccessLevel.INTERNAL)
    other = person("Jung Myung-chul", interviews)
    gathered = gather(queued(andy, [roster, interviews, interview]), andy, purpose="t")
    assert gathered.lists[both.pk] == sorted([roster.pk, interview.pk])
    assert gathered.lists[other.pk] == [interviews.pk]


def test_it_refuses_to_link_fewer_than_two_records(andy, roster):
    person("O Chol", roster)
    with pytest.raises(NothingToLink):
        gather(queued(andy, [roster]), andy, purpose="t")


def test_it_gathers_organisations_with_their_aliases(andy, roster):
    first = Organisation.objects.create(name="Mansudae Overseas Project", kind="state_organ")
    OrganisationAlias.objects.create(organisation=first, name="만수대해외개발회사", script="Hang")
    second = Organisation.objects.create(name="Mansudae Art Studio", kind="state_organ")
    for organisation in (first, second):
        organisation.add_claim(roster, 3)
    gathered = gather(queued(andy, [roster], Entity.ORGANISATION), andy, purpose="t")
    rows = gathered.frame.set_index("record_id")
    assert rows.loc[str(first.pk), "aliases"] == "만수대해외개발회사"
    assert rows.loc[str(second.pk), "name"] == "Mansudae Art Studio"


def test_it_reports_how_far_it_has_read_the_vault(andy, roster, monkeypatch):
    from unseen.linkage import gathering

    for i in range(5):
        person(f"Kim {i}", roster)
    monkeypatch.setattr(gathering, "BATCH", 2)
    seen: list[float] = []
    gather(queued(andy, [roster]), andy, purpose="t", progress=seen.append)
    assert seen == [0.4, 0.8, 1.0]
