"""Bayesian model averaging over decomposable graphs (dga), against dga's own figures.

The known answers are in docs/methods/dga.md and docs/facts/mse-oracles.md §13: dga's two
documented examples (`?bma.cr`, from Madigan & York 1997), the figures dga's own tests check
against Madigan & York's paper, and R runs of dga's `bma.cr` (1.2 source, R 4.2.2) on those
examples and on the UK 2013 four- and five-list tables. Model probabilities and posterior
quantiles are deterministic, so they must agree to ~1e-6 (probabilities) or exactly (quantiles
on the same integer grid).
"""

import csv
import json
from collections.abc import Sequence
from itertools import product
from pathlib import Path

import pytest

from unseen.core.estimation import mse, report
from unseen.core.estimation.dga import (
    DgaError,
    decomposable_graphs,
    dga,
    negative_binomial_log_prior,
)
from unseen.core.estimation.histories import CaptureHistories

DATA = Path(__file__).parent / "data"

# dga's examples, as R arrays: index i (from 0) has list j (from 1) present when bit j−1 of i is set.
MY_FIVE = [0, 27, 37, 19, 4, 4, 1, 1, 97, 22, 37, 25, 2, 1, 3, 5]
MY_FIVE += [83, 36, 34, 18, 3, 5, 0, 2, 30, 5, 23, 8, 0, 3, 0, 2]
MY_THREE = [0, 60, 49, 4, 247, 112, 142, 12]


def from_r(values: Sequence[int], names: str) -> CaptureHistories:
    t = len(names)
    rows = [([(i >> j) & 1 for j in range(t)], c) for i, c in enumerate(values) if i]
    return CaptureHistories.from_counts(list(names), rows)


def load(name: str) -> CaptureHistories:
    with (DATA / name).open(newline="") as handle:
        rows = list(csv.reader(handle))
    return CaptureHistories.from_counts(
        rows[0][:-1], (([int(v) for v in row[:-1]], int(row[-1])) for row in rows[1:])
    )


def models(result) -> dict[str, float]:
    return {m["model"]: m["probability"] for m in result.details["model_average"]["models"]}


def posterior(result) -> dict:
    return result.details["model_average"]["posterior"]


def test_it_enumerates_every_decomposable_graph():
    # Labelled chordal graphs on 1..5 vertices (OEIS A058862): 1, 2, 8, 61, 822.
    assert [len(decomposable_graphs(t)) for t in range(1, 6)] == [1, 2, 8, 61, 822]
    for t in (3, 4, 5):
        graphs = decomposable_graphs(t)
        assert sum(g.saturated for g in graphs) == 1
        assert len({g.cliques for g in graphs}) == len(graphs)
        for g in graphs:
            # A junction tree's cliques minus its separators count every list once.
            assert sum(map(len, g.cliques)) - sum(map(len, g.separators)) == t
    # The one non-decomposable shape on four lists, the 4-cycle, is left out: 64 − 3 cycles.
    assert len(decomposable_graphs(4)) == 2**6 - 3


def test_it_reproduces_dgas_five_list_example():
    # ?bma.cr: delta = 0.5, Nmissing = 1:300, prior 1/N. The model probabilities are printed in
    # dga's README (0.21707345, 0.16029369, 0.08226562, 0.06535887, 0.05193514).
    result = dga(from_r(MY_FIVE, "12345"), delta=0.5, missing=range(1, 301))
    found = models(result)
    expected = {
        "[1:2, 1:3, 2:4, 4:5]": 0.2170734506,
        "[1:2, 1:3, 4:5]": 0.1602936870,
        "[1:2:4, 1:3, 4:5]": 0.0822656216,
        "[1:2, 1:3, 1:4, 4:5]": 0.0653588747,
        "[1:2, 1:3, 3:4, 4:5]": 0.0519351395,
        "[1:2, 1:3, 3:5, 4:5]": 0.0509803547,
    }
    for model, probability in expected.items():
        assert found[model] == pytest.approx(probability, rel=1e-6)
    assert list(found)[:5] == list(expected)[:5]  # ranked as dga ranks them
    top = result.details["model_average"]["models"][0]
    assert top["estimate"] == pytest.approx(626.677951, rel=1e-7)  # this graph's Bayes est.
    assert top["mode"] == 624
    summary = posterior(result)
    assert summary["bayes"] == pytest.approx(616.870337, rel=1e-7)
    assert summary["mean"] == pytest.approx(617.815891, rel=1e-7)
    assert summary["mode"] == 614
    q = summary["quantiles"]
    assert (q["0.025"], q["0.05"], q["0.5"], q["0.95"], q["0.975"]) == (588, 592, 616, 648, 655)
    assert result.estimate == 616
    assert (result.interval.low, result.interval.high) == (588, 655)
    assert result.details["model_average"]["graphs"] == 822


