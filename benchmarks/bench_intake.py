"""Benchmark: public sightings posted to `POST /api/v1/sightings` at a steady rate, under gunicorn.

Acceptance (issue 7): 200 sightings per second sustained for 60 seconds on SQLite, every 202
answered with a stored row (counted in the database afterwards: none lost), p95 under 200 ms.

1. a fresh SQLite database in a temporary UNSEEN_VAR_DIR (`unseen migrate`);
2. `gunicorn unseen.config.wsgi:application --workers 2 --bind 127.0.0.1:PORT` as the README
   deploys it (UNSEEN_DB_CONN_MAX_AGE=60), with UNSEEN_INTAKE_RATE_LIMIT=off (every request
   comes from one address);
3. this script in `--client` mode, a second process: an open-loop schedule of RATE requests per
   second for SECONDS (request i is due at i / RATE), sent from a thread pool with http.client;
   latency runs from when a request was due to its last body byte, so a slow server cannot hide
   behind a client that waits for it;
4. `unseen shell` counts the stored submissions and compares them with the 202s.

    .venv/bin/python benchmarks/bench_intake.py [--rate 200] [--seconds 60] [--json OUT] [--keep]

UNSEEN_BENCH_INTAKE_RATE and UNSEEN_BENCH_INTAKE_SECONDS override the defaults.
"""

import argparse
import http.client
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench_browse import free_port, wait_for_health
from bench_import import Database
from harness import ROOT, Figure, Result

TARGET_P95_MS = 200.0
THREADS = 24
PLACES = ["Ulaanbaatar", "Vladivostok", "Khabarovsk", "Dandong", "Amur oblast logging road"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rate", type=float, default=float(os.environ.get("UNSEEN_BENCH_INTAKE_RATE", 200))
    )
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("UNSEEN_BENCH_INTAKE_SECONDS", 60))
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--client", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    return parser.parse_args()


def payload(rng: random.Random, i: int) -> bytes:
    low = rng.randint(5, 60)
    return json.dumps(
        {
            "description": f"Bench sighting {i}: about {low} workers in overalls at a site, speaking Korean.",
            "place": rng.choice(PLACES),
            "country": rng.choice(["MN", "RU", "CN"]),
            "latitude": round(rng.uniform(40, 55), 4),
            "longitude": round(rng.uniform(100, 135), 4),
            "observed_from": "2026-03-01",
            "workers_low": low,
            "workers_high": low + rng.randint(0, 40),
            "work_kind": "construction",
        }
    ).encode()


def client(port: int, rate: float, seconds: float, out: Path) -> None:
    """Second process: post on an open-loop schedule; write statuses and latencies to `out`."""
    total = int(rate * seconds)
    rng = random.Random(7)
    bodies = [payload(rng, i) for i in range(total)]
    latencies: list[float] = [math.nan] * total
    statuses: list[int] = [0] * total
    start = time.perf_counter() + 0.5

    def send(i: int) -> None:
        due = start + i / rate
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(
                "POST", "/api/v1/sightings", bodies[i], {"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            statuses[i] = response.status
            connection.close()
        except OSError:
            statuses[i] = -1
        latencies[i] = (time.perf_counter() - due) * 1000

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, i)
    elapsed = time.perf_counter() - start
    out.write_text(
        json.dumps({"statuses": statuses, "latencies_ms": latencies, "elapsed": elapsed})
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def stored_submissions(database: Database) -> int:
    query = "from unseen.intake.models import Submission; print(Submission.objects.count())"
    run = database.run("count", ["shell", "-v0", "-c", query]).check()
    return int(run.stdout.strip().splitlines()[-1])


def main() -> None:
    args = parse_args()
    if args.client is not None:
        client(args.client, args.rate, args.seconds, args.out)
        return
    result = Result("intake")
    folder = Path(tempfile.mkdtemp(prefix="unseen-bench-intake-"))
    server = None
    try:
        database = Database(folder)
        env = {
            **database.env,
            "UNSEEN_SECURE_COOKIES": "0",
            "UNSEEN_ALLOWED_HOSTS": "127.0.0.1",
            "UNSEEN_INTAKE_RATE_LIMIT": "off",
            # As the README deploys it: each worker keeps its database connection.
            "UNSEEN_DB_CONN_MAX_AGE": "60",
        }
        port = free_port()
        log = (folder / "gunicorn.log").open("wb")
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "unseen.config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ]
        server = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_for_health(port, server)
        out = folder / "client.json"
        print(f"posting {args.rate:g}/s for {args.seconds:g} s from a second process…", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--client",
                str(port),
                "--rate",
                str(args.rate),
                "--seconds",
                str(args.seconds),
                "--out",
                str(out),
            ],
            check=True,
        )
        measured = json.loads(out.read_text())
        statuses, latencies = measured["statuses"], measured["latencies_ms"]
        accepted = sum(1 for s in statuses if s == 202)
        stored = stored_submissions(database)
        result.add(Figure("requests", len(statuses)))
        result.add(Figure("accepted (202)", accepted))
        result.add(Figure("stored rows", stored))
        result.add(Figure("lost (202 without a row)", max(0, accepted - stored), target=1))
        result.add(Figure("not 202", len(statuses) - accepted, target=1))
        result.add(Figure("achieved rate", len(statuses) / measured["elapsed"], "req/s"))
        result.add(Figure("p50", percentile(latencies, 0.50), "ms"))
        result.add(Figure("p95", percentile(latencies, 0.95), "ms", target=TARGET_P95_MS))
        result.add(Figure("p99", percentile(latencies, 0.99), "ms"))
        result.add(Figure("max", max(latencies), "ms"))
        result.details.update(
            {
                "server": " ".join(command[1:])
                + " (sync), UNSEEN_DB_CONN_MAX_AGE=60, UNSEEN_INTAKE_RATE_LIMIT=off",
                "rate": args.rate,
                "seconds": args.seconds,
                "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
                "latency": "from when each request was due (open loop) to its last byte",
            }
        )
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if args.keep:
            print(f"kept {folder}", flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    result.write(args.json)
    if any(figure.passed is False for figure in result.figures):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
