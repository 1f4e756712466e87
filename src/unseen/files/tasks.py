"""Reading a file's text as a task of the queue (`unseen.jobs`): what `unseen worker` runs."""

from django_tasks import task


class JobFailed(Exception):
    """Raised to the queue instead of the error itself, whose message may quote the document."""


@task()
def run_ocr(job_id: int) -> str:
    """Run a queued OCR job to the end; the job's row says how it went (done, failed...)."""
    from .reading import execute_ocr

    try:
        return str(execute_ocr(job_id).status)
    except Exception as error:
        # The queue keeps a failed task's traceback: it gets the kind of error, not its message.
        raise JobFailed(type(error).__name__) from None
