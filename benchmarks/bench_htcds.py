"""Benchmark: making the cases of a public HTCDS export k-anonymous (k = 11, issue 23).

Times the lattice walk of `publishing/exports/cases.py` (its DIMENSIONS, `anonymise_joined`) over
synthetic journeys (recruitment, deployment, exit; random years, months, host countries, sectors,
channels, indicators and exits, fixed seed), in memory: the database reads are not timed. Just
reported, no target.

    .venv/bin/python benchmarks/bench_htcds.py [--cases 2000,20000] [--json OUT]
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, Figure, Result

BLANK_EVENT = dict.fromkeys(
    [
        "date_end",
        "cell",
        "organisation_role",
        "documents_held_by",
        "indicators",
        "channel",
        "health_check",
        "loyalty_check",
        "bribe_paid",
        "bribe_amount_usd",
        "months_waited",
        "border_crossings",
        "sector",
        "exit_kind",
    ],
    "",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="2000,20000", help="sizes, comma-separated")
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    return parser.parse_args()


def journey(rnd: random.Random) -> list[tuple[str, dict[str, str]]]:
    start = f"{rnd.randrange(2010, 2020)}-{rnd.randint(1, 12):02d}"

    def event(position: int, stage: str, **values: str) -> tuple[str, dict[str, str]]:
        return "event", {**BLANK_EVENT, "position": str(position), "stage": stage, **values}

    return [
        ("case", {"is_synthetic": "true", "codings": ""}),
        event(
            0,
            "recruitment",
            date_start=start,
            country="KP",
            channel=rnd.choice(["state_assignment", "applied", "unknown"]),
        ),
        event(
            1,
            "deployment",
            date_start=start,
            country=rnd.choice(["RU", "CN", "AE", "KW", "QA"]),
            sector=rnd.choice("FCA"),
            indicators=rnd.choice(["", "excessive_overtime"]),
        ),
        event(2, "exit", date_start="", exit_kind=rnd.choice(["escape", "contract_end"])),
    ]


def main() -> None:
    args = parse_args()
    result = Result("htcds")
    try:
        with tempfile.TemporaryDirectory(prefix="unseen-bench-htcds-") as var:
            sys.path.insert(0, str(ROOT / "src"))
            os.environ.setdefault("UNSEEN_VAR_DIR", var)
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
            import django

            django.setup()
            from unseen.core.privacy.kanonymity import anonymise_joined
            from unseen.publishing.exports.cases import CTDC_K, DIMENSIONS

            for size in (int(n) for n in args.cases.split(",")):
                rnd = random.Random(23)
                cases = [journey(rnd) for _ in range(size)]
                start = time.perf_counter()
                release = anonymise_joined(cases, DIMENSIONS, CTDC_K, size // 10)
                result.add(
                    Figure(f"k = 11 over {size} cases (s)", time.perf_counter() - start, "s")
                )
                result.details[str(size)] = {
                    "levels": release.levels,
                    "suppressed": len(release.suppressed),
                    "refused": release.refused,
                }
    finally:
        result.write(args.json)


if __name__ == "__main__":
    main()
