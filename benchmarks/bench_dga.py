"""Benchmark: dga (Bayesian model averaging over decomposable graphs) on five lists.

Runs `unseen.core.estimation.dga.dga` with its defaults (δ = 2^−5, p(N) ∝ 1/N, the grid chosen
by a coarse pass and then one fine pass of at most 20,001 points) on the UK 2013 five-list
table (n = 2,744), whose wide posterior makes the grid widen twice, to 20n: the slow case.
Times a cold call (the 822 graphs enumerated) and the best of three warm calls, in this process
(the import is not timed). The target is the issue's: five lists under 5 s.

    .venv/bin/python benchmarks/bench_dga.py [--json OUT]
"""

import argparse
import time
from pathlib import Path

from harness import ROOT, Figure, Result

from unseen.core.estimation.dga import dga
from unseen.core.estimation.reading import read_histories

DATA = ROOT / "tests" / "core" / "estimation" / "data" / "uk2013_5lists.csv"
TARGET_SECONDS = 5.0  # issue 22: dga on five lists under 5 s


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    histories = read_histories(DATA)
    result = Result("dga")
    start = time.perf_counter()
    estimate = dga(histories)
    cold = time.perf_counter() - start
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        dga(histories)
        warm.append(time.perf_counter() - start)
    average = estimate.details["model_average"]
    result.add(Figure("dga five lists, first call (s)", cold, "s", TARGET_SECONDS))
    result.add(Figure("dga five lists, best of three (s)", min(warm), "s", TARGET_SECONDS))
    result.details.update(
        file=str(DATA.relative_to(ROOT)),
        observed=histories.observed,
        lists=list(histories.lists),
        graphs=average["graphs"],
        grid=average["grid"],
        median=estimate.estimate,
        interval=[estimate.interval.low, estimate.interval.high] if estimate.interval else None,
        top_model=average["models"][0],
        warnings=list(estimate.warnings),
    )
    result.write(args.json)


if __name__ == "__main__":
    main()
