"""Sensitivity (docs/methods/sensitivity.md): drop each list, merge lists, strata, informativeness.

Known answers on the UK 2013 lists: every drop-one figure is checked against running the method on
the reduced table, and against base R's glm (R 4.2.2, the script in docs/facts/mse-sensitivity.md;
see docs/methods/sensitivity.md); the PF+NCA merge reproduces Silverman (2020) Table 5's five-list
row and, with GP left out, its four-list row (docs/facts/mse-oracles.md §2–3).
"""

import time

import numpy as np
import pytest

from tests.core.estimation.mse_data import close, histories
from unseen.core.estimation import mse
from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.sensitivity import (
    SPAN_FACTOR,
    MergeError,
    merged,
    parse_merge,
    pooled,
    sensitivity,
)

LOGLINEAR = ["main-effects", "stepwise-aic", "stepwise-poisson"]

#: Base R glm, R 4.2.2 (docs/facts/mse-sensitivity.md): N̂ = n + exp(intercept) for
#: main effects, and Bales–Hesketh–Silverman forward AIC with Wald p ≤ 0.05, on the UK 2013 six
#: lists with one list left out.
R_DROP_ONE = {
    "LA": (2690, 13317.0, 11187.9),
    "NG": (2281, 12058.8, 26679.5),
    "PF": (1837, 18038.9, 19845.5),
    "GO": (2049, 10152.9, 10463.9),
    "GP": (2428, 9728.9, 11048.0),
    "NCA": (2687, 13533.4, 11394.0),
}


def _row(document, kind, subject=()):
    return next(r for r in document["rows"] if r["kind"] == kind and tuple(r["subject"]) == subject)


@pytest.fixture(scope="module")
def uk6():
    return sensitivity(histories("uk2013_6lists"), LOGLINEAR, merges=[("PF", "NCA")])


def test_the_full_row_is_the_full_table_with_the_fast_interval(uk6):
    full = _row(uk6, "full")
    assert full["observed"] == 2744
    assert full["results"]["stepwise-aic"]["estimate"] == pytest.approx(11418.0, abs=0.1)
    assert full["results"]["main-effects"]["estimate"] == pytest.approx(12214.0, abs=0.1)
    # SparseMSE's Wald-log interval for the same model (mse-oracles.md §1): no bootstrap here.
    ci = full["results"]["stepwise-poisson"]["ci"]
    assert ci["kind"] == "wald"
    assert close(ci["low"], 9977.3, 0.001) and close(ci["high"], 13145.7, 0.001)
    assert full["results"]["stepwise-aic"]["ratio"] == pytest.approx(11418.0 / 2744, abs=1e-4)


@pytest.mark.parametrize("name", list(R_DROP_ONE))
def test_each_drop_one_row_is_the_method_on_the_reduced_table(uk6, name):
    table = histories("uk2013_6lists")
    reduced = table.subset([other for other in table.lists if other != name])
    row = _row(uk6, "drop", (name,))
    n, main, bhs = R_DROP_ONE[name]
    assert row["observed"] == reduced.observed == n
    for method in LOGLINEAR:
        alone = mse.estimate(reduced, method, ci="wald")
        cell = row["results"][method]
        assert cell["estimate"] == pytest.approx(alone.estimate)
        assert cell["ci"]["low"] == pytest.approx(alone.interval.low)
        assert cell["ci"]["high"] == pytest.approx(alone.interval.high)
        # The ratio is to everyone observed on all six lists: the same population.
        assert cell["ratio"] == pytest.approx(alone.estimate / 2744)
    assert row["results"]["main-effects"]["estimate"] == pytest.approx(main, abs=0.1)
    assert row["results"]["stepwise-aic"]["estimate"] == pytest.approx(bhs, abs=0.1)


def test_merging_pf_and_nca_gives_the_published_five_list_table():
    six = histories("uk2013_6lists")
    five = merged(six, ("PF", "NCA"))
    published = histories("uk2013_5lists")
    assert five.lists == ("LA", "NG", "PF+NCA", "GO", "GP")
    assert np.array_equal(five.counts, published.counts)
    # Silverman (2020) Table 5, UK five lists; and with GP left out, UK four lists.
    four = five.subset(["LA", "NG", "PF+NCA", "GO"])
    assert np.array_equal(four.counts, histories("uk2013_4lists").counts)
    assert mse.estimate(four, "stepwise-aic", ci="wald").estimate == pytest.approx(11015.2, abs=0.1)


