"""Bayesian model averaging over decomposable graphical models (Madigan & York 1997; R's dga).

Every decomposable (chordal) graph on the t lists is a log-linear model whose maximal cliques
carry the interactions. With a hyper-Dirichlet prior on the 2^t cell probabilities (δ prior
counts per cell of the full table, so δ·2^(t−|A|) per cell of the margin on lists A), the
marginal likelihood of the complete table is closed-form (Dawid & Lauritzen 1993):

    p(table | g) = Π_cliques ML(C) / Π_separators ML(S),
    ML(A) = Γ(α)/Γ(N + α) · Π_cells Γ(m_c + α_A)/Γ(α_A),    α = δ·2^t,

where m_c are the counts of the margin on A and its all-zero cell holds the unobserved
N − n as well. For each graph and each N on a grid n + Nmissing this is multiplied by the
multinomial coefficient N!/((N − n)! Π y!) and the prior on N (default ∝ 1/N), and by the
prior on graphs (default uniform). Normalised over graphs × grid, the row sums are the posterior
model probabilities and the column sums the model-averaged posterior of N. This is exactly what
dga's `bma.cr` computes; docs/methods/dga.md gives the figures we reproduce and ADR 0038 the
defaults (δ = 2^−t, p(N) ∝ 1/N, a grid from n to 5n, widened while the posterior reaches its end).

The graphs are enumerated here (1, 2, 8, 61, 822 on 1–5 lists), with their maximal cliques and
the non-empty separators of a junction tree (a maximum-weight spanning tree of the clique graph).
Only the margins' all-zero cells depend on N, so each clique or separator costs one `gammaln`
over the grid, and each graph one row of a (graphs × margins) ±1 matrix product.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import NDArray

from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.mse import NotApplicable
from unseen.core.estimation.results import Estimate, Interval

FloatArray = NDArray[np.float64]
LogPrior = Callable[[FloatArray], FloatArray]

MIN_LISTS = 3
MAX_LISTS = 5
#: Default grid of the number missed: 0 .. GRID_FACTOR·n (HRDAG's dga practice: 5 × observed).
GRID_FACTOR = 5
MIN_GRID = 100
#: The grid is doubled while more than EDGE_LIMIT of the posterior lies in its top EDGE_SHARE,
#: up to MAX_GRID_FACTOR·n missing (at least MAX_GRID_MIN).
EDGE_SHARE = 0.05
EDGE_LIMIT = 1e-3
MAX_GRID_FACTOR = 100
MAX_GRID_MIN = 10_000
#: At most this many grid points: beyond it the grid steps by more than one.
MAX_POINTS = 20_001
#: Points of the coarse pass that chooses the grid's top.
COARSE_POINTS = 2_001
#: The fine pass leaves out graphs whose coarse posterior is below e^−PRUNE_LOG of the best.
PRUNE_LOG = 40.0
CHUNK = 4_096
#: Warn when the saturated graph (missing cell not identified) holds more posterior than this.
SATURATED_LIMIT = 0.05
TOP_MODELS = 10
DENSITY_POINTS = 120
QUANTILES = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)


class DgaError(NotApplicable):
    """The data or the settings do not fit dga (number of lists, an empty grid, ...).

    An `mse.EstimationError`, so `unseen mse --method dga` reports it plainly; `estimate_all`
    shows it as dga's answer and runs the other methods.
    """


@dataclass(frozen=True)
class Graph:
    """A decomposable graph on lists 0..t−1: its maximal cliques and non-empty separators."""

    t: int
    cliques: tuple[tuple[int, ...], ...]
    separators: tuple[tuple[int, ...], ...]

    @property
    def saturated(self) -> bool:
        """The complete graph: the t-way interaction is in, so the missing cell is unidentified."""
        return len(self.cliques) == 1 and len(self.cliques[0]) == self.t

    @property
    def edges(self) -> int:
        """How many pairs of lists the graph joins."""
        return len({pair for c in self.cliques for pair in combinations(c, 2)})

    def name(self, lists: Sequence[str]) -> str:
        """`[A:B, B:C, D]`: the cliques, in the style of the log-linear model names."""
        return "[" + ", ".join(":".join(lists[j] for j in c) for c in self.cliques) + "]"


def _bits(mask: int) -> tuple[int, ...]:
    return tuple(j for j in range(mask.bit_length()) if mask >> j & 1)


def _is_chordal(adjacency: list[int]) -> bool:
    """Chordal iff simplicial vertices (neighbours all joined) can be removed one by one."""
    left = (1 << len(adjacency)) - 1
    while left:
        for v in _bits(left):
            neighbours = adjacency[v] & left
            if all(neighbours & ~(adjacency[u] | 1 << u) == 0 for u in _bits(neighbours)):
                left &= ~(1 << v)
                break
        else:
            return False
    return True


def _junction_tree(t: int, adjacency: list[int]) -> Graph:
    complete = [
        s for s in range(1, 1 << t) if all(s & ~(adjacency[v] | 1 << v) == 0 for v in _bits(s))
    ]
    is_complete = set(complete)
    cliques = [
        s
        for s in complete
        if not any(s | 1 << v in is_complete for v in range(t) if not s >> v & 1)
    ]
    cliques.sort(key=lambda s: _bits(s))
    # Kruskal on the clique graph, heaviest intersections first: a junction tree (Jensen 1996).
    parent = list(range(len(cliques)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    pairs = sorted(
        combinations(range(len(cliques)), 2),
        key=lambda p: -bin(cliques[p[0]] & cliques[p[1]]).count("1"),
    )
    separators = []
    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra
            shared = cliques[a] & cliques[b]
            if shared:
                separators.append(shared)
    return Graph(
        t,
        tuple(_bits(c) for c in cliques),
        tuple(sorted((_bits(s) for s in separators), key=lambda s: (len(s), s))),
    )


@lru_cache(maxsize=8)
def decomposable_graphs(t: int) -> tuple[Graph, ...]:
    """Every decomposable graph on t labelled lists (1, 2, 8, 61, 822 for t = 1..5)."""
    pairs = list(combinations(range(t), 2))
    graphs = []
    for mask in range(1 << len(pairs)):
        adjacency = [0] * t
        for k, (a, b) in enumerate(pairs):
            if mask >> k & 1:
                adjacency[a] |= 1 << b
                adjacency[b] |= 1 << a
        if _is_chordal(adjacency):
            graphs.append(_junction_tree(t, adjacency))
    return tuple(graphs)


def negative_binomial_log_prior(a: float, b: float) -> LogPrior:
    """Madigan & York's (1997) prior on N: negative binomial, as in dga's three-list example.

    log p(N) = N log b − (N + a) log(1 + b) + log Γ(N + a) − log Γ(N + 1) − log Γ(a).
    """
    from scipy.special import gammaln

    def log_prior(total: FloatArray) -> FloatArray:
        out: FloatArray = (
            total * math.log(b)
            - (total + a) * math.log1p(b)
            + gammaln(total + a)
            - gammaln(total + 1)
            - gammaln(a)
        )
        return out

    return log_prior


def _log_prior(prior: str | LogPrior) -> tuple[str, LogPrior]:
    if callable(prior):
        return getattr(prior, "__name__", "custom"), prior
    if prior == "1/N":
        return prior, lambda total: -np.log(total)
    if prior == "uniform":
        return prior, lambda total: np.zeros_like(total)
    raise DgaError(f"unknown prior on N {prior!r}; use '1/N', 'uniform' or a function of N")


def _margins(
    histories: CaptureHistories, delta: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per margin A (mask 1..2^t−1): the N-free part, the zero cell's count, and α_A."""
    from scipy.special import gammaln

    t = histories.t
    patterns = histories.patterns  # column j is list j: bit j of a margin's mask
    counts = histories.counts.astype(float)
    constant = np.empty((1 << t) - 1)
    zero = np.empty_like(constant)
    alpha = np.empty_like(constant)
    for mask in range(1, 1 << t):
        lists = _bits(mask)
        codes = patterns[:, lists] @ (1 << np.arange(len(lists)))
        cells = np.bincount(codes, weights=counts, minlength=1 << len(lists))
        a = delta * 2.0 ** (t - len(lists))
        alpha[mask - 1] = a
        zero[mask - 1] = cells[0]
        constant[mask - 1] = float(gammaln(cells[1:] + a).sum()) - (1 << len(lists)) * float(
            gammaln(a)
        )
    return constant, zero, alpha


