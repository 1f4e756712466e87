"""What every piece of long work keeps on its own row: status, stage, progress, failure, cancel.

A kind of long work (a linkage run today; OCR, dossiers, imports and exports next) is a model
that inherits `Job`. Its page reads these fields; its task (`unseen.jobs.queue`) writes them.
Nothing here names a record's content: a failure is a stage and the kind of error.
"""

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unseen.constraints import choices_constraint

#: A job that has not reported progress for this long has probably died.
STALL_SECONDS = 15 * 60


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


#: The states a job does not leave.
ENDED = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


class Job(models.Model):
    """The row of one piece of long work, as its task and its page see it."""

    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    fraction = models.FloatField(_("progress"), default=0.0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    cancel_requested_at = models.DateTimeField(_("cancel requested at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in ENDED

    @property
    def cancelling(self) -> bool:
        """Asked to stop while running: the job stops at its next stage."""
        return self.cancel_requested_at is not None and not self.finished

    @property
    def stalled(self) -> bool:
        """Queued or running, yet silent for longer than any stage takes: the job has died."""
        if self.finished:
            return False
        last = self.heartbeat_at or getattr(self, "created_at", None)
        return last is not None and timezone.now() - last > dt.timedelta(seconds=STALL_SECONDS)

    def progress_document(self) -> dict[str, Any]:
        """What a progress page polls: no record ids, no names."""
        return {
            "status": self.status,
            "status_label": str(JobStatus(self.status).label),
            "stage": self.stage,
            "fraction": round(self.fraction, 3),
            "finished": self.finished,
            "stalled": self.stalled,
            "cancelling": self.cancelling,
            "error": self.error,
        }


def job_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The CHECK constraints of a `Job` model's fields, named after the model."""
    return [
        choices_constraint("status", JobStatus, f"{prefix}_status_valid"),
        models.CheckConstraint(
            condition=Q(fraction__gte=0, fraction__lte=1), name=f"{prefix}_fraction_0_to_1"
        ),
    ]
