"""Running, and publishing, saved estimates: each a transaction with its audit entry."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from unseen.accounts.models import AccessLevel
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core.estimation.histories import CaptureHistories

from .models import EstimateRun, RunKind, compute_results, frozen_histories, software_version


def run_estimate(
    title: str,
    histories: CaptureHistories,
    methods: Sequence[str],
    ci: str,
    level: float,
    bootstrap: int,
    seed: int,
    user: Any = None,
) -> EstimateRun:
    """Estimate by every method in `methods` and save the run with its frozen inputs.

    The estimates are computed before the transaction opens (they may take seconds), then the run
    and its audit entry are written together.

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
    with transaction.atomic():
        run = EstimateRun.objects.create(
            title=title,
            kind=RunKind.MSE,
            lists=list(histories.lists),
            histories=frozen_histories(histories),
            parameters=parameters,
            software_version=software_version(),
            results=results,
            created_by=user if user is not None and user.is_authenticated else None,
        )
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
            },
        )
    return run


def set_published(run: EstimateRun, published: bool) -> EstimateRun:
    """Publish a run (it becomes public) or withdraw it (back to internal)."""
    with transaction.atomic():
        run = EstimateRun.objects.select_for_update().get(pk=run.pk)
        run.published = published
        run.published_at = timezone.now() if published else None
        run.access_level = AccessLevel.PUBLIC if published else AccessLevel.INTERNAL
        run.save(update_fields=["published", "published_at", "access_level", "updated_at"])
        record(
            Action.UPDATE,
            run,
            detail={"published": published, "access_level": run.access_level},
        )
    return run
