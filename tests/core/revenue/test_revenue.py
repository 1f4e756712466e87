"""The revenue model (issue 5) against cases worked by hand, docs/facts/nk-facts.md §9 and its
own rules."""

from pathlib import Path

import numpy as np
import pytest

from unseen.core import revenue as rv
from unseen.core.places import Host, parse_host
from unseen.core.tables import TableError

DEMO = (
    Path(__file__).resolve().parents[3] / "src" / "unseen" / "demo" / "data" / "nk-deployments.csv"
)


def row(
    host: str = "Russia",
    year: int = 2017,
    sector: str = "construction",
    *,
    workers=None,
    wage=None,
    share=None,
    months=None,
    confidence: str = "medium",
    number: int = 2,
) -> rv.InputRow:
    return rv.row_from_fields(
        number,
        parse_host(host),
        year,
        sector,
        {
            "workers": workers or (None, None),
            "wage": wage or (None, None),
            "share": share or (None, None),
            "months": months or (None, None),
        },
        confidence=confidence,
    )


@pytest.fixture(scope="module")
def shipped() -> list[rv.InputRow]:
    return rv.read_inputs(DEMO)


def test_it_is_exact_for_one_country_of_fixed_values():
    rows = [row(workers=(30023, 30023), wage=(500, 500), share=(0.5, 0.5), months=(12, 12))]
    result = rv.simulate(rows, 2017, draws=1000, seed=1)
    expected = 30023 * 500 * 0.5 * 12
    assert np.all(result.total == expected)
    assert np.all(result.by_country["RU"] == expected)
    assert result.summary() == rv.Summary(expected, expected, expected, expected)


def test_it_matches_the_analytic_mean_of_uniform_ranges_at_a_million_draws():
    rows = [row(workers=(1000, 3000), wage=(300, 1000), share=(0.5, 0.9), months=(10, 12))]
    result = rv.simulate(rows, 2017, draws=1_000_000, seed=7)
    analytic = 2000 * 650 * 0.7 * 11  # independent inputs: the product of the means
    assert result.summary().mean == pytest.approx(analytic, rel=0.005)
    assert result.plan.cells[0].mean() == pytest.approx(analytic)


@pytest.mark.parametrize(
    ("distribution", "mean"),
    [("triangular", 650.0), ("log-uniform", 700 / np.log(1000 / 300))],
)
def test_it_draws_the_alternative_distributions_with_their_analytic_means(distribution, mean):
    rows = [row(workers=(1, 1), wage=(300, 1000), share=(1, 1), months=(1, 1))]
    result = rv.simulate(rows, 2017, draws=400_000, seed=3, distributions={"wage": distribution})
    assert result.summary().mean == pytest.approx(mean, rel=0.005)
    assert result.plan.cells[0].inputs["wage"].distribution == distribution
    assert result.plan.cells[0].inputs["share"].distribution == "uniform"


def test_it_adds_country_draws_up_to_the_total_draw_by_draw(shipped):
    for year in (2013, 2017, 2024):
        result = rv.simulate(shipped, year, draws=20_000, seed=5)
        added = np.zeros(result.draws)
        for key in result.countries:
            added += result.by_country[key]
        assert np.array_equal(added, result.total)
        assert len(result.countries) >= 1


def test_it_gives_the_same_numbers_for_the_same_seed(shipped):
    first = rv.simulate(shipped, 2017, draws=5000, seed=42)
    again = rv.simulate(shipped, 2017, draws=5000, seed=42)
    other = rv.simulate(shipped, 2017, draws=5000, seed=43)
    assert np.array_equal(first.total, again.total)
    assert not np.array_equal(first.total, other.total)


def test_it_leaves_proxy_rows_out_of_headcounts_unless_asked(shipped):
    result = rv.simulate(shipped, 2024, draws=2000, seed=1)
    russia = [cell for cell in result.plan.cells if cell.key == "RU"]
    assert [cell.inputs["workers"].ranges for cell in russia] == [(rv.Range(4000, 4000),)]
    proxies = [item for item in result.plan.excluded if item.reason.startswith("proxy")]
    assert {item.rows for item in proxies} >= {("row 35",), ("row 36",)}
    counted = rv.simulate(shipped, 2024, draws=2000, seed=1, include_proxies=True)
    workers = sum(cell.inputs["workers"].low for cell in counted.plan.cells if cell.key == "RU")
    assert workers == 4000 + 7887 + 13221
    assert "COUNTED AS WORKERS" in counted.assumptions


