"""Poisson log-linear fits against docs/facts/mse-oracles.md (SparseMSE and Rcapture figures)."""

import numpy as np
import pytest
import statsmodels.api as sm

from tests.core.estimation.mse_data import histories, table
from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.loglinear import (
    Data,
    Model,
    ModelError,
    check_all_models,
    design,
    existence_margin,
    exists,
    fit,
    hierarchical_models,
    identifiable,
    layout,
    pair_masks,
    term_mask,
)

UK6_BHS = "[PF:NCA, LA:NG, NG:GP, LA:PF, PF:GP, GO:GP, NG:GO]"
UK5_BHS = "[LA:NG, NG:GP, PFNCA:GP, LA:PFNCA, GO:GP, NG:GO]"


def fitted(name: str, model: str):
    h = histories(name)
    return fit(Model.parse(h.lists, model), table(name))


def test_it_reproduces_the_uk6_bhs_poisson_fit():
    result = fitted("uk2013_6lists", UK6_BHS)
    assert round(result.estimate, 1) == 11418.0
    assert round(result.se_estimate, 1) == 809.2
    assert round(result.deviance, 2) == 22.99
    assert result.df == 49
    assert round(result.aic, 2) == 162.66


def test_it_reproduces_the_main_effects_estimates():
    assert round(fitted("uk2013_6lists", "[]").estimate, 1) == 12214.0
    assert round(fitted("uk2013_5lists", "[]").estimate, 1) == 13444.1


def test_it_reproduces_the_uk5_and_uk4_bhs_fits():
    uk5 = fitted("uk2013_5lists", UK5_BHS)
    assert round(uk5.estimate, 1) == 11313.0
    assert round(uk5.se_estimate, 1) == 802.7
    uk4 = fitted("uk2013_4lists", "[LA:NG, LA:PFNCA, NG:GO]")
    assert round(uk4.estimate, 1) == 11015.2


def test_it_reproduces_rcaptures_hiv_figures():
    mt = fitted("rcapture_hiv", "[]")
    assert round(mt.estimate, 1) == 11124.6
    assert round(mt.se_estimate, 1) == 904.8
    assert round(mt.deviance, 3) == 13.026
    assert mt.df == 10
    assert round(mt.aic, 3) == 90.062
    assert round(mt.bic, 3) == 117.800
    c12 = fitted("rcapture_hiv", "[c1:c2]")
    assert round(c12.estimate, 1) == 12318.5
    assert round(c12.se_estimate, 1) == 1188.7
    assert round(c12.aic, 3) == 86.650
    assert round(c12.bic, 3) == 119.935
    pairs = fitted("rcapture_hiv", "[c1:c2, c1:c3, c1:c4, c2:c3, c2:c4, c3:c4]")
    assert round(pairs.estimate, 1) == 23443.5
    assert round(pairs.se_estimate, 1) == 9594.9


def test_it_reproduces_rcaptures_hare_mt_as_the_main_effects_model():
    mt = fitted("rcapture_hare", "[]")
    assert round(mt.estimate, 1) == 75.1
    assert round(mt.se_estimate, 1) == 3.4
    assert round(mt.deviance, 3) == 58.314
    assert mt.df == 56
    assert round(mt.aic, 3) == 154.505
    assert round(mt.bic, 3) == 170.041


def test_it_computes_bic_with_the_number_of_individuals():
    uk5 = fitted("uk2013_5lists", "[LA:NG, LA:PFNCA, NG:PFNCA, NG:GP, PFNCA:GO]")
    assert round(uk5.estimate, 1) == 22991.3
    assert round(uk5.bic, 3) == 196.540
    three = fitted("uk2013_5lists", "[LA:NG:PFNCA, NG:GP, PFNCA:GO]")
    assert round(three.estimate, 1) == 25311.3
    assert round(three.bic, 3) == 195.879


def test_it_agrees_with_statsmodels_glm_where_no_pair_is_disjoint():
    h = histories("rcapture_hiv")
    model = Model.parse(h.lists, "[c1:c2, c3:c4]")
    ours = fit(model, table("rcapture_hiv"))
    glm = sm.GLM(h.counts, design(4, model.columns), family=sm.families.Poisson()).fit()
    assert np.allclose(ours.beta, glm.params, rtol=1e-7, atol=1e-9)
    assert ours.se_log_dark == pytest.approx(glm.bse[0], rel=1e-6)


