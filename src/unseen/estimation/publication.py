"""Publishing and withdrawing saved estimates of either kind (MSE and revenue runs).

A run is published only when every input is public, and withdrawing it restores the level derived
from its inputs (`unseen.evidence.models.DerivedRecord`); each change is one transaction with its
audit entry.
"""

import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import AccessLevel, User
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.evidence.models import ReviewState

from .models import EstimateRun

logger = logging.getLogger(__name__)


class NotPublishable(Exception):
    """A run rests on inputs that are not public; `problems` says which."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def second_person_problem(run: EstimateRun, by: User | None) -> str:
    """Why `by` may not publish `run` under the two-person rule ("" when they may; ADR 0025).

    The publisher is not the person who ran it, or a reviewer other than the runner reviewed it.
    A run made by no one in the app (a command) may be published by its operator (`by` None); a
    run someone ran needs a named publisher."""
    runner = run.created_by
    reviewed = run.review_state == ReviewState.REVIEWED and run.reviewed_by
    if reviewed and (runner is None or run.reviewed_by != runner.get_username()):
        return ""
    if runner is None:
        return ""
    if by is not None and by.pk != runner.pk:
        return ""
    return str(
        _(
            "You ran this estimate; someone else must publish it, or review it first "
            "(the two-person rule)."
        )
    )


def set_published(run: EstimateRun, published: bool, *, by: User | None = None) -> EstimateRun:
    """Publish a run (it becomes public) or withdraw it (back to the level of its inputs).

    Raises:
        NotPublishable: publishing a run with an input that is not public, when it was read or
            now, or one its runner would publish alone; nothing is changed.
    """
    with transaction.atomic():
        run = EstimateRun.objects.select_for_update().get(pk=run.pk)
        if published:
            problems = run.publication_problems()
            problem = second_person_problem(run, by)
            if problem:
                problems.append(problem)
            if problems:
                # Counts only: the labels may name a source the log's readers may not see.
                logger.warning("run %s: publishing refused, %s problems", run.pk, len(problems))
                raise NotPublishable(problems)
            run.access_level = AccessLevel.PUBLIC
        else:
            run.access_level = run.restored_access_level()
        run.published = published
        run.published_at = timezone.now() if published else None
        run.save(
            update_fields=[
                "published",
                "published_at",
                "access_level",
                "input_access_level",
                "updated_at",
            ]
        )
        record(
            Action.UPDATE,
            run,
            detail={"published": published, "access_level": run.access_level},
        )
    return run
