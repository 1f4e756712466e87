"""Benchmark: search latency over a million search entries (issue 17, item 1).

Acceptance: with 1,000,000 entries in the index, a search (hits and facet counts, as the search
page runs it) answers in under 100 ms at the 95th percentile.

Steps, in this process: a fresh SQLite database in a temporary UNSEEN_VAR_DIR (or the PostgreSQL
database that DATABASE_URL names, whose search entries are replaced), `migrate`, a bulk insert of
N synthetic entries straight into the table (the migration's triggers fill the FTS5 index on
SQLite), then each query in QUERIES run R times through `documentation.searching.run` as a
researcher cleared for every level and as an analyst (public and internal only).

    .venv/bin/python benchmarks/bench_search.py [--entries N] [--repeat R] [--json OUT]

UNSEEN_BENCH_SEARCH_ENTRIES and UNSEEN_BENCH_SEARCH_REPEAT override N (default 1,000,000) and R
(default 20). With DATABASE_URL set it runs on that PostgreSQL database: only its
documentation_searchentry rows are deleted and written, but use a scratch database all the same.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, Figure, Result

ENTRIES = 1_000_000
REPEAT = 20
TARGET_MS = 100.0
BATCH = 10_000

KINDS = ("sources", "claims", "testimonies", "persons", "organisations", "sites", "deployments")
COUNTRIES = (
    ("RU", "russia 러시아"),
    ("CN", "china 중국"),
    ("MN", "mongolia 몽골"),
    ("AE", "united arab emirates 아랍에미리트"),
    ("QA", "qatar 카타르"),
    ("PL", "poland 폴란드"),
    ("KW", "kuwait 쿠웨이트"),
    ("VN", "vietnam 베트남"),
)
SECTORS = (
    ("logging", "logging 벌목"),
    ("construction", "construction 건설"),
    ("restaurants", "restaurants and hospitality 식당 및 접객업"),
    ("seafood", "seafood and fishing 수산물 및 어업"),
    ("garment", "garment and textiles 의류 및 섬유"),
    ("it", "it"),
    ("mining", "mining 광업"),
    ("agriculture", "agriculture 농업"),
)
SYLLABLES = "가나다라마바사아자차카타파하벌목농장건설공사현장노동자임금여권감시"
LATIN = ("amur", "tynda", "khabarovsk", "vladivostok", "doha", "ulaanbaatar", "gdansk", "dubai")
QUERIES = (
    "logging russia",
    "벌목 러시아",
    "construction qatar",
    "건설 카타르",
    "khabarovsk",
    "vladivostok 2017",
    "임금 여권",
    "seafood 중국",
    "amur timber camp",
    "벌목장",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--entries", type=int, default=int(os.environ.get("UNSEEN_BENCH_SEARCH_ENTRIES", ENTRIES))
    )
    parser.add_argument(
        "--repeat", type=int, default=int(os.environ.get("UNSEEN_BENCH_SEARCH_REPEAT", REPEAT))
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--var-dir", type=Path, help="SQLite: keep the database here (default: a temporary dir)"
    )
    parser.add_argument(
        "--no-fill", action="store_true", help="search the entries a previous run left"
    )
    return parser.parse_args()


def korean_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def synthetic_rows(count: int, seed: int = 17):
    rng = random.Random(seed)
    levels = ("public",) * 5 + ("internal",) * 4 + ("confidential",)
    for i in range(count):
        kind = rng.choice(KINDS)
        country, country_names = rng.choice(COUNTRIES)
        sector, sector_names = rng.choice(SECTORS)
        year = rng.randint(1990, 2024)
        words = [korean_word(rng) for _ in range(rng.randint(4, 12))]
        words += rng.sample(LATIN, 2)
        body = f"{kind} {i} {' '.join(words)} {country} {country_names} {sector_names} {year}"
        title = f"{kind} {i}: {' '.join(words[:3])}"
        yield (
            kind,
            i,
            rng.choice(levels),
            title,
            body,
            country,
            f"|{sector}|",
            year,
            "ABCDEF"[i % 6],
        )


PG_INDEXES = {
    "searchentry_body_trgm": "CREATE INDEX searchentry_body_trgm ON documentation_searchentry "
    "USING gin (body gin_trgm_ops)",
    "searchentry_tokens_gin": "CREATE INDEX searchentry_tokens_gin ON documentation_searchentry "
    "USING gin (to_tsvector('simple', tokens))",
}
COLUMNS = "kind, object_id, access_level, title, body, tokens, country, sectors, year, grade"


def fill(count: int) -> float:
    """Write `count` entries in one transaction: COPY on PostgreSQL with the text indexes made
    after the load (one sorted build beats a million GIN insertions); on SQLite one executemany
    per batch, the triggers filling both FTS5 tables."""
    from django.db import connection, transaction

    from unseen.core import bigrams

    started = time.perf_counter()

    def progress(done: int) -> None:
        if done % 100_000 == 0:
            print(f"  {done:,} entries ({time.perf_counter() - started:.0f} s)", flush=True)

    def rows():
        for row in synthetic_rows(count):
            yield (*row[:5], " ".join(bigrams.tokens(row[4])), *row[5:])

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM documentation_searchentry")
        if connection.vendor == "postgresql":
            for name in PG_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
            with cursor.cursor.copy(
                f"COPY documentation_searchentry ({COLUMNS}) FROM STDIN"
            ) as copy:
                for done, row in enumerate(rows(), 1):
                    copy.write_row(row)
                    progress(done)
            print(f"  indexing ({time.perf_counter() - started:.0f} s)", flush=True)
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for statement in PG_INDEXES.values():
                cursor.execute(statement)
        else:
            sql = (
                f"INSERT INTO documentation_searchentry ({COLUMNS}) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            )
            source = rows()
            done = 0
            while done < count:
                batch = [row for _, row in zip(range(BATCH), source, strict=False)]
                cursor.executemany(sql, batch)
                done += len(batch)
                progress(done)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    return time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    postgres = bool(os.environ.get("DATABASE_URL"))
    if not postgres:
        os.environ["UNSEEN_VAR_DIR"] = str(
            args.var_dir or tempfile.mkdtemp(prefix="unseen-bench-search-")
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from unseen.accounts.models import User
    from unseen.accounts.roles import Role
    from unseen.documentation import searching

    database = "postgresql" if postgres else "sqlite"
    result = Result("search")
    call_command("migrate", verbosity=0)
    if not args.no_fill:
        print(f"filling {args.entries:,} search entries on {database}…", flush=True)
        seconds = fill(args.entries)
        result.add(Figure(f"{database}: insert {args.entries:,} entries", seconds, "s"))
    readers = {
        "researcher": User(username="bench-r", role=Role.RESEARCHER, confidential_access=True),
        "analyst": User(username="bench-a", role=Role.ANALYST),
    }
    all_times: list[float] = []
    details = {}
    for q in QUERIES:
        for name, user in readers.items():
            query = searching.parse({"q": q})
            searching.run(query, user)  # warm
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                results = searching.run(query, user)
                times.append((time.perf_counter() - start) * 1000)
            all_times += times
            details[f"{q} / {name}"] = {
                "p50_ms": statistics.median(times),
                "p95_ms": percentile(times, 0.95),
                "hits": results.total,
                "capped": results.capped,
            }
            print(
                f"  {q!r:24} {name:10} p50 {statistics.median(times):7.1f} ms  "
                f"p95 {percentile(times, 0.95):7.1f} ms  {results.total:>7,}{'+' if results.capped else ' '} matches",
                flush=True,
            )
    result.add(
        Figure(
            f"{database}: search p95 at {args.entries:,} entries",
            percentile(all_times, 0.95),
            "ms",
            TARGET_MS,
        )
    )
    result.add(Figure(f"{database}: search p50", statistics.median(all_times), "ms"))
    result.details.update(details)
    result.write(args.json)


if __name__ == "__main__":
    main()
