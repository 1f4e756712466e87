"""Exports from the web (ADR 0035): queued jobs, approvals asked for in the app, expiring downloads.

One code path with `unseen export`: the page checks a request with `exports.export(...,
dry_run=True)` (every refusal the command would print becomes a form error, and nothing is
written), then queues an `ExportJob`; `unseen worker` runs `execute`, which calls `exports.export`
again on the data as it is then (so the audit entry, the release ledger and a full export's
approval are written exactly as at the command line), zips the folder into the private exports
area (`UNSEEN_EXPORTS_DIR`, 0700, files 0600) and deletes the folder. Only the person who asked
may download the zip, each download is audited, and it expires after
`UNSEEN_EXPORT_DOWNLOAD_HOURS`: the file is then deleted (by `purge_expired`, which the exports
page and the download run, and `unseen exports purge` from cron).

Nothing here logs or stores a record's values: the job row keeps counts, the k reached and the
zip's SHA-256; a failure keeps the refusal's message (which names no record) or the kind of error.
"""

import hashlib
import logging
import secrets
import shutil
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from unseen.accounts.models import User
from unseen.accounts.roles import Capability, Role
from unseen.audit.context import current_actor
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.jobs.models import JobStatus
from unseen.jobs.queue import Progress, claim, end, enqueue_after_commit
from unseen.private_files import open_new, private_folder

from .exports import ExportRefused, ExportResult, export, steps
from .models import ExportApproval, ExportJob

logger = logging.getLogger(__name__)

#: Where the export's writing ends on the progress bar; zipping takes the rest.
WRITTEN_AT = 0.9
CHUNK = 1 << 20


class ApprovalRefused(Exception):
    """An approval cannot be requested, approved or refused as asked; the reason is for the user."""


def exports_area() -> Path:
    return private_folder(Path(settings.UNSEEN_EXPORTS_DIR))


def _path(job: ExportJob) -> Path:
    return exports_area() / job.file_name


def _arguments(job: ExportJob, user: User) -> dict[str, Any]:
    """What `exports.export` is given for this job: the same for the check and for the run."""
    administrator = user.role == Role.ADMINISTRATOR
    return {
        "format": job.format,
        "level": job.level,
        "recipient": job.recipient,
        "k": job.k,
        "override_by": user if job.override_k and administrator else None,
        "linkable_by": user if job.linkable and administrator else None,
        "approval": job.approval,
        "requested_by": user,
    }


def check(job: ExportJob, user: User) -> ExportResult:
    """Every refusal the export would give now (ExportRefused), without writing anything.

    The form's overrides are for administrators only: asked by anyone else, they are refused
    with the export's own message.
    """
    if job.override_k and user.role != Role.ADMINISTRATOR:
        raise ExportRefused("only an administrator may override the k-anonymity check")
    if job.linkable and user.role != Role.ADMINISTRATOR:
        raise ExportRefused("only an administrator may make an export linkable")
    arguments = _arguments(job, user)
    directory = exports_area() / "check-not-written"
    return export(directory, dry_run=True, **arguments)


def queue_export(job: ExportJob, user: User) -> ExportJob:
    """Check the export as it will run, then save the job and queue it once committed."""
    check(job, user)
    with transaction.atomic():
        job.requested_by = user
        job.stage = "queued"
        job.save()
        record(
            Action.CREATE,
            job,
            detail={"format": job.format, "level": job.level, "k": job.k, "job": job.pk},
        )
        enqueue(job.pk)
    return job


def enqueue(job_id: int) -> None:
    from .tasks import run_export

    def refused(error: Exception) -> None:
        end(
            ExportJob,
            job_id,
            JobStatus.FAILED,
            f"the job could not be queued: {type(error).__name__}",
        )

    enqueue_after_commit(run_export, job_id, refused=refused)


def execute(job_id: int) -> ExportJob:
    """Run a queued export job to the end (done or failed). What `unseen worker` calls."""
    token = None
    folder: Path | None = None
    try:
        claimed = claim(ExportJob, job_id)
        job = ExportJob.objects.select_related("requested_by", "approval").get(pk=job_id)
        if not claimed:
            return job
        user = job.requested_by
        token = current_actor.set(user.get_username())
        progress = Progress(ExportJob, job.pk)
        progress("writing", 0.0)
        total = steps(job.format)
        done = [0]

        def advance(count: int) -> None:
            done[0] += count
            progress("writing", WRITTEN_AT * min(done[0] / total, 1.0))

        name = f"export-{job.pk}-{secrets.token_hex(8)}"
        folder = exports_area() / name
        result = export(folder, progress=advance, job=job.pk, **_arguments(job, user))
        progress("zipping", WRITTEN_AT)
        zipped = exports_area() / f"{name}.zip"
        digest, size = _zip(folder, zipped)
        finished = timezone.now()
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE,
            stage="done",
            fraction=1.0,
            finished_at=finished,
            heartbeat_at=finished,
            file_name=zipped.name,
            sha256=digest,
            size=size,
            expires_at=job.expiry_from(finished),
            result=_result(result),
        )
    except ExportRefused as refusal:
        # The data changed between the check and the run: the refusal names no record.
        end(ExportJob, job_id, JobStatus.FAILED, str(refusal))
    except (KeyboardInterrupt, SystemExit):
        end(ExportJob, job_id, JobStatus.FAILED, "stopped from outside")
        raise
    except Exception as error:
        logger.error("export job %s failed: %s", job_id, type(error).__name__)
        end(ExportJob, job_id, JobStatus.FAILED, f"failed: {type(error).__name__}")
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if token is not None:
            current_actor.reset(token)
    return ExportJob.objects.get(pk=job_id)


