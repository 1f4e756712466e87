"""A finished run's scored pairs kept for estimates over alternative linkages (ADR 0037).

The job stores the pairs it scored at or above `DRAW_FLOOR` as one compressed NumPy archive per
run (`ScoredPairs`): record primary keys and probabilities, never a value from a record. Later,
`linkage_graph` rebuilds what `unseen.core.estimation.linkage_draws` draws from: each record's
lists, the pairs, the run's own clusters and the verdicts in force now (a verdict given after the
run is respected by the draws, though the run's own clusters predate it).

NumPy is imported inside the functions: the URL conf loads this module's importers in every
command and web worker (#16).
"""

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .models import LinkageRun, LinkDecision, RunStatus, ScoredPairs

if TYPE_CHECKING:
    import pandas as pd

    from unseen.core.estimation.linkage_draws import LinkageGraph

#: The lowest match probability kept (the scoring step's own floor; see the core module).
DRAW_FLOOR = 0.01


class NoDraws(ValueError):
    """The run cannot give draws: not finished, or finished before its pairs were kept."""


def pairs_archive(
    run: LinkageRun, pairs: "pd.DataFrame", records: Sequence[int], one_to_one: bool
) -> ScoredPairs:
    """The run's scored pairs (≥ `DRAW_FLOOR`) as an unsaved `ScoredPairs`.

    `pairs` has the core's columns `record_id_l`, `record_id_r` (primary keys as text) and
    `match_probability`; `records` are the primary keys of every record of the run.
    """
    import numpy as np

    pks = np.unique(np.asarray(list(records), dtype=np.int64))
    p = pairs["match_probability"].to_numpy(dtype=np.float64) if len(pairs) else np.zeros(0)
    keep = p >= DRAW_FLOOR
    if len(pairs):
        left = pairs["record_id_l"].to_numpy()[keep].astype(np.int64)
        right = pairs["record_id_r"].to_numpy()[keep].astype(np.int64)
    else:
        left = right = np.zeros(0, dtype=np.int64)
    index = np.uint32 if len(pks) < 2**32 else np.int64
    out = io.BytesIO()
    np.savez_compressed(
        out,
        records=pks,
        left=np.searchsorted(pks, left).astype(index),
        right=np.searchsorted(pks, right).astype(index),
        probability=p[keep].astype(np.float32),
    )
    return ScoredPairs(
        run=run,
        floor=DRAW_FLOOR,
        count=int(keep.sum()),
        one_to_one=bool(one_to_one),
        data=out.getvalue(),
    )


def has_pairs(run: LinkageRun) -> bool:
    """Whether draws can be made from this run."""
    return run.status == RunStatus.DONE and ScoredPairs.objects.filter(run=run).exists()


def linkage_graph(run: LinkageRun) -> tuple["LinkageGraph", Any]:
    """What the draws need, by record position, and the run's own clustering (a label each).

    Raises:
        NoDraws: the run is not finished, or has no stored pairs (finished before they were
            kept: re-run it).
    """
    import numpy as np

    from unseen.core.estimation.linkage_draws import graph

    if run.status != RunStatus.DONE:
        raise NoDraws("the run has not finished")
    stored = ScoredPairs.objects.filter(run=run).first()
    if stored is None:
        raise NoDraws(
            f"linkage run {run.pk} kept no match probabilities (it finished before they were "
            "kept); re-run it"
        )
    with np.load(io.BytesIO(bytes(stored.data))) as archive:
        stored_pks = archive["records"]
        left = stored_pks[archive["left"].astype(np.int64)]
        right = stored_pks[archive["right"].astype(np.int64)]
        probability = archive["probability"].astype(np.float64)
    sources = [s.pk for s in run.lists()]
    column = {pk: j for j, pk in enumerate(sources)}
    members = list(run.members.order_by("record_id").values_list("record_id", "cluster", "lists"))
    pks = np.array([m[0] for m in members], dtype=np.int64)
    labels = np.array([m[1] for m in members], dtype=np.int64)
    table = np.zeros((len(members), len(sources)), dtype=int)
    for i, (_, _, on) in enumerate(members):
        table[i, [column[s] for s in on if s in column]] = 1
    position = {int(pk): i for i, pk in enumerate(pks)}
    known = np.isin(left, pks) & np.isin(right, pks)
    a = np.searchsorted(pks, left[known])
    b = np.searchsorted(pks, right[known])
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    decisions = LinkDecision.objects.active().filter(entity=run.entity)
    for x, y, is_match in decisions.values_list("record_a", "record_b", "is_match"):
        if x in position and y in position:
            (must if is_match else cannot).append((position[x], position[y]))
    linkage = graph(
        table,
        a,
        b,
        probability[known],
        must=must,
        cannot=cannot,
        # No one-to-one refusal in the draws, even where the run clustered one-to-one: refusing
        # drawn links breaks the probabilities' calibration (ADR 0037).
    )
    return linkage, labels


def estimate_over_draws(
    run: LinkageRun,
    names: Sequence[str],
    methods: Sequence[str],
    *,
    draws: int,
    seed: int,
    ci: str,
    level: float,
    progress: Any = None,
) -> dict[str, Any]:
    """`unseen.core.estimation.linkage_draws.estimate_over_draws` on a run, with the run named.

    Raises:
        NoDraws: see `linkage_graph`.
        unseen.core.estimation.mse.EstimationError: the run's own table cannot be estimated.
    """
    from unseen.core.estimation.linkage_draws import estimate_over_draws as over_draws

    linkage, labels = linkage_graph(run)
    document = over_draws(
        linkage,
        labels,
        names,
        methods,
        draws=draws,
        seed=seed,
        ci=ci,
        level=level,
        progress=progress,
    )
    return {"linkage_run": run.pk, **document}