def test_it_reproduces_madigan_and_york_three_lists():
    # ?bma.cr's three-list example: delta = 1 and Madigan & York's negative-binomial prior
    # (a = 13.14, b = 55.17). dga's own tests check the paper's figures: the top model has
    # posterior probability 0.37, Bayes estimate 731 and mode 729; the average's Bayes
    # estimate is 731 and its mode 728.
    result = dga(
        from_r(MY_THREE, "123"),
        delta=1,
        missing=range(1, 301),
        prior=negative_binomial_log_prior(13.14, 55.17),
    )
    found = models(result)
    assert found["[1:2, 3]"] == pytest.approx(0.3737673976, rel=1e-6)
    assert found["[1:2, 2:3]"] == pytest.approx(0.3098953018, rel=1e-6)
    assert found["[1:2, 1:3]"] == pytest.approx(0.2818099221, rel=1e-6)
    assert found["[1:2:3]"] == pytest.approx(0.0345273779, rel=1e-6)
    top = result.details["model_average"]["models"][0]
    assert (top["model"], round(top["probability"], 2)) == ("[1:2, 3]", 0.37)
    assert (round(top["estimate"]), top["mode"]) == (731, 729)
    summary = posterior(result)
    assert (round(summary["bayes"]), summary["mode"]) == (731, 728)
    assert summary["bayes"] == pytest.approx(731.096629, rel=1e-7)
    q = summary["quantiles"]
    assert (q["0.025"], q["0.5"], q["0.975"]) == (682, 731, 797)


def test_its_defaults_are_dgas_suggested_ones():
    # delta = 2^-t and p(N) ∝ 1/N; R: bma.cr(Y, 0:3000, 2^-3, graphs3).
    histories = from_r(MY_THREE, "123")
    fixed = dga(histories, missing=range(0, 3001))
    assert models(fixed)["[1:2, 3]"] == pytest.approx(0.7225018193, rel=1e-6)
    assert models(fixed)["[1:2, 2:3]"] == pytest.approx(0.1581020276, rel=1e-6)
    summary = posterior(fixed)
    assert summary["bayes"] == pytest.approx(731.976462, rel=1e-7)
    assert (summary["quantiles"]["0.025"], summary["median"]) == (694, 731)
    assert summary["quantiles"]["0.975"] == 787
    # The default grid (0..5n) holds the whole posterior here: the same answer.
    default = dga(histories)
    assert default.details["model_average"]["delta"] == 1 / 8
    assert default.details["model_average"]["prior"] == "1/N"
    assert (default.estimate, default.interval.low, default.interval.high) == (731, 694, 787)


def test_it_reproduces_r_on_four_lists():
    # The five-list example summed over list 5; R: bma.cr(Y4, 0:2000, 2^-4, graphs4).
    four = [MY_FIVE[k] + MY_FIVE[k + 16] for k in range(16)]
    result = dga(from_r(four, "1234"), missing=range(0, 2001))
    found = models(result)
    assert found["[1:2, 1:3, 2:4]"] == pytest.approx(0.7164358530, rel=1e-6)
    assert found["[1:2, 1:3, 4]"] == pytest.approx(0.1477123579, rel=1e-6)
    summary = posterior(result)
    assert summary["bayes"] == pytest.approx(693.277737, rel=1e-7)
    assert summary["mean"] == pytest.approx(712.407332, rel=1e-7)
    assert summary["mode"] == 726
    q = summary["quantiles"]
    assert (q["0.025"], q["0.5"], q["0.975"]) == (576, 711, 887)


