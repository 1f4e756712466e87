"""Journeys from CSV/XLSX in the HTCDS export's layout: a full export reads back the same (#23)."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from tests.journeys.journeys_data import journey, make_testimony, snapshot
from unseen.journeys.importing import JourneyImportError, import_journeys
from unseen.journeys.models import JourneyEvent, JourneyIndicator
from unseen.publishing.exports import export
from unseen.publishing.models import ExportApproval

HEADER = "case_id,event_id,stage,hte_Type,hte_Date,hte_Country,indicators\n"


def full_export(tmp_path: Path, alice) -> Path:
    approval = ExportApproval.objects.create(approved_by=alice, recipient="Court")
    out = tmp_path / "full"
    export(out, format="htcds", level="full", approval=approval)
    return out


def test_a_full_export_imports_back_to_the_same_journeys(tmp_path, alice):
    told, other = make_testimony("confidential"), make_testimony("internal")
    journey(told)
    journey(other, host="AE", exit_kind="contract_end")
    before = snapshot([told.pk, other.pk])
    out = full_export(tmp_path, alice)
    JourneyEvent.objects.all().delete()

    result = import_journeys(out / "historic_trafficking_events.csv", out / "indicators.csv")
    assert (result.events, result.indicators, result.testimonies) == (14, 4, 2)
    assert snapshot([told.pk, other.pk]) == before
    # The passage a spreadsheet would have run came back as written.
    assert JourneyIndicator.objects.filter(passage__startswith="=The manager").count() == 2


def test_the_command_replaces_a_journey_only_when_asked(tmp_path, alice):
    told = make_testimony()
    journey(told)
    before = snapshot([told.pk])
    out = full_export(tmp_path, alice)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_journeys", str(out), stderr=err)
    assert exited.value.code == 2
    assert "historic_trafficking_events.csv:2:case_id: this testimony already has a journey" in (
        err.getvalue()
    )
    report = io.StringIO()
    call_command("import_journeys", str(out), "--replace", stdout=report, stderr=io.StringIO())
    assert "imported 7 journey events and 2 indicators for 1 testimonies" in report.getvalue()
    assert "replaced 7 earlier journey events" in report.getvalue()
    assert snapshot([told.pk]) == before


def test_a_bad_file_names_row_and_column_and_commits_nothing(tmp_path, db):
    told = make_testimony()
    events = tmp_path / "events.csv"
    events.write_text(
        HEADER
        + f"{told.pk},e1,recruitment,Recruitment,2016-03-01,KP,\n"
        + f"{told.pk},e2,nowhere,,2016-04-01,Russia,\n"
        + f"{told.pk},e3,exit,Exploitation,,RU,deception\n"
        + "999999,e4,transit,Transit,,CN,\n",
        encoding="utf-8",
    )
    with pytest.raises(JourneyImportError) as failure:
        import_journeys(events)
    lines = failure.value.lines()
    assert any(line.startswith("events.csv:3:stage: not a stage") for line in lines)
    assert any(line.startswith("events.csv:3:hte_country: not an ISO") for line in lines)
    assert "events.csv:4:hte_type: does not match the stage (blank)" in lines
    assert JourneyEvent.objects.count() == 0


def test_references_and_passages_are_checked_before_anything_is_written(tmp_path, db):
    told = make_testimony()
    events = tmp_path / "events.csv"
    events.write_text(
        HEADER
        + f"{told.pk},e1,exploitation,Exploitation,,RU,deception\n"
        + "999999,e2,transit,Transit,,CN,\n",
        encoding="utf-8",
    )
    indicators = tmp_path / "indicators.csv"
    indicators.write_text("event_id,indicator,passage\ne9,isolation,Alone (synthetic)\n")
    with pytest.raises(JourneyImportError) as failure:
        import_journeys(events, indicators)
    lines = failure.value.lines()
    assert "events.csv:3:case_id: no record with id 999999" in lines
    assert "indicators.csv:2:event_id: no such event_id in the events file" in lines
    assert any(
        line.startswith("events.csv:2:indicators: deception has no passage") for line in lines
    )
    assert JourneyEvent.objects.count() == 0


def test_fields_of_another_stage_are_refused_by_column(tmp_path, db):
    told = make_testimony()
    events = tmp_path / "events.csv"
    events.write_text(
        "case_id,stage,sector,exit_kind\n" + f"{told.pk},recruitment,F,escape\n", encoding="utf-8"
    )
    with pytest.raises(JourneyImportError) as failure:
        import_journeys(events)
    assert failure.value.lines() == [
        "events.csv:2:exit_kind: not part of the stage recruitment",
        "events.csv:2:sector: not part of the stage recruitment",
    ]


def test_an_xlsx_of_the_exported_columns_imports_too(tmp_path, alice):
    told = make_testimony()
    journey(told)
    before = snapshot([told.pk])
    out = full_export(tmp_path, alice)
    JourneyEvent.objects.all().delete()
    for name in ("historic_trafficking_events", "indicators"):
        book = openpyxl.Workbook()
        with (out / f"{name}.csv").open(encoding="utf-8") as handle:
            for row in csv.reader(handle):
                book.active.append(row)
        book.save(tmp_path / f"{name}.xlsx")
    result = import_journeys(
        tmp_path / "historic_trafficking_events.xlsx", tmp_path / "indicators.xlsx"
    )
    assert (result.events, result.indicators) == (7, 2)
    assert snapshot([told.pk]) == before


def test_a_dry_run_writes_nothing(tmp_path, alice):
    told = make_testimony()
    journey(told)
    out = full_export(tmp_path, alice)
    JourneyEvent.objects.all().delete()
    result = import_journeys(
        out / "historic_trafficking_events.csv", out / "indicators.csv", dry_run=True
    )
    assert result.dry_run and result.events == 7
    assert JourneyEvent.objects.count() == 0