def _grid(n: int, missing: Sequence[int] | None, upper: int) -> NDArray[np.int64]:
    if missing is not None:
        grid = np.unique(np.asarray(missing, dtype=np.int64))
        if grid.size == 0 or grid[0] < 0:
            raise DgaError("the grid of the number missed must be non-empty and non-negative")
        return grid
    step = max(1, math.ceil(upper / (MAX_POINTS - 1)))
    return np.arange(0, upper + 1, step, dtype=np.int64)


@dataclass
class _Posterior:
    grid: NDArray[np.int64]  # Nmissing values
    log_n: FloatArray  # log p(N | data) at each grid value (normalised)
    log_model: FloatArray  # log p(graph | data)
    log_model_inv: FloatArray  # log Σ_N p(graph, N)/N
    log_model_inv2: FloatArray  # log Σ_N p(graph, N)/N²
    model_mode: NDArray[np.int64]  # grid index of each graph's mode

    def spread(self, active: NDArray[np.int64], size: int) -> "_Posterior":
        """The per-graph arrays over all `size` graphs, those not in `active` at probability 0."""
        if len(active) == size:
            return self

        def full(values: NDArray[Any], fill: float) -> NDArray[Any]:
            out = np.full(size, fill, dtype=values.dtype)
            out[active] = values
            return out

        return _Posterior(
            grid=self.grid,
            log_n=self.log_n,
            log_model=full(self.log_model, -np.inf),
            log_model_inv=full(self.log_model_inv, -np.inf),
            log_model_inv2=full(self.log_model_inv2, -np.inf),
            model_mode=full(self.model_mode, 0),
        )


