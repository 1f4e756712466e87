"""Benchmark: list, filter and search pages and the map's data endpoints, served by gunicorn.

Acceptance (issue 3): with 100,000 deployments, 20,000 sources and 2,000 testimonies loaded, list,
filter and search pages and the map's data endpoint answer in under 100 ms at the 95th percentile
(server started as deployed, requests from a second process on loopback).

Steps, each in its own process:

1. a fresh SQLite database in a temporary UNSEEN_VAR_DIR: `unseen migrate`; `unseen import` of
   generated CSVs: 100,000 deployments (public and internal), ~17,800 sources (some with Korean
   titles), sites and sightings with coordinates; then this script in `--seed` mode (Django set
   up in-process, bulk inserts) adds 2,000 interview sources with their testimonies (Korean and
   English summaries), 22,000 indicator codings, a researcher and a session for them;
2. `gunicorn unseen.config.wsgi:application --workers 2 --bind 127.0.0.1:PORT`, until /healthz;
3. this script in `--client` mode: warm-up, then N sequential requests per URL over one
   keep-alive-capable connection (http.client), timing each request to its last body byte.

    .venv/bin/python benchmarks/bench_browse.py [--requests N] [--json OUT] [--keep] [--explain]

`--explain` also runs every URL once in-process (Django test client), times each SQL query the
page runs and prints the query plan (EXPLAIN QUERY PLAN) of the slow ones.
UNSEEN_BENCH_BROWSE_REQUESTS overrides N (default 200), UNSEEN_BENCH_BROWSE_DEPLOYMENTS the size;
UNSEEN_BENCH_BROWSE_KEEP=1 and UNSEEN_BENCH_BROWSE_EXPLAIN=1 do what --keep and --explain do.
"""

import argparse
import csv
import http.client
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench_import import DISTINCT_SOURCES, Database, expect
from bench_import import generate as generate_deployments
from harness import ROOT, Figure, Result, Run, run_timed

DEPLOYMENTS = 100_000
SOURCES = 20_000
TESTIMONIES = 2_000
SITES = 400
SIGHTINGS = 300
SITE_SOURCES, SIGHTING_SOURCES = 40, 25  # sources the site and sighting rows cite
TARGET_MS = 100.0  # issue 3: p95 under 100 ms
DEFAULT_REQUESTS = 200
WARMUP = 10  # per URL, before timing
CAP_SECONDS = 120.0  # per URL: stop early (and say so) rather than run for an hour

# (path, text the body must contain: proves the page found something, not an empty page or login;
# no page may say "Nothing matches.")
LISTED = '<table class="records">'
URLS: list[tuple[str, str]] = [
    ("/app/deployments/", LISTED),
    ("/app/deployments/?country=RU&year=2017", LISTED),
    ("/app/deployments/?sector=construction&source_kind=document", LISTED),
    ("/app/deployments/?q=logging", LISTED),
    ("/app/search/?q=벌목", "벌목농장"),
    ("/app/search/?q=logging", "logging"),
    ("/app/sources/?q=벌목", "벌목농장"),
    ("/app/testimonies/?q=벌목", LISTED),
    ("/app/map/data.json", '"countries"'),
    ("/map/data.json", '"countries"'),
]

