"""Starting a linkage run, and the background job that runs it.

The page queues a run and, once the transaction commits, enqueues the task `tasks.run_linkage`
(`unseen.jobs`): `unseen worker`, a process of its own, takes it from the queue, so the run
outlives the request, a gunicorn worker's restart or timeout, and a restart of the worker
itself while it is still queued, and holds its memory (Splink on DuckDB) apart from the web
workers'. The job writes its stage and progress to the run row, which the progress page polls,
and stops between its stages when someone presses Cancel. An operator can still run a queued
run by hand with `unseen linkage run RUN_ID`.

Names read from the vault live in the job's memory only. Nothing the job stores or logs carries
a value from a record: pairs and clusters are primary keys and probabilities, and a failure is
recorded as the stage and the kind of error, never its message (which could quote a name).

pandas is imported by the functions of the job that use it: the URL conf loads this module in
every command and web worker, and pandas takes half a second to import (#16).
"""

import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone

from unseen import build
from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.audit.context import current_actor
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core.linkage import record_key
from unseen.evidence.models import Source, declared_input
from unseen.jobs.queue import Cancelled, Progress, claim, end, enqueue_after_commit, request_cancel

from .draws import DRAW_FLOOR, pairs_archive
from .gathering import Gathered, NothingToLink, gather, queued_inputs, records_label
from .models import (
    MAX_REVIEWS,
    ClusterMember,
    LinkageRun,
    LinkDecision,
    PairReview,
    RunStatus,
)

logger = logging.getLogger(__name__)

#: Where each part of the job sits on the progress bar: gathering, linking, saving.
GATHERED_AT = 0.1
LINKED_AT = 0.9
HISTOGRAM_BINS = 20


def start_run(
    *,
    entity: str,
    sources: Sequence[Source],
    threshold: float,
    review_low: float,
    review_high: float,
    user: User,
    previous: LinkageRun | None = None,
) -> LinkageRun:
    """Queue a run and start its job once the run is committed.

    The run takes the level of its sources and of the records they speak about now, queued: its
    page names its sources whether it then finishes or fails.
    """
    with transaction.atomic():
        run = LinkageRun(
            entity=entity,
            threshold=threshold,
            review_low=review_low,
            review_high=review_high,
            started_by=user,
            previous=previous,
            stage="queued",
        )
        run.derive_from(queued_inputs(entity, sources, user))
        run.save()
        run.sources.set(sources)
        record(
            Action.CREATE,
            run,
            detail={
                "entity": entity,
                "sources": sorted(s.pk for s in sources),
                "threshold": threshold,
                "rerun_of": previous.pk if previous else None,
                "access_level": run.access_level,
            },
        )
        enqueue(run.pk)
    return run


def enqueue(run_id: int) -> None:
    """Queue the run's job once the run is committed; if the queue refuses it, the run fails now
    rather than wait forever."""
    from .tasks import run_linkage

    def refused(error: Exception) -> None:
        _fail(run_id, f"the job could not be queued: {type(error).__name__}")

    enqueue_after_commit(run_linkage, run_id, refused=refused)


def cancel(run: LinkageRun, user: User) -> bool:
    """Cancel a queued run now, or ask a running one to stop at its next stage.

    False when the run had already ended.
    """
    status = request_cancel(LinkageRun, run.pk)
    if status is None:
        return False
    run.refresh_from_db()
    record(Action.UPDATE, run, detail={"status": status, "cancel_requested": True})
    return True


def rerun(run: LinkageRun, user: User) -> LinkageRun:
    """The same sources and threshold again, now with every decision made since."""
    return start_run(
        entity=run.entity,
        sources=run.lists(),
        threshold=run.threshold,
        review_low=run.review_low,
        review_high=run.review_high,
        user=user,
        previous=run,
    )


def decisions_for(entity: str, pks: Iterable[int]) -> list[tuple[str, str, bool]]:
    """Verdicts in force between records of this run, as the core takes them."""
    wanted = set(pks)
    found = []
    decisions = LinkDecision.objects.active().filter(entity=entity)
    for a, b, is_match in decisions.values_list("record_a", "record_b", "is_match"):
        if a in wanted and b in wanted:
            found.append((record_key(0, str(a)), record_key(0, str(b)), is_match))
    return found