def _posterior(
    histories: CaptureHistories,
    graphs: Sequence[Graph],
    grid: NDArray[np.int64],
    delta: float,
    log_prior: LogPrior,
    log_model_prior: FloatArray,
) -> _Posterior:
    from scipy.special import gammaln, logsumexp

    t = histories.t
    n = histories.observed
    constant, zero, alpha = _margins(histories, delta)
    incidence = np.zeros((len(graphs), (1 << t) - 1))
    for g, graph in enumerate(graphs):
        for clique in graph.cliques:
            incidence[g, sum(1 << j for j in clique) - 1] += 1
        for separator in graph.separators:
            incidence[g, sum(1 << j for j in separator) - 1] -= 1
    pieces = np.array([len(g.cliques) - len(g.separators) for g in graphs], dtype=float)
    total_alpha = delta * 2.0**t
    observed_log_factorials = float(gammaln(histories.counts + 1.0).sum())

    log_n = np.empty(len(grid))
    chunks = []
    for start in range(0, len(grid), CHUNK):
        missed = grid[start : start + CHUNK].astype(float)
        total = missed + n
        components = constant[:, None] + gammaln(zero[:, None] + missed[None, :] + alpha[:, None])
        common = (
            gammaln(total + 1)
            - observed_log_factorials
            - gammaln(missed + 1)
            + np.asarray(log_prior(total), dtype=float)
        )
        shared = math.lgamma(total_alpha) - gammaln(total + total_alpha)
        log_w = incidence @ components + pieces[:, None] * shared[None, :]
        log_w += common[None, :] + log_model_prior[:, None]
        # One exp per chunk, shifted per graph: sums over N by a matrix product, sums over
        # graphs by re-weighting the shifts.
        row_max = log_w.max(axis=1)
        scaled = np.exp(log_w - row_max[:, None])
        top = float(row_max.max())
        log_n[start : start + len(missed)] = np.log(np.exp(row_max - top) @ scaled) + top
        moments = scaled @ np.stack([np.ones_like(total), 1 / total, 1 / total**2], axis=1)
        with np.errstate(divide="ignore"):
            chunks.append(
                (np.log(moments) + row_max[:, None], row_max, log_w.argmax(axis=1) + start)
            )
    norm = float(logsumexp(log_n))
    sums = logsumexp(np.stack([c[0] for c in chunks]), axis=0) - norm  # (graphs, 3)
    best_chunk = np.stack([c[1] for c in chunks]).argmax(axis=0)
    mode = np.stack([c[2] for c in chunks])[best_chunk, np.arange(len(graphs))]
    return _Posterior(
        grid=grid,
        log_n=log_n - norm,
        log_model=sums[:, 0],
        log_model_inv=sums[:, 1],
        log_model_inv2=sums[:, 2],
        model_mode=mode.astype(np.int64),
    )


def _quantile(totals: NDArray[np.int64], cumulative: FloatArray, q: float) -> int:
    """The smallest N whose posterior distribution function reaches q."""
    index = int(np.searchsorted(cumulative, q, side="left"))
    return int(totals[min(index, len(totals) - 1)])


