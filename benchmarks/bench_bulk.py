"""Benchmark: a bulk access-level change of 10,000 records, revisions and audit entries included.

Acceptance (issue 18): a bulk change of 10,000 records under 30 s. In one process on a fresh
SQLite database in a temporary UNSEEN_VAR_DIR (migrated here): 10,000 internal deployments, each
with a claim from one of 200 public sources, their first revisions and search entries, each
reviewed by a second person; then the
change to public of every one of them as the list's "select all matching" makes it: selection,
the preview's plan (the refusal rule's queries), and the confirmed change (one UPDATE per
thousand, a revision and an audit entry per record, the search entries of the records and their
claims), timed apart and together.

    .venv/bin/python benchmarks/bench_bulk.py [--records N] [--json OUT]
"""

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from harness import Figure, Result

RECORDS = 10_000
SOURCES = 200
TARGET_SECONDS = 30.0  # issue 18: a bulk change of 10,000 records under 30 s


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    return parser.parse_args()


def seed(records: int) -> None:
    from django.contrib.contenttypes.models import ContentType

    from unseen.documentation.indexing import index_created_since
    from unseen.documentation.models import Deployment
    from unseen.evidence.models import Claim, Source
    from unseen.evidence.revisions import record_created_since

    started = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    sources = Source.objects.bulk_create(
        Source(title=f"Source {n}", kind="document", access_level="public") for n in range(SOURCES)
    )
    deployments = Deployment.objects.bulk_create(
        (
            Deployment(
                host_country="RU",
                sector="construction",
                workers_low=10,
                workers_high=20,
                period_start=dt.date(2017, 1, 1),
                period_start_precision="year",
                access_level="internal",
            )
            for _ in range(records)
        ),
        batch_size=1000,
    )
    kind = ContentType.objects.get_for_model(Deployment)
    Claim.objects.bulk_create(
        (
            Claim(source=sources[n % SOURCES], credibility=3, content_type=kind, object_id=d.pk)
            for n, d in enumerate(deployments)
        ),
        batch_size=1000,
    )
    record_created_since(started, "benchmark seed")
    index_created_since(started)
    # Reviewed by a second person after their first revision (the two-person rule, ADR 0025):
    # the preview reads every record's newest revision, as a real release would.
    Deployment.objects.update(
        review_state="reviewed", reviewed_by="bench-reviewer", reviewed_at=dt.datetime.now(dt.UTC)
    )


def main() -> None:
    args = parse_args()
    result = Result("bulk")
    with tempfile.TemporaryDirectory(prefix="unseen-bench-bulk-") as folder:
        os.environ["UNSEEN_VAR_DIR"] = str(Path(folder) / "var")
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.http import QueryDict

        from unseen.accounts.models import User
        from unseen.audit.context import current_actor
        from unseen.audit.models import AuditEntry
        from unseen.documentation import bulk_editing
        from unseen.documentation.browsing import KINDS
        from unseen.documentation.models import Deployment, SearchEntry
        from unseen.registry.keys import init_keys

        init_keys()
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        seed(args.records)
        result.details["seed_seconds"] = round(time.perf_counter() - start, 2)
        user = User.objects.create(username="bench", role="researcher")
        current_actor.set("bench")
        spec = KINDS["deployments"]
        form = QueryDict(mutable=True)
        form.update({"all": "1", "query": "access_level=internal"})

        start = time.perf_counter()
        chosen = bulk_editing.selection(spec, user, form)
        plan = bulk_editing.plan_access_change(spec, user, chosen, "public")
        planned = time.perf_counter() - start
        assert len(plan.changing) == args.records and not plan.refused, plan.refused[:3]
        audited = AuditEntry.objects.count()
        start = time.perf_counter()
        if os.environ.get("UNSEEN_BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            changed = profile.runcall(bulk_editing.change_access_level, plan, "released")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        else:
            changed = bulk_editing.change_access_level(plan, "benchmark: released")
        applied = time.perf_counter() - start

        assert changed == args.records
        assert Deployment.objects.filter(access_level="public").count() == args.records
        assert Deployment.history.filter(access_level="public").count() == args.records
        assert AuditEntry.objects.count() - audited == args.records
        assert SearchEntry.objects.filter(kind="deployments", access_level="public").count() == (
            args.records
        )
        target = TARGET_SECONDS if args.records == RECORDS else None
        result.add(
            Figure(
                f"bulk access-level change of {args.records:,} records, preview and change (s)",
                planned + applied,
                "s",
                target,
            )
        )
        result.add(Figure("bulk change: selection and preview plan (s)", planned, "s"))
        result.add(Figure("bulk change: the confirmed change (s)", applied, "s"))
        result.write(args.json)


if __name__ == "__main__":
    main()