def test_the_merge_row_reproduces_the_published_five_list_estimate(uk6):
    row = _row(uk6, "merge", ("PF", "NCA"))
    assert row["lists"] == ["LA", "NG", "PF+NCA", "GO", "GP"]
    assert row["observed"] == 2744
    assert row["results"]["stepwise-aic"]["estimate"] == pytest.approx(11313.0, abs=0.1)
    assert row["results"]["main-effects"]["estimate"] == pytest.approx(13444.1, abs=0.1)
    ci = row["results"]["stepwise-poisson"]["ci"]
    assert close(ci["low"], 9884.4, 0.001) and close(ci["high"], 13027.4, 0.001)


def test_leaving_gp_out_of_the_five_lists_gives_the_published_four_list_estimate():
    document = sensitivity(histories("uk2013_5lists"), ["stepwise-aic"])
    assert _row(document, "drop", ("GP",))["results"]["stepwise-aic"]["estimate"] == pytest.approx(
        11015.2, abs=0.1
    )


def test_the_statement_says_how_far_the_answer_moves(uk6):
    text = uk6["statement"]
    assert "main-effects: from 9,729 (without GP, -20%) to 18,039 (without PF, +48%)" in text
    assert uk6["spans"]["stepwise-poisson"]["factor"] == pytest.approx(19845.5 / 10463.9, 1e-4)
    # stepwise-aic moves from 10,464 to 26,680 (a factor 2.55): flagged, but the others hold.
    assert not uk6["spans"]["stepwise-aic"]["stable"]
    assert "Under stepwise-aic the answer moves by more than a factor of 2" in text
    assert uk6["informative"] is True


def test_lists_that_move_the_answer_by_more_than_the_factor_are_not_informative():
    document = sensitivity(histories("uk2013_6lists"), ["stepwise-aic"])
    assert document["spans"]["stepwise-aic"]["factor"] > SPAN_FACTOR
    assert document["informative"] is False
    assert "The lists are not informative as a whole" in document["statement"]


def test_no_finite_estimate_means_not_informative():
    apart = CaptureHistories.from_counts(
        ["A", "B", "C"], [((1, 0, 0), 30), ((0, 1, 0), 20), ((0, 0, 1), 10)]
    )
    document = sensitivity(apart, ["main-effects"])
    assert _row(document, "full")["results"]["main-effects"]["unbounded"] is True
    assert document["informative"] is False
    assert "no method gives a finite estimate" in document["statement"]


def test_empty_everyone_and_duplicate_lists_are_named():
    rows = [
        ((1, 1, 0, 1, 0), 40),
        ((1, 0, 1, 0, 0), 30),
        ((1, 1, 1, 1, 0), 15),
        ((1, 0, 0, 0, 0), 5),
    ]
    table = CaptureHistories.from_counts(["ALL", "B", "C", "D", "EMPTY"], rows)
    document = sensitivity(table, ["main-effects"])
    flagged = " ".join(document["non_informative"])
    assert "list ALL saw every observed entity" in flagged
    assert "list D is identical to list B" in flagged
    assert "list EMPTY is empty" in flagged
    assert "Note: list EMPTY is empty" in document["statement"]


def test_too_few_informative_lists_say_so_and_estimate_nothing():
    table = CaptureHistories.from_counts(["A", "B"], [((1, 0), 10), ((1, 1), 5)])
    document = sensitivity(table, ["main-effects"])
    assert document["rows"] == []
    assert document["informative"] is False
    assert document["statement"].startswith("The lists are not informative: list A saw every")


def test_with_two_lists_a_drop_row_says_one_list_would_be_left():
    table = CaptureHistories.from_counts(["A", "B"], [((1, 0), 10), ((0, 1), 8), ((1, 1), 5)])
    document = sensitivity(table, ["main-effects"])
    assert _row(document, "full")["results"]["main-effects"]["estimate"] == pytest.approx(
        23 + 10 * 8 / 5
    )
    assert _row(document, "drop", ("A",))["note"] == "one list would be left: MSE needs two"


