"""Benchmark: the type-ahead pickers' suggestions endpoint at 100,000 records of each kind.

Acceptance (issue 17, item 2): with 100,000 sources, persons, sites and organisations (and an
alias per organisation) loaded, /app/suggest/<kind>/?q= answers in under 50 ms at the 95th
percentile.

Steps, each in its own process:

1. a fresh SQLite database in a temporary UNSEEN_VAR_DIR (`unseen migrate`, `unseen keys init`);
2. this script in `--measure` mode (Django set up in-process): bulk inserts of the records (a
   mix of public, internal and confidential, Korean and English names), a researcher without the
   confidential compartment (so every query filters by access level, the slower path), then N
   requests per kind through Django's test client (the whole middleware stack, no network),
   cycling through queries that match many records, one record, none at all (a full scan: the
   worst case), Korean text, and nothing typed.

    .venv/bin/python benchmarks/bench_suggest.py [--records N] [--requests N] [--json OUT] [--keep]

UNSEEN_BENCH_SUGGEST_RECORDS and UNSEEN_BENCH_SUGGEST_REQUESTS override the defaults.
"""

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_import import Database, expect
from harness import ROOT, Figure, Result

RECORDS = 100_000
REQUESTS = 200  # per kind
WARMUP = 10
TARGET_MS = 50.0
KINDS = ("sources", "persons", "sites", "organisations")
LEVELS, LEVEL_WEIGHTS = ("public", "internal", "confidential"), (5, 4, 1)
KOREAN = ("벌목농장", "건설 현장", "수산물 가공공장", "식당", "무역회사")
ENGLISH = ("logging camp", "construction site", "seafood plant", "restaurant", "trading company")
CITIES = ("Vladivostok", "Dandong", "Ulaanbaatar", "Doha", "Gdansk", "Dubai", "Tynda")


def queries(kind: str, records: int) -> list[str]:
    """What people type: a common word, one record's name, Korean, nothing, and no match."""
    one = records // 2
    return {
        "sources": ["report", f"no. {one})", "벌목", "", "zzzz", "2019"],
        "persons": ["P-0", f"P-{one:05d}", "함경", "", "zzzz", "Hamgyong"],
        "sites": ["camp", f"Site {one} ", "벌목", "", "zzzz", "Tynda"],
        "organisations": ["trading", f"Company {one} ", "무역", "", "zzzz", "Korea"],
    }[kind]


def seed(records: int, rng: random.Random) -> dict[str, int]:
    from django.db import transaction

    from unseen.documentation.inserting import insert_rows
    from unseen.evidence.models import Source
    from unseen.registry.models import Organisation, OrganisationAlias, Person, Site

    def level() -> str:
        return rng.choices(LEVELS, LEVEL_WEIGHTS)[0]

    def topic(number: int) -> str:
        return KOREAN[number % 5] if number % 10 == 0 else ENGLISH[number % 5]

    started = time.perf_counter()
    with transaction.atomic():
        insert_rows(
            Source,
            (
                {
                    "title": f"Report {2000 + n % 26}: {topic(n)} (no. {n})",
                    "kind": "document",
                    "date": f"{2000 + n % 26}-{1 + n % 12:02d}-01",
                    "reliability": "ABCDEF"[n % 6],
                    "url": "",
                    "language": "ko" if n % 10 == 0 else "en",
                    "notes": "",
                    "access_level": level(),
                }
                for n in range(1, records + 1)
            ),
        )
        ids = insert_rows(
            Person,
            (
                {
                    "pseudonym": f"P-{n:05d}",
                    "sex": "mf"[n % 2],
                    "birth_year": 1950 + n % 50,
                    "home_province": "함경북도" if n % 7 == 0 else "North Hamgyong",
                    "source_record_id": "",
                    "notes": "",
                    "access_level": level(),
                }
                for n in range(1, records + 1)
            ),
        )
        expect(ids == list(range(1, records + 1)), "persons took ids other than their pseudonyms'")
        insert_rows(
            Site,
            (
                {
                    "name": f"Site {n} {topic(n)}",
                    "kind": "other",
                    "country": "RU",
                    "city": CITIES[n % len(CITIES)],
                    "notes": "",
                    "access_level": level(),
                }
                for n in range(1, records + 1)
            ),
        )
        organisations = insert_rows(
            Organisation,
            (
                {
                    "name": f"Company {n} {topic(n)}",
                    "kind": "other",
                    "country": "KP",
                    "notes": "",
                    "access_level": level(),
                }
                for n in range(1, records + 1)
            ),
        )
        rows = (
            {"organisation_id": pk, "name": f"{KOREAN[4]} {n}", "script": "Hang"}
            if n % 3 == 0
            else {"organisation_id": pk, "name": f"Korea Company {n}", "script": "Latn"}
            for n, pk in enumerate(organisations, start=1)
        )
        _insert_plain(OrganisationAlias, rows)
    return {"records_per_kind": records, "seed_seconds": round(time.perf_counter() - started, 1)}


