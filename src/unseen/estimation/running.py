"""Running, and publishing, saved estimates: each a transaction with its audit entry.

A run takes the access level of everything it read (`unseen.evidence.models.DerivedRecord`); it is
published only when every input is public, and withdrawing it restores that derived level.
"""

import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from unseen.accounts.models import AccessLevel
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core.estimation.histories import CaptureHistories
from unseen.evidence.models import declared_input

from .models import EstimateRun, RunKind, compute_results, frozen_histories, software_version

logger = logging.getLogger(__name__)

#: How an uploaded table is named among a run's inputs (its file name is the uploader's own).
UPLOADED_TABLE = "the uploaded table"


def run_estimate(
    title: str,
    histories: CaptureHistories,
    methods: Sequence[str],
    ci: str,
    level: float,
    bootstrap: int,
    seed: int,
    user: Any = None,
    *,
    inputs: Sequence[dict[str, Any]] | None = None,
) -> EstimateRun:
    """Estimate by every method in `methods` and save the run with its frozen inputs.

    `inputs` are what the table was made from (`unseen.evidence.models.input_of` and
    `declared_input`), and decide the run's access level; by default, an uploaded table declared
    internal. The estimates are computed before the transaction opens (they may take seconds),
    then the run and its audit entry are written together.

    Raises:
        unseen.core.estimation.mse.EstimationError: the table or the request cannot be
            estimated; nothing is saved.
    """
    parameters = {
        "methods": list(methods),
        "ci": ci,
        "level": float(level),
        "bootstrap": int(bootstrap),
        "seed": int(seed),
    }
    results = compute_results(histories, parameters)
    if inputs is None:
        inputs = [declared_input(UPLOADED_TABLE, AccessLevel.INTERNAL)]
    with transaction.atomic():
        run = EstimateRun(
            title=title,
            kind=RunKind.MSE,
            lists=list(histories.lists),
            histories=frozen_histories(histories),
            parameters=parameters,
            software_version=software_version(),
            results=results,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        run.derive_from(inputs)
        run.save()
        record(
            Action.CREATE,
            run,
            detail={
                "kind": run.kind,
                "lists": len(run.lists),
                "observed": histories.observed,
                "methods": run.methods,
                "ci": ci,
                "seed": parameters["seed"],
                "access_level": run.access_level,
            },
        )
    return run


class NotPublishable(Exception):
    """A run rests on inputs that are not public; `problems` says which."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def set_published(run: EstimateRun, published: bool) -> EstimateRun:
    """Publish a run (it becomes public) or withdraw it (back to the level of its inputs).

    Raises:
        NotPublishable: publishing a run with an input that is not public, when it was read or
            now; nothing is changed.
    """
    with transaction.atomic():
        run = EstimateRun.objects.select_for_update().get(pk=run.pk)
        if published:
            problems = run.publication_problems()
            if problems:
                # Counts only: the labels may name a source the log's readers may not see.
                logger.warning(
                    "run %s: publishing refused, %s inputs not public", run.pk, len(problems)
                )
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