ACCESS_LEVELS, ACCESS_WEIGHTS = ("public", "internal"), (6, 4)
SOURCE_KINDS = ("document", "media_report", "official_statistic", "public_report", "dataset")
KOREAN_OUTLETS = ("연합뉴스", "데일리NK", "자유아시아방송", "통일부", "NK지식인연대")
KOREAN_TOPICS = (
    "러시아 아무르주 벌목농장 노동자 증언",
    "하바롭스크 벌목농장 임금 미지급",
    "중국 단둥 수산물 가공공장 파견 노동자",
    "카타르 건설 현장 북한 노동자",
    "몽골 울란바토르 건설 노동자 송출",
)
ENGLISH_TOPICS = (
    "workers at construction sites",
    "dispatched labourers, wages withheld",
    "seafood plant, dormitory inspection",
    "logging camp, regional statistics",
    "restaurant staff, visa records",
)
PLACES = {  # country: (city, latitude, longitude)
    "RU": ("Vladivostok", 43.12, 131.89),
    "CN": ("Dandong", 40.12, 124.39),
    "MN": ("Ulaanbaatar", 47.89, 106.91),
    "QA": ("Doha", 25.29, 51.53),
    "PL": ("Gdansk", 54.35, 18.65),
    "AE": ("Dubai", 25.20, 55.27),
    "KW": ("Kuwait City", 29.37, 47.98),
}
SITE_KINDS = ("construction_site", "logging_camp", "dormitory", "factory", "restaurant", "fishery")
PRECISIONS = ("exact", "neighbourhood", "city", "region", "")


# --- data -------------------------------------------------------------------------------------


def write_deployments(path: Path, rows: int, rng: random.Random) -> dict[str, int]:
    """bench_import's realistic deployment rows, plus an access_level column (public/internal)."""
    plain = path.with_suffix(".plain.csv")
    facts = generate_deployments(plain, rows, seed=rng.randrange(1 << 30))
    levels: dict[str, int] = {}
    with plain.open(newline="", encoding="utf-8") as source, path.open("w", newline="") as out:
        reader, writer = csv.reader(source), csv.writer(out)
        writer.writerow([*next(reader), "access_level"])
        for row, level in zip(
            reader, rng.choices(ACCESS_LEVELS, ACCESS_WEIGHTS, k=rows), strict=True
        ):
            levels[level] = levels.get(level, 0) + 1
            writer.writerow([*row, level])
    plain.unlink()
    return {**facts, **{f"access_{level}": count for level, count in levels.items()}}


def write_sources(path: Path, rows: int, rng: random.Random) -> dict[str, int]:
    """Sources of several kinds; one in ten Korean, most of those about a 벌목농장 (logging camp)."""
    korean = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        columns = ["title", "kind", "date", "language", "reliability", "url", "notes"]
        writer.writerow([*columns, "access_level"])
        for number in range(1, rows + 1):
            date = f"{rng.randint(2000, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            if rng.random() < 0.1:
                korean += 1
                title = f"{rng.choice(KOREAN_OUTLETS)} {date}: {rng.choice(KOREAN_TOPICS)}"
                language, notes = "ko", "현지 취재"
            else:
                title = f"Report {date}: {rng.choice(ENGLISH_TOPICS)}"
                language, notes = "en", ""
            writer.writerow(
                [
                    f"{title} (no. {number})",
                    rng.choice(SOURCE_KINDS),
                    date,
                    language,
                    rng.choice("ABCDEF"),
                    f"https://example.org/reports/{number}" if rng.random() < 0.5 else "",
                    notes,
                    rng.choices(("public", "internal", "confidential"), (5, 4, 1))[0],
                ]
            )
    return {"rows": rows, "korean_titles": korean}


def write_sites(path: Path, rows: int, rng: random.Random) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                *("name", "kind", "country", "latitude", "longitude", "coordinate_precision"),
                *("city", "source", "access_level"),
            ]
        )
        for number in range(1, rows + 1):
            country = rng.choice(list(PLACES))
            city, latitude, longitude = PLACES[country]
            writer.writerow(
                [
                    f"Site {number} near {city}",
                    rng.choice(SITE_KINDS),
                    country,
                    round(latitude + rng.uniform(-2, 2), 4),
                    round(longitude + rng.uniform(-2, 2), 4),
                    rng.choice(PRECISIONS),
                    city,
                    f"Site register {number % SITE_SOURCES}",
                    rng.choices(ACCESS_LEVELS, ACCESS_WEIGHTS)[0],
                ]
            )


