"""Benchmark: the journeys' flows page computed over 20,000 testimonies (issue 23).

Acceptance: the flows page (the two queries over the events and indicators an analyst may
read, the journeys rebuilt, the Sankey, indicator×stage, durations and origin→host flows
k-suppressed, and the page's tables and chart data made) in under 300 ms.

Steps: a fresh SQLite database in a temporary UNSEEN_VAR_DIR (`unseen migrate`,
`unseen keys init`); then, in this process, 20,000 synthetic testimonies (public, internal and
confidential) with varied journeys (recruitment, vetting, departure, one to three deployments,
an exit; about 130,000 events and 40,000 indicators) bulk-inserted; then the page's work timed
for an analyst (who reads public and internal: ~13,300 testimonies), best of `--repeat` after a
warm-up, p50 beside it. The page rendered through Django's test client is reported beside it.

    .venv/bin/python benchmarks/bench_flows.py [--testimonies N] [--repeat R] [--json OUT]
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_import import Database
from harness import ROOT, Figure, Result

TARGET_MS = 300.0  # issue 23: the flows page over 20,000 testimonies under 300 ms
TESTIMONIES = 20_000
CHANNELS = ("state_assignment", "applied", "personal_connection", "other", "")
HOSTS = ("RU", "CN", "AE", "QA", "KW", "PL", "MN", "MY", "LA", "NG", "AO", "VN")
SECTORS = "FCAIGHQ"
EXITS = ("contract_end", "recalled", "escape", "defection", "death", "still_abroad", "")
INDICATORS = (
    "abuse_of_vulnerability", "deception", "restriction_of_movement", "isolation",
    "physical_sexual_violence", "intimidation_threats", "retention_of_documents",
    "withholding_of_wages", "debt_bondage", "abusive_conditions", "excessive_overtime",
)  # fmt: skip
FINDINGS = ("present", "absent", "unknown")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--testimonies", type=int, default=TESTIMONIES)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs; the best counts")
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    return parser.parse_args()


def seed(n: int) -> dict[str, int]:
    """n synthetic testimonies with journeys; returns the counts inserted."""
    from django.db import transaction

    from unseen.documentation.models import Testimony
    from unseen.evidence.models import Source
    from unseen.journeys.models import JourneyEvent, JourneyIndicator

    rng = random.Random(23)
    levels = ("public", "internal", "confidential")
    with transaction.atomic():
        sources = Source.objects.bulk_create(
            Source(title=f"Synthetic interview {i}", kind="interview", reliability="C",
                   access_level=levels[i % 3], is_synthetic=True)
            for i in range(n)
        )  # fmt: skip
        testimonies = Testimony.objects.bulk_create(
            Testimony(source=s, access_level=s.access_level, is_synthetic=True) for s in sources
        )
        events: list[JourneyEvent] = []
        for t in testimonies:
            events.extend(journey(rng, t.pk))
        JourneyEvent.objects.bulk_create(events, batch_size=5_000)
        indicators = []
        for event in JourneyEvent.objects.filter(stage__in=("transit", "deployment", "exit", "vetting")).values_list("pk", "stage").iterator():  # fmt: skip
            for name in rng.sample(INDICATORS, rng.choice((0, 0, 1, 1, 2, 3))):
                indicators.append(
                    JourneyIndicator(event_id=event[0], indicator=name, passage="p. 1 (synthetic)")
                )
        JourneyIndicator.objects.bulk_create(indicators, batch_size=5_000)
    return {"testimonies": n, "events": len(events), "indicators": len(indicators)}


def journey(rng: random.Random, testimony: int) -> list:
    from unseen.journeys.models import JourneyEvent

    year = rng.randint(2005, 2019)
    start = dt.date(year, rng.randint(1, 12), 1)
    out = [
        JourneyEvent(testimony_id=testimony, position=0, stage="recruitment",
                     channel=rng.choice(CHANNELS), country="KP"),
        JourneyEvent(testimony_id=testimony, position=1, stage="vetting",
                     health_check=rng.choice(FINDINGS), loyalty_check=rng.choice(FINDINGS),
                     bribe_paid=rng.choice(FINDINGS),
                     months_waited=rng.choice((None, rng.randint(1, 30)))),
        JourneyEvent(testimony_id=testimony, position=2, stage="departure", country="KP"),
    ]  # fmt: skip
    position = 3
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        months = rng.randint(3, 48)
        end = start + dt.timedelta(days=30 * months)
        out.append(
            JourneyEvent(testimony_id=testimony, position=position, stage="deployment",
                         country=rng.choice(HOSTS[: rng.choice((3, 6, 12))]),
                         sector=rng.choice(SECTORS), date_start=start, date_start_precision="month",
                         date_end=end, date_end_precision="month")
        )  # fmt: skip
        start, position = end + dt.timedelta(days=31), position + 1
    out.append(
        JourneyEvent(testimony_id=testimony, position=position, stage="exit",
                     exit_kind=rng.choice(EXITS), date_start=start, date_start_precision="month")
    )  # fmt: skip
    return out


def main() -> None:
    args = parse_args()
    result = Result("flows")
    try:
        with tempfile.TemporaryDirectory(prefix="unseen-bench-flows-") as folder:
            database = Database(Path(folder))
            os.environ.update(database.env)
            sys.path.insert(0, str(ROOT / "src"))
            import django

            django.setup()
            from django.conf import settings
            from django.test import Client
            from django.utils import translation

            from unseen.accounts.models import Role, User
            from unseen.journeys.flow_views import present
            from unseen.journeys.flows import flows_for

            start = time.perf_counter()
            counts = seed(args.testimonies)
            result.details.update(counts, seed_seconds=round(time.perf_counter() - start, 1))
            analyst = User.objects.create(username="bench-analyst", role=Role.ANALYST)

            def page() -> object:
                flows = flows_for(analyst)
                return present(flows, "en")

            timings, cpu = [], []
            with translation.override("en"):
                page()  # warm-up
                for _ in range(max(1, args.repeat)):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    page()
                    timings.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
            flows = flows_for(analyst)
            target = TARGET_MS if args.testimonies == TESTIMONIES else None
            result.add(Figure(f"flows over {args.testimonies:,} testimonies (ms)", min(timings), "ms", target))  # fmt: skip
            result.add(Figure("flows: p50 (ms)", statistics.median(timings), "ms"))
            # CPU time as well: on a shared machine the wall clock also measures the neighbours.
            result.add(Figure("flows: CPU time, best (ms)", min(cpu), "ms"))
            # The benchmark's session is the analyst's, signed in (second factor off, as in
            # bench_network): the page's own work is what is timed.
            settings.UNSEEN_REQUIRE_2FA = False
            client = Client()
            client.force_login(analyst)
            rendered = []
            for _ in range(3):
                start = time.perf_counter()
                response = client.get("/app/journeys/flows/")
                rendered.append((time.perf_counter() - start) * 1000)
            result.add(Figure("flows page rendered by the test client, best (ms)", min(rendered), "ms"))  # fmt: skip
            result.details.update(
                status=response.status_code,
                readable_testimonies=flows.testimonies,
                sankey_links=len(flows.sankey),
                map_pairs=len(flows.map),
                merges=len(flows.report.merges),
                timings_ms=[round(t, 1) for t in timings],
            )
    finally:
        result.write(args.json)


if __name__ == "__main__":
    main()
