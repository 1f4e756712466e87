"""Benchmark: `unseen import FILE --kind deployments` of a large generated CSV, into a fresh DB.

Generates N rows (100,000 by default; `--rows` or UNSEEN_BENCH_IMPORT_ROWS overrides) with the
columns and the kinds of values of the demo's nk-deployments.csv, migrates a fresh database in a
temporary UNSEEN_VAR_DIR, then times, each as its own process: a `--dry-run` (which does the
whole write and rolls it back) and the real import. Afterwards the database must hold exactly N
deployments.

    .venv/bin/python benchmarks/bench_import.py [--rows N] [--json OUT] [--keep] [--profile]
"""

import argparse
import csv
import json
import os
import pstats
import random
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from harness import ROOT, Figure, Result, Run, run_timed, unseen_command

DEFAULT_ROWS = 100_000
TARGET_SECONDS = 30.0  # DESIGN: 100,000 deployment rows import in under 30 s
DEMO_CSV = ROOT / "src" / "unseen" / "demo" / "data" / "nk-deployments.csv"
COLUMNS = [
    "host_country",
    "year",
    "sector",
    "workers_low",
    "workers_high",
    "monthly_wage_usd_low",
    "monthly_wage_usd_high",
    "state_share_low",
    "state_share_high",
    "source",
    "confidence",
]
DISTINCT_SOURCES = 200
OUTLETS = [
    "Reuters",
    "AFP",
    "Yonhap",
    "NK News",
    "Daily NK",
    "Radio Free Asia",
    "Korea Herald",
    "Asahi Shimbun",
    "Kommersant",
    "The Guardian",
    "UN Panel of Experts",
    "ROK Ministry of Unification",
]
TOPICS = [
    "workers at construction sites",
    "dispatched labourers, wages withheld",
    "seafood plant, dormitory inspection",
    "logging camp, regional statistics",
    "restaurant staff, visa records",
    "IT workers, front companies",
]
COUNT_QUERY = (
    "import json; "
    "from unseen.documentation.models import Deployment; "
    "from unseen.evidence.models import Claim, Source; "
    "print(json.dumps({'deployments': Deployment.objects.count(), "
    "'claims': Claim.objects.count(), 'sources': Source.objects.count()}))"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows",
        type=int,
        default=int(os.environ.get("UNSEEN_BENCH_IMPORT_ROWS", DEFAULT_ROWS)),
        help=f"rows to generate (default {DEFAULT_ROWS:,}, or UNSEEN_BENCH_IMPORT_ROWS)",
    )
    parser.add_argument("--seed", type=int, default=1718)
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run the import under cProfile (on its own fresh DB) and print the top functions",
    )
    return parser.parse_args()


def demo_values() -> dict[str, Counter[str]]:
    """How often each host, sector and source appears in the demo's sourced deployments."""
    with DEMO_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        name: Counter(row[name] for row in rows) for name in ("host_country", "sector", "source")
    }


def source_titles(rng: random.Random, real: list[str], total: int) -> list[str]:
    """The demo's real source strings plus invented ones, `total` distinct in all."""
    titles = list(dict.fromkeys(real))[:total]
    while len(titles) < total:
        outlet, topic = rng.choice(OUTLETS), rng.choice(TOPICS)
        date = f"{rng.randint(2000, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        title = f"{outlet} {date}: {topic} (report no. {len(titles) + 1})"
        titles.append(title)
    return titles


def _number(rng: random.Random, value: int) -> str:
    """Mostly plain digits; now and then with thousands separators, as spreadsheets export them."""
    return f"{value:,}" if value >= 1000 and rng.random() < 0.05 else str(value)


def _range(rng: random.Random, low: int, high: int) -> tuple[str, str]:
    """Both ends, one end only, or neither, roughly as often as in the sourced data."""
    shape = rng.random()
    if shape < 0.55:
        return _number(rng, low), _number(rng, high)
    if shape < 0.68:
        return _number(rng, low), ""
    if shape < 0.80:
        return "", _number(rng, high)
    return "", ""