def test_it_does_not_add_region_rows_to_country_totals():
    rows = [
        row("ALL", workers=(100_000, 100_000), wage=(1000, 1000), share=(1, 1), number=2),
        row("Qatar/UAE", workers=(800, 800), wage=(1000, 1000), share=(1, 1), number=3),
        row("Kuwait", workers=(10, 10), wage=(100, 100), share=(1, 1), number=4),
    ]
    result = rv.simulate(rows, 2017, draws=100, seed=1)
    assert result.countries == ("KW",)
    assert result.summary().mean == 10 * 100 * 12
    assert result.summary("world").mean == 100_000 * 1000 * 12
    (region,) = [item for item in result.plan.excluded if item.host == "QA/AE"]
    assert region.reason.startswith("region row")


def test_it_leaves_out_a_cell_without_headcount_and_says_so(shipped):
    result = rv.simulate(shipped, 2017, draws=1000, seed=1)
    assert "CN" not in result.countries
    (china,) = [item for item in result.plan.excluded if item.host == "China"]
    assert china.reason == "no headcount reported"
    assert "no headcount reported" in result.assumptions


def test_it_borrows_a_nearby_whole_country_headcount_only_when_asked(shipped):
    borrowed = rv.simulate(shipped, 2017, draws=1000, seed=1, borrow_years=2)
    (china,) = [cell for cell in borrowed.plan.cells if cell.key == "CN"]
    assert china.inputs["workers"].ranges == (rv.Range(70_000, 80_000),)  # KINU 2016, 1 year off
    assert china.inputs["share"].ranges == (rv.Range(0.7, 0.7),)  # AP 2017's own row
    assert any("borrowed for 2017" in note for note in borrowed.plan.notes)


def test_it_reports_every_default_used_with_its_source(shipped):
    result = rv.simulate(shipped, 2017, draws=1000, seed=1)
    used = {(use.key, use.family) for use in result.plan.defaults_used}
    assert used == {(c, f) for c in ("AO", "MN", "PL", "RU") for f in ("wage", "share")}
    assert "Matsegora" in result.assumptions
    assert "nk-facts §7" in result.assumptions
    (russia,) = result.plan.cells[-1:]
    assert russia.inputs["wage"].default and russia.inputs["wage"].ranges == (rv.Range(500, 1000),)


def test_it_reads_a_one_sided_range_as_a_point_and_says_so(shipped):
    result = rv.simulate(shipped, 2017, draws=1000, seed=1)
    (uae,) = [cell for cell in result.plan.cells if cell.key == "AE"]
    assert uae.inputs["workers"].ranges == (rv.Range(1500, 1500),)
    assert "row 69: workers has only a high end (1500); read as a point" in result.plan.notes


def test_it_takes_logging_months_from_the_off_season_default():
    rows = [row(sector="logging", workers=(10, 10), wage=(100, 100), share=(1, 1))]
    cell = rv.plan(rows, 2017).cells[0]
    assert cell.inputs["months"].ranges == (rv.Range(6, 12),)


def test_it_treats_a_mixed_row_as_the_whole_country(shipped):
    result = rv.plan(shipped, 2018)
    (russia,) = [cell for cell in result.cells if cell.key == "RU"]
    assert russia.rows == ("row 30", "row 31")
    assert russia.inputs["workers"].ranges == (rv.Range(35_000, 37_000), rv.Range(11_490, 11_490))


def test_it_adds_different_sectors_of_one_country():
    rows = [
        row(sector="logging", workers=(8000, 8000), wage=(1, 1), share=(1, 1), months=(12, 12)),
        row(sector="construction", workers=(3000, 3000), wage=(1, 1), share=(1, 1), number=3),
    ]
    result = rv.simulate(rows, 2017, draws=10, seed=1)
    assert len(result.plan.cells) == 2
    assert result.summary("RU").mean == (8000 + 3000) * 12


