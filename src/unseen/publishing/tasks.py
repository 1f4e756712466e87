"""Exports from the web as a task of the queue (`unseen.jobs`): what `unseen worker` runs."""

from django_tasks import task


class JobFailed(Exception):
    """Raised to the queue instead of the error itself, whose message could quote a record."""


@task()
def run_export(job_id: int) -> str:
    """Run a queued export job to the end; the job's row says how it went (done, failed)."""
    from .exporting import execute

    try:
        return str(execute(job_id).status)
    except Exception as error:
        # The queue keeps a failed task's traceback: it gets the kind of error, not its message.
        raise JobFailed(type(error).__name__) from None