def _result(result: ExportResult) -> dict[str, Any]:
    return {
        "files": result.files,
        "k": result.k,
        "persons": result.persons,
        "suppressed": result.suppressed,
        "generalisation": result.generalisation,
        "overridden": result.overridden,
        "linkable": result.linkable,
        "earlier_releases": result.earlier_releases,
        "evidence_files": result.evidence_files,
        "evidence_withheld": result.evidence_withheld,
    }


def _zip(folder: Path, zipped: Path) -> tuple[str, int]:
    """Zip every file under `folder` into a new 0600 `zipped`; its SHA-256 and size."""
    with (
        open_new(zipped) as handle,
        zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.write(path, path.relative_to(folder).as_posix())
    digest = hashlib.sha256()
    with zipped.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest(), zipped.stat().st_size


# --- Downloads and expiry -----------------------------------------------------------------------


def jobs_of(user: User) -> Any:
    return ExportJob.objects.filter(requested_by=user).select_related("approval")


def purge_expired(now: Any = None) -> int:
    """Delete the zips whose download time is over; the rows stay (the page says "expired")."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(expires_at__lte=now, purged_at__isnull=True).exclude(
        file_name=""
    ):
        count += _purge(job, now)
    return count


def _purge(job: ExportJob, now: Any) -> int:
    with transaction.atomic():
        if not ExportJob.objects.filter(pk=job.pk, purged_at__isnull=True).update(purged_at=now):
            return 0  # another process purged it
        (exports_area() / job.file_name).unlink(missing_ok=True)
        record(Action.DELETE, job, detail={"job": job.pk, "sha256": job.sha256, "expired": True})
    return 1


def download_path(job: ExportJob, user: User) -> Path | None:
    """The zip to send, audited; None when it has expired (and is deleted now if it was not)."""
    if job.expired:
        if job.purged_at is None and job.file_name:
            _purge(job, timezone.now())
        return None
    if not job.downloadable:
        return None
    path = _path(job)
    if not path.is_file():
        return None
    record(
        Action.EXPORT,
        job,
        detail={
            "job": job.pk,
            "download": True,
            "sha256": job.sha256,
            "level": job.level,
            "format": job.format,
            "files": job.result.get("files", {}),
            "persons": job.result.get("persons", 0),
            "suppressed": job.result.get("suppressed", 0),
            "smallest_group": job.result.get("k"),
        },
        actor=user.get_username(),
    )
    return path


def download_name(job: ExportJob) -> str:
    return f"unseen-export-{job.pk}-{job.level}-{job.format}.zip"


# --- Approvals of full exports ------------------------------------------------------------------


def request_approval(user: User, recipient: str, reason: str) -> ExportApproval:
    """Ask the administrators for leave to make one full export to `recipient`."""
    if not user.can(Capability.EXPORT_RECORDS):
        raise ApprovalRefused("only those who may export records may ask for a full export")
    recipient = " ".join(recipient.split())
    if not recipient or not reason.strip():
        raise ApprovalRefused("a request names the recipient and the reason")
    with transaction.atomic():
        approval = ExportApproval.objects.create(
            recipient=recipient,
            reason=reason.strip(),
            requested_by=user,
            requested_at=timezone.now(),
            approved_at=None,
        )
        record(Action.CREATE, approval, detail={"level": "full", "request": True})
    return approval


def may_decide(user: User) -> bool:
    return user.role == Role.ADMINISTRATOR


def decide(approval: ExportApproval, user: User, *, approve: bool) -> ExportApproval:
    """An administrator approves or refuses a pending request: never their own (two people)."""
    if not may_decide(user):
        raise ApprovalRefused("only an administrator may approve a full export")
    if approval.requested_by_id == user.pk:
        raise ApprovalRefused(
            "you asked for this export: another administrator must approve or refuse it"
        )
    now = timezone.now()
    with transaction.atomic():
        pending = ExportApproval.objects.filter(
            pk=approval.pk,
            approved_by__isnull=True,
            refused_by__isnull=True,
            used_at__isnull=True,
        )
        changes: dict[str, Any] = (
            {"approved_by": user, "approved_at": now}
            if approve
            else {"refused_by": user, "refused_at": now}
        )
        if not pending.update(**changes):
            raise ApprovalRefused("this request has already been decided")
        approval.refresh_from_db()
        record(
            Action.UPDATE,
            approval,
            detail={"decision": "approved" if approve else "refused", "level": approval.level},
        )
    return approval


def usable_approvals(user: User) -> Any:
    """The user's own approved, unused requests that no queued or running job holds."""
    return (
        ExportApproval.objects.filter(
            requested_by=user,
            approved_by__isnull=False,
            refused_by__isnull=True,
            used_at__isnull=True,
        )
        .exclude(jobs__status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .order_by("-approved_at")
    )
