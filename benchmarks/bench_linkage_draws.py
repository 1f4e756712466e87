"""Benchmark: estimates over 100 alternative linkages of 10,000 records (issue 22, ADR 0037).

Synthetic lists with known truth (`synthetic_linkage.generate`: three lists, calibrated pair
probabilities, about 10,000 records and 13,000 scored pairs), then
`unseen.core.estimation.linkage_draws.estimate_over_draws` with 100 draws by `main-effects` and
`stepwise-poisson` (profile intervals), in this process (the import and the data are not timed).
The target is the issue's: under 60 s.

    .venv/bin/python benchmarks/bench_linkage_draws.py [--draws M] [--population N] [--json OUT]
"""

import argparse
import time
from pathlib import Path

from harness import Figure, Result
from synthetic_linkage import generate

from unseen.core.estimation.linkage_draws import estimate_over_draws

TARGET_SECONDS = 60.0
DEFAULT_DRAWS = 100
DEFAULT_POPULATION = 9_000  # about 10,800 records with the default capture probabilities
METHODS = ("main-effects", "stepwise-poisson")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=DEFAULT_DRAWS)
    parser.add_argument("--population", type=int, default=DEFAULT_POPULATION)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    lists = generate(args.population, args.seed)
    result = Result("linkage_draws")
    start = time.perf_counter()
    found = estimate_over_draws(
        lists.graph, lists.base, lists.names, METHODS, draws=args.draws, seed=args.seed
    )
    seconds = time.perf_counter() - start
    big_enough = args.draws >= DEFAULT_DRAWS and lists.graph.n >= 10_000
    result.add(
        Figure(
            f"{args.draws} draws over {lists.graph.n:,} records, two methods (s)",
            seconds,
            "s",
            TARGET_SECONDS if big_enough else None,
        )
    )
    result.add(Figure("seconds per draw", seconds / args.draws, "s"))
    entry = found["methods"][0]
    result.add(
        Figure("combined / sampling-only width (main-effects)", entry["combined_over_sampling"])
    )
    result.details.update(
        records=lists.graph.n,
        pairs=found["pairs"],
        truth=lists.truth,
        draws=args.draws,
        seed=args.seed,
        methods=list(METHODS),
        intervals={
            m["method"]: {k: m[k] for k in ("sampling", "linkage", "combined")}
            for m in found["methods"]
        },
        target_note=f"the < {TARGET_SECONDS:g} s target applies to {DEFAULT_DRAWS} draws of "
        "at least 10,000 records",
    )
    result.write(args.json)


if __name__ == "__main__":
    main()