def write_sightings(path: Path, rows: int, rng: random.Random) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                *(
                    "description",
                    "place",
                    "country",
                    "latitude",
                    "longitude",
                    "coordinate_precision",
                ),
                *("observed_from", "observed_to", "workers_low", "workers_high", "work_kind"),
                *("source", "access_level"),
            ]
        )
        for number in range(1, rows + 1):
            country = rng.choice(list(PLACES))
            city, latitude, longitude = PLACES[country]
            year = rng.randint(2010, 2024)
            low = rng.randint(5, 80)
            writer.writerow(
                [
                    f"Group of workers seen near {city} (sighting {number})",
                    city,
                    country,
                    round(latitude + rng.uniform(-1, 1), 4),
                    round(longitude + rng.uniform(-1, 1), 4),
                    rng.choice(PRECISIONS),
                    f"{year}-{rng.randint(1, 6):02d}",
                    f"{year}-{rng.randint(7, 12):02d}",
                    low,
                    low + rng.randint(0, 40),
                    rng.choice(("construction", "logging", "fishing", "")),
                    f"Sighting report {number % SIGHTING_SOURCES}",
                    rng.choices(ACCESS_LEVELS, ACCESS_WEIGHTS)[0],
                ]
            )


# --- in-process modes (Django set up in this process) ------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
    import django

    django.setup()


def seed(out: Path, testimonies: int, seed_value: int) -> None:
    """Testimonies with their interview sources, claims and codings; a researcher and a session."""
    _django()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction

    from unseen.accounts.models import User
    from unseen.documentation.inserting import insert_rows
    from unseen.documentation.models import Finding, Indicator, IndicatorCoding, Testimony
    from unseen.evidence.models import Claim, Source

    rng = random.Random(seed_value)
    korean = (
        "아무르주 벌목농장에서 3년간 일했다. 임금은 대부분 국가 계획분으로 떼였다.",
        "연해주 벌목농장 파견. 여권은 도착하자마자 간부가 가져갔다.",
        "하바롭스크 벌목농장과 건설 현장을 오가며 하루 14시간 일했다.",
    )
    english = (
        "Worked at a logging camp in Amur for three years; most wages went to the state plan.",
        "Sent to a logging site near Tynda; the passport was taken on arrival.",
        "Construction work in Vladivostok, twelve to fourteen hours a day.",
    )
    sources, stories = [], []
    for number in range(1, testimonies + 1):
        in_korean = number % 2 == 0
        year = rng.randint(2012, 2024)
        level = rng.choices(("public", "internal", "confidential"), (2, 6, 2))[0]
        sources.append(
            {
                "title": f"Interview {number:05d}" + (" (한국어 면담)" if in_korean else ""),
                "kind": "interview",
                "language": "ko" if in_korean else "en",
                "reliability": rng.choice("BCD"),
                "url": "",
                "notes": "",
                "date": f"{year}-{rng.randint(1, 12):02d}-01",
                "date_precision": "month",
                "access_level": level,
            }
        )
        stories.append((year, level, rng.choice(korean if in_korean else english), in_korean))
    with transaction.atomic():
        source_ids = insert_rows(Source, sources)
        testimony_ids = insert_rows(
            Testimony,
            [
                {
                    "source_id": source_id,
                    "interview_date": f"{year}-{rng.randint(1, 12):02d}-15",
                    "interview_date_precision": "day",
                    "interview_language": "ko" if in_korean else "en",
                    "interview_country": "KR",
                    "interviewer_code": f"I{rng.randint(1, 30):02d}",
                    "summary": summary,
                    "access_level": level,
                }
                for source_id, (year, level, summary, in_korean) in zip(
                    source_ids, stories, strict=True
                )
            ],
        )
        insert_rows(
            IndicatorCoding,
            [
                {
                    "testimony_id": testimony_id,
                    "indicator": indicator,
                    "finding": rng.choices(Finding.values, (4, 3, 3))[0],
                    "note": "",
                }
                for testimony_id in testimony_ids
                for indicator in Indicator.values
            ],
        )
        content_type = ContentType.objects.get_for_model(Testimony).pk
        insert_rows(
            Claim,
            [
                {
                    "source_id": source_id,
                    "credibility": 3,
                    "statement": "as told in the interview",
                    "field": "",
                    "content_type_id": content_type,
                    "object_id": testimony_id,
                }
                for source_id, testimony_id in zip(source_ids, testimony_ids, strict=True)
            ],
        )
        user = User(username="bench-researcher", role="researcher", confidential_access=True)
        user.set_unusable_password()
        user.save()
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # Staff sign in with a second factor where the README deploys; the benchmark's session is
    # one that has passed it, as a real researcher's would have.
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    out.touch(mode=0o600)
    out.write_text(json.dumps({"session": session.session_key}))


