"""Benchmark: the JSON API's list endpoints at 100,000 deployments, and a bulk create of 10,000.

Acceptance (issue 24): with 100,000 deployments (and 20,000 sources) loaded, the list endpoints
answer in under 100 ms at the 95th percentile; a bulk create of 10,000 deployments
(`POST /api/v1/deployments/bulk/`, one request, all or nothing, a revision per record) takes under
20 s.

In one process on a fresh SQLite database in a temporary UNSEEN_VAR_DIR (migrated here): the
records are inserted in bulk, an analyst and a researcher get API tokens, and every request goes
through the whole Django stack (middleware, token check, ninja, the pages' querysets) with
Django's test client — no network and no WSGI server, so the figures are the server's own time.

    .venv/bin/python benchmarks/bench_api.py [--deployments N] [--requests N] [--bulk N] [--json OUT]

After seeding the database is ANALYZEd, as `unseen import` does after a large import
(UNSEEN_BENCH_API_NO_ANALYZE=1 skips it: SQLite then picks the access-level index and sorts).
UNSEEN_BENCH_PROFILE=1 prints a cProfile of one list request and of the bulk create.
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import tempfile
import time
from pathlib import Path

from harness import Figure, Result

DEPLOYMENTS = 100_000
SOURCES = 20_000
BULK = 10_000
REQUESTS = 200
WARMUP = 5
LIST_TARGET_MS = 100.0  # issue 24: list endpoints p95 under 100 ms
BULK_TARGET_SECONDS = 20.0  # issue 24: a bulk create of 10,000 deployments under 20 s
COUNTRIES = ("RU", "CN", "MN", "QA", "PL", "AE", "KW")
SECTORS = ("construction", "logging", "seafood", "restaurant")
URLS = (
    "/api/v1/deployments/",
    "/api/v1/deployments/?limit=200",
    "/api/v1/deployments/?country=RU&access_level=public",
    "/api/v1/deployments/?sector=construction",
    "/api/v1/sources/",
    "/api/v1/sources/?limit=200",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deployments", type=int, default=DEPLOYMENTS)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--bulk", type=int, default=BULK)
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    return parser.parse_args()


def seed(deployments: int, rng: random.Random) -> None:
    from unseen.documentation.models import Deployment
    from unseen.evidence.models import Source

    Source.objects.bulk_create(
        (
            Source(
                title=f"Report {n}",
                kind="document",
                access_level=rng.choice(("public", "internal")),
            )
            for n in range(SOURCES)
        ),
        batch_size=2000,
    )
    Deployment.objects.bulk_create(
        (
            Deployment(
                host_country=rng.choice(COUNTRIES),
                sector=rng.choice(SECTORS),
                workers_low=10,
                workers_high=20,
                period_start=dt.date(rng.randint(2005, 2024), 1, 1),
                period_start_precision="year",
                access_level=rng.choice(("public", "internal")),
            )
            for _ in range(deployments)
        ),
        batch_size=2000,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    args = parse_args()
    result = Result("api")
    rng = random.Random(24)
    with tempfile.TemporaryDirectory(prefix="unseen-bench-api-") as folder:
        os.environ["UNSEEN_VAR_DIR"] = str(Path(folder) / "var")
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from unseen.accounts import tokens
        from unseen.accounts.models import User
        from unseen.documentation.models import Deployment
        from unseen.registry.keys import init_keys

        init_keys()
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        seed(args.deployments, rng)
        if not os.environ.get("UNSEEN_BENCH_API_NO_ANALYZE"):
            # As `unseen import` does after a large import: without the statistics SQLite lists
            # by the access-level index and sorts every row (the list's p95 is then ~10x).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        result.details["seed_seconds"] = round(time.perf_counter() - start, 2)
        User.objects.create(username="bench-analyst", role="analyst")
        User.objects.create(username="bench-researcher", role="researcher")
        reader = tokens.create("bench-analyst", by="bench", scopes=["read"]).token
        writer = tokens.create("bench-researcher", by="bench", scopes=["read", "write"]).token
        client = Client(HTTP_HOST="localhost")
        read_auth = {"HTTP_AUTHORIZATION": f"Token {reader}"}

        worst = 0.0
        per_url: dict[str, dict[str, float]] = {}
        for url in URLS:
            for _ in range(WARMUP):
                answer = client.get(url, **read_auth)
                assert answer.status_code == 200, (url, answer.status_code, answer.content[:300])
            assert answer.json()["results"], url
            times = []
            for _ in range(args.requests):
                start = time.perf_counter()
                answer = client.get(url, **read_auth)
                times.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 200
            p95 = percentile(times, 0.95)
            per_url[url] = {"p50_ms": round(percentile(times, 0.5), 2), "p95_ms": round(p95, 2)}
            print(f"  {url}: p50 {per_url[url]['p50_ms']} ms, p95 {p95:.2f} ms", flush=True)
            worst = max(worst, p95)
        result.details["urls"] = per_url
        if os.environ.get("UNSEEN_BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(client.get, URLS[0], **read_auth)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        full = args.deployments == DEPLOYMENTS
        result.add(
            Figure(
                f"API list endpoints at {args.deployments:,} deployments, worst p95 (ms)",
                worst,
                "ms",
                LIST_TARGET_MS if full else None,
            )
        )

        items = [
            {
                "host_country": rng.choice(COUNTRIES),
                "sector": rng.choice(SECTORS),
                "workers_low": 5 + n % 50,
                "workers_high": 60 + n % 50,
                "period_start": str(2010 + n % 15),
                "access_level": "internal",
            }
            for n in range(args.bulk)
        ]
        body = json.dumps({"items": items})
        before = Deployment.objects.count()
        write_auth = {"HTTP_AUTHORIZATION": f"Token {writer}"}

        def post() -> object:
            return client.post(
                "/api/v1/deployments/bulk/", body, content_type="application/json", **write_auth
            )

        start = time.perf_counter()
        if os.environ.get("UNSEEN_BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            answer = profile.runcall(post)
            seconds = time.perf_counter() - start
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
            pstats.Stats(profile).sort_stats("tottime").print_stats(20)
        else:
            answer = post()
            seconds = time.perf_counter() - start
        assert answer.status_code == 201, answer.content[:500]  # type: ignore[attr-defined]
        assert Deployment.objects.count() - before == args.bulk
        assert Deployment.history.count() >= args.bulk
        result.add(
            Figure(
                f"API bulk create of {args.bulk:,} deployments (s)",
                seconds,
                "s",
                BULK_TARGET_SECONDS if args.bulk == BULK else None,
            )
        )
        result.write(args.json)


if __name__ == "__main__":
    main()