def execute(run_id: int, *, backend: Literal["duckdb", "spark"] = "duckdb") -> LinkageRun:
    """Run a queued run to the end (done or failed). What `unseen linkage run` calls.

    A run another job has already claimed, or that was cancelled while queued, is left alone.
    A run asked to stop is cancelled between its stages (after gathering, after linking).
    """
    # Everything after the claim is inside the try: a stop (SIGTERM → SystemExit) arriving at
    # any point once the run is "running" must mark it failed, not leave it looking alive.
    claimed = False
    stage = "gathering"
    token = None
    try:
        claimed = claim(LinkageRun, run_id)
        run = LinkageRun.objects.select_related("started_by").get(pk=run_id)
        if not claimed:
            return run
        user = run.started_by
        token = current_actor.set(user.get_username() if user is not None else "system")
        progress = Progress(LinkageRun, run.pk)
        progress("gathering", 0.0)
        if user is None or not user.can(Capability.REVIEW_LINKAGE):
            raise NothingToLink("the user who started this run may no longer link records")
        gathered = gather(
            run,
            user,
            purpose=f"record linkage run {run.pk}: compared, not shown",
            progress=lambda fraction: progress("gathering", GATHERED_AT * fraction),
        )
        progress("gathering", GATHERED_AT)
        progress.check()
        stage = "linking"
        # Splink is loaded by the job only: web workers never need it.
        from unseen.core.linkage import DuckDB, Spark, link_records

        # The names and birth dates were decrypted from the vault: they stay in memory.
        in_memory = DuckDB(spill=False)
        decisions = decisions_for(run.entity, gathered.lists)
        result = link_records(
            [gathered.frame],
            entity=run.entity,
            threshold=run.threshold,
            backend=in_memory if backend == "duckdb" else Spark(counting=in_memory),
            decisions=decisions,
            progress=progress.within(GATHERED_AT, LINKED_AT),
        )
        progress.check()
        stage = "saving"
        progress("saving", LINKED_AT)
        _save(run, gathered, result, decisions)
    except Cancelled:
        _end(run_id, RunStatus.CANCELLED)
    except NothingToLink as refusal:
        _fail(run_id, str(refusal))
    except (KeyboardInterrupt, SystemExit):
        # Stopped from outside (a signal, a shutdown): say so rather than look stalled later.
        if claimed:
            _fail(run_id, f"stopped while {stage}")
        raise
    except Exception as error:
        # The message may quote a record's values; the stage and the kind of error may not.
        logger.error("linkage run %s failed while %s: %s", run_id, stage, type(error).__name__)
        if claimed:
            _fail(run_id, f"failed while {stage}: {type(error).__name__}")
        else:
            raise
    finally:
        if token is not None:
            current_actor.reset(token)
    run = LinkageRun.objects.select_related("started_by").get(pk=run_id)
    return run


def _fail(run_id: int, message: str) -> None:
    _end(run_id, RunStatus.FAILED, message)


def _end(run_id: int, status: RunStatus, message: str = "") -> None:
    with transaction.atomic():
        end(LinkageRun, run_id, status, message)
        record(Action.UPDATE, LinkageRun.objects.get(pk=run_id), detail={"status": status})


def _weight(probability: float) -> float:
    p = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))


def _agreement(row: dict[str, Any], columns: list[str]) -> dict[str, int]:
    """Splink's comparison level for each field of one pair (its gamma_<field> columns)."""
    import pandas as pd

    return {name.removeprefix("gamma_"): int(row[name]) for name in columns if pd.notna(row[name])}


