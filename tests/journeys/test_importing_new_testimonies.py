"""Coded testimonies with their journeys from a partner's files: every case a new testimony (#23)."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.journeys.journeys_data import journey, make_testimony, snapshot
from unseen.audit.models import AuditEntry
from unseen.documentation.models import IndicatorCoding, Testimony
from unseen.evidence.models import Source
from unseen.journeys.importing import JourneyImportError, import_journeys
from unseen.journeys.models import JourneyEvent
from unseen.publishing.exports import export
from unseen.publishing.models import ExportApproval

EVENTS = "historic_trafficking_events.csv"


def full_export(tmp_path: Path, alice) -> Path:
    approval = ExportApproval.objects.create(approved_by=alice, recipient="Court")
    out = tmp_path / "full"
    export(out, format="htcds", level="full", approval=approval)
    return out


def _without_testimony(rows):
    return [(values, indicators) for _testimony, values, indicators in rows]


def test_a_full_export_imports_as_new_testimonies_with_the_same_journeys(tmp_path, alice):
    told, other = make_testimony("confidential"), make_testimony("internal")
    journey(told)
    journey(other, host="AE", exit_kind="contract_end")
    before = {pk: _without_testimony(snapshot([pk])) for pk in (told.pk, other.pk)}
    out = full_export(tmp_path, alice)
    JourneyEvent.objects.all().delete()
    Testimony.objects.all().delete()
    Source.objects.all().delete()

    report = io.StringIO()
    call_command(
        "import_journeys",
        str(out),
        "--new-testimonies",
        "--level",
        "internal",
        stdout=report,
        stderr=io.StringIO(),
    )
    assert "imported 14 journey events and 4 indicators for 2 testimonies" in report.getvalue()
    assert "created 2 internal testimonies" in report.getvalue()
    for old_id, events in before.items():
        source = Source.objects.get(title=f"Imported case {old_id} (cases.csv)")
        new = source.testimony
        assert (source.kind, source.access_level, new.access_level) == (
            "interview",
            "internal",
            "internal",
        )
        assert new.is_synthetic and source.is_synthetic  # from the cases file's is_synthetic
        assert _without_testimony(snapshot([new.pk])) == events
        coded = dict(IndicatorCoding.objects.filter(testimony=new).values_list("indicator", "note"))
        assert coded == {
            "retention_of_documents": "=The manager kept our passports (synthetic), p. 4",
            "excessive_overtime": "We worked 14 hours (synthetic).",
        }
        assert set(new.codings.values_list("finding", flat=True)) == {"present"}
    audited = AuditEntry.objects.filter(target_type="journeys").latest("id").detail
    assert audited["created"]["testimonies"] == 2 and audited["level"] == "internal"


def _partner_files(tmp_path: Path, cases: str, events: str) -> Path:
    (tmp_path / "cases.csv").write_text(cases, encoding="utf-8")
    (tmp_path / EVENTS).write_text(events, encoding="utf-8")
    (tmp_path / "indicators.csv").write_text(
        "case_id,event_id,indicator,passage\nA-17,a2,isolation,Alone (synthetic)\n",
        encoding="utf-8",
    )
    return tmp_path


def test_partner_case_ids_and_the_optional_case_columns(tmp_path, db):
    folder = _partner_files(
        tmp_path,
        "case_id,is_synthetic,interview_date,interview_date_precision,interview_country,"
        "interview_language,consent_to_use,consent_to_publish,summary\n"
        "A-17,true,2019-05-01,month,KR,ko,true,true,Worked abroad (synthetic)\n"
        "B-2,false,,,,,,,\n",
        "case_id,event_id,stage,hte_date,date_start_precision,hte_country,indicators\n"
        "A-17,a1,recruitment,2016-03-01,month,KP,\n"
        "A-17,a2,exploitation,,,RU,isolation\n"
        "B-2,b1,transit,,,CN,\n",
    )
    result = import_journeys(
        folder / EVENTS, folder / "indicators.csv", cases_path=folder / "cases.csv"
    )
    assert (result.testimonies, result.events, result.indicators) == (2, 3, 1)
    a17 = Testimony.objects.get(pk=result.new_testimonies["A-17"])
    assert a17.access_level == "confidential"
    assert (str(a17.interview_date), a17.interview_date_precision) == ("2019-05-01", "month")
    assert (a17.interview_country, a17.interview_language) == ("KR", "ko")
    assert a17.consent_to_use and a17.consent_to_publish and a17.is_synthetic
    assert a17.summary == "Worked abroad (synthetic)"
    assert a17.source.title == "Imported case A-17 (cases.csv)"
    assert [e.stage for e in JourneyEvent.objects.filter(testimony=a17).in_order()] == [
        "recruitment",
        "exploitation",
    ]
    assert a17.codings.get(indicator="isolation").finding == "present"
    b2 = Testimony.objects.get(pk=result.new_testimonies["B-2"])
    assert not b2.is_synthetic and not b2.consent_to_use and b2.interview_date is None


def test_a_bad_file_names_file_row_and_column_and_creates_nothing(tmp_path, db):
    folder = _partner_files(
        tmp_path,
        "case_id,interview_date,interview_country,consent_to_use,consent_to_publish\n"
        "A-17,2019-13-01,Korea,,\n"
        "B-2,,,false,true\n"
        "A-17,,,,\n",
        "case_id,event_id,stage,hte_date,hte_country\n"
        "A-17,a1,recruitment,2016-02-30,KP\n"
        "A-17,a2,exploitation,,RU\n"
        "Z-9,z1,transit,,CN\n",
    )
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_journeys", str(folder), "--new-testimonies", stderr=err)
    assert exited.value.code == 2
    lines = err.getvalue()
    for expected in (
        "cases.csv:2:interview_date: not a date",
        "cases.csv:2:interview_country: not an ISO",
        "cases.csv:3:consent_to_publish: consent to publish needs consent to use",
        "cases.csv:3:case_id: this case has no events in historic_trafficking_events.csv",
        "cases.csv:4:case_id: also on row 2",
        "historic_trafficking_events.csv:2:hte_date: not a date",
        "historic_trafficking_events.csv:4:case_id: no case Z-9 in cases.csv",
    ):
        assert f"error: {expected}" in lines
    assert (Testimony.objects.count(), Source.objects.count(), JourneyEvent.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_dry_run_creates_no_testimony(tmp_path, alice):
    journey(make_testimony())
    out = full_export(tmp_path, alice)
    before = (Testimony.objects.count(), Source.objects.count(), JourneyEvent.objects.count())
    report = io.StringIO()
    call_command(
        "import_journeys",
        str(out),
        "--new-testimonies",
        "--dry-run",
        stdout=report,
        stderr=io.StringIO(),
    )
    assert "would create 1 confidential testimonies" in report.getvalue()
    after = (Testimony.objects.count(), Source.objects.count(), JourneyEvent.objects.count())
    assert after == before
    assert IndicatorCoding.objects.count() == 0


def test_new_testimonies_refuse_replace(tmp_path, db):
    with pytest.raises(Exception, match="--replace"):
        call_command("import_journeys", str(tmp_path), "--new-testimonies", "--replace")


def test_a_user_creates_testimonies_only_at_a_level_they_may_read(tmp_path, ruth, rita):
    folder = _partner_files(
        tmp_path,
        "case_id\nA-17\n",
        "case_id,event_id,stage,hte_country,indicators\nA-17,a2,exploitation,RU,isolation\n",
    )
    paths = (folder / EVENTS, folder / "indicators.csv")
    with pytest.raises(JourneyImportError) as failure:
        import_journeys(*paths, cases_path=folder / "cases.csv", user=ruth)
    assert failure.value.lines() == [
        "cases.csv: you may not create testimonies at the level confidential"
    ]
    assert Testimony.objects.count() == 0
    result = import_journeys(*paths, cases_path=folder / "cases.csv", user=ruth, level="internal")
    assert Testimony.objects.get().pk == result.new_testimonies["A-17"]
    import_journeys(*paths, cases_path=folder / "cases.csv", user=rita)
    assert Testimony.objects.filter(access_level="confidential").count() == 1


def test_new_testimonies_are_not_public_before_review(tmp_path, db):
    folder = _partner_files(
        tmp_path,
        "case_id,is_synthetic\nA-17,true\n",
        "case_id,event_id,stage,hte_country,indicators\nA-17,a2,exploitation,RU,isolation\n",
    )
    with pytest.raises(JourneyImportError) as failure:
        import_journeys(
            folder / EVENTS,
            folder / "indicators.csv",
            cases_path=folder / "cases.csv",
            level="public",
        )
    [line] = failure.value.lines()
    assert line.startswith("cases.csv:2:--level: A new record cannot be public")
    assert Testimony.objects.count() == 0