def explain(out: Path, paths: list[str]) -> None:
    """Run each page once in-process; time every query it runs and keep the plans of slow ones."""
    _django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from unseen.accounts.models import User

    researcher = User.objects.get(username="bench-researcher")
    client = Client()
    client.force_login(researcher)
    session = client.session  # the same second-factor state as the served session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=researcher).persistent_id
    session.save()
    report = {}
    for path in paths:
        client.get(path)  # warm caches (content types, country outlines)
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(path)
            page_ms = (time.perf_counter() - start) * 1000
        queries = []
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    queries.append({"sql": sql[:300], "ms": float(query["time"]) * 1000})
                    continue
                best = math.inf
                for _ in range(3):
                    start = time.perf_counter()
                    cursor.execute(sql)
                    cursor.fetchall()
                    best = min(best, (time.perf_counter() - start) * 1000)
                entry: dict[str, Any] = {"sql": sql, "ms": round(best, 2)}
                if best >= 5:
                    cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                    entry["plan"] = [row[-1] for row in cursor.fetchall()]
                queries.append(entry)
        sql_ms = sum(q["ms"] for q in queries)
        report[path] = {
            "status": response.status_code,
            "page_ms": round(page_ms, 1),
            "sql_ms": round(sql_ms, 1),
            "queries": queries,
        }
        print(
            f"\n{path}: {response.status_code}, {page_ms:.1f} ms in-process, "
            f"{len(queries)} queries, {sql_ms:.1f} ms of SQL",
            flush=True,
        )
        for query in sorted(queries, key=lambda q: -q["ms"])[:4]:
            if query["ms"] < 2:
                break
            print(f"  {query['ms']:8.1f} ms  {query['sql'][:400]}")
            for line in query.get("plan", []):
                print(f"               plan: {line}")
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))


# --- the client (a second process) ------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def client(config_path: Path, out: Path) -> None:
    """Sequential GETs with a session cookie; per URL: warm-up, then timed requests."""
    config = json.loads(config_path.read_text())
    connection = http.client.HTTPConnection("127.0.0.1", config["port"], timeout=60)
    headers = {"Cookie": f"sessionid={config['session']}", "Connection": "keep-alive"}

    def get(path: str) -> tuple[int, bytes]:
        try:
            connection.request("GET", urllib.parse.quote(path, safe="/?=&"), headers=headers)
            response = connection.getresponse()
        except (http.client.HTTPException, OSError):
            connection.close()  # the server closed the connection: open a new one, once
            connection.request("GET", urllib.parse.quote(path, safe="/?=&"), headers=headers)
            response = connection.getresponse()
        body = response.read()
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
        return response.status, body

    results = {}
    for path, must_contain in config["urls"]:
        status, body = get(path)
        text = body.decode("utf-8", errors="replace")
        problem = None
        if status != 200:
            problem = f"HTTP {status}"
        elif must_contain not in text:
            problem = f"answer lacks {must_contain!r}"
        elif "Nothing matches." in text:
            problem = "nothing found"
        for _ in range(config["warmup"]):
            get(path)
        latencies: list[float] = []
        started = time.perf_counter()
        for _ in range(config["requests"]):
            start = time.perf_counter()
            status, body = get(path)
            latencies.append((time.perf_counter() - start) * 1000)
            if status != 200:
                problem = f"HTTP {status} during the run"
            if time.perf_counter() - started > config["cap_seconds"]:
                break
        results[path] = {
            "requests": len(latencies),
            "p50_ms": round(percentile(latencies, 0.50), 2),
            "p95_ms": round(percentile(latencies, 0.95), 2),
            "max_ms": round(max(latencies), 2),
            "mean_ms": round(sum(latencies) / len(latencies), 2),
            "bytes": len(body),
            "problem": problem,
        }
        line = results[path]
        print(
            f"  {path}: p50 {line['p50_ms']:.1f}  p95 {line['p95_ms']:.1f}  "
            f"max {line['max_ms']:.1f} ms  ({line['requests']} requests, {len(body):,} bytes)"
            + (f"  PROBLEM: {problem}" if problem else ""),
            flush=True,
        )
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))


