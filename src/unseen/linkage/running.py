"""Starting a linkage run, and the background job that runs it.

The page queues a run and, once the transaction commits, starts `unseen linkage run RUN_ID` as a
process of its own: it outlives the request, a gunicorn worker's restart or timeout, and holds
its memory (Splink on DuckDB) apart from the web workers'. The job writes its stage and progress
to the run row, which the progress page polls.

Names read from the vault live in the job's memory only. Nothing the job stores or logs carries
a value from a record: pairs and clusters are primary keys and probabilities, and a failure is
recorded as the stage and the kind of error, never its message (which could quote a name).
"""

import logging
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import pandas as pd
from django.db import transaction
from django.utils import timezone

from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.audit.context import current_actor
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core.linkage import record_key
from unseen.evidence.models import Source, declared_input

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

#: Progress is written at most this often (seconds), and whenever the stage changes.
PROGRESS_INTERVAL = 0.5
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
        transaction.on_commit(lambda: launch_or_fail(run.pk))
    return run


def launch_or_fail(run_id: int) -> None:
    """Start the job; if no process can be started, the run fails now rather than wait forever."""
    try:
        launch(run_id)
    except OSError as error:
        logger.error("linkage run %s: the job could not start: %s", run_id, type(error).__name__)
        _fail(run_id, f"the job could not be started: {type(error).__name__}")


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


def job_command(run_id: int) -> list[str]:
    return [sys.executable, "-m", "unseen.cli", "linkage", "run", str(run_id)]


def launch(run_id: int) -> subprocess.Popen[bytes]:
    """Start the job detached from this process (its own session; no terminal, no output)."""
    process = subprocess.Popen(  # noqa: S603 - our own command, arguments we built
        job_command(run_id),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
        env=os.environ.copy(),
    )
    # Reap it when it ends, so a long-lived web worker collects no zombies.
    threading.Thread(target=process.wait, daemon=True).start()
    return process


class Progress:
    """Writes the job's stage and fraction to the run row, at most twice a second."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.stage = ""
        self.written = 0.0

    def __call__(self, stage: str, fraction: float) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.written < PROGRESS_INTERVAL:
            return
        self.stage, self.written = stage, now
        LinkageRun.objects.filter(pk=self.run_id).update(
            stage=stage[:40],
            fraction=min(max(float(fraction), 0.0), 1.0),
            heartbeat_at=timezone.now(),
        )

    def within(self, low: float, high: float) -> Any:
        """A callback for the core's stages, placed between `low` and `high` of the bar."""

        def report(stage: str, fraction: float) -> None:
            self(stage, low + (high - low) * min(max(float(fraction), 0.0), 1.0))

        return report


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

    A run another job has already claimed is left alone.
    """
    # Everything after the claim is inside the try: a stop (SIGTERM → SystemExit) arriving at
    # any point once the run is "running" must mark it failed, not leave it looking alive.
    claimed = 0
    stage = "gathering"
    token = None
    try:
        claimed = LinkageRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.RUNNING,
            stage="gathering",
            fraction=0.0,
            started_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        run = LinkageRun.objects.select_related("started_by").get(pk=run_id)
        if not claimed:
            return run
        user = run.started_by
        token = current_actor.set(user.get_username() if user is not None else "system")
        progress = Progress(run.pk)
        if user is None or not user.can(Capability.REVIEW_LINKAGE):
            raise NothingToLink("the user who started this run may no longer link records")
        gathered = gather(
            run,
            user,
            purpose=f"record linkage run {run.pk}: compared, not shown",
            progress=lambda fraction: progress("gathering", GATHERED_AT * fraction),
        )
        progress("gathering", GATHERED_AT)
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
        stage = "saving"
        progress("saving", LINKED_AT)
        _save(run, gathered, result, decisions)
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
    with transaction.atomic():
        LinkageRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error=message[:300],
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        record(
            Action.UPDATE, LinkageRun.objects.get(pk=run_id), detail={"status": RunStatus.FAILED}
        )


def _weight(probability: float) -> float:
    p = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))


def _agreement(row: dict[str, Any], columns: list[str]) -> dict[str, int]:
    """Splink's comparison level for each field of one pair (its gamma_<field> columns)."""
    return {name.removeprefix("gamma_"): int(row[name]) for name in columns if pd.notna(row[name])}


def _save(
    run: LinkageRun,
    gathered: Gathered,
    result: Any,
    decisions: list[tuple[str, str, bool]],
) -> None:
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
    }
    # What the job read may be stricter than what was known when it was queued (a claim added
    # since, a record raised): the run keeps the strictest of both.
    run.derive_from(
        [declared_input(records_label(run.entity), gathered.access_level, count=len(members))]
    )
    with transaction.atomic():
        ClusterMember.objects.bulk_create(members, batch_size=2000)
        PairReview.objects.bulk_create(reviews, batch_size=2000)
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