def overlapping(policy: str) -> rv.Plan:
    rows = [
        row(workers=(100, 200), wage=(1, 1), share=(1, 1), confidence="high", number=2),
        row(workers=(1000, 1000), wage=(1, 1), share=(1, 1), confidence="low", number=3),
    ]
    return rv.plan(rows, 2017, combine=policy)


def test_it_combines_overlapping_rows_into_their_envelope_when_widest():
    spec = overlapping("widest").cells[0].inputs["workers"]
    assert spec.ranges == (rv.Range(100, 1000),)
    assert "widest" in spec.origin


def test_it_keeps_only_the_most_reliable_rows_when_asked():
    spec = overlapping("most-reliable").cells[0].inputs["workers"]
    assert spec.ranges == (rv.Range(100, 200),)
    assert "most reliable: high" in spec.origin


def test_it_pools_overlapping_rows_as_an_equal_mixture_by_default():
    the_plan = overlapping(rv.DEFAULT_COMBINE)
    assert the_plan.combine == "pooled"
    result = rv.simulate(the_plan, draws=100_000, seed=2)
    workers = result.total / 12
    assert np.mean(workers == 1000) == pytest.approx(0.5, abs=0.01)
    assert workers[workers < 1000].min() >= 100 and workers[workers < 1000].max() <= 200
    assert the_plan.cells[0].inputs["workers"].quantile(0.25) == pytest.approx(150)


def test_it_rejects_bad_options():
    rows = [row(workers=(1, 1))]
    with pytest.raises(rv.RevenueError, match="combination policy"):
        rv.plan(rows, 2017, combine="average")
    with pytest.raises(rv.RevenueError, match="distribution"):
        rv.plan(rows, 2017, distributions="normal")
    with pytest.raises(rv.RevenueError, match="no country headcount for 2030"):
        rv.plan(rows, 2030)


def test_it_takes_the_latest_year_with_a_country_headcount_by_default(shipped):
    assert rv.plan(shipped).year == 2025


def test_it_summarises_with_the_same_quantiles_as_numpy():
    draws = np.random.default_rng(0).lognormal(size=10_001)
    assert rv.quantiles(draws, (0.05, 0.5, 0.95)) == pytest.approx(
        list(np.quantile(draws, [0.05, 0.5, 0.95])), rel=1e-12
    )


# --- reading -------------------------------------------------------------------------------


def test_it_reads_the_shipped_file(shipped):
    assert len(shipped) == 94
    assert sum(r.is_proxy for r in shipped) == 9
    kuwait = next(r for r in shipped if r.host == Host(country="KW") and r.year == 2017)
    assert kuwait.workers == rv.Range(2500, 6064)
    assert kuwait.share == rv.Range(0.5, 0.8)


@pytest.mark.parametrize(
    ("cells", "where"),
    [
        ("5000,100", (2, "workers_low")),  # low above high
        ("100,200,,,,1.5", (2, "state_share_high")),
        ("100,200,-300,", (2, "monthly_wage_usd_low")),
    ],
)
def test_it_names_row_and_column_of_a_bad_cell(tmp_path, cells, where):
    header = "host_country,year,sector,workers_low,workers_high,monthly_wage_usd_low,monthly_wage_usd_high,state_share_low,state_share_high,source,confidence"
    values = (cells.split(",") + [""] * 6)[:6]
    path = tmp_path / "bad.csv"
    path.write_text(f"{header}\nRussia,2017,construction,{','.join(values)},Src,high\n")
    with pytest.raises(TableError) as failure:
        rv.read_inputs(path)
    assert [(e.row, e.column) for e in failure.value.errors] == [where]


# --- sensitivity -------------------------------------------------------------------------------