def _save(
    run: LinkageRun,
    gathered: Gathered,
    result: Any,
    decisions: list[tuple[str, str, bool]],
) -> None:
    import pandas as pd

    clusters = result.clusters
    assigned = dict(zip(clusters["record_id"].astype(int), clusters["cluster_id"], strict=True))
    pks = pd.Series(list(assigned), dtype=int)
    # Cluster numbers in the order of each cluster's first record: the same input, the same
    # numbers, whatever ids the core handed out.
    first = pks.groupby(pd.Series(list(assigned.values()))).transform("min")
    numbers = {c: n for n, c in enumerate(pd.unique(first.sort_values()), start=1)}
    cluster_of = {int(pk): numbers[f] for pk, f in zip(pks, first, strict=True)}
    members = [
        ClusterMember(run=run, record_id=pk, cluster=cluster_of[pk], lists=gathered.lists[pk])
        for pk in sorted(cluster_of)
    ]
    sizes = pd.Series(list(cluster_of.values())).value_counts()

    pairs = result.pairs
    decided = {frozenset((a, b)) for a, b, _ in decisions}
    low, high = run.review_low, run.review_high
    weight_t = _weight(run.threshold)
    gamma = [c for c in pairs.columns if c.startswith("gamma_")]
    uncertain = pairs[pairs["match_probability"].between(low, high)]
    candidates = []
    for row in uncertain.to_dict("records"):
        if frozenset((row["key_l"], row["key_r"])) in decided:
            continue
        a, b = sorted((int(row["record_id_l"]), int(row["record_id_r"])))
        p = float(row["match_probability"])
        candidates.append((abs(_weight(p) - weight_t), a, b, p, _agreement(row, gamma)))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    reviews = [
        PairReview(run=run, record_a=a, record_b=b, probability=round(p, 6), agreement=agreement)
        for _, a, b, p, agreement in candidates[:MAX_REVIEWS]
    ]
    probabilities = pairs["match_probability"].astype(float)
    histogram = (
        pd.cut(probabilities, bins=[i / HISTOGRAM_BINS for i in range(HISTOGRAM_BINS + 1)])
        .value_counts(sort=False)
        .tolist()
        if len(probabilities)
        else [0] * HISTOGRAM_BINS
    )
    counts = {
        "records": len(members),
        "on_lists": {f"S{s}": sum(s in m.lists for m in members) for s in _run_sources(run)},
        "candidate_pairs": _stat(result.stats, "candidate_pairs"),
        "scored_pairs": len(pairs),
        "pairs_at_threshold": int((probabilities >= run.threshold).sum()),
        "clusters": len(sizes),
        "linked_clusters": int((sizes > 1).sum()),
        "largest_cluster": int(sizes.max()) if len(sizes) else 0,
        "uncertain_pairs": len(candidates),
        "queued_for_review": len(reviews),
        "pairs_kept_for_draws": int((probabilities >= DRAW_FLOOR).sum()),
        "decisions_applied": len(decisions),
        "histogram": [int(n) for n in histogram],
        "seconds": {
            k: round(float(v), 2) for k, v in dict(result.stats.get("seconds", {})).items()
        },
    }
    parameters = {
        "entity": run.entity,
        "threshold": float(result.threshold),
        "review_band": [low, high],
        "sources": _run_sources(run),
        "model": result.parameters,
        # The code that linked: the same input and model under other code may link otherwise.
        "software_version": build.software("splink", "duckdb", "pandas"),
    }
    # What the job read may be stricter than what was known when it was queued (a claim added
    # since, a record raised): the run keeps the strictest of both.
    run.derive_from(
        [declared_input(records_label(run.entity), gathered.access_level, count=len(members))]
    )
    # Every pair scored at or above the floor, with its probability, for estimates over
    # alternative linkages (ADR 0037): record keys and probabilities, one archive per run.
    scored = pairs_archive(run, pairs, list(cluster_of), bool(result.stats.get("one_to_one")))
    with transaction.atomic():
        ClusterMember.objects.bulk_create(members, batch_size=2000)
        PairReview.objects.bulk_create(reviews, batch_size=2000)
        scored.save()
        LinkageRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE,
            stage="done",
            fraction=1.0,
            counts=counts,
            parameters=parameters,
            access_level=run.access_level,
            input_access_level=run.input_access_level,
            derived_from=run.derived_from,
            is_synthetic=gathered.synthetic,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        record(
            Action.UPDATE,
            run,
            detail={
                "status": RunStatus.DONE,
                "records": counts["records"],
                "clusters": counts["clusters"],
                "queued_for_review": counts["queued_for_review"],
                "decisions_applied": counts["decisions_applied"],
            },
        )


def _run_sources(run: LinkageRun) -> list[int]:
    return sorted(run.sources.values_list("pk", flat=True))


def _stat(stats: dict[str, Any], name: str) -> int | None:
    value = stats.get(name)
    return int(value) if value is not None else None
