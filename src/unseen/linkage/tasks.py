"""The linkage run as a task of the queue (`unseen.jobs`): what `unseen worker` runs."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """Raised to the queue instead of the error itself, whose message may quote a record."""


@task()
def run_linkage(run_id: int) -> str:
    """Run a queued linkage run to the end; the run row says how it went (done, failed...)."""
    from .running import execute

    try:
        return str(execute(run_id).status)
    except Exception as error:
        # The queue keeps a failed task's traceback: it gets the kind of error, not its message.
        raise JobFailed(type(error).__name__) from None
