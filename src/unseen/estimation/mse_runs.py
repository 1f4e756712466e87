"""Running a saved MSE estimate: one transaction with its audit entry.

A run takes the access level of everything it read (`unseen.evidence.models.DerivedRecord`);
publishing it, for either kind of run, is `publication`. Revenue runs are `revenue_runs`.
"""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction

from unseen.accounts.models import AccessLevel, UserLike
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core.estimation.histories import CaptureHistories
from unseen.evidence.models import declared_input

from . import provenance
from .models import (
    EstimateRun,
    RunKind,
    compute_results,
    compute_sensitivity,
    frozen_histories,
    software_version,
)

if TYPE_CHECKING:
    from unseen.linkage.models import LinkageRun

if TYPE_CHECKING:
    from unseen.linkage.models import LinkageRun

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
    user: UserLike | None = None,
    *,
    inputs: Sequence[dict[str, Any]] | None = None,
    merges: Sequence[Sequence[str]] = (),
    strata: Mapping[str, CaptureHistories] | None = None,
    stratum: str = "",
    linkage_run: "LinkageRun | None" = None,
    linkage_uncertainty: dict[str, Any] | None = None,
) -> EstimateRun:
    """Estimate by every method in `methods` and save the run with its frozen inputs.

    `inputs` are what the table was made from (`unseen.evidence.models.input_of` and
    `declared_input`), and decide the run's access level; by default, an uploaded table declared
    internal. `linkage_run` is the run whose clusters made the lists;
    `linkage_uncertainty` what `unseen.linkage.draws.estimate_over_draws` found over alternative
    linkages of it (ADR 0037). The estimates are computed before the transaction opens (they may take seconds),
    then the run and its audit entry are written together.

    Every run also gets its sensitivity (`EstimateRun.sensitivity`, docs/methods/sensitivity.md):
    each list left out in turn, each group of lists in `merges` counted as one, and, when
    `strata` (the table split by the `stratum` column) is given, each stratum and their sum.

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
    sensitivity = compute_sensitivity(histories, parameters, merges, strata, stratum)
    if linkage_run is not None:
        inputs = provenance.ensure_linkage_inputs(inputs, linkage_run)
    elif inputs is None:
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
            sensitivity=sensitivity,
            created_by=user if user is not None and user.is_authenticated else None,
            linkage_uncertainty=linkage_uncertainty or {},
        )
        run.derive_from(inputs)
        if linkage_run is not None:
            provenance.record_provenance(run, linkage_run)
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
                "linkage_run": linkage_run.pk if linkage_run is not None else None,
            },
        )
    return run
