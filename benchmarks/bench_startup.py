"""Benchmark: start-up. `unseen help` (Django set up, every app loaded, nothing computed) and a
revenue run of 1,000 draws (`unseen revenue --year 2017 --draws 1000 --json`), whose time is
almost all start-up. Each is a fresh process, timed by wall clock; the best of `--repeat` counts.

    .venv/bin/python benchmarks/bench_startup.py [--repeat R] [--json OUT]
"""

import argparse
import os
import tempfile
from pathlib import Path

from harness import ROOT, Figure, Result, run_timed, unseen_command

TARGET_HELP_SECONDS = 1.0  # issue 16 item 8: `unseen help` in under a second
DRAWS = 1_000
DEMO_CSV = ROOT / "src" / "unseen" / "demo" / "data" / "nk-deployments.csv"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each; the best counts")
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    result = Result("startup")
    try:
        with tempfile.TemporaryDirectory(prefix="unseen-bench-startup-") as folder:
            env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
            env.update(UNSEEN_VAR_DIR=str(Path(folder) / "var"), PYTHONUNBUFFERED="1")
            commands = {
                "help": [unseen_command(), "help"],
                "revenue": [
                    *(unseen_command(), "revenue", str(DEMO_CSV), "--year", "2017"),
                    *("--draws", str(DRAWS), "--json"),
                ],
            }
            timings: dict[str, list[float]] = {name: [] for name in commands}
            memory: dict[str, float] = {}
            # Interleaved, so that a busy spell on a shared machine does not fall on one alone.
            for _ in range(max(1, args.repeat)):
                for name, command in commands.items():
                    run = run_timed(command, env, ROOT, Path(folder) / "logs").check()
                    timings[name].append(run.seconds)
                    memory[name] = run.max_rss_mb
        result.add(Figure("`unseen help` (s)", min(timings["help"]), "s", TARGET_HELP_SECONDS))
        result.add(
            Figure(
                f"`unseen revenue --year 2017` at {DRAWS:,} draws (s)", min(timings["revenue"]), "s"
            )
        )
        result.details.update(
            timings={name: [round(t, 3) for t in times] for name, times in timings.items()},
            max_rss_mb={name: round(mb, 1) for name, mb in memory.items()},
        )
    finally:
        result.write(args.json)


if __name__ == "__main__":
    main()
