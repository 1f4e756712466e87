"""The revenue model's data files (ADR 0042): every number cites a source, the files give the
numbers the code gave before, and a bad file is refused naming its row and column."""

import shutil
from pathlib import Path

import pytest

from unseen.core import revenue as rv
from unseen.core.revenue import records
from unseen.core.revenue.defaults import DEFAULTS, DefaultTable
from unseen.core.revenue.scenarios import SCENARIOS

DEMO = (
    Path(__file__).resolve().parents[3] / "src" / "unseen" / "demo" / "data" / "nk-deployments.csv"
)

# Recorded on main at 9dfcce9 (before the move), with the defaults and scenarios still in code:
#   unseen revenue src/unseen/demo/data/nk-deployments.csv --year Y --draws 100000 --seed 1234
#       --scenario all --json
# total p05, p50, p95 (USD a year), then the scenarios' p50 (docs/methods/revenue.md).
ON_MAIN = {
    2017: (181477146.28247127, 250877057.85507345, 345582579.8158712),
    2016: (290348492.08903825, 415534392.73796237, 548072123.5084531),
    2019: (123398239.74201918, 172666884.95575652, 228758969.92292267),
}
SCENARIOS_ON_MAIN = {
    "civil-society-2012": 799791599.2042089,
    "us-state-2017": 396611474.55656314,
    "un-panel-2023": 500000000.00000006,
}


@pytest.mark.parametrize("year", sorted(ON_MAIN))
def test_the_files_give_the_numbers_the_code_gave_for_the_same_seed(year):
    rows = rv.read_inputs(DEMO)
    result = rv.simulate(rows, year, draws=100_000, seed=1234)
    summary = result.summary()
    assert (summary.p05, summary.p50, summary.p95) == ON_MAIN[year]
    runs = rv.run_scenarios(list(SCENARIOS_ON_MAIN), rows, year, draws=100_000, seed=1234)
    for run in runs:
        assert rv.Summary.of(run.draws).p50 == SCENARIOS_ON_MAIN[run.scenario.name]


def test_every_default_row_cites_a_source_in_sources_csv():
    known = records.read_sources()
    assert DEFAULTS.rows
    for row in DEFAULTS.rows:
        assert row.sources, row
        assert set(row.sources) <= set(known), row


def test_every_scenario_input_cites_a_source_and_every_scenario_but_the_rows_has_inputs():
    known = records.read_sources()
    for name, scenario in SCENARIOS.items():
        if name == "sourced-ranges":
            assert scenario.segments is None
            continue
        assert scenario.inputs
        for item in scenario.inputs:
            assert item.sources and set(item.sources) <= set(known), item


def test_every_published_figure_cites_its_source():
    known = records.read_sources()
    for figure in records.read_published():
        assert figure.source in known
        assert not figure.derives_from or figure.derives_from in known


def test_a_default_used_carries_the_keys_of_its_sources():
    rows = rv.read_inputs(DEMO)
    result = rv.simulate(rows, 2017, draws=1000, seed=1234)
    russia_wage = next(u for u in result.plan.defaults_used if u.key == "RU" and u.family == "wage")
    assert russia_wage.default.range == rv.Range(500, 1000)
    assert russia_wage.default.sources == ("russia-officials-2018", "dailynk-13266", "nis-2025")


def test_months_take_the_sector_row_before_the_any_sector_row():
    assert DEFAULTS.lookup("months", "RU", "logging (Amur)").range == rv.Range(6, 12)
    assert DEFAULTS.lookup("months", "RU", "construction").range == rv.Range(12, 12)
    assert DEFAULTS.lookup("wage", "QA", "construction").range == rv.Range(300, 1000)
    assert DEFAULTS.lookup("share", "QA", "construction").range == rv.Range(0.5, 0.8)
    with pytest.raises(rv.RevenueError, match="never invented"):
        DEFAULTS.lookup("workers", "RU", "construction")