def generate(path: Path, rows: int, seed: int) -> dict[str, int]:
    """Write `rows` realistic deployment rows to `path`; return a few facts about them."""
    rng = random.Random(seed)
    demo = demo_values()
    hosts, host_weights = zip(*demo["host_country"].items(), strict=True)
    sectors, sector_weights = zip(*demo["sector"].items(), strict=True)
    sources = source_titles(rng, list(demo["source"]), DISTINCT_SOURCES)
    confidences, confidence_weights = ("high", "medium", "low"), (5, 61, 28)
    blank_wages = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for host, sector, confidence in zip(
            rng.choices(hosts, host_weights, k=rows),
            rng.choices(sectors, sector_weights, k=rows),
            rng.choices(confidences, confidence_weights, k=rows),
            strict=True,
        ):
            workers = round(10 ** rng.uniform(1.5, 5))
            workers_low, workers_high = _range(rng, workers, round(workers * rng.uniform(1, 1.6)))
            wage_low, wage_high = "", ""
            if rng.random() < 0.2:
                wage = rng.randrange(100, 1500, 10)
                wage_low, wage_high = _range(rng, wage, wage + rng.randrange(0, 800, 50))
            blank_wages += not (wage_low or wage_high)
            share_low, share_high = "", ""
            if rng.random() < 0.15:
                share = round(rng.uniform(0.3, 0.9), 2)
                share_low, share_high = _range(rng, share, round(rng.uniform(share, 1.0), 2))
            writer.writerow(
                [
                    host,
                    rng.randint(2000, 2025),
                    sector,
                    workers_low,
                    workers_high,
                    wage_low,
                    wage_high,
                    share_low,
                    share_high,
                    rng.choice(sources),
                    confidence,
                ]
            )
    return {
        "rows": rows,
        "bytes": path.stat().st_size,
        "distinct_hosts": len(hosts),
        "distinct_sectors": len(sectors),
        "distinct_sources": len(sources),
        "rows_without_wages": blank_wages,
    }


def bench_env(var_dir: Path) -> dict[str, str]:
    """The environment for a fresh SQLite database in `var_dir`, whatever the caller's DB is."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        UNSEEN_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="unseen.config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


class Database:
    """A freshly migrated SQLite database under `folder`, and commands run against it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.env = bench_env(folder / "var")
        self.unseen = unseen_command()
        self.migrate = self.run("migrate", ["migrate", "--no-input", "-v0"]).check()
        # Keys are never created on first use (#15): the fresh database gets its own, explicitly.
        self.run("keys", ["keys", "init"]).check()

    def run(self, label: str, args: list[str], *, python: list[str] | None = None) -> Run:
        command = [*python, "-m", "unseen.cli"] if python else [self.unseen]
        return run_timed([*command, *args], self.env, ROOT, self.folder / "logs" / label)

    def counts(self) -> dict[str, int]:
        run = self.run("counts", ["shell", "-v0", "-c", COUNT_QUERY]).check()
        return json.loads(run.stdout.strip().splitlines()[-1])


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"bench_import: {message}")


def profile(folder: Path, csv_path: Path, top: int = 30) -> dict[str, str]:
    """Run the import under cProfile on its own fresh database; print the heaviest functions."""
    database = Database(folder)
    stats_path = folder / "import.prof"
    python = [sys.executable, "-m", "cProfile", "-o", str(stats_path)]
    database.run(
        "profile", ["import", str(csv_path), "--kind", "deployments"], python=python
    ).check()
    for order in ("cumulative", "tottime"):
        print(f"\n--- cProfile of the import, top {top} by {order} ---", flush=True)
        pstats.Stats(str(stats_path)).sort_stats(order).print_stats(top)
    sys.stdout.flush()
    return {"profile": str(stats_path)}


def main() -> None:
    args = parse_args()
    expect(args.rows > 0, "--rows must be positive")
    folder = Path(tempfile.mkdtemp(prefix="unseen-bench-import-"))
    result = Result("import")
    try:
        csv_path = folder / "deployments.csv"
        result.details["file"] = generate(csv_path, args.rows, args.seed)
        result.details["seed"] = args.seed
        print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.1f} MB)", flush=True)

        database = Database(folder / "timed")
        result.details["migrate_seconds"] = round(database.migrate.seconds, 3)
        command = ["import", str(csv_path), "--kind", "deployments"]

        dry = database.run("dry-run", [*command, "--dry-run"]).check()
        expect(database.counts()["deployments"] == 0, "the dry run left deployments behind")
        real = database.run("import", command).check()
        counts = database.counts()
        expect(
            counts["deployments"] == args.rows,
            f"expected {args.rows:,} deployments, found {counts['deployments']:,}",
        )
        expect(counts["claims"] == args.rows, f"expected {args.rows:,} claims, found {counts}")

        target = TARGET_SECONDS if args.rows == DEFAULT_ROWS else None
        result.add(Figure(f"import {args.rows:,} deployment rows (s)", real.seconds, "s", target))
        result.add(Figure(f"dry-run {args.rows:,} deployment rows (s)", dry.seconds, "s"))
        result.add(Figure("import throughput (rows/s)", args.rows / real.seconds, "rows/s"))
        result.add(Figure("import peak memory (MB)", real.max_rss_mb, "MB"))
        result.details.update(
            counts_after=counts,
            import_output=real.stdout.strip(),
            dry_run_output=dry.stdout.strip(),
            target_note=f"the < {TARGET_SECONDS:g} s target applies to {DEFAULT_ROWS:,} rows",
        )
        if args.profile:
            result.details.update(profile(folder / "profiled", csv_path))
    except BaseException:
        print(f"bench_import failed; its files and logs are in {folder}", file=sys.stderr)
        raise
    finally:
        result.write(args.json)
    if args.keep or args.profile:
        print(f"kept {folder}", file=sys.stderr)
    else:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
