"""Model selection rules against docs/facts/mse-oracles.md: the models chosen must match exactly."""

import pytest

from tests.core.estimation.mse_data import histories, table
from unseen.core.estimation.loglinear import Model, pair_masks
from unseen.core.estimation.selection import (
    bic,
    main_effects,
    stepwise_aic,
    stepwise_poisson,
)


def terms(name: str, text: str) -> Model:
    return Model.parse(histories(name).lists, text)


UK6_TERMS = "[PF:NCA, LA:NG, NG:GP, LA:PF, PF:GP, GO:GP, NG:GO]"
UK5_TERMS = "[LA:NG, NG:GP, PFNCA:GP, LA:PFNCA, GO:GP, NG:GO]"


def test_it_selects_the_seven_bhs_terms_on_uk6():
    chosen = stepwise_aic(table("uk2013_6lists")).fit
    assert chosen.model == terms("uk2013_6lists", UK6_TERMS)
    assert round(chosen.estimate, 1) == 11418.0


def test_it_selects_the_same_seven_terms_by_csv_stepwise_on_uk6():
    chosen = stepwise_poisson(table("uk2013_6lists")).fit
    assert chosen.model == terms("uk2013_6lists", UK6_TERMS)
    assert round(chosen.estimate, 1) == 11418.0
    assert chosen.layout.infinite == ()  # no pair in the model is disjoint


def test_it_selects_the_home_office_model_on_uk5():
    for rule in (stepwise_aic, stepwise_poisson):
        chosen = rule(table("uk2013_5lists")).fit
        assert chosen.model == terms("uk2013_5lists", UK5_TERMS)
        assert round(chosen.estimate, 1) == 11313.0


def test_it_selects_three_terms_on_uk4():
    chosen = stepwise_aic(table("uk2013_4lists")).fit
    assert chosen.model == terms("uk2013_4lists", "[LA:NG, LA:PFNCA, NG:GO]")
    assert round(chosen.estimate, 1) == 11015.2


def test_it_reads_main_effects_as_the_independence_model():
    assert main_effects(table("uk2013_6lists")).fit.model == Model.main_effects(6)


def test_it_gives_main_effects_at_threshold_zero_and_every_pair_at_one():
    data = table("uk2013_4lists")
    assert stepwise_poisson(data, 0.0).fit.model == Model.main_effects(4)
    assert set(stepwise_poisson(data, 1.0).fit.model.terms) == set(pair_masks(4))


def test_it_ranks_rcaptures_hiv_models_by_bic():
    ranking = bic(table("rcapture_hiv")).ranking
    (first, n1, _, _), (second, n2, bic2, aic2) = ranking[:2]
    assert first == Model.main_effects(4)
    assert round(n1, 1) == 11124.6
    assert second == terms("rcapture_hiv", "[c1:c2]")
    assert round(n2, 1) == 12318.5
    assert round(bic2, 3) == 119.935
    assert round(aic2, 3) == 86.650


def test_it_chooses_the_uk5_bic_model_up_to_order_two():
    selection = bic(table("uk2013_5lists"), max_order=2)
    assert selection.fit.model == terms(
        "uk2013_5lists", "[LA:NG, LA:PFNCA, NG:PFNCA, NG:GP, PFNCA:GO]"
    )
    assert round(selection.fit.estimate, 1) == 22991.3
    assert round(selection.fit.bic, 3) == 196.540
    assert len(selection.ranking) == 10


@pytest.mark.slow
@pytest.mark.parametrize("order", [3, 4])
def test_it_chooses_the_uk5_bic_model_with_a_three_way_term(order):
    selection = bic(table("uk2013_5lists"), max_order=order)
    assert selection.fit.model == terms("uk2013_5lists", "[LA:NG:PFNCA, NG:GP, PFNCA:GO]")
    assert round(selection.fit.estimate, 1) == 25311.3
    assert round(selection.fit.bic, 3) == 195.879


def test_it_searches_greedily_when_there_are_too_many_models():
    selection = bic(table("uk2013_6lists"))  # six lists, order 2: 32,768 models
    assert selection.notes and "forward search" in selection.notes[0]
    assert selection.fit.bic <= main_effects(table("uk2013_6lists")).fit.bic


def test_it_restricts_bic_to_candidate_models():
    data = table("uk2013_5lists")
    only = [Model.main_effects(5), terms("uk2013_5lists", UK5_TERMS)]
    chosen = bic(data, candidates=only).fit
    assert chosen.model in only