# --- orchestration ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_health(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench_browse: gunicorn exited {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("bench_browse: /healthz did not answer 200 in time")


def load(database: Database, folder: Path, deployments: int, seed_value: int) -> dict[str, Any]:
    rng = random.Random(seed_value)
    details: dict[str, Any] = {}
    files = {kind: folder / f"{kind}.csv" for kind in ("deployments", "sources", "sites")}
    files["sightings"] = folder / "sightings.csv"
    details["deployments_file"] = write_deployments(files["deployments"], deployments, rng)
    # Deployments, sites and sightings bring sources of their own, the testimonies one each.
    imported = SOURCES - DISTINCT_SOURCES - SITE_SOURCES - SIGHTING_SOURCES - TESTIMONIES
    details["sources_file"] = write_sources(files["sources"], imported, rng)
    write_sites(files["sites"], SITES, rng)
    write_sightings(files["sightings"], SIGHTINGS, rng)
    seconds = {}
    for kind, path in files.items():
        run = database.run(f"import-{kind}", ["import", str(path), "--kind", kind]).check()
        seconds[kind] = round(run.seconds, 2)
        print(f"imported {kind} in {run.seconds:.1f} s", flush=True)
    session_file = folder / "session.json"
    run = run_self(database, "seed", ["--seed", str(session_file), "--seed-value", "7"]).check()
    seconds["testimonies"] = round(run.seconds, 2)
    details["load_seconds"] = seconds
    details["session_file"] = str(session_file)
    return details


def run_self(database: Database, label: str, args: list[str]) -> Run:
    """This script in one of its in-process modes, against `database`."""
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    return run_timed(command, database.env, ROOT, database.folder / "logs" / label)


def counts(database: Database) -> dict[str, int]:
    query = (
        "import json; from unseen.documentation.models import Deployment, Testimony, "
        "IndicatorCoding, Sighting; from unseen.evidence.models import Claim, Source; "
        "from unseen.registry.models import Site; "
        "print(json.dumps({m.__name__: m.objects.count() for m in "
        "(Deployment, Source, Testimony, IndicatorCoding, Claim, Site, Sighting)}))"
    )
    run = database.run("counts", ["shell", "-v0", "-c", query]).check()
    return json.loads(run.stdout.strip().splitlines()[-1])


