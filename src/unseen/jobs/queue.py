"""Putting long work on the queue, and what its task writes back to its row.

One way to run long work: a task (Django's tasks framework, `django_tasks`; its database backend
by default, see `UNSEEN_TASKS_BACKEND`) is enqueued once the row that describes the work has
been committed, and `unseen worker` runs it in a process of its own. The queue's row outlives a
restart of the web server or of the worker: a worker that starts later takes it up.

The task reports to its own row (a model that inherits `unseen.jobs.models.Job`):

- `claim` moves the row from queued to running, once: a task that finds it claimed, cancelled or
  gone leaves it alone, so a task delivered twice does the work once.
- `Progress` writes the stage and the fraction (at most twice a second, and at every new stage).
- `Progress.check` raises `Cancelled` when someone pressed Cancel: the task calls it between its
  stages, never half-way through a write.
- `end` writes how it ended: failed (with a reason that names no record), or cancelled.

Callers audit what they change; this module knows no users and no audit log.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Job, JobStatus

logger = logging.getLogger(__name__)

#: Progress is written at most this often (seconds), and whenever the stage changes.
PROGRESS_INTERVAL = 0.5


class Cancelled(Exception):
    """Someone asked the job to stop; raised between stages by `Progress.check`."""


def enqueue_after_commit(
    task: Any, *args: Any, refused: Callable[[Exception], None] | None = None
) -> None:
    """Enqueue `task(*args)` once the current transaction commits (at once outside one).

    The task must not run before the row it reads is visible to the worker. If the queue
    refuses it (the queue's database is down, the backend is misconfigured), `refused` is called
    with the error, so the row can say so instead of waiting forever.
    """

    def send() -> None:
        try:
            task.enqueue(*args)
        except Exception as error:
            logger.error("the job %s could not be queued: %s", task.name, type(error).__name__)
            if refused is None:
                raise
            refused(error)

    transaction.on_commit(send)


def claim(model: type[Job], pk: int) -> bool:
    """Queued → running; False when the row is not (or no longer) queued."""
    now = timezone.now()
    return bool(
        model._default_manager.filter(
            pk=pk, status=JobStatus.QUEUED, cancel_requested_at__isnull=True
        ).update(status=JobStatus.RUNNING, fraction=0.0, started_at=now, heartbeat_at=now)
    )


def request_cancel(model: type[Job], pk: int) -> JobStatus | None:
    """Ask a job to stop. A queued job is cancelled at once; a running one at its next stage.

    Returns the job's status after the request, or None when it had already ended (nothing to
    cancel).
    """
    # Each update is conditional on the status it finds, so a worker claiming the job between
    # the two is caught by the second.
    now = timezone.now()
    rows = model._default_manager.filter(pk=pk)
    if rows.filter(status=JobStatus.QUEUED).update(
        status=JobStatus.CANCELLED, cancel_requested_at=now, finished_at=now
    ):
        return JobStatus.CANCELLED
    if rows.filter(status=JobStatus.RUNNING).update(cancel_requested_at=now):
        return JobStatus.RUNNING
    return None


def end(model: type[Job], pk: int, status: JobStatus, reason: str = "") -> None:
    """Write how a running job ended other than done: failed (with a reason) or cancelled.

    The reason is shown on the job's page: a stage and a kind of error, never a record's values.
    """
    now = timezone.now()
    model._default_manager.filter(pk=pk).update(
        status=status, error=reason[:300], finished_at=now, heartbeat_at=now
    )


class Progress:
    """Writes a job's stage and fraction to its row, at most twice a second."""

    def __init__(self, model: type[Job], pk: int):
        self.model = model
        self.pk = pk
        self.stage = ""
        self.written = 0.0

    def __call__(self, stage: str, fraction: float) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.written < PROGRESS_INTERVAL:
            return
        self.stage, self.written = stage, now
        self.model._default_manager.filter(pk=self.pk).update(
            stage=stage[:40],
            fraction=min(max(float(fraction), 0.0), 1.0),
            heartbeat_at=timezone.now(),
        )

    def within(self, low: float, high: float) -> Callable[[str, float], None]:
        """A callback for a sub-task's stages, placed between `low` and `high` of the bar."""

        def report(stage: str, fraction: float) -> None:
            self(stage, low + (high - low) * min(max(float(fraction), 0.0), 1.0))

        return report

    def check(self) -> None:
        """Raise `Cancelled` if someone asked the job to stop. Call it between stages."""
        rows = self.model._default_manager.filter(pk=self.pk, cancel_requested_at__isnull=False)
        if rows.exists():
            raise Cancelled(self.stage)
