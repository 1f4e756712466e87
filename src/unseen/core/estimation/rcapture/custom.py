"""Mt with the user's own columns (Rcapture's mX): two-list interactions, one-history indicators."""

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.rcapture.fitting import FloatArray
from unseen.core.estimation.rcapture.models import _build, _fit_model, _Model
from unseen.core.estimation.results import Estimate


def interaction(histories: CaptureHistories, *lists: str) -> FloatArray:
    """The column Π_{j ∈ lists} ω_j: 1 on histories seen by all of `lists`, else 0."""
    if len(lists) < 2:
        raise ValueError("an interaction needs at least two lists")
    columns = [histories.lists.index(name) for name in lists]
    return np.asarray(histories.patterns[:, columns].prod(axis=1), dtype=float)


def indicator(histories: CaptureHistories, pattern: Sequence[int]) -> FloatArray:
    """The column that is 1 on one history (e.g. seen by every list) and 0 elsewhere."""
    target = np.asarray(pattern, dtype=int)
    if target.shape != (histories.t,) or not target.any():
        raise ValueError(f"{pattern!r} is not an observable history of {histories.t} lists")
    return np.asarray(np.all(histories.patterns == target, axis=1), dtype=float)


def mt_plus(
    histories: CaptureHistories,
    extra: Mapping[str, ArrayLike],
    *,
    level: float = 0.95,
    seed: int | None = None,
) -> Estimate:
    """Mt plus user columns, as Rcapture's `closedpCI.t(mX = ~ . + ...)`.

    Args:
        histories: the full table.
        extra: column name → one value per observable history (in `histories.patterns`
            order), e.g. `{"c1:c2": interaction(h, "c1", "c2")}`. Every column must be zero
            on the unobserved history, which `interaction` and `indicator` columns are.
        level: profile interval level.
        seed: ignored.

    Raises:
        ValueError: for a column of the wrong length or a design without full rank.
    """
    base = _build(histories, "Mt", None)
    columns = list(base.columns)
    for name, values in extra.items():
        column = np.asarray(values, dtype=float)
        if column.shape != (len(histories.counts),):
            raise ValueError(f"column {name!r} needs one value per observable history")
        columns.append(column)
    label = "Mt + " + " + ".join(extra) if extra else "Mt"
    model = _Model("Mt+", label, columns, base.names + list(extra))
    return _fit_model(histories, model, level)
