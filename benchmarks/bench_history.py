"""Benchmark: a record's history page with 1,000 revisions, and what keeping history costs a save.

Acceptance (issue 18): a record's history page with 1,000 revisions answers in under 100 ms at
the 95th percentile; saving a record with history takes under 1.2 times as long as without.

Steps, each in its own process:

1. a fresh SQLite database in a temporary UNSEEN_VAR_DIR (`unseen migrate`, `unseen keys init`);
2. this script in `--measure` mode (Django set up in-process): a deployment saved 1,000 times
   (each save a revision with a reason, as an edit makes it), a researcher, then N requests of
   its history page through Django's test client (the whole middleware stack, no network), and
   N requests comparing its first and last revisions; then N saves of a second deployment with
   history and N without (`skip_history_when_saving`), interleaved so that both meet the same
   machine, each in its own transaction as an edit is.

    .venv/bin/python benchmarks/bench_history.py [--revisions N] [--requests N] [--json OUT]

UNSEEN_BENCH_HISTORY_REVISIONS and UNSEEN_BENCH_HISTORY_REQUESTS override the defaults.
"""

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_import import Database, expect
from harness import ROOT, Figure, Result

REVISIONS = 1_000
REQUESTS = 200
WARMUP = 10
SAVES = 400  # each way
TARGET_PAGE_MS = 100.0
TARGET_SAVE_RATIO = 1.2


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def _timed_pages(client, url: str, params: dict[str, str], requests: int) -> list[float]:  # type: ignore[no-untyped-def]
    for _ in range(WARMUP):
        client.get(url, params)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - start) * 1000)
        expect(response.status_code == 200, f"{url} answered {response.status_code}")
    return timings


def _save_timings(saves: int) -> tuple[list[float], list[float]]:
    """(with history, without) milliseconds per save of one deployment, interleaved."""
    from django.db import transaction

    from unseen.documentation.models import Deployment
    from unseen.evidence.revisions import revising

    record = Deployment.objects.create(host_country="RU", sector="construction", workers_low=1)
    kept, skipped = [], []
    for number in range(saves * 2 + 20):
        keep = number % 2 == 0
        record.workers_low = number
        if not keep:
            record.skip_history_when_saving = True  # type: ignore[attr-defined]
        start = time.perf_counter()
        with transaction.atomic(), revising("benchmark edit"):
            record.save()
        elapsed = (time.perf_counter() - start) * 1000
        if not keep:
            del record.skip_history_when_saving  # type: ignore[attr-defined]
        if number >= 20:  # the first few warm caches up
            (kept if keep else skipped).append(elapsed)
    expected = 1 + saves + 10
    expect(
        record.history.count() == expected, f"{record.history.count()} revisions, not {expected}"
    )  # type: ignore[attr-defined]
    return kept, skipped


def measure(out: Path, revisions: int, requests: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client

    from unseen.accounts.models import User
    from unseen.accounts.roles import Role
    from unseen.audit.context import current_actor
    from unseen.documentation.models import Deployment
    from unseen.evidence.revisions import revising

    current_actor.set("bench-editor")  # as the request middleware sets it
    started = time.perf_counter()
    record = Deployment.objects.create(host_country="RU", sector="construction", workers_low=0)
    for number in range(1, revisions):
        record.workers_low = number
        record.sector = ("construction", "logging", "fishing")[number % 3]
        with transaction.atomic(), revising(f"benchmark edit {number}"):
            record.save()
    seeded = time.perf_counter() - started
    expect(record.history.count() == revisions, "the record has not got its revisions")  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    researcher = User.objects.create(username="bench-researcher", role=Role.RESEARCHER)
    client = Client()
    client.force_login(researcher)
    url = f"/app/deployments/{record.pk}/history/"
    queries: list[str] = []

    def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        client.get(url)
    page = _timed_pages(client, url, {}, requests)
    first, last = (
        record.history.order_by("history_id").values_list("history_id", flat=True)[0],  # type: ignore[attr-defined]
        record.history.order_by("-history_id").values_list("history_id", flat=True)[0],  # type: ignore[attr-defined]
    )
    compared = _timed_pages(client, url, {"a": str(first), "b": str(last)}, requests)
    kept, skipped = _save_timings(SAVES)
    out.write_text(
        json.dumps(
            {
                "revisions": revisions,
                "seed_seconds": round(seeded, 1),
                "page_queries": len(queries),
                "page_p50_ms": round(percentile(page, 0.5), 2),
                "page_p95_ms": round(percentile(page, 0.95), 2),
                "compare_p50_ms": round(percentile(compared, 0.5), 2),
                "compare_p95_ms": round(percentile(compared, 0.95), 2),
                "save_with_history_median_ms": round(statistics.median(kept), 3),
                "save_without_history_median_ms": round(statistics.median(skipped), 3),
                "save_ratio": statistics.median(kept) / statistics.median(skipped),
            }
        )
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--revisions",
        type=int,
        default=int(os.environ.get("UNSEEN_BENCH_HISTORY_REVISIONS", REVISIONS)),
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=int(os.environ.get("UNSEEN_BENCH_HISTORY_REQUESTS", REQUESTS)),
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database folder, and say where"
    )
    parser.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.measure:
        measure(args.measure, args.revisions, args.requests)
        return
    expect(args.revisions > 1 and args.requests > 0, "--revisions and --requests must be > 1")
    folder = Path(tempfile.mkdtemp(prefix="unseen-bench-history-"))
    result = Result("history")
    try:
        database = Database(folder)
        figures = folder / "figures.json"
        env = {**database.env, "UNSEEN_REQUIRE_2FA": "false"}
        command = [sys.executable, __file__, "--measure", str(figures)]
        command += ["--revisions", str(args.revisions), "--requests", str(args.requests)]
        subprocess.run(command, env=env, cwd=ROOT, check=True)
        measured = json.loads(figures.read_text())
        target = TARGET_PAGE_MS if args.revisions >= REVISIONS else None
        result.add(Figure("history_page_p95", measured["page_p95_ms"], "ms", target))
        result.add(Figure("history_compare_p95", measured["compare_p95_ms"], "ms", target))
        result.add(
            Figure("save_with_history_ratio", measured["save_ratio"], "x", TARGET_SAVE_RATIO)
        )
        result.details.update(measured)
    finally:
        if args.keep:
            print(f"kept {folder}", flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    result.write(args.json)


if __name__ == "__main__":
    main()
