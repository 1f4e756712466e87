"""The cross-reference run: candidates, remembered verdicts across versions, the change report."""

import json

import pytest
from django.core.management import call_command

from unseen.accounts.models import AccessLevel
from unseen.linkage.models import ReviewStatus
from unseen.registry.models import Organisation, OrganisationKind, PublicFigure, Site, SiteKind
from unseen.sanctions.models import XrefCandidate, XrefRun
from unseen.sanctions.reviewing import decide
from unseen.sanctions.xref import execute, start_run

from .conftest import KGCEC, MOP, OTHER, company, load, sanction

pytestmark = pytest.mark.django_db


def run_against(sanctions_list, **options) -> XrefRun:
    return execute(start_run(sanctions_list, user=None, queue=False, **options).pk)


def pairs(run) -> set[tuple[str, int, str]]:
    return set(run.candidates.values_list("record_kind", "record_id", "entity_id"))


def test_it_proposes_the_listed_entity_for_our_organisation_with_an_explanation(un_list, mop):
    run = run_against(un_list)
    assert run.status == "done"
    candidate = run.candidates.get()
    assert (candidate.record_kind, candidate.record_id) == ("organisation", mop.pk)
    assert candidate.entity_id == "NK-mop"
    assert 0 < candidate.score <= 1
    assert {part["feature"] for part in candidate.explanation} >= {"name"}
    assert run.counts["records"] == {"organisation": 1}
    assert run.counts["entities"] == 3


def test_it_compares_public_figures_with_persons_and_sites_by_name_and_country(db):
    figure = PublicFigure.objects.create(name="Jong Song Hwa", nationality="KP")
    site = Site.objects.create(
        name="Mansudae Overseas Project Group of Companies",
        kind=SiteKind.CONSTRUCTION_SITE,
        country="KP",
    )
    person = {
        "id": "NK-jong",
        "schema": "Person",
        "properties": {"name": ["Jong Song Hwa"], "nationality": ["kp"]},
    }
    run = run_against(load([person, MOP]))
    assert pairs(run) == {("public_figure", figure.pk, "NK-jong"), ("site", site.pk, "NK-mop")}


def test_a_merged_record_is_compared_through_the_record_it_was_merged_into(un_list, mop):
    Organisation.objects.create(
        name="Mansudae Overseas Project", kind=OrganisationKind.OTHER, merged_into=mop
    )
    assert pairs(run_against(un_list)) == {("organisation", mop.pk, "NK-mop")}


def test_a_rejected_pair_is_not_proposed_again_on_a_newer_version(un_list, mop, andy):
    first = run_against(un_list)
    decide(first.candidates.get(), False, andy)
    assert run_against(un_list).candidates.count() == 0
    newer = load([MOP, sanction("NK-mop"), KGCEC], version="2")
    assert run_against(newer).candidates.count() == 0


def test_an_accepted_pair_stays_accepted_on_a_newer_version(un_list, mop, andy):
    decide(run_against(un_list).candidates.get(), True, andy)
    newer = load([MOP, sanction("NK-mop")], version="2")
    again = run_against(newer).candidates.get()
    assert again.status == ReviewStatus.ACCEPTED
    assert again.listed_entity.sanctions_list == newer
    assert run_against(newer).counts["accepted_before"] == 1


def test_the_change_report_tells_new_removed_and_changed_aliases(un_list, andy):
    kgcec = Organisation.objects.create(
        name="Korea General Corporation for External Construction",
        kind=OrganisationKind.TRADING_COMPANY,
        country="KP",
    )
    mop = Organisation.objects.create(
        name="Mansudae Overseas Project Group of Companies",
        kind=OrganisationKind.TRADING_COMPANY,
        country="KP",
    )
    rungrado = Organisation.objects.create(
        name="Korea Rungrado General Trading Corporation",
        kind=OrganisationKind.TRADING_COMPANY,
        country="KP",
    )
    first = run_against(un_list)
    assert first.changes == {}  # no version before
    for candidate in first.candidates.filter(record_id__in=[kgcec.pk, mop.pk]):
        decide(candidate, True, andy)
    renamed = company(
        "NK-mop",
        "Mansudae Overseas Project Group of Companies",
        "Mansudae Art Studio Overseas",
    )
    added = company("NK-rungrado", "Korea Rungrado General Trading Corporation")
    newer = load([renamed, sanction("NK-mop"), added, sanction("NK-rungrado"), OTHER], version="2")
    changes = run_against(newer).changes
    assert changes["previous_version"] == "1"
    assert [(r["record_id"], r["entity_id"]) for r in changes["new"]] == [
        (rungrado.pk, "NK-rungrado")
    ]
    assert [(r["record_id"], r["entity_id"]) for r in changes["removed"]] == [
        (kgcec.pk, "NK-kgcec")
    ]
    [aliases] = changes["aliases"]
    assert (aliases["record_id"], aliases["entity_id"]) == (mop.pk, "NK-mop")
    assert aliases["added"] == ["Mansudae Art Studio Overseas"]
    assert aliases["removed"] == ["만수대해외개발회사그룹"]


def test_the_command_prints_the_run_and_the_changes_and_json(un_list, mop, andy, capsys):
    call_command("xref", "--list", "un_sc_sanctions")
    out = capsys.readouterr().out
    assert "compared with 3 entities; 1 candidates" in out
    decide(XrefCandidate.objects.get(), True, andy)
    load([company("NK-mop", "Mansudae Overseas Project Group of Companies")], version="2")
    call_command("xref", "--list", "un_sc_sanctions")
    out = capsys.readouterr().out
    assert "changes since version 1:" in out
    assert "aliases changed: organisation" in out
    call_command("xref", "--list", "un_sc_sanctions", "--json")
    [document] = json.loads(capsys.readouterr().out)
    assert document["version"] == "2"
    assert document["changes"]["aliases"][0]["removed"] == ["만수대해외개발회사그룹"]


def test_the_command_refuses_an_unknown_list(db, capsys):
    with pytest.raises(SystemExit) as exit_code:
        call_command("xref", "--list", "nope")
    assert exit_code.value.code == 2


def test_a_queued_run_is_run_by_the_worker_and_cancelled_when_asked(un_list, mop, settings):
    from unseen.sanctions.xref import cancel

    queued = start_run(un_list, user=None, queue=False)
    assert cancel(queued)
    assert XrefRun.objects.get(pk=queued.pk).status == "cancelled"
    assert execute(queued.pk).status == "cancelled"  # never claimed


def test_the_run_reads_every_level_but_keeps_no_name(un_list, mop):
    Organisation.objects.create(
        name="Korea General Corporation for External Construction",
        kind=OrganisationKind.TRADING_COMPANY,
        country="KP",
        access_level=AccessLevel.CONFIDENTIAL,
    )
    run = run_against(un_list)
    assert run.counts["records"] == {"organisation": 2}
    assert run.candidates.count() == 2
    assert "Mansudae" not in json.dumps(run.counts)
