"""`unseen revenue FILE.csv` (docs/design.md §5): a table or one JSON document; bad files exit 2."""

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from unseen.estimation.management.commands.revenue import Command

DEMO = str(Path(__file__).resolve().parents[2] / "src/unseen/demo/data/nk-deployments.csv")
HEADER = (
    "host_country,year,sector,workers_low,workers_high,monthly_wage_usd_low,"
    "monthly_wage_usd_high,state_share_low,state_share_high,source,confidence"
)
SUMMARY = {"mean", "p05", "p50", "p95"}


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(Command(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_one_json_document_in_the_designed_shape():
    out, _ = run(DEMO, "--year", "2017", "--draws", "2000", "--json")
    document = json.loads(out)
    assert {"year", "draws", "total", "by_country", "assumptions"} <= set(document)
    assert document["year"] == 2017
    assert document["draws"] == 2000
    assert set(document["total"]) == SUMMARY
    assert set(document["by_country"]) == {"AE", "AO", "KW", "MN", "PL", "QA", "RU"}
    assert all(set(country) >= SUMMARY for country in document["by_country"].values())
    assert document["by_country"]["RU"]["name"] == "Russia"
    assert isinstance(document["assumptions"], str)
    assert "Defaults used for blank inputs" in document["assumptions"]
    assert document["total"]["p05"] < document["total"]["p50"] < document["total"]["p95"]
    assert document["tornado"]["bars"][0]["swing"] > 0
    assert "required" not in document and "scenarios" not in document


def test_it_prints_a_readable_table_by_default():
    out, _ = run(DEMO, "--year", "2017", "--draws", "2000")
    assert "Revenue to the state, 2017" in out
    assert "Total (country rows)" in out
    assert "Worldwide rows (comparison only)" in out
    assert "Tornado" in out


def test_it_gives_the_same_numbers_for_the_same_seed():
    args = (DEMO, "--year", "2017", "--draws", "3000", "--seed", "9", "--json")
    first, _ = run(*args)
    again, _ = run(*args)
    assert json.loads(first) == json.loads(again)


def test_it_adds_what_a_target_would_take_and_the_scenarios():
    out, _ = run(
        DEMO,
        "--year",
        "2017",
        "--draws",
        "2000",
        "--target",
        "1.2e9",
        "--target",
        "2.3e9",
        "--scenario",
        "all",
        "--json",
    )
    document = json.loads(out)
    assert [item["target"] for item in document["required"]] == [1.2e9, 2.3e9]
    assert document["required"][0]["within_sourced_ranges"] is False
    assert {row["workers"] for row in document["required"][0]["grid"]} >= {50_000, 100_000}
    names = [scenario["name"] for scenario in document["scenarios"]]
    assert names == ["sourced-ranges", "civil-society-2012", "us-state-2017", "un-panel-2023"]
    assert document["scenarios"][0]["total"] == document["total"]


def test_it_takes_the_options_of_the_model():
    out, _ = run(
        DEMO,
        "--year",
        "2017",
        "--draws",
        "1000",
        "--combine",
        "widest",
        "--include-proxies",
        "--distribution",
        "workers=log-uniform",
        "--borrow-years",
        "1",
        "--json",
    )
    document = json.loads(out)
    assert document["combine"] == "widest"
    assert document["include_proxies"] is True
    assert document["distributions"]["workers"] == "log-uniform"
    assert "CN" in document["by_country"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Russia,2017,construction,5000,100,,,,,Src,high", ":2:workers_low: 5000 is above"),
        (
            "Russia,2017,construction,100,200,,,0.5,1.5,Src,high",
            ":2:state_share_high: 1.5 is outside 0–1",
        ),
        (
            "Russia,2017,construction,100,200,-300,,,,Src,high",
            ":2:monthly_wage_usd_low: -300 is negative",
        ),
        ("Atlantis,2017,construction,100,200,,,,,Src,high", ":2:host_country: unknown country"),
    ],
)
def test_it_exits_2_naming_file_row_and_column(tmp_path, line, message):
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\n{line}\n")
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(Command(), str(path), stdout=StringIO(), stderr=err)
    assert exit_.value.code == 2
    assert err.getvalue().startswith(f"error: {path}{message}")


def test_it_exits_2_on_an_unknown_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER},hours\nRussia,2017,construction,1,2,,,,,Src,high,12\n")
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(Command(), str(path), stdout=StringIO(), stderr=err)
    assert exit_.value.code == 2
    assert err.getvalue().startswith(f"error: {path}:1:hours: unknown column")


def test_it_exits_2_for_a_year_without_headcounts():
    with pytest.raises(SystemExit) as exit_:
        run(DEMO, "--year", "2030")
    assert exit_.value.code == 2


@pytest.mark.django_db
def test_it_reads_the_platforms_deployment_records_without_a_file():
    from unseen.documentation.models import Deployment
    from unseen.evidence.models import DatePrecision

    def deployment(country: str, sector: str, **values):
        return Deployment.objects.create(
            host_country=country,
            sector=sector,
            period_start=dt.date(2017, 1, 1),
            period_start_precision=DatePrecision.YEAR,
            period_end=dt.date(2017, 1, 1),
            period_end_precision=DatePrecision.YEAR,
            **values,
        )

    deployment(
        "RU",
        "construction",
        workers_low=100,
        workers_high=100,
        monthly_wage_usd_low=500,
        monthly_wage_usd_high=500,
        state_share_low=0.5,
        state_share_high=0.5,
    )
    deployment("RU", "entries: all purposes (proxy, not workers)", workers_low=9, workers_high=9)
    out, _ = run("--year", "2017", "--draws", "100", "--json")
    document = json.loads(out)
    assert document["total"]["mean"] == 100 * 500 * 0.5 * 12
    assert "deployment" in json.dumps(document["excluded"])
