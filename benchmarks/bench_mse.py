"""Benchmark: multiple systems estimation on the UK 2013 lists (issue 4's speed targets).

Times, in this process after a warm-up import, two computations of `unseen mse`:

* UK 2013 six lists, `stepwise-poisson` with a 1,000-replicate BCa interval (seed 1234): model
  selection is rerun on every replicate and on the 25 jackknife tables. Target < 10 s on a
  2-core machine (SparseMSE in R needs several minutes).
* `bic` over every hierarchical model of order ≤ 2 on the five-list table (1,024 models).
  Target < 5 s.

Each is also checked against docs/facts/mse-oracles.md (the selected model and N̂), so a fast wrong
answer
fails. The LCMCR benchmark lives with LCMCR.

    .venv/bin/python benchmarks/bench_mse.py [--replicates B] [--json OUT]
"""

import argparse
import sys
import time
from pathlib import Path

from harness import ROOT, Figure, Result

DATA = ROOT / "tests" / "core" / "estimation" / "data"
BCA_TARGET = 10.0
BIC_TARGET = 5.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    return parser.parse_args()


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"bench_mse: {message}")


def timed(call):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    value = call()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from unseen.core.estimation import mse, selection
    from unseen.core.estimation.loglinear import Data
    from unseen.core.estimation.reading import read_histories

    result = Result("mse")
    try:
        uk6 = read_histories(DATA / "uk2013_6lists.csv")
        uk5 = read_histories(DATA / "uk2013_5lists.csv")
        mse.estimate(uk5, "main-effects", ci="wald")  # warm-up: imports, caches of small sizes

        estimate, wall, cpu = timed(
            lambda: mse.estimate(
                uk6, "stepwise-poisson", ci="bca", bootstrap=args.replicates, seed=args.seed
            )
        )
        expect(round(estimate.estimate, 1) == 11418.0, f"UK6 N̂ {estimate.estimate}, not 11,418.0")
        target = BCA_TARGET if args.replicates == 1000 else None
        result.add(
            Figure(
                f"UK 2013 six lists stepwise-poisson + {args.replicates:,} BCa (s)",
                wall,
                "s",
                target,
            )
        )
        assert estimate.interval is not None
        result.details["uk6_bca"] = {
            "estimate": estimate.estimate,
            "model": estimate.model,
            "low": estimate.interval.low,
            "high": estimate.interval.high,
            "acceleration": estimate.details.get("acceleration"),
            "cpu_seconds": round(cpu, 3),
            "oracle": "SparseMSE 2.0.1: N 11,418.0, BCa 95% 9,267.0–14,306.8, â −0.0129",
        }

        data = Data.of(uk5.t, uk5.counts)
        chosen, wall, cpu = timed(lambda: selection.bic(data, max_order=2))
        expect(round(chosen.fit.estimate, 1) == 22991.3, f"UK5 BIC N̂ {chosen.fit.estimate}")
        result.add(Figure("bic order ≤ 2 five lists (s)", wall, "s", BIC_TARGET))
        result.details["uk5_bic_order2"] = {
            "models": 1024,
            "model": chosen.fit.model.name(uk5.lists),
            "estimate": chosen.fit.estimate,
            "bic": chosen.fit.bic,
            "cpu_seconds": round(cpu, 3),
            "oracle": "MultipleSystemsEstimation: [12,13,23,25,34], N 22,991.3, BIC 196.540",
        }
    finally:
        result.write(args.json)


if __name__ == "__main__":
    main()
