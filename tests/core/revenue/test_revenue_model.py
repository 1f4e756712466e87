"""The revenue model's maths of issue 22 item 6: wage–share correlation, the distribution's shape,
and Sobol' indices (docs/methods/revenue.md, ADR 0043)."""

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

from unseen.core import revenue as rv
from unseen.core.places import parse_host
from unseen.core.revenue import shape as rv_shape
from unseen.core.revenue import simulation
from unseen.core.revenue import variance as rv_sobol
from unseen.core.revenue.distributions import Spec
from unseen.core.revenue.planning import Cell
from unseen.core.revenue.report import money

DEMO = (
    Path(__file__).resolve().parents[3] / "src" / "unseen" / "demo" / "data" / "nk-deployments.csv"
)


@pytest.fixture(scope="module")
def shipped() -> list[rv.InputRow]:
    return rv.read_inputs(DEMO)


def imported_row(workers=(300, 800)) -> rv.InputRow:
    """A small row, as an import might add it, for Russia 2017 beside the 30,023 permits (synthetic)."""
    return rv.row_from_fields(
        900,
        parse_host("Russia"),
        2017,
        "construction (imported)",
        {"workers": workers},
        label="deployment 900",
    )


def cell(**ranges) -> Cell:
    inputs = {}
    for family in rv.FAMILIES:
        value = ranges.get(family, (1.0, 1.0))
        pooled = value if isinstance(value[0], tuple) else (value,)
        inputs[family] = Spec(family, tuple(rv.Range(*r) for r in pooled))
    return Cell("RU", "Russia", "construction", ("row 2",), inputs)


# Correlation: rho 0 is the old model, draw for draw


def test_rho_zero_gives_exactly_the_numbers_of_the_model_before_correlation(shipped):
    # Recorded with main at 9dfcce9 (before the correlation existed): same rows, draws and seed.
    old_2017 = {
        "mean": 390043588.2366709,
        "p05": 297930439.55568653,
        "p50": 387173043.6595927,
        "p95": 491883110.26495576,
    }
    result = rv.simulate(shipped, 2017, draws=20000, seed=1234, borrow_years=1, correlation=0.0)
    assert result.summary().to_json() == old_2017
    assert float(result.total[:5].sum()) == 1800680408.4742742
    later = rv.simulate(shipped, 2018, draws=20000, seed=1234, borrow_years=1)
    assert later.summary().p50 == 39253399.63040064
    scenarios = rv.run_scenarios(["all"], shipped, 2017, draws=20000, seed=7, correlation=0)
    assert [float(run.draws.sum()) for run in scenarios] == [
        5117196012939.926,
        16052109168075.242,
        8132096864217.444,
        10000000000000.002,
    ]


@pytest.mark.parametrize("rho", [-0.8, -0.3, 0.5, 0.9])
@pytest.mark.parametrize(
    ("wage", "share", "distribution"),
    [
        ((300, 1000), (0.5, 0.9), "uniform"),
        ((126, 300), (0.625, 0.7), "triangular"),
        (((300, 500), (800, 1000)), ((0.5, 0.6), (0.9, 0.9)), "uniform"),  # pooled, with a point
    ],
)
def test_the_copula_gives_the_rank_correlation_asked_for(rho, wage, share, distribution):
    def spec(family, value):
        pooled = value if isinstance(value[0], tuple) else (value,)
        return Spec(family, tuple(rv.Range(*r) for r in pooled), distribution)

    wages, shares = spec("wage", wage), spec("share", share)
    rng = np.random.default_rng(5)
    u_wage, u_own = rng.random(200_000), rng.random(200_000)
    r = simulation.copula_parameter(rho)
    w = wages.ppf(u_wage)
    s = shares.ppf(simulation.correlated_uniforms(u_wage, u_own, r))
    if any(rv.Range(*x).point for x in (share if isinstance(share[0], tuple) else (share,))):
        # A point in the mixture is a tie: ranks of tied values pull |ρ_S| down a little.
        assert spearmanr(w, s).statistic == pytest.approx(rho, abs=0.1)
        assert abs(spearmanr(w, s).statistic) <= abs(rho) + 0.01
    else:
        assert spearmanr(w, s).statistic == pytest.approx(rho, abs=0.01)
    # The marginals are unchanged: the means are the specs' exact means.
    assert w.mean() == pytest.approx(wages.mean(), rel=0.005)
    assert s.mean() == pytest.approx(shares.mean(), rel=0.005)