def _edge_mass(grid: NDArray[np.int64], probability: FloatArray) -> float:
    """Posterior probability in the top EDGE_SHARE of the grid's range."""
    cut = grid[-1] - EDGE_SHARE * (grid[-1] - grid[0])
    return float(probability[grid >= cut].sum())


def _density(
    totals: NDArray[np.int64], probability: FloatArray, cumulative: FloatArray
) -> list[list[float]]:
    """The posterior of N as ≤ DENSITY_POINTS (N, probability per unit of N) over its 0.1–99.9%."""
    low = int(np.searchsorted(cumulative, 0.001))
    high = min(int(np.searchsorted(cumulative, 0.999)) + 1, len(totals))
    low = max(0, min(low, high - 1))
    idx = np.arange(low, high)
    groups = np.array_split(idx, min(DENSITY_POINTS, len(idx)))
    step = float(totals[1] - totals[0]) if len(totals) > 1 else 1.0
    out = []
    for group in groups:
        width = step * len(group)
        centre = float(totals[group].mean())
        out.append([centre, float(probability[group].sum() / width)])
    return out


def dga(
    histories: CaptureHistories,
    *,
    level: float = 0.95,
    seed: int | None = None,
    delta: float | None = None,
    prior: str | LogPrior = "1/N",
    missing: Sequence[int] | None = None,
    max_missing: int | None = None,
    log_model_prior: Callable[[Graph], float] | None = None,
    saturated: bool = True,
) -> Estimate:
    """The population size averaged over every decomposable graphical model (dga's `bma.cr`).

    Args:
        histories: 3 to 5 lists (2^t − 1 observable cells, zeros allowed).
        level: probability of the equal-tailed credible interval.
        seed: unused (the computation is exact); accepted like every method's.
        delta: prior counts per cell of the full 2^t table; default 2^−t (dga's suggestion,
            one prior observation in all).
        prior: the prior on N: "1/N" (dga's default), "uniform" on the grid, or a function of
            the array of N giving log-prior values (e.g. `negative_binomial_log_prior`).
        missing: the grid of N − n to sum over, as dga's `Nmissing`; default 0..5n, doubled
            while the posterior reaches the grid's top (to at most 100n).
        max_missing: a fixed top for the default grid (no widening).
        log_model_prior: log prior weight of each graph (dga's `log.prior.model.weights`);
            default uniform over graphs.
        saturated: include the complete graph, whose missing cell is not identified (dga does).

    Returns:
        The posterior median of N, the equal-tailed credible interval, and in
        details["model_average"]: the graphs' posterior probabilities (top ones), the posterior
        of N summarised (mean, mode, median, quantiles, the Bayes estimate under
        (N̂ − N)²/N loss that Madigan & York and dga report), the grid and the priors.

    Raises:
        DgaError: fewer than 3 or more than 5 lists, no observations, a bad level, delta or grid.
    """
    t = histories.t
    if not MIN_LISTS <= t <= MAX_LISTS:
        raise DgaError(
            f"dga averages over decomposable graphs on {MIN_LISTS} to {MAX_LISTS} lists; these "
            f"data have {t} informative lists"
            + (" (merge or drop lists first)" if t > MAX_LISTS else "")
        )
    if not 0 < level < 1:
        raise DgaError(f"level must be strictly between 0 and 1, not {level}")
    n = histories.observed
    if n == 0:
        raise DgaError("no one was observed: there is nothing to estimate from")
    delta = 2.0**-t if delta is None else float(delta)
    if not delta > 0:
        raise DgaError(f"delta must be positive, not {delta}")
    prior_name, log_prior = _log_prior(prior)
    graphs = [g for g in decomposable_graphs(t) if saturated or not g.saturated]
    weights = np.array(
        [0.0 if log_model_prior is None else float(log_model_prior(g)) for g in graphs]
    )

    cap = max(MAX_GRID_FACTOR * n, MAX_GRID_MIN)
    upper = max(GRID_FACTOR * n, MIN_GRID) if max_missing is None else int(max_missing)
    if upper < 0:
        raise DgaError("max_missing must be non-negative")
    widened = 0
    active = np.arange(len(graphs))
    if missing is None and max_missing is None:
        # Where does the posterior end? A coarse pass over the widest grid picks the first of
        # 5n, 10n, 20n, ... whose top EDGE_SHARE holds at most EDGE_LIMIT; then one fine pass.
        coarse_grid = np.unique(np.linspace(0, cap, COARSE_POINTS).round().astype(np.int64))
        rough = _posterior(histories, graphs, coarse_grid, delta, log_prior, weights)
        coarse = np.exp(rough.log_n)
        # Graphs below e^−PRUNE_LOG of the best one cannot move any reported figure.
        active = np.flatnonzero(rough.log_model > rough.log_model.max() - PRUNE_LOG)
        while upper < cap:
            inside = coarse_grid <= upper
            share = coarse[inside].sum()
            if share > 0 and _edge_mass(coarse_grid[inside], coarse[inside] / share) <= EDGE_LIMIT:
                break
            upper = min(2 * upper, cap)
            widened += 1
    grid = _grid(n, missing, upper)
    fine = _posterior(
        histories, [graphs[g] for g in active], grid, delta, log_prior, weights[active]
    )
    post = fine.spread(active, len(graphs))
    probability = np.exp(post.log_n)
    edge = _edge_mass(grid, probability)

    totals = grid + n
    cumulative = np.cumsum(probability)
    tail = (1 - level) / 2
    low, median, high = (_quantile(totals, cumulative, q) for q in (tail, 0.5, 1 - tail))
    inverse = float((probability / totals).sum())
    bayes = inverse / float((probability / totals.astype(float) ** 2).sum())
    mode = int(totals[int(probability.argmax())])
    model_probability = np.exp(post.log_model)
    order = np.argsort(-model_probability, kind="stable")
    lists = histories.lists
    models = []
    for g in order[:TOP_MODELS]:
        if not np.isfinite(post.log_model[g]):
            break  # left out of the fine pass: probability below e^−PRUNE_LOG of the best
        graph = graphs[g]
        models.append(
            {
                "model": graph.name(lists),
                "cliques": [[lists[j] for j in c] for c in graph.cliques],
                "probability": float(model_probability[g]),
                "estimate": float(
                    np.exp(post.log_model_inv[g] - post.log_model_inv2[g])
                ),  # this graph's Bayes estimate
                "mode": int(totals[post.model_mode[g]]),
            }
        )
    saturated_probability = float(
        sum(model_probability[g] for g, graph in enumerate(graphs) if graph.saturated)
    )

    warnings: list[str] = []
    if saturated_probability > SATURATED_LIMIT:
        warnings.append(
            f"the saturated graph (all {t} lists joined) holds {saturated_probability:.0%} of the "
            "posterior: under it the number no list saw is not identified, so that share of the "
            "answer comes from the priors on N and δ"
            + (
                "; with four or more lists this can pile the posterior at N = n (rerun without "
                "the saturated graph to compare)"
                if t >= 4
                else ""
            )
        )
    if edge > EDGE_LIMIT:
        warnings.append(
            f"{edge:.1%} of the posterior of N lies in the top {EDGE_SHARE:.0%} of the grid "
            f"(N up to {int(totals[-1]):,}): the grid cuts the posterior off, so the upper "
            "limit and the mean are too low"
        )
    if mode == int(totals[0]) and grid[0] == 0:
        warnings.append(
            "the posterior of N peaks at the number observed (no one missed): typical of "
            "unidentified models taking most of the weight; do not use this estimate alone"
        )
    quantile_values = {q: _quantile(totals, cumulative, q) for q in QUANTILES}
    details: dict[str, Any] = {
        "model_average": {
            "graphs": len(graphs),
            "delta": delta,
            "prior": prior_name,
            "model_prior": "uniform" if log_model_prior is None else "custom",
            "saturated_included": saturated,
            "saturated_probability": saturated_probability,
            "grid": {
                "low": int(totals[0]),
                "high": int(totals[-1]),
                "step": int(grid[1] - grid[0]) if len(grid) > 1 else 1,
                "points": len(grid),
                "widened": widened,
            },
            "posterior": {
                "mean": float((probability * totals).sum()),
                "median": median,
                "mode": mode,
                "bayes": bayes,
                "quantiles": {str(q): v for q, v in quantile_values.items()},
                "edge_mass": edge,
            },
            "models": models,
            "density": _density(totals, probability, cumulative),
        },
        "deterministic": True,
    }
    top = models[0]
    return Estimate(
        method="dga",
        model=f"average of {len(graphs)} graphs; top {top['model']} ({top['probability']:.2f})",
        estimate=float(median),
        observed=n,
        interval=Interval("credible", level, float(low), float(high)),
        warnings=tuple(warnings),
        details=details,
    )
