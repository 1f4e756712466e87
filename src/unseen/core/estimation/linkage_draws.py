"""Population estimates over alternative linkages: linkage and sampling uncertainty together.

One hard clustering is one guess at who is who. A linkage run scores its candidate pairs with a
match probability; here M plausible clusterings are drawn from those probabilities, each is
turned into capture histories and estimated, and the estimates are combined (docs/methods/
linkage-uncertainty.md, ADR 0037):

* **Drawing a clustering.** Every scored pair is linked independently with its probability, then
  the links are closed transitively (connected components). Analysts' verdicts always hold: a
  pair decided *the same* is linked in every draw, and a pair decided *not the same* never ends
  in one cluster, not even through a chain of other links. Optionally (`groups`) a drawn link
  that would put two records of one source in a cluster is refused too, as one-to-one
  clustering does; the platform does not ask for it, because refusing links breaks the
  probabilities' calibration (fewer links are drawn than Σp) and biased the draws upward in the
  coverage study (docs/methods/linkage-uncertainty.md). Components that break a rule are
  rebuilt from their drawn links, verdicts first, then strongest first, skipping any link that
  would break it. The rest is vectorised: only those components go through a Python loop.
* **Estimating on each.** The chosen method's point estimate N̂ₘ and its fixed-model interval
  (profile or Wald: a BCa bootstrap per draw would cost a thousand fits each).
* **Combining.** *Sampling only*: the interval of the run's own clustering. *Linkage only*: the
  spread (quantiles) of the draws' N̂ₘ. *Combined*: the quantiles of the mixture, over the draws,
  of each draw's sampling distribution, taken as a split log-normal on the unseen N − n: its
  median at N̂ₘ − nₘ and its interval's ends at the matching quantiles. The mixture is solved
  exactly (bisection on its CDF), with no second layer of random draws. With certain links every
  draw is the run's clustering and the combined interval is the sampling interval.

Record ids here are positions 0..n-1; callers map them to primary keys. Nothing is identifying.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from unseen.core.estimation.histories import CaptureHistories

#: Pairs below this match probability are not kept for draws: the same floor as the scoring step
#: (`unseen.core.linkage.linking.PAIR_FLOOR`), below which Splink's pairs are not returned at all.
DRAW_FLOOR = 0.01
#: Interval kinds a draw can use; `bca` falls back to `profile` (one bootstrap per draw is too
#: slow, and the combined interval needs each draw's sampling interval, not its selection's).
DRAW_CIS = ("profile", "wald")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LinkageGraph:
    """Records, their lists, scored pairs and verdicts, by record position (0..n-1).

    Attributes:
        lists: (n, t) 0/1 array: which of the t lists each record is on.
        left, right: (P,) positions of each scored pair.
        probability: (P,) match probability of each pair.
        must: (K, 2) pairs decided the same (linked in every draw).
        cannot: (J, 2) pairs decided not the same (never in one cluster).
        groups: (n,) the source each record is listed under, where clustering is one-to-one
            (two records of one group are never joined by a drawn link); None otherwise.
    """

    lists: NDArray[np.int_]
    left: NDArray[np.int64]
    right: NDArray[np.int64]
    probability: NDArray[np.float64]
    must: NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    cannot: NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    groups: NDArray[np.int64] | None = None

    @property
    def n(self) -> int:
        """The number of records."""
        return int(self.lists.shape[0])

    @property
    def t(self) -> int:
        """The number of lists."""
        return int(self.lists.shape[1])


def graph(
    lists: Any,
    left: Any,
    right: Any,
    probability: Any,
    *,
    must: Sequence[tuple[int, int]] = (),
    cannot: Sequence[tuple[int, int]] = (),
    groups: Any = None,
) -> LinkageGraph:
    """A `LinkageGraph` from plain sequences, checked.

    Raises:
        ValueError: shapes disagree, a position is out of range, a probability is not in
            [0, 1], or one pair is decided both ways.
    """
    table = np.asarray(lists, dtype=int)
    if table.ndim != 2 or table.shape[1] < 2:
        raise ValueError("lists must be an (n, t) 0/1 array with t ≥ 2")
    n = table.shape[0]
    a, b = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    p = np.asarray(probability, dtype=np.float64)
    if not (a.shape == b.shape == p.shape) or a.ndim != 1:
        raise ValueError("left, right and probability must be 1-d arrays of one length")
    if len(p) and (p.min() < 0 or p.max() > 1 or np.isnan(p).any()):
        raise ValueError("a probability is outside [0, 1]")
    yes = np.asarray(list(must), dtype=np.int64).reshape(-1, 2)
    no = np.asarray(list(cannot), dtype=np.int64).reshape(-1, 2)
    for ends in (a, b, yes.ravel(), no.ravel()):
        if len(ends) and (ends.min() < 0 or ends.max() >= n):
            raise ValueError("a pair names a record outside 0..n-1")
    both = {frozenset(map(int, x)) for x in yes} & {frozenset(map(int, x)) for x in no}
    if both:
        raise ValueError("a pair is decided both the same and not the same")
    group = None if groups is None else np.asarray(groups, dtype=np.int64)
    if group is not None and group.shape != (n,):
        raise ValueError("groups must give one group per record")
    return LinkageGraph(table, a, b, p, yes, no, group)


class _Edges:
    """The pairs a draw may link: scored pairs and decided matches, verdicts applied."""

    def __init__(self, g: LinkageGraph):
        n = g.n
        keys = np.minimum(g.left, g.right) * n + np.maximum(g.left, g.right)
        p = g.probability.copy()
        must_keys = np.minimum(g.must[:, 0], g.must[:, 1]) * n + np.maximum(
            g.must[:, 0], g.must[:, 1]
        )
        cannot_keys = np.minimum(g.cannot[:, 0], g.cannot[:, 1]) * n + np.maximum(
            g.cannot[:, 0], g.cannot[:, 1]
        )
        p[np.isin(keys, cannot_keys)] = 0.0
        # Decided matches the model never scored join the edges at probability 1.
        extra = np.setdiff1d(must_keys, keys)
        keys = np.concatenate([keys, extra])
        p = np.concatenate([p, np.ones(len(extra))])
        self.must = np.isin(keys, must_keys)
        p[self.must] = 1.0
        keep = p > 0
        self.keys, self.p, self.must = keys[keep], p[keep], self.must[keep]
        self.a, self.b = self.keys // n, self.keys % n
        self.uncertain = (self.p < 1.0) & ~self.must
        self.n = n


def draw_clusterings(g: LinkageGraph, draws: int, seed: int) -> Iterator[NDArray[np.int64]]:
    """Yield `draws` clusterings, each as a cluster label per record (labels 0..k-1).

    The same graph, draws and seed give the same clusterings.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    edges = _Edges(g)
    rng = np.random.default_rng(seed)
    n = g.n
    for _ in range(draws):
        u = rng.random(len(edges.p))
        on = u < edges.p  # probability 1 (verdicts, certain pairs) is always below
        a, b = edges.a[on], edges.b[on]
        matrix = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
        _, labels = connected_components(matrix, directed=False)
        labels = labels.astype(np.int64)
        bad = _conflicted(g, labels)
        if len(bad):
            labels = _rebuild(g, labels, bad, a, b, edges.p[on], edges.must[on])
        yield labels