def test_it_reproduces_r_on_the_uk_four_lists():
    # R: bma.cr(Y, 0:24280, 2^-4, graphs4) on uk2013_4lists.csv (n = 2,428).
    histories = load("uk2013_4lists.csv")
    result = dga(histories, missing=range(0, 24_281))
    found = models(result)
    assert found["[LA:NG, LA:PFNCA, NG:GO]"] == pytest.approx(0.4333738898, rel=1e-6)
    assert found["[LA:NG, LA:PFNCA, GO]"] == pytest.approx(0.3987754923, rel=1e-6)
    summary = posterior(result)
    assert summary["bayes"] == pytest.approx(11199.179335, rel=1e-7)
    q = summary["quantiles"]
    assert (q["0.025"], q["0.5"], q["0.975"]) == (9534, 11363, 13547)
    # The default grid steps by 2 beyond 20,001 points: within 0.1% of R's.
    default = dga(histories)
    assert default.estimate == pytest.approx(11363, rel=1e-3)
    assert default.interval.high == pytest.approx(13547, rel=1e-3)


def test_it_stays_close_to_r_on_the_uk_five_lists_with_its_default_grid():
    # R: bma.cr(Y, 0:54880, 2^-5, graphs5) on uk2013_5lists.csv (n = 2,744): a wide, two-humped
    # posterior (mode 11,718, median 22,990). Our default grid reaches 20n in steps of 3.
    result = dga(load("uk2013_5lists.csv"))
    assert models(result)["[LA:NG:PFNCA, NG:GP, PFNCA:GO]"] == pytest.approx(0.4434, abs=5e-4)
    summary = posterior(result)
    assert summary["bayes"] == pytest.approx(15879.156, rel=1e-3)
    assert summary["median"] == pytest.approx(22990, rel=1e-3)
    assert result.interval.low == pytest.approx(10387, rel=1e-3)
    assert result.interval.high == pytest.approx(33508, rel=1e-3)
    assert result.details["model_average"]["grid"]["widened"] == 2


@pytest.mark.parametrize("t", [2, 6])
def test_it_refuses_fewer_than_three_or_more_than_five_lists(t):
    rows = [(p, 5 + sum(p)) for p in product((0, 1), repeat=t) if any(p)]
    histories = CaptureHistories.from_counts([f"L{j}" for j in range(t)], rows)
    with pytest.raises(DgaError, match="3 to 5 lists"):
        dga(histories)
    with pytest.raises(mse.EstimationError, match="3 to 5 lists"):
        mse.estimate(histories, "dga")
    # Beside other methods it is one refused answer, not a failed request.
    both = mse.estimate_all(histories, methods=["main-effects", "dga"])
    assert [r.method for r in both] == ["main-effects", "dga"]
    assert "does not apply" in both[1].warnings[0]


def test_it_warns_when_the_grid_cuts_the_posterior_off():
    result = dga(from_r(MY_THREE, "123"), max_missing=60)
    assert any("top 5% of the grid" in w for w in result.warnings)
    assert not any("grid" in w for w in dga(from_r(MY_THREE, "123")).warnings)


def test_it_warns_when_the_saturated_graph_carries_weight():
    # A strong three-way interaction: only the saturated graph fits, and its missing cell is
    # not identified, so the posterior piles at N = n.
    histories = CaptureHistories.from_counts(
        list("abc"),
        [
            ((0, 0, 1), 40),
            ((0, 1, 0), 40),
            ((0, 1, 1), 2),
            ((1, 0, 0), 40),
            ((1, 0, 1), 2),
            ((1, 1, 0), 2),
            ((1, 1, 1), 300),
        ],
    )
    result = dga(histories)
    assert result.details["model_average"]["saturated_probability"] > 0.9
    assert any("saturated graph" in w for w in result.warnings)
    assert any("peaks at the number observed" in w for w in result.warnings)
    without = dga(histories, saturated=False)
    assert without.details["model_average"]["graphs"] == 7
    assert not any("saturated graph" in w for w in without.warnings)


def test_it_runs_through_the_mse_front_door_and_into_json():
    histories = from_r(MY_FIVE, "ABCDE")
    assert "dga" in mse.available_methods()
    result = mse.estimate(histories, "dga")
    assert result.interval.kind == "credible"
    # With dga's default delta = 2^-5 (not the example's 0.5) another graph leads.
    assert result.model == "average of 822 graphs; top [A:B, A:C, D:E] (0.44)"
    item = report.document(histories, [result])["results"][0]
    average = json.loads(json.dumps(item["model_average"], allow_nan=False))
    assert average["models"][0]["cliques"] == [["A", "B"], ["A", "C"], ["D", "E"]]
    assert 0 < len(average["density"]) <= 120
    assert sum(m["probability"] for m in average["models"]) <= 1 + 1e-9
