"""Benchmark: refusing a spreadsheet bomb (about 180 KB that unpacks to 51 MB) before reading it.

Issue 14: such a file held a web worker for 78 s; it must be refused in under a second. Times
`read_table` with the limits an upload gets (the unpacked size refuses it) and with none (the
packing ratio refuses it), best of `--repeat`, building the file once. `--unguarded` also times
reading the bomb with every check off, to show what the refusal saves (slow: seconds to minutes).

    .venv/bin/python benchmarks/bench_table_limits.py [--unpacked-mb 51] [--repeat R] [--unguarded]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, Figure, Result

sys.path.insert(0, str(ROOT))  # the bomb is built as the tests build it

from tests import spreadsheets

from unseen.core.tables import MB, Limits, TableError, read_table

TARGET_SECONDS = 1.0  # issue 14: the bomb refused in under a second
UPLOAD_LIMITS = Limits(max_unpacked_bytes=50 * MB, max_text_bytes=50 * MB, max_rows=200_000)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unpacked-mb", type=float, default=51)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; the best counts")
    parser.add_argument("--unguarded", action="store_true", help="also read it with no checks")
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    return parser.parse_args()


def refusal_seconds(path: Path, limits: Limits | None, repeat: int) -> tuple[float, str]:
    timings, reason = [], ""
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        try:
            read_table(path, limits)
        except TableError as refused:
            reason = refused.errors[0].reason
        else:
            raise RuntimeError("the bomb was read, not refused")
        timings.append(time.perf_counter() - start)
    return min(timings), reason


def main() -> None:
    args = parse_args()
    result = Result("table_limits")
    try:
        with tempfile.TemporaryDirectory(prefix="unseen-bench-table-limits-") as folder:
            path = spreadsheets.bomb(Path(folder) / "bomb.xlsx", unpacked_mb=args.unpacked_mb)
            seconds, reason = refusal_seconds(path, UPLOAD_LIMITS, args.repeat)
            target = TARGET_SECONDS if args.unpacked_mb > 50 else None
            result.add(
                Figure("spreadsheet bomb refused by an upload's limits (s)", seconds, "s", target)
            )
            ratio_seconds, ratio_reason = refusal_seconds(path, None, args.repeat)
            result.add(
                Figure(
                    "spreadsheet bomb refused by its packing ratio alone (s)",
                    ratio_seconds,
                    "s",
                    target,
                )
            )
            result.details.update(
                packed_bytes=path.stat().st_size,
                unpacked_mb=args.unpacked_mb,
                reason=reason,
                ratio_reason=ratio_reason,
            )
            if args.unguarded:
                start = time.perf_counter()
                rows = read_table(path, Limits(max_packing_ratio=None)).rows
                result.add(
                    Figure(
                        "the same bomb read with no checks (s)", time.perf_counter() - start, "s"
                    )
                )
                result.details["unguarded_rows"] = len(rows)
    finally:
        result.write(args.json)


if __name__ == "__main__":
    main()