def test_it_orders_the_tornado_by_swing_around_the_all_medians_total():
    rows = [
        row("Russia", workers=(1000, 1000), wage=(500, 1000), share=(0.5, 0.9), months=(12, 12)),
        row("Kuwait", workers=(100, 300), wage=(1000, 1000), share=(0.5, 0.5), months=(12, 12)),
    ]
    cells = rv.plan(rows, 2017).cells
    result = rv.tornado(cells)
    assert result.base == pytest.approx(1000 * 750 * 0.7 * 12 + 200 * 1000 * 0.5 * 12)
    swings = [bar.swing for bar in result.bars]
    assert swings == sorted(swings, reverse=True)
    top = result.bars[0]
    assert (top.family, top.country) in {("wage", ""), ("wage", "RU")}
    assert top.swing == pytest.approx(1000 * 500 * 0.7 * 12)
    (kuwait_workers,) = [b for b in result.bars if b.country == "KW" and b.family == "workers"]
    assert (kuwait_workers.input_low, kuwait_workers.input_high) == (100, 300)
    assert kuwait_workers.swing == pytest.approx(200 * 1000 * 0.5 * 12)


# --- inverse questions (nk-facts §9) --------------------------------------------------------------


def scenario_cells(name: str) -> tuple[rv.Cell, ...]:
    return rv.SCENARIOS[name].cells(dict.fromkeys(rv.FAMILIES, "uniform"))


def test_it_reproduces_the_ends_of_the_civil_society_and_state_department_readings():
    civil = rv.required_for(1.2e9, scenario_cells("civil-society-2012"))
    assert (civil.at_low, civil.at_high) == (pytest.approx(0.648e9), pytest.approx(0.972e9))
    assert not civil.within_ranges  # §9 A: neither end reaches $1.2 bn
    state = rv.required_for(1.2e9, scenario_cells("us-state-2017"))
    assert (state.at_low, state.at_high) == (pytest.approx(0.126e9), pytest.approx(0.864e9))


@pytest.mark.parametrize(
    ("target", "wages"),
    [(1.2e9, [2222, 1852, 1111, 926]), (2.3e9, [4259, 3549, 2130, 1775])],
)
def test_it_reproduces_the_wages_needed_to_reach_the_billion_figures(target, wages):
    # nk-facts §9 C: share 0.9, 12 months; at 50,000 workers the take is $24,000–46,000 a year.
    result = rv.required_for(
        target,
        scenario_cells("us-state-2017"),
        headcounts=(50_000, 60_000, 100_000, 120_000),
        shares=(0.9,),
    )
    assert [round(g["wage_needed"]) for g in result.grid] == wages
    assert result.wage_high == 1000
    assert result.grid[0]["take_per_worker_year"] == pytest.approx(target / 50_000)


def test_it_says_how_far_each_input_must_move_to_reach_a_target():
    result = rv.required_for(1.2e9, scenario_cells("us-state-2017"))
    multiple = 1.2e9 / 0.864e9
    assert result.one_input["workers"]["multiple_of_high"] == pytest.approx(multiple)
    assert result.one_input["workers"]["possible"]
    assert not result.one_input["share"]["possible"]  # 0.9 × 1.39 would pass 1
    assert not result.one_input["months"]["possible"]
    k = result.joint["multiple"]
    # workers and wage scale by k; the share only up to 1; months are capped at 12.
    reached = 80_000 * k * 1000 * k * min(0.9 * k, 1.0) * 12
    assert reached == pytest.approx(1.2e9)
    assert pytest.approx(1.2e9) == 100_000 * 1000 * 1.0 * 12  # §9 C's one way to $1.2 bn


# --- scenarios ----------------------------------------------------------------------------------


def test_it_runs_scenarios_side_by_side(shipped):
    runs = rv.run_scenarios(["all"], shipped, 2017, draws=20_000, seed=1)
    assert [run.scenario.name for run in runs] == list(rv.SCENARIOS)
    by_name = {run.scenario.name: rv.Summary.of(run.draws) for run in runs}
    assert by_name["un-panel-2023"].mean == pytest.approx(500e6)
    assert 0.648e9 < by_name["civil-society-2012"].p50 < 0.972e9
    sourced = rv.simulate(shipped, 2017, draws=20_000, seed=1)
    assert np.array_equal(runs[0].draws, sourced.total)
    with pytest.raises(rv.RevenueError, match="unknown scenario"):
        rv.run_scenarios(["optimistic"], shipped, 2017)