def serve(database: Database, folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **database.env,
        "UNSEEN_SECURE_COOKIES": "0",
        "UNSEEN_ALLOWED_HOSTS": "127.0.0.1",
        # As the README deploys (its TLS-proxy setting aside: the benchmark speaks plain http).
        "UNSEEN_DB_CONN_MAX_AGE": "60",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = (folder / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "unseen.config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_health(port, server)
    return server, port


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests",
        type=int,
        default=int(os.environ.get("UNSEEN_BENCH_BROWSE_REQUESTS", DEFAULT_REQUESTS)),
    )
    parser.add_argument(
        "--deployments",
        type=int,
        default=int(os.environ.get("UNSEEN_BENCH_BROWSE_DEPLOYMENTS", DEPLOYMENTS)),
    )
    parser.add_argument("--seed-value", type=int, default=1718)
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    parser.add_argument(
        "--keep",
        action="store_true",
        default=bool(os.environ.get("UNSEEN_BENCH_BROWSE_KEEP")),
        help="keep the temporary folder (or UNSEEN_BENCH_BROWSE_KEEP=1)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        default=bool(os.environ.get("UNSEEN_BENCH_BROWSE_EXPLAIN")),
        help="also time each page's SQL (or UNSEEN_BENCH_BROWSE_EXPLAIN=1)",
    )
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)  # internal modes
    parser.add_argument("--client", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--explain-into", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.seed:
        return seed(args.seed, TESTIMONIES, args.seed_value)
    if args.client:
        return client(*args.client)
    if args.explain_into:
        return explain(args.explain_into, [path for path, _text in URLS])

    folder = Path(tempfile.mkdtemp(prefix="unseen-bench-browse-"))
    result = Result("browse")
    server = None
    try:
        database = Database(folder / "db")
        result.details.update(load(database, folder, args.deployments, args.seed_value))
        result.details["counts"] = found = counts(database)
        expect(found["Deployment"] == args.deployments, f"deployments: {found}")
        expect(found["Source"] == SOURCES, f"expected {SOURCES:,} sources: {found}")
        expect(found["Testimony"] == TESTIMONIES, f"testimonies: {found}")
        print(f"loaded {found}", flush=True)

        server, port = serve(database, folder)
        session = json.loads(Path(result.details.pop("session_file")).read_text())["session"]
        config = folder / "client.json"
        config.touch(mode=0o600)
        config.write_text(
            json.dumps(
                {
                    "port": port,
                    "session": session,
                    "urls": URLS,
                    "requests": args.requests,
                    "warmup": WARMUP,
                    "cap_seconds": CAP_SECONDS,
                }
            )
        )
        measured = folder / "client-result.json"
        # Other processes on the machine inflate every figure: record how busy it was.
        result.details["load_average_before"] = os.getloadavg()
        print(f"gunicorn, 2 workers; {args.requests} sequential requests per URL:", flush=True)
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--client", str(config), str(measured)],
            cwd=ROOT,
            check=True,
        )
        result.details["load_average_after"] = os.getloadavg()
        figures = json.loads(measured.read_text())
        full_size = args.deployments == DEPLOYMENTS
        for path, _text in URLS:
            line = figures[path]
            target = TARGET_MS if full_size else None
            result.add(Figure(f"p95 {path} (ms)", line["p95_ms"], "ms", target))
            result.add(Figure(f"p50 {path} (ms)", line["p50_ms"], "ms"))
            result.add(Figure(f"max {path} (ms)", line["max_ms"], "ms"))
        result.details["urls"] = figures
        result.details["server"] = "gunicorn unseen.config.wsgi:application --workers 2 (sync)"
        problems = {path: line["problem"] for path, line in figures.items() if line["problem"]}
        if args.explain:
            plans = folder / "explain.json"
            explained = run_self(database, "explain", ["--explain-into", str(plans)]).check()
            print(explained.stdout, flush=True)
            result.details["explain"] = {
                path: {key: value for key, value in entry.items() if key != "queries"}
                | {"slowest": sorted(entry["queries"], key=lambda q: -q["ms"])[:3]}
                for path, entry in json.loads(plans.read_text()).items()
            }
        expect(not problems, f"some pages did not answer as expected: {problems}")
    except BaseException:
        print(f"bench_browse failed; its files and logs are in {folder}", file=sys.stderr)
        args.keep = True
        raise
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        result.write(args.json)
    if args.keep:
        print(f"kept {folder}", file=sys.stderr)
    else:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