def _insert_plain(model, rows) -> None:  # type: ignore[no-untyped-def]
    """Rows of a model that is not a record (no timestamps): one executemany."""
    from django.db import connection

    rows = list(rows)
    columns = list(rows[0])
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608  (our own columns)
            [tuple(row[c] for c in columns) for row in rows],
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def measure(out: Path, records: int, requests: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from unseen.accounts.models import User
    from unseen.accounts.roles import Role

    details = seed(records, random.Random(17))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    researcher = User.objects.create(username="bench-researcher", role=Role.RESEARCHER)
    client = Client()
    client.force_login(researcher)
    timings: dict[str, list[float]] = {}
    hits: dict[str, dict[str, int]] = {}
    for kind in KINDS:
        texts = queries(kind, records)
        for text in texts[:WARMUP]:
            client.get(f"/app/suggest/{kind}/", {"q": text})
        timings[kind], hits[kind] = [], {}
        for number in range(requests):
            text = texts[number % len(texts)]
            start = time.perf_counter()
            response = client.get(f"/app/suggest/{kind}/", {"q": text})
            timings[kind].append((time.perf_counter() - start) * 1000)
            expect(response.status_code == 200, f"{kind} ?q={text} answered {response.status_code}")
            hits[kind][text] = len(response.json()["results"])
        expect(hits[kind]["zzzz"] == 0 and hits[kind][texts[0]] == 10, f"{kind}: {hits[kind]}")
    per_kind = {
        kind: {
            "p50_ms": round(percentile(values, 0.5), 2),
            "p95_ms": round(percentile(values, 0.95), 2),
            "max_ms": round(max(values), 2),
        }
        for kind, values in timings.items()
    }
    everything = [value for values in timings.values() for value in values]
    out.write_text(
        json.dumps(
            {
                **details,
                "per_kind": per_kind,
                "hits": hits,
                "p95_ms": percentile(everything, 0.95),
            }
        )
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--records", type=int, default=int(os.environ.get("UNSEEN_BENCH_SUGGEST_RECORDS", RECORDS))
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=int(os.environ.get("UNSEEN_BENCH_SUGGEST_REQUESTS", REQUESTS)),
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
        measure(args.measure, args.records, args.requests)
        return
    expect(args.records > 0 and args.requests > 0, "--records and --requests must be positive")
    folder = Path(tempfile.mkdtemp(prefix="unseen-bench-suggest-"))
    result = Result("suggest")
    try:
        database = Database(folder)
        figures = folder / "figures.json"
        env = {**database.env, "UNSEEN_REQUIRE_2FA": "false"}
        command = [sys.executable, __file__, "--measure", str(figures)]
        command += ["--records", str(args.records), "--requests", str(args.requests)]
        subprocess.run(command, env=env, cwd=ROOT, check=True)
        measured = json.loads(figures.read_text())
        target = TARGET_MS if args.records == RECORDS else None
        for kind, numbers in measured["per_kind"].items():
            result.add(Figure(f"suggest_{kind}_p95", numbers["p95_ms"], "ms", target))
        result.add(Figure("suggest_p95", measured["p95_ms"], "ms", target))
        result.details.update(measured)
    finally:
        if args.keep:
            print(f"kept {folder}", flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    result.write(args.json)


if __name__ == "__main__":
    main()