def _conflicted(g: LinkageGraph, labels: NDArray[np.int64]) -> NDArray[np.int64]:
    """Components holding a pair decided apart, or (one-to-one) two records of one source."""
    found = []
    if len(g.cannot):
        same = labels[g.cannot[:, 0]] == labels[g.cannot[:, 1]]
        found.append(labels[g.cannot[same, 0]])
    if g.groups is not None:
        combined = labels * (int(g.groups.max()) + 1) + g.groups
        values, counts = np.unique(combined, return_counts=True)
        repeated = values[counts > 1] // (int(g.groups.max()) + 1)
        found.append(repeated)
    if not found:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(found))


def _rebuild(
    g: LinkageGraph,
    labels: NDArray[np.int64],
    bad: NDArray[np.int64],
    a: NDArray[np.int64],
    b: NDArray[np.int64],
    p: NDArray[np.float64],
    must: NDArray[np.bool_],
) -> NDArray[np.int64]:
    """Re-join the records of the components `bad` from their drawn links.

    Verdicts first, then strongest first, refusing any union that would break a verdict or
    (one-to-one) put two records of one source together (a decided match may still join two
    records of one source).
    """
    inside = np.isin(labels[a], bad)
    order = np.lexsort((-p[inside], ~must[inside]))
    la, lb, lm = a[inside][order], b[inside][order], must[inside][order]
    records = np.flatnonzero(np.isin(labels, bad))
    parent = {int(r): int(r) for r in records}
    members = {int(r): {int(r)} for r in records}
    apart: dict[int, set[int]] = {int(r): set() for r in records}
    for x, y in g.cannot.tolist():
        if x in apart:
            apart[x].add(y)
        if y in apart:
            apart[y].add(x)
    forbidden = {r: set(apart[r]) for r in apart}
    groups = None
    if g.groups is not None:
        groups = {int(r): {int(g.groups[r])} for r in records}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y, decided in zip(la.tolist(), lb.tolist(), lm.tolist(), strict=True):
        rx, ry = find(x), find(y)
        if rx == ry:
            continue
        if not forbidden[rx].isdisjoint(members[ry]):
            continue
        if groups is not None and not decided and not groups[rx].isdisjoint(groups[ry]):
            continue
        if len(members[rx]) < len(members[ry]):
            rx, ry = ry, rx
        parent[ry] = rx
        members[rx] |= members.pop(ry)
        forbidden[rx] |= forbidden.pop(ry)
        if groups is not None:
            groups[rx] |= groups.pop(ry)
    out = labels.copy()
    start = int(labels.max()) + 1
    roots = np.fromiter((find(int(r)) for r in records), dtype=np.int64, count=len(records))
    _, renumbered = np.unique(roots, return_inverse=True)
    out[records] = start + renumbered
    return out