# Bad files


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(records.DATA, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_default_row_without_a_source_is_refused_naming_its_row_and_column(data):
    edit(data / "defaults.csv", "wage,MN,,600,700,yonhap-mongolia-2013,", "wage,MN,,600,700,,")
    with pytest.raises(records.RevenueDataError) as failure:
        DefaultTable.read(data)
    assert failure.value.errors == [
        "defaults.csv:5:sources: no source key: every number must cite a source"
    ]


def test_an_unknown_source_key_is_refused(data):
    edit(
        data / "scenario_inputs.csv",
        "us-state-2017,1,share,0.7,0.9,us-state-afp-2017",
        "us-state-2017,1,share,0.7,0.9,nobody-2020",
    )
    with pytest.raises(
        records.RevenueDataError,
        match=r"scenario_inputs.csv:8:sources: unknown source key 'nobody-2020'",
    ):
        records.read_scenarios(data)


def test_every_bad_cell_is_listed_at_once(data):
    edit(data / "defaults.csv", "share,CN,,0.625,0.7", "share,CN,,0.9,1.7")
    edit(data / "defaults.csv", "wage,RU,,500,1000", "wage,RU,,five hundred,1000")
    with pytest.raises(records.RevenueDataError) as failure:
        records.read_defaults(data)
    text = "\n".join(failure.value.errors)
    assert "defaults.csv:3:low: 'five hundred' is not a number" in text
    assert "defaults.csv:8:high: share 1.7 is above 1" in text


def test_a_missing_column_and_a_reversed_range_are_named(data):
    edit(data / "scenarios.csv", "name,title,note", "name,title,remark")
    with pytest.raises(records.RevenueDataError, match=r"scenarios\.csv:1:note: missing column"):
        records.read_scenarios(data)
    edit(
        data / "published.csv",
        "noland-2015,noland-2015,,2015,150e6,200e6",
        "noland-2015,noland-2015,,2015,250e6,200e6",
    )
    with pytest.raises(
        records.RevenueDataError, match=r"published\.csv:10:low: low 2\.5e\+08 is above high 2e\+08"
    ):
        records.read_published(data)


def test_a_source_with_a_bad_reliability_or_date_is_named(data):
    edit(
        data / "sources.csv",
        "2017-12-04,day,https://www.taipeitimes",
        "2017-13-04,day,https://www.taipeitimes",
    )
    edit(data / "sources.csv", ",C,en,", ",Z,en,")
    with pytest.raises(records.RevenueDataError) as failure:
        records.read_sources(data)
    text = "\n".join(failure.value.errors)
    assert "sources.csv:2:date: '2017-13-04' is not a date (YYYY-MM-DD)" in text
    assert "sources.csv:2:reliability: 'Z' is not one of A–F" in text


# Where figures come from


def test_figures_that_repeat_one_another_trace_back_to_one_original():
    shipped = [(f.key, f.source, f.derives_from) for f in records.read_published()]
    found = {trace.original: set(trace.figures) for trace in records.traces(shipped)}
    assert found["inhrnkol-2012"] == {
        "inhrnkol-2012",
        "nkdb-2015",
        "darusman-2015",
        "military-2018",
        "outlaw-ocean-2024",
    }
    # The FT's $1.5–2.3 bn and KINU's $150 m both name the North Korea Strategy Center.
    assert found["nksc-2012"] == {"nksc-2012-ft", "kinu-nksc-2016"}
    assert len(found) == 2


def test_a_chain_is_followed_through_intermediaries_and_stops_at_a_loop():
    figures = [("a", "A", ""), ("b", "B", "A"), ("c", "C", "B"), ("d", "D", "")]
    (trace,) = records.traces(figures)
    assert trace.original == "A" and set(trace.figures) == {"a", "b", "c"}
    looped = [("x", "X", "Y"), ("y", "Y", "X")]
    assert records.origin("X", {"X": "Y", "Y": "X"}) == ("X", "Y")
    assert len(records.traces(looped)) <= 1


def test_the_json_names_the_sources_of_each_default_and_scenario_input():
    from unseen.core.revenue import report

    rows = rv.read_inputs(DEMO)
    result = rv.simulate(rows, 2017, draws=1000, seed=1234)
    runs = rv.run_scenarios(["us-state-2017"], rows, 2017, draws=1000, seed=1234)
    document = report.document(result, scenarios=runs)
    assert all(use["sources"] for use in document["defaults_used"])
    (scenario,) = document["scenarios"]
    assert {item["input"]: item["sources"] for item in scenario["inputs"]} == {
        "workers": ["tillerson-2017"],
        "wage": ["us-state-afp-2017"],
        "share": ["us-state-afp-2017"],
        "months": ["nk-facts-7"],
    }
    assert scenario["sources"][0].startswith("US Sec. of State R. Tillerson")
