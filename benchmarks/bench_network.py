"""Benchmark: the network graph's data for a 10,000-node, 30,000-edge neighbourhood, and 5,000
nodes laid out and interactive in a browser (issue 20).

Acceptance: `/app/network/data/` answers a neighbourhood of 10,000 nodes and 30,000 edges in under
500 ms at the 95th percentile, served by gunicorn to an analyst (levels filtered, as for most
readers); and the page draws a 5,000-node neighbourhood and handles a click on it, timed with
Playwright driving Debian's chromium.

Steps, each in its own process:

1. a fresh SQLite database in a temporary UNSEEN_VAR_DIR (`unseen migrate`, `unseen keys init`),
   then this script in `--seed` mode (Django in-process, bulk inserts): two separate synthetic
   components, each around a hub organisation and reached from it within six links (so that
   `focus=<hub>&depth=6` is exactly the component):
   - 10,000 nodes: 6,000 organisations, 580 public figures, 400 persons, 3,000 sites and 20 host
     countries; 30,000 edges: 21,000 relations (parent, ownership, directorship, employment,
     contracts; dated to the year, some open) and 3,000 deployments, each deriving a dispatch,
     an employer→site and a site→country edge;
   - 5,000 nodes (half of each, in 10 other countries) and 15,000 edges, for the browser;
   with one to three claims per relation and two per deployment from 2,000 sources, an analyst
   and a session for them;
2. `gunicorn unseen.config.wsgi:application --workers 2`, until /healthz (second factor off: the
   benchmark's session is the analyst's, signed in);
3. N sequential GETs of the data (after a warm-up) over one keep-alive connection, timing each to
   its last byte: p50 and p95; the whole-graph request (no focus: 15,000 nodes, cut to the
   10,000 most connected) is reported beside it;
4. Playwright: the page focused on the small component's hub; time from navigation to
   `window.unseenNetwork.ready` (fetched, drawn and laid out), and from a click on the hub to its
   details shown.

    .venv/bin/python benchmarks/bench_network.py [--requests N] [--json OUT] [--keep] [--no-browser]

UNSEEN_BENCH_NETWORK_REQUESTS overrides N (default 30); UNSEEN_BENCH_NETWORK_SCALE (default 1)
scales both components (0.1 for a quick run; targets then still apply).
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_browse import free_port, percentile, wait_for_health
from bench_import import Database, expect
from harness import ROOT, Figure, Result, Run, run_timed

TARGET_MS = 500.0  # issue 20: a 10,000-node / 30,000-edge neighbourhood under 500 ms
# The issue names no figure for the browser; these are ours. Ready: 5,000 nodes fetched, drawn
# and placed within ten seconds; interactive: a click answered within a second, the limit for
# keeping a reader's train of thought (Nielsen's response-time limits).
READY_TARGET_S = 10.0
CLICK_TARGET_MS = 1000.0
DEFAULT_REQUESTS = 30
WARMUP = 4  # each of gunicorn's two workers prepares the graph once
SOURCES = 2_000
LARGE_COUNTRIES = ("RU", "CN", "MN", "QA", "AE", "KW", "PL", "MY", "VN", "LA", "KH", "TH", "ID",
                   "NG", "AO", "GQ", "SN", "OM", "BH", "JO")  # fmt: skip
SMALL_COUNTRIES = ("MM", "NP", "BD", "LK", "UZ", "KZ", "KG", "TJ", "TM", "AZ")


def component_sizes(scale: float, half: bool) -> dict[str, int]:
    """Counts of one component; nodes and edges come out at 10,000 and 30,000 (scale 1)."""
    factor = scale / 2 if half else scale
    return {
        "organisations": round(6_000 * factor),
        "figures": round(580 * factor),
        "persons": round(400 * factor),
        "sites": round(3_000 * factor),
        "relations": round(21_000 * factor),
    }


# --- seeding (in-process, --seed) --------------------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
    import django

    django.setup()


def seed(out: Path, scale: float) -> None:
    _django()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction

    from unseen.accounts.models import User
    from unseen.evidence.models import Source

    rng = random.Random(20)
    with transaction.atomic():
        Source.objects.bulk_create(
            Source(
                title=f"Report {number}",
                kind="public_report",
                reliability=rng.choice("ABCDEF"),
                access_level=rng.choice(("public", "internal")),
            )
            for number in range(SOURCES)
        )
        sources = list(Source.objects.values_list("id", flat=True))
        large = build_component(rng, sources, component_sizes(scale, False), LARGE_COUNTRIES, "L")
        small = build_component(
            rng,
            sources,
            component_sizes(scale, True),
            SMALL_COUNTRIES[: max(2, round(10 * min(scale, 1)))],
            "S",
        )
        analyst = User(username="bench-analyst", role="analyst")
        analyst.set_unusable_password()
        analyst.save()
    session = SessionStore()
    session[SESSION_KEY] = str(analyst.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = analyst.get_session_auth_hash()
    session.create()
    out.touch(mode=0o600)
    out.write_text(json.dumps({"session": session.session_key, "large": large, "small": small}))


def build_component(
    rng: random.Random,
    sources: list[int],
    sizes: dict[str, int],
    countries: tuple[str, ...],
    tag: str,
) -> dict[str, Any]:
    """One connected component around a hub organisation, every node within six links of it."""
    import datetime as dt

    from django.contrib.contenttypes.models import ContentType

    from unseen.documentation.models import Deployment, Relation
    from unseen.evidence.models import Claim
    from unseen.registry.models import Organisation, Person, PublicFigure, Site

    def created(model: Any, objects: list[Any]) -> list[int]:
        before = model.objects.order_by("-id").values_list("id", flat=True).first() or 0
        model.objects.bulk_create(objects, batch_size=2_000)
        return list(model.objects.filter(id__gt=before).order_by("id").values_list("id", flat=True))

    level = ("internal", "public")
    organisations = created(
        Organisation,
        [
            Organisation(
                name=f"{tag} Trading Company {n}",
                kind="trading_company",
                country=rng.choice(("KP", "KP", *countries)),
                access_level=rng.choice(level),
            )
            for n in range(sizes["organisations"])
        ],
    )
    figures = created(
        PublicFigure,
        [
            PublicFigure(name=f"{tag} Official {n}", access_level=rng.choice(level))
            for n in range(sizes["figures"])
        ],
    )
    start_id = (Person.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    persons = created(
        Person,
        [
            Person(pseudonym=f"P-{tag}{start_id + n:06d}", access_level=rng.choice(level))
            for n in range(sizes["persons"])
        ],
    )
    sites = created(
        Site,
        [
            Site(
                name=f"{tag} Site {n}",
                kind="construction_site",
                country=countries[n % len(countries)],
                access_level=rng.choice(level),
            )
            for n in range(sizes["sites"])
        ],
    )
    hub = organisations[0]
    dispatchers = organisations[1 : 1 + max(2, len(organisations) // 10)]
    employers = organisations[1 + len(dispatchers) : 1 + len(dispatchers) + len(sites)]
    rest = organisations[1 + len(dispatchers) + len(employers) :]

    def period() -> dict[str, Any]:
        start = rng.randint(2000, 2020)
        end = None if rng.random() < 0.2 else start + rng.randint(0, 6)
        return {
            "start": dt.date(start, 1, 1),
            "start_precision": "year",
            "end": dt.date(end, 1, 1) if end else None,
            "end_precision": "year" if end else "",
        }

    relations: list[Any] = []

    def link(kind: str, **ends: Any) -> None:
        relations.append(Relation(kind=kind, access_level=rng.choice(level), **ends, **period()))

    for organisation in dispatchers:  # the hub is parent of every dispatcher
        link("parent_of", subject_organisation_id=hub, object_organisation_id=organisation)
    for organisation in rest:  # every other organisation owned by a dispatcher
        link(
            "owns",
            subject_organisation_id=rng.choice(dispatchers),
            object_organisation_id=organisation,
        )
    for figure in figures:
        link(
            "director_of", subject_figure_id=figure, object_organisation_id=rng.choice(dispatchers)
        )
    for person in persons:
        link("employs", subject_organisation_id=rng.choice(organisations), object_person_id=person)
    while len(relations) < sizes["relations"]:
        a, b = rng.sample(organisations, 2)
        link(
            rng.choice(("contracts_with", "owns", "unknown_link")),
            subject_organisation_id=a,
            object_organisation_id=b,
        )
    relation_ids = created(Relation, relations)

    deployment_ids = created(
        Deployment,
        [
            Deployment(
                dispatcher_id=dispatchers[n % len(dispatchers)],
                employer_id=employers[n],
                site_id=site,
                host_country=countries[n % len(countries)],
                workers_low=10,
                workers_high=50,
                period_start=dt.date(2010 + n % 10, 1, 1),
                period_start_precision="year",
                period_end=dt.date(2012 + n % 10, 1, 1),
                period_end_precision="year",
                access_level=rng.choice(level),
            )
            for n, site in enumerate(sites)
        ],
    )
    claims = []
    relation_type = ContentType.objects.get_for_model(Relation).pk
    deployment_type = ContentType.objects.get_for_model(Deployment).pk
    for pk in relation_ids:
        for source in rng.sample(sources, rng.randint(1, 3)):
            claims.append(
                Claim(
                    source_id=source,
                    credibility=rng.randint(1, 6),
                    content_type_id=relation_type,
                    object_id=pk,
                )
            )
    for pk in deployment_ids:
        for source in rng.sample(sources, 2):
            claims.append(
                Claim(
                    source_id=source,
                    credibility=rng.randint(1, 6),
                    content_type_id=deployment_type,
                    object_id=pk,
                )
            )
    Claim.objects.bulk_create(claims, batch_size=5_000)
    nodes = len(organisations) + len(figures) + len(persons) + len(sites) + len(countries)
    edges = len(relation_ids) + 3 * len(deployment_ids)
    return {"hub": f"organisation:{hub}", "nodes": nodes, "edges": edges, "claims": len(claims)}


# --- measuring ---------------------------------------------------------------------------------


def serve(database: Database, folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **database.env,
        "UNSEEN_SECURE_COOKIES": "0",
        "UNSEEN_ALLOWED_HOSTS": "127.0.0.1",
        "UNSEEN_REQUIRE_2FA": "0",
        "UNSEEN_DB_CONN_MAX_AGE": "60",
    }
    log = (folder / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "unseen.config.wsgi:application",
         "--workers", "2", "--timeout", "120", "--bind", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    wait_for_health(port, server)
    return server, port


def timed_gets(port: int, session: str, path: str, requests: int) -> dict[str, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": f"sessionid={session}", "Connection": "keep-alive"}

    def get() -> bytes:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        expect(response.status == 200, f"{path} answered {response.status}: {body[:300]!r}")
        return body

    start = time.perf_counter()
    answer = json.loads(get())
    first_ms = (time.perf_counter() - start) * 1000
    for _ in range(WARMUP):
        get()
    latencies = []
    for _ in range(requests):
        start = time.perf_counter()
        body = get()
        latencies.append((time.perf_counter() - start) * 1000)
    connection.close()
    return {
        "path": path,
        "counts": answer["counts"],
        "truncated": answer["truncated"],
        "bytes": len(body),
        "first_ms": round(first_ms, 1),
        "requests": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
    }


def browser(port: int, session: str, hub: str) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright
    from tests.browser.conftest import CHROMIUM_FLAGS, chromium_path

    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        context = launched.new_context(
            locale="en-GB", viewport={"width": 1366, "height": 900}, bypass_csp=True
        )
        context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
        page = context.new_page()
        page.set_default_timeout(120_000)
        started = time.perf_counter()
        page.goto(f"{base}/app/network/?focus={hub}&depth=6")
        page.evaluate("() => window.unseenNetwork.ready.then(() => true)")
        ready_s = time.perf_counter() - started
        graph = page.locator("#network-graph")
        details = {
            name: int(graph.get_attribute(f"data-{name}") or 0)
            for name in ("nodes", "edges", "fetch-ms", "draw-ms", "layout-ms")
        }
        # As a reader would: the canvas on screen, zoomed in on the hub (at 5,000 nodes the whole
        # drawing shows each node a pixel or two wide), then a click on it.
        page.evaluate("() => document.querySelector('#network-graph').scrollIntoView()")
        point = page.evaluate(
            """id => {
                const cy = window.unseenNetwork.cy;
                const node = cy.getElementById(id);
                cy.zoom(1);
                cy.center(node);
                const box = document.querySelector('#network-graph').getBoundingClientRect();
                const at = node.renderedPosition();
                return {x: box.left + at.x, y: box.top + at.y};
            }""",
            hub,
        )
        # The zoomed drawing painted before the click, so that the click's time is its own.
        page.evaluate(
            "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        page.wait_for_timeout(500)
        clicked = time.perf_counter()
        page.mouse.click(point["x"], point["y"])
        # Its details (or a neighbour's drawn over it: the layout packs the hub's neighbours close).
        page.wait_for_selector("#network-detail[data-shown]:not([hidden])")
        click_ms = (time.perf_counter() - clicked) * 1000
        shown = page.get_attribute("#network-detail", "data-shown")
        launched.close()
    return {
        "ready_s": round(ready_s, 2),
        "click_ms": round(click_ms, 1),
        "clicked": shown,
        **details,
    }


# --- orchestration -----------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests",
        type=int,
        default=int(os.environ.get("UNSEEN_BENCH_NETWORK_REQUESTS", DEFAULT_REQUESTS)),
    )
    parser.add_argument(
        "--scale", type=float, default=float(os.environ.get("UNSEEN_BENCH_NETWORK_SCALE", 1))
    )
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--no-browser", action="store_true", help="time the data only")
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)  # internal mode
    return parser.parse_args()


def run_self(database: Database, label: str, args: list[str]) -> Run:
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    return run_timed(command, database.env, ROOT, database.folder / "logs" / label)


def main() -> None:
    args = parse_args()
    if args.seed:
        return seed(args.seed, args.scale)
    folder = Path(tempfile.mkdtemp(prefix="unseen-bench-network-"))
    result = Result("network")
    server = None
    try:
        database = Database(folder / "db")
        seeded = folder / "seeded.json"
        run = run_self(
            database, "seed", ["--seed", str(seeded), "--scale", str(args.scale)]
        ).check()
        made = json.loads(seeded.read_text())
        result.details["seed_s"] = round(run.seconds, 1)
        result.details["components"] = {"large": made["large"], "small": made["small"]}
        print(f"seeded in {run.seconds:.0f} s: {made['large']} and {made['small']}", flush=True)
        server, port = serve(database, folder)

        focused = timed_gets(
            port,
            made["session"],
            f"/app/network/data/?focus={made['large']['hub']}&depth=6",
            args.requests,
        )
        result.details["neighbourhood"] = focused
        counts = focused["counts"]
        expect(
            counts == {"nodes": made["large"]["nodes"], "edges": made["large"]["edges"]},
            f"the neighbourhood is {counts}, not the component {made['large']}",
        )
        print(f"neighbourhood: {json.dumps(focused)}", flush=True)
        result.add(
            Figure("network data, first answer after a change (10k/30k)", focused["first_ms"], "ms")
        )
        result.add(Figure("network data p50 (10k nodes, 30k edges)", focused["p50_ms"], "ms"))
        result.add(
            Figure("network data p95 (10k nodes, 30k edges)", focused["p95_ms"], "ms", TARGET_MS)
        )
        whole = timed_gets(port, made["session"], "/app/network/data/", max(5, args.requests // 3))
        result.details["whole_graph"] = whole
        result.add(Figure("network data p95 (whole graph, no focus)", whole["p95_ms"], "ms"))

        if not args.no_browser:
            drawn = browser(port, made["session"], made["small"]["hub"])
            result.details["browser"] = drawn
            expect(drawn["nodes"] == made["small"]["nodes"], f"drew {drawn}, not {made['small']}")
            print(f"browser: {json.dumps(drawn)}", flush=True)
            result.add(
                Figure(
                    "5k nodes ready (fetched, drawn, laid out)",
                    drawn["ready_s"],
                    "s",
                    READY_TARGET_S,
                )
            )
            result.add(Figure("click on a node answered", drawn["click_ms"], "ms", CLICK_TARGET_MS))
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if args.keep:
            print(f"kept {folder}", flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    result.write(args.json)


if __name__ == "__main__":
    main()