def histories_of(
    g: LinkageGraph, labels: NDArray[np.int64], names: Sequence[str]
) -> CaptureHistories:
    """The capture histories of one clustering: a cluster is on a list when a record of it is."""
    t = g.t
    weights = 1 << np.arange(t - 1, -1, -1, dtype=np.int64)  # the first list: the top bit
    masks = g.lists.astype(np.int64) @ weights
    _, dense = np.unique(labels, return_inverse=True)
    cluster_mask = np.zeros(int(dense.max()) + 1 if len(dense) else 0, dtype=np.int64)
    np.bitwise_or.at(cluster_mask, dense, masks)
    counts = np.bincount(cluster_mask, minlength=2**t)[1:]
    from unseen.core.estimation.histories import all_patterns

    return CaptureHistories(tuple(names), all_patterns(t), counts.astype(int))


# ---------------------------------------------------------------------------------------------
# Combining


@dataclass(frozen=True)
class Draw:
    """One draw's estimate for one method: N̂, the observed n and its interval."""

    estimate: float
    observed: int
    low: float
    high: float


def _split_lognormal(draws: Sequence[Draw], z: float) -> tuple[NDArray[np.float64], ...]:
    """Each draw's unseen as a split normal on the log scale: (n, mu, sigma_low, sigma_high)."""
    n = np.array([d.observed for d in draws], dtype=float)
    unseen = np.array([d.estimate for d in draws], dtype=float) - n
    low = np.array([d.low for d in draws], dtype=float) - n
    high = np.array([d.high for d in draws], dtype=float) - n
    unseen = np.maximum(unseen, 1e-9)
    low = np.clip(low, unseen * 1e-6, unseen)
    mu = np.log(unseen)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma_low = (mu - np.log(low)) / z
        sigma_high = np.where(
            np.isfinite(high), (np.log(np.maximum(high, unseen)) - mu) / z, np.inf
        )
    return n, mu, sigma_low, sigma_high


def mixture_cdf(x: float, parts: tuple[NDArray[np.float64], ...]) -> float:
    """P(N ≤ x) under the mixture of the draws' split log-normal sampling distributions."""
    from scipy.special import ndtr

    n, mu, sigma_low, sigma_high = parts
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(np.maximum(x - n, 0.0))
        below = y < mu
        sigma = np.where(below, sigma_low, sigma_high)
        standard = (y - mu) / sigma
        # A zero spread is a point at the estimate; an unbounded one puts its half at infinity.
        standard = np.where(sigma == 0, np.where(below, -np.inf, np.inf), standard)
        standard = np.where(np.isinf(sigma), 0.0, standard)
    cdf = np.where(x <= n, 0.0, ndtr(standard))
    return float(np.mean(cdf))


def mixture_quantile(q: float, parts: tuple[NDArray[np.float64], ...]) -> float:
    """The q-quantile of the mixture (∞ when the mixture puts more than 1 − q beyond any bound)."""
    n = parts[0]
    lo = float(n.min())
    hi = float(max(n.max() + np.exp(parts[1]).max(), lo + 1.0))
    while mixture_cdf(hi, parts) < q:
        hi = lo + (hi - lo) * 4
        if hi > 1e15:
            return float("inf")
    for _ in range(200):
        mid = (lo + hi) / 2
        if mixture_cdf(mid, parts) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-6 * max(1.0, hi):
            break
    return hi


