"""The cross-reference run as a task of the queue (`unseen.jobs`): what `unseen worker` runs."""

from django_tasks import task


class JobFailed(Exception):
    """Raised to the queue instead of the error itself, whose message may quote a record."""


@task()
def run_xref(run_id: int) -> str:
    """Run a queued cross-reference run to the end; its row says how it went."""
    from .xref import execute

    try:
        return str(execute(run_id).status)
    except Exception as error:
        # The queue keeps a failed task's traceback: it gets the kind of error, not its message.
        raise JobFailed(type(error).__name__) from None
