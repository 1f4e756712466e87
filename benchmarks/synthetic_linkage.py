"""Synthetic lists with known truth and calibrated linkage probabilities (ADR 0037).

Shared by `bench_linkage_draws.py` and `study_linkage_coverage.py`. Synthetic: no person here
exists. The model:

* N people; list j catches each person independently with probability `capture[j]` (lists of
  different reach), times a person's own catchability when `heterogeneity` > 0 (a log-normal
  factor with that standard deviation on the log-odds).
* One record per person per list that caught them.
* Candidate pairs, as blocking would give them: every true pair (two records of one person on
  two lists) and, for each record, `false_per_record` random records of other people on other
  lists.
* A match weight per pair, Normal(`true_weight`, `spread`) for true pairs and
  Normal(`false_weight`, `spread`) for false ones, turned into the *calibrated* probability
  P(true | weight) under that mixture: among pairs scored p, a share p are true. The two weight
  distributions overlap, so the clustering at 0.5 misses some true pairs and takes some false
  ones: it is wrong sometimes, as a real run is.
* Pairs below the floor (0.01) are dropped, as the run drops them. The run's own clustering
  links the pairs at or above 0.5, one-to-one (strongest first, one record per list); the draws
  are made as the platform makes them, without the one-to-one refusal.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from unseen.core.estimation import linkage_draws as ld


@dataclass(frozen=True)
class Lists:
    graph: ld.LinkageGraph
    base: NDArray[np.int64]  # the run's own clustering
    truth: int  # N
    people: NDArray[np.int64]  # the person behind each record
    names: tuple[str, ...]


def generate(
    population: int,
    seed: int,
    *,
    capture: tuple[float, ...] = (0.3, 0.4, 0.5),
    heterogeneity: float = 0.0,
    false_per_record: float = 1.0,
    true_weight: float = 3.0,
    false_weight: float = -4.0,
    spread: float = 2.0,
    threshold: float = 0.5,
    one_to_one_draws: bool = False,
) -> Lists:
    """One synthetic linkage problem (see the module's docstring)."""
    from scipy.special import expit, logit
    from scipy.stats import norm

    rng = np.random.default_rng(seed)
    t = len(capture)
    odds = logit(np.asarray(capture))[None, :]
    if heterogeneity:
        odds = odds + rng.normal(0, heterogeneity, (population, 1))
    caught = rng.random((population, t)) < expit(odds)
    person, column = np.nonzero(caught)
    records = len(person)
    lists = np.zeros((records, t), dtype=int)
    lists[np.arange(records), column] = 1
    # True pairs: records of one person (they are sorted by person).
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]])
    sizes = np.diff(np.r_[starts, records])
    left, right = [], []
    for size in (2, 3, 4, 5, 6):
        first = starts[sizes == size]
        for x in range(size):
            for y in range(x + 1, size):
                left.append(first + x)
                right.append(first + y)
    true_left = np.concatenate(left) if left else np.zeros(0, dtype=np.int64)
    true_right = np.concatenate(right) if right else np.zeros(0, dtype=np.int64)
    # False candidates: random records of other people on other lists.
    k = rng.poisson(false_per_record, records)
    fa = np.repeat(np.arange(records), k)
    fb = rng.integers(0, records, len(fa))
    keep = (person[fa] != person[fb]) & (column[fa] != column[fb])
    fa, fb = fa[keep], fb[keep]
    a = np.concatenate([true_left, fa])
    b = np.concatenate([true_right, fb])
    is_true = np.arange(len(a)) < len(true_left)
    weight = np.where(
        is_true,
        rng.normal(true_weight, spread, len(a)),
        rng.normal(false_weight, spread, len(a)),
    )
    share = is_true.mean() if len(a) else 0.5
    on_true = share * norm.pdf(weight, true_weight, spread)
    on_false = (1 - share) * norm.pdf(weight, false_weight, spread)
    probability = on_true / (on_true + on_false)
    kept = probability >= ld.DRAW_FLOOR
    a, b, probability = a[kept], b[kept], probability[kept]
    names = tuple(f"L{j + 1}" for j in range(t))
    # The draws: as the platform makes them, unless asked to refuse links one-to-one as well.
    graph = ld.graph(lists, a, b, probability, groups=column if one_to_one_draws else None)
    certain = ld.graph(lists, a, b, (probability >= threshold).astype(float), groups=column)
    base = next(ld.draw_clusterings(certain, 1, seed=0))
    return Lists(graph, base, population, person.astype(np.int64), names)