def test_identical_strata_add_up_to_the_pooled_estimate():
    five = histories("uk2013_5lists")
    strata = {"north": five, "south": five}
    document = sensitivity(pooled(strata), ["main-effects"], strata=strata)
    north = _row(document, "stratum", ("north",))["results"]["main-effects"]
    total = _row(document, "strata-sum")["results"]["main-effects"]
    assert north["estimate"] == pytest.approx(13444.1, abs=0.1)
    assert north["ratio"] == pytest.approx(13444.1 / 2744, abs=1e-4)
    # Main effects scale with the counts: twice the table, twice the estimate.
    assert total["estimate"] == pytest.approx(2 * 13444.1, abs=0.2)
    assert _row(document, "full")["results"]["main-effects"]["estimate"] == pytest.approx(
        total["estimate"]
    )
    assert total["ci"]["low"] < total["estimate"] < total["ci"]["high"]


def test_a_stratum_that_barely_overlaps_is_refused_and_the_sum_is_not_made():
    thin = CaptureHistories.from_counts(
        ["LA", "NG", "PFNCA", "GO", "GP"],
        [((1, 0, 0, 0, 0), 50), ((0, 1, 0, 0, 0), 40), ((1, 1, 0, 0, 0), 2)],
    )
    strata = {"big": histories("uk2013_5lists"), "thin": thin}
    document = sensitivity(pooled(strata), ["main-effects"], strata=strata)
    refused = _row(document, "stratum", ("thin",))
    assert refused["results"] == {}
    assert "stratum thin: only 2 of 92" in refused["note"]
    assert "merge it with a neighbouring one" in _row(document, "strata-sum")["note"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("PF", "name two lists"),
        ("PF+XX", "no list 'XX'"),
        ("PF+pf", "named twice"),
        ("LA+NG", None),
    ],
)
def test_merges_are_checked(text, message):
    lists = ("LA", "NG", "PF")
    if message is None:
        assert parse_merge(text, lists) == ("LA", "NG")
        assert parse_merge("la + ng", lists) == ("LA", "NG")
        return
    with pytest.raises(MergeError, match=message):
        parse_merge(text, lists)


def test_merging_every_list_is_refused():
    with pytest.raises(MergeError, match="leaves one list"):
        parse_merge("A+B", ("A", "B"))


def test_it_stays_quick_on_six_lists_with_the_default_methods():
    started = time.perf_counter()
    document = sensitivity(
        histories("uk2013_6lists"),
        ["main-effects", "stepwise-aic", "stepwise-poisson", "M0", "Mt", "Mh-chao"],
        merges=[("PF", "NCA"), ("LA", "GO")],
    )
    assert time.perf_counter() - started < 5.0
    assert len(document["rows"]) == 1 + 6 + 2
    assert "no bootstrap" in document["interval"]


def test_a_drop_one_estimate_below_everyone_observed_is_flagged():
    rows = [((1, 0, 0), 1000), ((0, 1, 0), 10), ((0, 0, 1), 10)]
    rows += [((1, 1, 0), 5), ((1, 0, 1), 5), ((0, 1, 1), 5)]
    table = CaptureHistories.from_counts(["A", "B", "C"], rows)
    document = sensitivity(table, ["main-effects"])
    cell = _row(document, "drop", ("A",))["results"]["main-effects"]
    assert cell["estimate"] == pytest.approx(35 + 15 * 15 / 5)
    assert cell["ratio"] == pytest.approx(80 / 1035)
    assert "below the 1,035 observed on all the lists" in cell["warnings"][0]


def test_slow_methods_are_named_not_run_unless_asked():
    table = histories("uk2013_4lists")
    quick = sensitivity(table, ["main-effects", "lcmcr", "bic"])
    assert quick["skipped"] == ["lcmcr", "bic"]
    assert set(_row(quick, "full")["results"]) == {"main-effects"}
    assert "Not in this table: lcmcr, bic" in quick["statement"]
    only_slow = sensitivity(table, ["lcmcr"])
    assert only_slow["informative"] is None and only_slow["methods"] == []
    full = sensitivity(table, ["bic"], slow=True)
    assert full["skipped"] == []
    bic = mse.estimate(table.subset(["LA", "NG", "GO"]), "bic", ci="wald").estimate
    assert _row(full, "drop", ("PFNCA",))["results"]["bic"]["estimate"] == pytest.approx(bic)
