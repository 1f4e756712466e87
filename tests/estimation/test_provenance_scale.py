"""Staleness at the run list's size (ADR 0041): 200 runs over 10,000 persons on three lists, 1,000 of them edited since among 5,000 other audit entries, judged in a
fixed handful of queries. The time is printed (`-s`), not asserted: the machine is shared.

    PYTHONPATH=src pytest tests/estimation/test_provenance_scale.py -s -p no:cacheprovider
"""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from unseen.audit.log import record_many
from unseen.audit.models import Action, AuditEntry
from unseen.estimation import provenance
from unseen.estimation.models import EstimateRun
from unseen.registry.models import Person

RECORDS = 10_000
RUNS = 200


def test_two_hundred_runs_over_ten_thousand_records_take_six_queries(andy):
    Person.objects.bulk_create([Person(pseudonym=f"B-{n:05d}") for n in range(RECORDS)])
    pks = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    run = factories.estimate_run()
    linkage = factories.linkage_run().run
    baseline = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    lists = {"0": pks[:6000], "1": pks[3000:9000], "2": pks[::2]}
    made = []
    for n in range(RUNS):
        run.pk = None
        run.list_records = {"entity": "person", "lists": lists}
        run.baseline_change = baseline
        # Half from one linkage run (judged once, the answer shared), half from none (each
        # judged on its own, as runs from as many linkage runs would be).
        run.linkage_run = linkage if n % 2 else None
        run.save()
        made.append(run.pk)
    record_many(Action.UPDATE, [(p, {}) for p in Person.objects.filter(pk__in=pks[::10])])
    record_many(Action.VIEW, [(p, {}) for p in Person.objects.filter(pk__in=pks[:5000])])
    runs = list(EstimateRun.objects.filter(pk__in=made))
    counts = []
    for group in (runs[:1], runs, runs[:1]):  # the first call also warms caches
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            found = provenance.staleness(group, andy)
            took = time.perf_counter() - start
        counts.append(len(queries.captured_queries))
        assert all(len(found[r.pk].edited) == RECORDS // 10 for r in group)
        print(f"\n{len(group)} run(s): {took * 1000:.0f} ms, {counts[-1]} queries")
    assert counts[0] == counts[1] == counts[2] <= 6
