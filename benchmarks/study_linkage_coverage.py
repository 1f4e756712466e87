"""Coverage study: do the combined intervals over alternative linkages cover the truth?

Each replication makes synthetic lists with a known population (`synthetic_linkage.generate`:
three lists of different reach, calibrated pair probabilities whose true and false
distributions overlap, so the run's own clustering at 0.5 is wrong sometimes), estimates on the
run's own clustering (the sampling-only interval) and over M drawn linkages (the linkage-only and
combined intervals, `unseen.core.estimation.linkage_draws`), and records whether each interval
holds the true N. It prints each interval's coverage with its Monte Carlo standard error, the
mean widths, and the mean of the estimates, per method. docs/methods/linkage-uncertainty.md
quotes what it printed.

    .venv/bin/python benchmarks/study_linkage_coverage.py --replications 200 [--draws 50]
        [--population 2000] [--method main-effects] [--seed 1] [--heterogeneity 0]
        [--false-per-record 1] [--one-to-one-draws]
"""

import argparse
import math
import time

import numpy as np
from synthetic_linkage import generate

from unseen.core.estimation.linkage_draws import estimate_over_draws

KINDS = ("sampling", "linkage", "combined")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--population", type=int, default=2000)
    parser.add_argument("--method", action="append", help="default: main-effects")
    parser.add_argument("--ci", default="profile", choices=("profile", "wald"))
    parser.add_argument("--level", type=float, default=0.95)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--heterogeneity", type=float, default=0.0)
    parser.add_argument("--false-per-record", type=float, default=1.0)
    parser.add_argument(
        "--one-to-one-draws",
        action="store_true",
        help="refuse drawn links that put two records of one list together (not the default)",
    )
    return parser.parse_args()


def study(args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    methods = args.method or ["main-effects"]
    found: dict[str, dict[str, list[float]]] = {
        m: {**{f"{k}_covers": [] for k in KINDS}, **{f"{k}_width": [] for k in KINDS},
            "estimate": [], "base_errors": []}
        for m in methods
    }  # fmt: skip
    for r in range(args.replications):
        lists = generate(
            args.population,
            args.seed * 100_003 + r,
            heterogeneity=args.heterogeneity,
            false_per_record=args.false_per_record,
            one_to_one_draws=args.one_to_one_draws,
        )
        result = estimate_over_draws(
            lists.graph,
            lists.base,
            lists.names,
            methods,
            draws=args.draws,
            seed=args.seed + r,
            ci=args.ci,
            level=args.level,
        )
        wrong = _wrong_links(lists)
        for entry in result["methods"]:
            row = found[entry["method"]]
            for kind in KINDS:
                low, high = entry[kind]
                high = math.inf if high is None else high
                row[f"{kind}_covers"].append(float(low <= lists.truth <= high))
                row[f"{kind}_width"].append(high - low)
            row["estimate"].append(entry["estimate"])
            row["base_errors"].append(wrong)
    return found


def _wrong_links(lists) -> float:
    """How many entities the run's own clustering has, minus how many people it saw."""
    seen = len(np.unique(lists.people))
    return float(len(np.unique(lists.base)) - seen)


def main() -> None:
    args = parse_args()
    start = time.perf_counter()
    found = study(args)
    seconds = time.perf_counter() - start
    print(
        f"{args.replications} replications, N = {args.population}, {args.draws} draws each, "
        f"{args.level:.0%} {args.ci} intervals, heterogeneity {args.heterogeneity}, "
        f"{args.false_per_record} false candidate(s) per record, seed {args.seed}"
        f"{', one-to-one draws' if args.one_to_one_draws else ''} "
        f"({seconds:.0f} s)"
    )
    for method, row in found.items():
        n = len(row["estimate"])
        print(f"\n{method}: mean estimate {np.mean(row['estimate']):,.1f} (truth {args.population:,});"
              f" the run's clustering has {np.mean(row['base_errors']):+.1f} entities vs the"
              " people seen, on average")  # fmt: skip
        print(f"{'interval':<16} {'coverage':>9} {'± s.e.':>8} {'mean width':>11}")
        for kind in KINDS:
            covers = np.mean(row[f"{kind}_covers"])
            se = math.sqrt(covers * (1 - covers) / n)
            widths = np.asarray(row[f"{kind}_width"])
            width = np.mean(widths[np.isfinite(widths)]) if np.isfinite(widths).any() else math.inf
            label = kind if kind == "combined" else f"{kind} only"
            print(f"{label:<16} {covers:>9.3f} {se:>8.3f} {width:>11.1f}")


if __name__ == "__main__":
    main()
