"""The HTCDS export: journeys in HTCDS's fields, k-anonymous per testimony below full (#23)."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import make_user
from tests.journeys.journeys_data import journey, make_testimony
from unseen.accounts.roles import Role
from unseen.audit.models import Action, AuditEntry
from unseen.publishing.exports import ExportRefused, export
from unseen.publishing.models import ExportApproval

pytestmark = pytest.mark.usefixtures("export_key", "db")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_full_export_maps_stages_and_victim_context(tmp_path, alice):
    told = make_testimony("confidential")
    journey(told)
    approval = ExportApproval.objects.create(approved_by=alice, recipient="Court")
    result = export(tmp_path, format="htcds", level="full", approval=approval)
    assert result.files == {"cases": 1, "historic_trafficking_events": 7, "indicators": 2}
    assert not (tmp_path / "files").exists()  # journeys only, no evidence files

    events = read_csv(tmp_path / "historic_trafficking_events.csv")
    assert [(e["stage"], e["hte_Type"]) for e in events] == [
        ("recruitment", "Recruitment"),
        ("vetting", "Recruitment"),
        ("departure", "Recruitment"),
        ("transit", "Transit"),
        ("deployment", "Exploitation"),
        ("exploitation", "Exploitation"),
        ("exit", ""),
    ]
    assert events[0]["hte_Date"] == "2016-03-01" and events[0]["date_start_precision"] == "month"
    assert events[0]["hte_City"] == "Pyongyang" and events[0]["per_RoleInProcess"] == (
        "RecruiterOrIntermediary"
    )
    assert events[5]["indicators"] == "excessive_overtime;retention_of_documents"
    (case,) = read_csv(tmp_path / "cases.csv")
    assert case["case_id"] == str(told.pk)
    assert case["vic_MethodOfRecruitment"] == "Work"
    assert case["vic_LabourIndustry"] == "F_Construction"
    assert case["vic_TypeOfLabourExploitation"] == "Construction"
    assert case["vic_MethodsOfControl"] == "ExcessiveWorkingHours;WithholdsDocuments"
    passages = read_csv(tmp_path / "indicators.csv")
    # A passage that a spreadsheet would run as a formula is neutralised, as in every CSV.
    assert passages[1]["passage"].startswith("'=The manager kept")


def test_confidential_testimonies_never_leave_below_full(tmp_path):
    secret, known = make_testimony("confidential"), make_testimony("internal")
    journey(secret, host="AE")
    journey(known)
    result = export(tmp_path, format="htcds", level="pseudonymised", recipient="Seoul office", k=1)
    assert result.persons == 1 and result.unit == "testimonies"
    (case,) = read_csv(tmp_path / "cases.csv")
    assert case["case_id"] not in (str(secret.pk), str(known.pk))
    events = read_csv(tmp_path / "historic_trafficking_events.csv")
    assert {e["hte_Country"] for e in events} == {"", "KP", "CN", "RU"}
    # Free text and references never leave below full; passages neither.
    assert {e["hte_City"] for e in events} == {""} and {e["hte_Description"] for e in events} == {
        ""
    }
    assert {e["route"] for e in events} == {""} and {e["organisation_id"] for e in events} == {""}
    assert {p["passage"] for p in read_csv(tmp_path / "indicators.csv")} == {""}
    assert events[4]["hte_Date"] == "2016-11" and events[4]["hte_Latitude"] != "43.1"


def test_public_takes_ctdc_k_and_suppresses_a_group_under_11(tmp_path):
    for _ in range(11):
        journey(make_testimony("public"))
    odd = make_testimony("public")
    journey(odd, host="AE", channel="applied", exit_kind="defection")
    result = export(tmp_path, format="htcds", level="public", k=5)
    assert result.k_required == 11
    assert result.persons == 12 and result.suppressed == 1 and result.k == 11
    cases = read_csv(tmp_path / "cases.csv")
    assert len(cases) == 11
    assert "AE" not in {
        e["hte_Country"] for e in read_csv(tmp_path / "historic_trafficking_events.csv")
    }
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.detail["k"] == 11 and entry.detail["unit"] == "testimonies"


def test_public_generalises_dates_when_that_makes_groups_of_11(tmp_path):
    for month in range(1, 12):
        journey(make_testimony("public"), month=month)
    result = export(tmp_path, format="htcds", level="public")
    assert result.suppressed == 0 and result.k == 11
    assert result.generalisation["period"] == 1
    events = read_csv(tmp_path / "historic_trafficking_events.csv")
    assert {e["hte_Date"] for e in events if e["stage"] == "recruitment"} == {"2016"}
    assert {e["date_start_precision"] for e in events if e["stage"] == "recruitment"} == {"year"}


def test_public_refuses_when_too_few_testimonies_share_a_journey(tmp_path):
    for host in ("RU", "AE", "CN"):
        journey(make_testimony("public"), host=host)
    with pytest.raises(ExportRefused, match="k-anonymity not met"):
        export(tmp_path, format="htcds", level="public")
    assert not (tmp_path / "cases.csv").exists()


def test_the_command_says_what_was_generalised_and_suppressed(tmp_path):
    for month in range(1, 12):
        journey(make_testimony("public"), month=month)
    out = io.StringIO()
    call_command(
        "export", "--format", "htcds", "--level", "public", "--out", str(tmp_path), stdout=out
    )
    report = out.getvalue()
    assert "k raised to 11" in report
    assert "smallest group of testimonies 11 (k=11); 0 of 11 testimonies suppressed" in report
    assert "period level 1" in report


def test_an_export_for_a_user_holds_only_the_journeys_they_may_read(tmp_path, alice):
    ann = make_user("ann", Role.ANALYST)  # no confidential clearance
    secret, known = make_testimony("confidential"), make_testimony("internal")
    journey(secret)
    journey(known)
    approval = ExportApproval.objects.create(approved_by=alice, recipient="Court")
    result = export(tmp_path, format="htcds", level="full", approval=approval, requested_by=ann)
    assert result.files["cases"] == 1
    assert [c["case_id"] for c in read_csv(tmp_path / "cases.csv")] == [str(known.pk)]
