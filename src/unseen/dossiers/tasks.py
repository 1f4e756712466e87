"""The dossier as a task of the queue (`unseen.jobs`): what `unseen worker` runs."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """Raised to the queue instead of the error itself, whose message may quote a record."""


@task()
def render_dossier(dossier_id: int) -> str:
    """Render a queued dossier; its row says how it went (done, failed, cancelled)."""
    from .rendering import execute

    try:
        return str(execute(dossier_id).status)
    except Exception as error:
        # The queue keeps a failed task's traceback: it gets the kind of error, not its message.
        raise JobFailed(type(error).__name__) from None