def test_it_fixes_a_disjoint_pair_at_minus_infinity_instead_of_drifting():
    h = histories("uk2013_5lists")
    la_gp = term_mask(5, (0, 4))
    with_pair = fit(Model.of(5, pair_masks(5)), table("uk2013_5lists"))
    assert with_pair.layout.infinite == (la_gp,)
    assert with_pair.coefficient(la_gp)[0] == -np.inf
    assert np.all(with_pair.beta > -15), "no coefficient may drift towards −30"
    assert np.all(with_pair.mu[~with_pair.layout.keep] == 0)
    assert h.counts[~with_pair.layout.keep].sum() == 0
    without = fit(Model.of(5, [m for m in pair_masks(5) if m != la_gp]), table("uk2013_5lists"))
    assert with_pair.parameters == without.parameters + 1  # SparseMSE's +2 AIC per such term


def test_it_names_models_by_their_maximal_terms_with_list_names():
    lists = ["LA", "NG", "PF", "GO"]
    model = Model.parse(lists, "[LA:NG:PF, GO]")
    assert model.name(lists) == "[LA:NG:PF, GO]"
    assert len(model.terms) == 4  # three pairs and the triple, by hierarchy
    assert Model.main_effects(4).name(lists) == "[LA, NG, PF, GO]"
    assert Model.parse(lists, model.name(lists)) == model


def test_it_enumerates_hierarchical_models():
    assert len(hierarchical_models(3, 2)) == 8
    assert len(hierarchical_models(3, 3)) == 9
    assert len(hierarchical_models(5, 2)) == 1024


def test_it_refuses_a_model_that_is_not_identifiable():
    # Two lists: the saturated model has four parameters for three cells.
    two = Data.of(2, np.array([10, 20, 5]))
    with pytest.raises(ModelError, match="identifiable"):
        fit(Model.of(2, [term_mask(2, (0, 1))]), two)
    # Three lists that never overlap: every pair is a structural zero, leaving three cells for
    # an intercept and three main effects.
    disjoint = Data.of(3, np.array([5, 7, 0, 9, 0, 0, 0]))
    lay = layout(Model.of(3, pair_masks(3)), disjoint)
    assert not identifiable(lay)


def test_it_detects_non_existence_by_linear_programme():
    # [12,13,23] on 7 cells fits them exactly, so a sampling zero in 111 has no finite MLE.
    counts = np.array([10, 10, 5, 10, 5, 5, 0])
    data = Data.of(3, counts)
    model = Model.of(3, pair_masks(3))
    assert existence_margin(layout(model, data), data) <= 1e-9
    assert not exists(model, data)
    with pytest.raises(ModelError, match="does not exist"):
        fit(model, data)
    counts[-1] = 1
    assert exists(model, Data.of(3, counts))


def test_it_finds_that_every_two_list_model_exists_for_uk6():
    assert check_all_models(table("uk2013_6lists")) == []


def test_it_accepts_counts_or_data():
    h = CaptureHistories.from_counts(["A", "B"], [((1, 0), 30), ((0, 1), 20), ((1, 1), 10)])
    result = fit(Model.main_effects(2), h.counts)
    assert result.estimate == pytest.approx(30 + 20 + 10 + 30 * 20 / 10)  # Lincoln–Petersen


@pytest.mark.parametrize(
    "counts",
    [
        [5, 7, 0, 9, 0, 0, 0, 4, 3, 0, 0, 2, 0, 0, 0],  # several disjoint pairs
        [5, 7, 1, 9, 2, 3, 0, 4, 3, 1, 0, 2, 1, 0, 0],
        [1] * 15,
    ],
)
def test_it_decides_identifiability_as_the_matrix_rank_does(counts):
    data = Data.of(4, np.array(counts))
    for model in hierarchical_models(4, 4):
        lay = layout(model, data)
        rank = np.linalg.matrix_rank(design(4, lay.active)[lay.keep])
        assert identifiable(lay) == (rank == len(lay.active)), model