def test_a_correlated_run_draws_wage_and_share_together():
    rows = [
        rv.row_from_fields(
            2,
            parse_host("Russia"),
            2017,
            "construction",
            {"workers": (1000, 1000), "wage": (300, 1000), "share": (0.5, 0.9)},
        )
    ]
    draws = 100_000
    positive = rv.simulate(rows, 2017, draws=draws, seed=3, correlation=0.9)
    negative = rv.simulate(rows, 2017, draws=draws, seed=3, correlation=-0.9)
    independent = rv.simulate(rows, 2017, draws=draws, seed=3)
    # The same random numbers as the model draws them: the product is wage × share × 12,000.
    together = simulation.tied_draws(
        positive.plan.cells[0], draws, np.random.default_rng(3), simulation.copula_parameter(0.9)
    )
    w, s = together["wage"], together["share"]
    assert np.allclose(positive.total, 1000 * 12 * w * s)
    assert spearmanr(w, s).statistic == pytest.approx(0.9, abs=0.01)
    # Positive correlation widens the total, negative narrows it; the mean moves with Cov(W, S).
    width = {
        name: run.summary().p95 - run.summary().p05
        for name, run in (("+", positive), ("0", independent), ("-", negative))
    }
    assert width["+"] > width["0"] > width["-"]
    assert positive.summary().mean > independent.summary().mean > negative.summary().mean
    assert "rank correlation 0.9" in positive.assumptions


def test_a_correlation_outside_minus_one_to_one_is_refused():
    with pytest.raises(rv.RevenueError, match="between -1 and 1"):
        rv.simulate([], 2017, correlation=1.5)
    assert simulation.copula_parameter(1.0) == pytest.approx(1.0)
    assert simulation.copula_parameter(0.0) == 0.0


# Shape


def test_a_small_row_pooled_with_30023_workers_makes_two_humps_and_is_named(shipped):
    result = rv.simulate([*shipped, imported_row()], 2017, draws=200_000, seed=1234)
    shapes = rv.shapes(result)
    total = shapes["total"]
    assert total.multimodal and len(total.humps) == 2
    assert all(0.4 < hump.mass < 0.6 for hump in total.humps)
    # The median falls in the valley: few draws near it.
    lower, upper = sorted(h.at for h in total.humps)
    assert lower < total.median < upper
    assert total.median_density < 0.2
    (cause,) = total.causes
    assert (cause.family, cause.country) == ("workers", "RU")
    assert cause.share_of_variance > 0.8
    assert "deployment 900" in cause.rows and "30,023" in cause.text()
    warning = total.warning(money)
    assert "2 humps" in warning and "few draws are near it" in warning
    assert shapes["RU"].multimodal


def test_the_shipped_2017_run_has_one_hump(shipped):
    result = rv.simulate(shipped, 2017, draws=200_000, seed=1234)
    shape = rv.shapes(result)["total"]
    assert not shape.multimodal and shape.warning() == ""
    assert shape.median_density > 0.9


@pytest.mark.parametrize(
    ("name", "draws", "humps"),
    [
        ("uniform", lambda g: g.uniform(0, 1, 200_000), 1),
        ("normal", lambda g: g.normal(0, 1, 200_000), 1),
        ("lognormal", lambda g: g.lognormal(0, 0.8, 200_000), 1),
        ("product of uniforms", lambda g: g.uniform(1, 3, 200_000) * g.uniform(2, 9, 200_000), 1),
        # Two equal normals: bimodal in truth only beyond 2σ apart; visibly so at 4σ.
        ("normals 1σ apart", lambda g: g.normal(0, 1, 200_000) + g.integers(0, 2, 200_000), 1),
        ("normals 4σ apart", lambda g: g.normal(0, 1, 200_000) + 4 * g.integers(0, 2, 200_000), 2),
        # A 2% bump far out is a tail, not a hump.
        (
            "2% bump",
            lambda g: np.where(g.random(200_000) < 0.02, 8, 0) + g.normal(0, 1, 200_000),
            1,
        ),
    ],
)
def test_the_hump_rule_on_known_shapes(name, draws, humps):
    found = rv_shape.humps(draws(np.random.default_rng(11)))
    assert len(found.humps) == humps, name


# Sobol' indices


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    z = -np.pi + 2 * np.pi * x  # uniform(0, 1) → uniform(−π, π)
    return np.sin(z[0]) + a * np.sin(z[1]) ** 2 + b * z[2] ** 4 * np.sin(z[0])


def test_sobol_estimates_match_the_ishigami_functions_published_indices():
    # Ishigami & Homma (1990), a = 7, b = 0.1; the values of Saltelli et al., "Global Sensitivity
    # Analysis: The Primer" (2008) §4.6 and the scipy.stats.sobol_indices documentation:
    # S = (0.3139, 0.4424, 0), S_T = (0.5576, 0.4424, 0.2437). Group {x1, x3}: S = S1 + S3 + S13
    # = 0.5576 and S_T = 1 − S2 = 0.5576.
    first, total, intervals = rv_sobol.grouped_indices(
        ishigami, 3, [[0], [1], [2], [0, 2]], samples=2**14, seed=1, resamples=50
    )
    assert first == pytest.approx([0.3139, 0.4424, 0.0, 0.5576], abs=0.02)
    assert total == pytest.approx([0.5576, 0.4424, 0.2437, 0.5576], abs=0.02)
    assert intervals is not None
    for k, published in enumerate((0.3139, 0.4424, 0.0, 0.5576)):
        assert intervals[0, 0, k] - 0.01 <= published <= intervals[0, 1, k] + 0.01


