"""Loading a list version from FollowTheMoney lines: all or nothing, one source per version."""

import json

import pytest
from django.core.management import call_command

from unseen.audit.models import AuditEntry
from unseen.evidence.models import Source, SourceKind
from unseen.sanctions.loading import ListRefused
from unseen.sanctions.models import ListedEntity, SanctionsList

from .conftest import KGCEC, MOP, OTHER, lines_of, load, sanction

pytestmark = pytest.mark.django_db


def test_it_keeps_each_entity_with_its_designation_names_and_countries(un_list):
    mop = un_list.entities.get(entity_id="NK-mop")
    assert mop.caption == "Mansudae Overseas Project Group of Companies"
    assert mop.names == ["Mansudae Overseas Project Group of Companies", "만수대해외개발회사그룹"]
    assert mop.countries == ["KP"]
    assert mop.reference == "KPe.050"
    assert mop.programme == "UN-SC1718"
    assert str(mop.listed_on) == "2017-08-05"
    assert mop.authority == "UN Security Council 1718 Committee"
    assert ["unscId", "KPe.050"] in mop.identifiers
    assert un_list.entity_count == 3  # the Sanction entities are designations, not entities


def test_it_cites_the_list_at_its_version_as_a_source_of_kind_sanctions_list(un_list):
    source = un_list.source
    assert source.kind == SourceKind.SANCTIONS_LIST
    assert "version 1" in source.title
    assert len(un_list.sha256) == 64
    assert un_list.scheme == "un_1718"  # from the code un_…
    assert AuditEntry.objects.filter(action="import", target_type="sanctions.sanctionslist")


def test_each_version_is_a_list_row_of_its_own(un_list):
    newer = load([MOP, sanction("NK-mop")], version="2")
    assert newer.previous_version() == un_list
    assert un_list.previous_version() is None
    assert newer.source != un_list.source


def test_the_same_version_again_changes_nothing_and_from_another_file_is_refused(un_list):
    again = load([MOP, sanction("NK-mop", unscId=["KPe.050"]), KGCEC, sanction("NK-kgcec"), OTHER])
    assert again == un_list
    with pytest.raises(ListRefused, match="already loaded from another file"):
        load([MOP], version="1")
    assert SanctionsList.objects.count() == 1


def test_a_malformed_line_is_refused_with_its_number_and_nothing_is_written(db):
    lines = [
        *lines_of(MOP, KGCEC),
        '{"id": "x", "schema": "Company", "properties": {"nme": ["A"]}}',
    ]
    lines.append("not json at all")
    sources = Source.objects.count()
    with pytest.raises(ListRefused) as refusal:
        from unseen.sanctions.loading import load_lines

        load_lines(
            lines, sha256="0" * 64, code="un_sc_sanctions", title="T", authority="A", version="1"
        )
    assert [e.split(":")[0] for e in refusal.value.errors] == ["line 3", "line 4"]
    assert "nme" in refusal.value.errors[0]
    assert SanctionsList.objects.count() == 0
    assert ListedEntity.objects.count() == 0
    assert Source.objects.count() == sources


def test_the_command_loads_a_file_and_reports_bad_lines_by_file_and_number(tmp_path, capsys, db):
    good = tmp_path / "entities.ftm.json"
    good.write_text("\n".join(lines_of(MOP, sanction("NK-mop"), OTHER)) + "\n")
    call_command(
        "lists", "load", str(good), "--list", "us_ofac_sdn", "--title", "OFAC SDN",
        "--authority", "US OFAC", "--version", "20240101", "--published", "2024-01-01",
    )  # fmt: skip
    assert "2 entities, 1 sanctions" in capsys.readouterr().out
    loaded = SanctionsList.objects.get()
    assert (loaded.scheme, loaded.published_on.isoformat()) == ("ofac_sdn", "2024-01-01")

    bad = tmp_path / "bad.ftm.json"
    bad.write_text(json.dumps(MOP) + "\n{broken\n")
    with pytest.raises(SystemExit) as exit_code:
        call_command(
            "lists", "load", str(bad), "--list", "us_ofac_sdn", "--title", "OFAC SDN",
            "--authority", "US OFAC", "--version", "20240201",
        )  # fmt: skip
    assert exit_code.value.code == 2
    err = capsys.readouterr().err
    assert f"error: {bad}:2: not JSON" in err
    assert "nothing was loaded" in err
    assert SanctionsList.objects.count() == 1


def test_addresses_come_from_address_entities_too(db):
    office = {"id": "addr-1", "schema": "Address", "properties": {"full": ["Pyongyang, DPRK"]}}
    company = dict(MOP, properties=dict(MOP["properties"], addressEntity=["addr-1"]))
    loaded = load([company, office])
    assert loaded.entities.get().addresses == ["Pyongyang, DPRK"]