def combine(base: Draw, draws: Sequence[Draw], level: float) -> dict[str, Any]:
    """The three intervals and how much width each adds.

    `base` is the run's own clustering (sampling only); `draws` the alternative clusterings.
    """
    from scipy.stats import norm

    alpha = 1 - level
    z = float(norm.ppf(1 - alpha / 2))
    usable = [d for d in draws if np.isfinite(d.estimate)]
    estimates = np.array([d.estimate for d in usable], dtype=float)
    if not len(usable):
        return {"draws_used": 0}
    linkage = (
        float(np.quantile(estimates, alpha / 2)),
        float(np.quantile(estimates, 1 - alpha / 2)),
    )
    parts = _split_lognormal(usable, z)
    combined = (mixture_quantile(alpha / 2, parts), mixture_quantile(1 - alpha / 2, parts))
    sampling = (base.low, base.high)

    def width(interval: tuple[float, float]) -> float:
        return interval[1] - interval[0]

    # Rubin-style shares on the log of the unseen: within-draw and between-draw variance.
    _, mu, s_low, s_high = parts
    finite = np.isfinite(s_low) & np.isfinite(s_high)
    within = float(np.mean(((s_low + s_high) / 2)[finite] ** 2)) if finite.any() else float("inf")
    m = len(usable)
    between = float(np.var(mu, ddof=1)) if m > 1 else 0.0
    total = within + (1 + 1 / m) * between
    share = (1 + 1 / m) * between / total if np.isfinite(total) and total > 0 else None
    finite_widths = np.isfinite([width(combined), width(sampling)]).all()
    ratio = width(combined) / width(sampling) if finite_widths and width(sampling) > 0 else None
    return {
        "draws_used": m,
        "estimate": base.estimate,
        "observed": base.observed,
        "draws_median": float(np.median(estimates)),
        "draws_observed": [
            int(min(d.observed for d in usable)),
            int(max(d.observed for d in usable)),
        ],
        "sampling": list(sampling),
        "linkage": list(linkage),
        "combined": list(combined),
        "widths": {
            "sampling": width(sampling),
            "linkage": width(linkage),
            "combined": width(combined),
        },
        "combined_over_sampling": ratio,
        "linkage_share_of_variance": share,
    }


def estimate_over_draws(
    g: LinkageGraph,
    base_labels: NDArray[np.int64],
    names: Sequence[str],
    methods: Sequence[str],
    *,
    draws: int,
    seed: int,
    ci: str = "profile",
    level: float = 0.95,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Estimate on the run's clustering and on `draws` drawn ones; combine per method.

    Returns a JSON-able document: the parameters, and per method the three intervals, their
    widths and the draws' estimates. Methods that fail on a draw are counted, not fatal.

    Raises:
        unseen.core.estimation.mse.EstimationError: the run's own table cannot be estimated.
    """
    from unseen.core.estimation import mse

    kind = ci if ci in DRAW_CIS else "profile"
    base_table = histories_of(g, base_labels, names)
    bases: dict[str, Draw] = {}
    for method in methods:
        try:
            result = mse.estimate(base_table, method, ci=kind, level=level, seed=seed)
        except mse.EstimationError:
            raise  # the request itself is wrong (lists, level): no method can run
        except (ValueError, ArithmeticError):
            bases[method] = Draw(float("nan"), base_table.observed, float("nan"), float("nan"))
            continue
        interval = result.interval
        bases[method] = Draw(
            result.estimate,
            result.observed,
            interval.low if interval else float("nan"),
            interval.high if interval else float("nan"),
        )
    found: dict[str, list[Draw]] = {m: [] for m in methods}
    failed = dict.fromkeys(methods, 0)
    observed = []
    for i, labels in enumerate(draw_clusterings(g, draws, seed)):
        table = histories_of(g, labels, names)
        observed.append(table.observed)
        for method in methods:
            try:
                result = mse.estimate(table, method, ci=kind, level=level, seed=seed + i)
            except (ValueError, ArithmeticError):
                failed[method] += 1
                continue
            interval = result.interval
            if interval is None or not np.isfinite(result.estimate):
                failed[method] += 1
                continue
            found[method].append(
                Draw(result.estimate, result.observed, interval.low, interval.high)
            )
        if progress is not None:
            progress(i + 1, draws)
    methods_out = []
    for method in methods:
        summary = combine(bases[method], found[method], level)
        summary["method"] = method
        summary["failed_draws"] = failed[method]
        summary["draw_estimates"] = [round(d.estimate, 3) for d in found[method]]
        methods_out.append(summary)
    edges = _Edges(g)
    document: dict[str, Any] = _json_safe(
        {
            "draws": int(draws),
            "seed": int(seed),
            "ci": kind,
            "level": float(level),
            "floor": DRAW_FLOOR,
            "records": g.n,
            "pairs": len(g.probability),
            "uncertain_pairs": int(edges.uncertain.sum()),
            "expected_links": float(edges.p.sum()),
            "must_link": len(g.must),
            "cannot_link": len(g.cannot),
            "one_to_one": g.groups is not None,
            "observed_range": [int(min(observed)), int(max(observed))] if observed else None,
            "methods": methods_out,
        }
    )
    return document


def _json_safe(value: Any) -> Any:
    """∞ and NaN (an unbounded limit) become None, as in `unseen mse --json`."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value