def test_the_product_of_two_uniforms_has_the_indices_derived_in_the_docs():
    # f = X1·X2, X ~ U(0, 1): Var f = 1/9 − 1/16 = 7/144; Var E[f|X1] = (1/3 − 1/4)/4 = 3/144,
    # so S1 = S2 = 3/7 and S_T1 = S_T2 = 1 − 3/7 = 4/7 (docs/methods/revenue.md).
    one = cell(workers=(0.0, 1.0), wage=(0.0, 1.0))
    result = rv.sobol([one], samples=2**14, seed=2)
    by_input = {(i.family, i.country): i for i in result.indices}
    for family in ("workers", "wage"):
        index = by_input[(family, "")]
        assert index.exact == pytest.approx((3 / 7, 4 / 7))
        assert index.first == pytest.approx(3 / 7, abs=0.01)
        assert index.total == pytest.approx(4 / 7, abs=0.01)


def test_sobol_on_the_shipped_2017_rows_agrees_with_the_closed_form(shipped):
    plan = rv.plan(shipped, 2017)
    result = rv.sobol(plan.cells, samples=2**13, seed=1234)
    assert result.evaluations == 2**13 * (2 + len(result.indices))
    for index in result.indices:
        assert index.exact is not None
        assert index.first == pytest.approx(index.exact[0], abs=0.01)
        assert index.total == pytest.approx(index.exact[1], abs=0.01)
    everywhere = {i.family: i for i in result.indices if i.country == ""}
    # Wage and share (mostly Russia's defaults) make the spread, as the tornado says.
    assert everywhere["wage"].total > 0.5 and everywhere["share"].total > 0.4
    assert everywhere["workers"].total < 0.05
    low, high = everywhere["wage"].first_interval
    assert low <= everywhere["wage"].exact[0] <= high
    # The same seed gives the same indices.
    assert rv.sobol(plan.cells, samples=2**13, seed=1234) == result


def test_sobol_with_correlation_credits_the_wage_with_the_share_that_moves_with_it(shipped):
    plan = rv.plan(shipped, 2017)
    independent = {i.family: i for i in rv.sobol(plan.cells, resamples=0).indices if not i.country}
    tied = rv.sobol(plan.cells, correlation=0.8, resamples=0)
    together = {i.family: i for i in tied.indices if not i.country}
    assert together["wage"].first > independent["wage"].first + 0.1
    assert together["share"].first < independent["share"].first
    assert all(i.exact is None for i in tied.indices)
    assert math.isclose(tied.correlation, 0.8)


def test_sobol_samples_must_be_a_power_of_two():
    with pytest.raises(rv.RevenueError, match="power of 2"):
        rv.sobol([cell(workers=(1.0, 2.0))], samples=1000)
    assert rv.sobol([cell()]).indices == ()


def test_the_bootstrap_computes_what_scipy_computes_on_each_resample():
    from scipy.stats import sobol_indices

    rng = np.random.default_rng(4)
    n = 256
    values = {
        "f_A": rng.random((1, n)),
        "f_B": rng.random((1, n)),
        "f_AB": rng.random((3, 1, n)),
    }
    rows = rng.integers(0, n, n)
    weights = np.bincount(rows, minlength=n).astype(float)[np.newaxis]
    ours = rv_sobol.bootstrap_indices(values, weights)[0]
    theirs = sobol_indices(func={k: v[..., rows] for k, v in values.items()}, n=n)
    assert ours[0] == pytest.approx(theirs.first_order)
    assert ours[1] == pytest.approx(theirs.total_order)


def test_the_moments_are_scipys_bias_corrected_skewness_and_kurtosis():
    from scipy.stats import kurtosis, skew

    draws = np.random.default_rng(9).lognormal(0, 0.7, 5000)
    spread, skewness, excess = rv_shape.moments(draws)
    assert spread == pytest.approx(np.std(draws))
    assert skewness == pytest.approx(skew(draws, bias=False))
    assert excess == pytest.approx(kurtosis(draws, bias=False))
    uniform = np.linspace(0, 1, 100_001)
    assert rv_shape.humps(uniform).bimodality_coefficient == pytest.approx(5 / 9, abs=0.001)


def test_a_run_of_points_only_has_one_hump_and_writes_plain_json():
    import json

    rows = [
        rv.row_from_fields(
            2,
            parse_host("Russia"),
            2017,
            "construction",
            {"workers": (1000, 1000), "wage": (500, 500), "share": (0.5, 0.5)},
        )
    ]
    result = rv.simulate(rows, 2017, draws=1000, seed=1)
    shape = rv.shapes(result)["total"]
    assert not shape.multimodal
    json.dumps(shape.to_json(), allow_nan=False)
    assert rv.sobol(result.plan.cells).indices == ()
