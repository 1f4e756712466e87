"""Poisson log-linear models of a capture-history table (methods-mse.md §1, §5).

A model is a hierarchical set of list subsets ("terms"). Terms are bit masks: list j of t is bit
t − 1 − j, so a cell's mask is its position in `all_patterns` order plus one, and a term θ is
in cell ω exactly when ``ω & θ == θ``. The intercept (mask 0) and every main effect are in every
model; a `Model` stores only its interaction terms.

Fitting is a small Newton solver written for this problem rather than a general GLM routine,
because the boundary needs exact control:

* a term whose observed margin is zero (two lists that never overlap, or a list that saw no one)
  has an extended MLE of −∞. Its cells are structural zeros: they are deleted and the column is
  dropped before fitting, so no coefficient ever drifts towards −30. The term still counts as a
  parameter in AIC and BIC (SparseMSE's +2 per such term).
* after that, the design must have full column rank (identifiability), and the extended MLE
  must exist: some strictly positive table must share the sufficient statistics (a linear
  programme). Newton converging is itself a proof of existence, so the LP runs only when Newton
  does not converge, which keeps bootstrap replicates fast.

Everything here is pure numpy/scipy and side-effect free apart from small module-level caches of
design matrices keyed by (t, model).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import combinations

import numpy as np
from numpy.typing import NDArray
from scipy.linalg.lapack import dposv as _dposv
from scipy.optimize import linprog
from scipy.special import gammaln

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int_]

#: Below this, the LP's τ* counts as zero: no strictly positive table matches the margins.
EXISTENCE_TOLERANCE = 1e-9
_MAX_NEWTON_STEPS = 50
_STEP_TOLERANCE = 1e-7


class ModelError(ValueError):
    """A model cannot be fitted: it is not identifiable, or its extended MLE does not exist."""


def popcount(mask: int) -> int:
    """The number of lists in a term given as a bit mask."""
    return mask.bit_count()


def term_mask(t: int, lists: Iterable[int]) -> int:
    """The mask of a term made of list indices (0-based, first list = most significant bit)."""
    mask = 0
    for j in lists:
        mask |= 1 << (t - 1 - j)
    return mask


def term_lists(t: int, mask: int) -> tuple[int, ...]:
    """The list indices (ascending) of a term mask."""
    return tuple(j for j in range(t) if mask >> (t - 1 - j) & 1)


def pair_masks(t: int) -> list[int]:
    """Every two-list term, in (1,2), (1,3), …, (t−1,t) order.

    That is the tie-break order of stepwise selection.
    """
    return [term_mask(t, pair) for pair in combinations(range(t), 2)]


def _subsets(mask: int) -> Iterable[int]:
    """Every non-empty proper subset of a mask."""
    sub = (mask - 1) & mask
    while sub:
        yield sub
        sub = (sub - 1) & mask


@dataclass(frozen=True, order=True)
class Model:
    """A hierarchical log-linear model on t lists; `terms` are its interaction masks (sorted)."""

    t: int
    terms: tuple[int, ...] = ()

    @classmethod
    def of(cls, t: int, terms: Iterable[int] = ()) -> "Model":
        """The hierarchical closure of `terms` (interactions of order ≥ 2 implied by them)."""
        closed: set[int] = set()
        for mask in terms:
            if mask <= 0 or mask >= 1 << t:
                raise ValueError(f"term {mask} is not a subset of {t} lists")
            for sub in (mask, *_subsets(mask)):
                if popcount(sub) >= 2:
                    closed.add(sub)
        return cls(t, tuple(sorted(closed, key=lambda m: (popcount(m), -m))))

    @classmethod
    def main_effects(cls, t: int) -> "Model":
        """The independence model: one term per list, no interactions."""
        return cls(t, ())

    @classmethod
    def parse(cls, lists: Sequence[str], text: str) -> "Model":
        """Read a name such as "[LA:NG, NG:GP]" (the inverse of `name`)."""
        body = text.strip().removeprefix("[").removesuffix("]")
        terms = []
        for part in body.split(","):
            names = [name.strip() for name in part.split(":") if name.strip()]
            if len(names) >= 2:
                terms.append(term_mask(len(lists), (lists.index(name) for name in names)))
        return cls.of(len(lists), terms)

    def with_term(self, mask: int) -> "Model":
        """This model with one more interaction term (and every term it implies)."""
        return _with_term(self, mask)

    @property
    def order(self) -> int:
        """The highest order of interaction among the terms (1 for main effects only)."""
        return max((popcount(m) for m in self.terms), default=1)

    @property
    def columns(self) -> tuple[int, ...]:
        """Masks of every parameter: intercept (0), main effects, then interactions."""
        mains = tuple(1 << (self.t - 1 - j) for j in range(self.t))
        return (0, *mains, *self.terms)

    def maximal_terms(self) -> list[int]:
        """Terms contained in no other term of the model (main effects included)."""
        all_terms = [*self.terms, *(1 << (self.t - 1 - j) for j in range(self.t))]
        maximal = [m for m in all_terms if not any(o != m and o & m == m for o in all_terms)]
        return sorted(maximal, key=lambda m: (-popcount(m), term_lists(self.t, m)))

    def name(self, lists: Sequence[str]) -> str:
        """E.g. "[LA:NG, NG:GP, PF, GO]": maximal terms, interactions first, joined by ":"."""
        parts = [":".join(lists[j] for j in term_lists(self.t, m)) for m in self.maximal_terms()]
        return "[" + ", ".join(parts) + "]"


@lru_cache(maxsize=65536)
def _with_term(model: Model, mask: int) -> Model:
    # Stepwise selection asks for the same few dozen models on every bootstrap replicate.
    return Model.of(model.t, (*model.terms, mask))


@lru_cache(maxsize=16)
def containment(t: int) -> NDArray[np.bool_]:
    """(2^t − 1) × 2^t: entry [i, θ] says whether term θ is in cell i (cell mask i + 1)."""
    cells = np.arange(1, 1 << t)[:, None]
    terms = np.arange(1 << t)[None, :]
    return np.asarray((cells & terms) == terms)


@lru_cache(maxsize=4096)
def design(t: int, columns: tuple[int, ...], complete: bool = False) -> FloatArray:
    """The design matrix over the observable cells.

    With `complete`, the unobserved cell 0 is prepended; only the intercept touches it.
    """
    matrix = containment(t)[:, list(columns)].astype(float)
    if complete:
        first = np.zeros((1, len(columns)))
        first[0, 0] = 1.0  # columns[0] is always the intercept
        matrix = np.vstack([first, matrix])
    matrix.setflags(write=False)
    return matrix


def margins(t: int, counts: NDArray[np.number]) -> NDArray[np.float64]:
    """For every term mask θ, the number observed on all lists of θ (index θ; [0] is n)."""
    return np.asarray(containment(t).T @ np.asarray(counts, dtype=float))


@dataclass(frozen=True, eq=False)
class Data:
    """The counts of one table, with what every fit on it reuses (margins, Σ log n_ω!).

    Attributes:
        t: number of lists.
        counts: counts of the 2^t − 1 observable cells in `all_patterns` order.
    """

    t: int
    counts: IntArray
    y: FloatArray
    margin: FloatArray
    log_factorial: float

    @classmethod
    def of(cls, t: int, counts: NDArray[np.number]) -> "Data":
        """Raises ValueError unless `counts` has one entry per observable cell."""
        whole: IntArray = np.asarray(counts).astype(np.int_)
        if whole.shape != ((1 << t) - 1,):
            raise ValueError(f"expected {(1 << t) - 1} cell counts for {t} lists")
        y = whole.astype(float)
        return cls(t, whole, y, margins(t, y), float(gammaln(y + 1.0).sum()))

    @property
    def observed(self) -> int:
        """The number of entities seen by at least one list."""
        return int(self.margin[0])


@dataclass(frozen=True, eq=False)
class Layout:
    """Which parameters a model fits on given data, and which cells remain.

    Layouts are shared (cached), so they compare and hash by identity.

    Attributes:
        model: the model.
        active: masks of fitted parameters.
        infinite: interaction or main-effect masks fixed at −∞ (zero observed margin).
        keep: boolean over the 2^t − 1 observable cells; False for structural zeros.
    """

    model: Model
    active: tuple[int, ...]
    infinite: tuple[int, ...]
    keep: NDArray[np.bool_]

    @property
    def parameters(self) -> int:
        """k for AIC/BIC: fitted parameters plus those fixed at −∞."""
        return len(self.active) + len(self.infinite)

    @cached_property
    def kept(self) -> int:
        """How many observable cells remain once structural zeros are removed."""
        return int(self.keep.sum())


@lru_cache(maxsize=16384)
def _layout(model: Model, infinite: tuple[int, ...]) -> Layout:
    keep = np.ones((1 << model.t) - 1, dtype=bool)
    if infinite:
        table = containment(model.t)
        for m in infinite:
            keep &= ~table[:, m]
    keep.setflags(write=False)
    active = tuple(m for m in model.columns if m not in infinite)
    return Layout(model, active, infinite, keep)


def layout(model: Model, data: Data) -> Layout:
    """Split a model's terms into fitted ones and those whose observed margin is zero."""
    infinite = tuple(m for m in model.columns[1:] if data.margin[m] == 0)
    return _layout(model, infinite)


def identifiable(lay: Layout) -> bool:
    """Does the design, structural zeros removed, have full column rank?

    No matrix rank is needed. The kept cells F (with ∅) are closed under taking subsets, and
    every fitted term is itself a kept cell (it lies inside a positive cell). On such a family
    the term columns form a unitriangular, hence invertible, basis, and the indicator of the
    unobserved cell ∅ is Σ_{θ∈F} (−1)^|θ| X_θ with every coefficient non-zero. So on the
    observable cells the fitted columns are dependent exactly when they are all of F, i.e. when
    there are more parameters than kept cells (for a table without structural zeros: when the
    model has the t-way term). `tests/core/estimation/test_loglinear.py` checks this against
    `numpy.linalg.matrix_rank`.
    """
    return len(lay.active) <= lay.kept


def existence_margin(lay: Layout, data: Data) -> float:
    """τ*: the largest τ such that a table y ≥ τ on the remaining cells has the observed sufficient statistics.

    The extended MLE exists iff τ* > 0 (Fienberg & Rinaldo 2012).
    """
    a = design(lay.model.t, lay.active)[lay.keep]
    y = data.y[lay.keep]
    cells = a.shape[0]
    # Variables: (y_1 … y_c, τ). Maximise τ, i.e. minimise −τ.
    objective = np.zeros(cells + 1)
    objective[-1] = -1.0
    equality = np.hstack([a.T, np.zeros((a.shape[1], 1))])
    upper = np.hstack([-np.eye(cells), np.ones((cells, 1))])  # τ − y_c ≤ 0
    result = linprog(
        objective,
        A_ub=upper,
        b_ub=np.zeros(cells),
        A_eq=equality,
        b_eq=a.T @ y,
        bounds=[(0, None)] * cells + [(None, None)],
        method="highs",
    )
    if result.status != 0:
        return 0.0
    return float(-result.fun)


def exists(model: Model, data: Data) -> bool:
    """Does the extended MLE of `model` exist (structural zeros removed) on these counts?"""
    lay = layout(model, data)
    positive = data.y > 0
    if bool(np.all(positive[lay.keep])):
        return True  # the data themselves are a strictly positive table
    return _exists_by_support(lay, positive.tobytes(), data)


_support_cache: dict[tuple[Layout, bytes], bool] = {}


def _exists_by_support(lay: Layout, support: bytes, data: Data) -> bool:
    key = (lay, support)
    if key not in _support_cache:
        if len(_support_cache) > 65536:
            _support_cache.clear()
        _support_cache[key] = existence_margin(lay, data) > EXISTENCE_TOLERANCE
    return _support_cache[key]


def newton(
    x: FloatArray, y: FloatArray, start: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, bool]:
    """Maximise the Poisson log-likelihood Σ y log μ − μ with log μ = x β.

    Newton steps (Cholesky solves through LAPACK directly: numpy's `solve` costs more in
    argument checking than in arithmetic at this size) with step halving. Returns
    (β, μ, converged). Not converging within 50 steps means the MLE is at infinity (or the
    design is singular); callers then decide by the LP whether that is non-existence.
    """
    if start is None:
        # The usual GLM start: regress log(y + ½) on the design (no log of zero).
        beta = np.asarray(np.linalg.lstsq(x, np.log(y + 0.5), rcond=None)[0], dtype=float)
    else:
        beta = np.asarray(start, dtype=float)
    eta = np.minimum(x @ beta, 700.0)
    mu = np.exp(eta)
    loglik = float(y @ eta - mu.sum())
    xt = x.T
    for _ in range(_MAX_NEWTON_STEPS):
        hessian = (xt * mu) @ x
        _chol, step, info = _dposv(hessian, xt @ (y - mu))
        if info != 0:
            return beta, mu, False
        scale = 1.0
        while True:
            trial = beta + scale * step
            trial_eta = np.minimum(x @ trial, 700.0)
            trial_mu = np.exp(trial_eta)
            trial_loglik = float(y @ trial_eta - trial_mu.sum())
            if trial_loglik >= loglik - 1e-10 * (1.0 + abs(loglik)) or scale < 1e-6:
                break
            scale /= 2.0
        beta, eta, mu, loglik = trial, trial_eta, trial_mu, trial_loglik
        # Newton converges quadratically: a step of 1e-7 means the next would be ~1e-14.
        if scale == 1.0 and float(np.abs(step).max()) < _STEP_TOLERANCE:
            return beta, mu, True
    return beta, mu, False


@dataclass(frozen=True)
class Fit:
    """A fitted model. `mu` covers all 2^t − 1 observable cells (0 at structural zeros).

    Attributes:
        model: the model fitted.
        layout: its fitted and infinite terms on these data.
        beta: coefficients of `layout.active` (beta[0] is the log dark figure α̂_∅).
        mu: fitted means of the observable cells.
        observed: n.
        loglik: ℓ = Σ [n_ω log μ̂_ω − μ̂_ω − log n_ω!].
        deviance: G² over the observable cells.
    """

    model: Model
    layout: Layout
    beta: FloatArray
    mu: FloatArray
    observed: int
    loglik: float
    deviance: float
    extra: dict[str, float] = field(default_factory=dict)

    @cached_property
    def cov(self) -> FloatArray:
        """Covariance of `beta`: the inverse of the observed information at the fit.

        Computed on first use; bootstrap replicates never need it.
        """
        x = design(self.model.t, self.layout.active)[self.layout.keep]
        return np.asarray(np.linalg.inv((x.T * self.mu[self.layout.keep]) @ x))

    @property
    def parameters(self) -> int:
        """The number of fitted parameters."""
        return self.layout.parameters

    @property
    def df(self) -> int:
        """Residual degrees of freedom: observable cells minus parameters."""
        return len(self.mu) - self.parameters

    @property
    def aic(self) -> float:
        """Akaike's information criterion, -2 log L + 2p."""
        return -2.0 * self.loglik + 2.0 * self.parameters

    @property
    def bic(self) -> float:
        """The Bayesian information criterion, -2 log L + p log n (n the observed count)."""
        return -2.0 * self.loglik + self.parameters * float(np.log(self.observed))

    @property
    def log_dark(self) -> float:
        """The log of the estimated unseen count (the intercept)."""
        return float(self.beta[0])

    @property
    def se_log_dark(self) -> float:
        """The standard error of `log_dark`, from the fitted covariance."""
        return float(np.sqrt(max(self.cov[0, 0], 0.0)))

    @property
    def dark(self) -> float:
        """exp(α̂_∅): the estimated number no list saw."""
        return float(np.exp(self.beta[0]))

    @property
    def estimate(self) -> float:
        """N̂ = n + exp(α̂_∅)."""
        return self.observed + self.dark

    @property
    def se_estimate(self) -> float:
        """Rcapture's s.e.: Var(N̂) ≈ exp(α̂) + exp(2α̂)·Var(α̂)."""
        return float(np.sqrt(self.dark + self.dark**2 * self.cov[0, 0]))

    def coefficient(self, mask: int) -> tuple[float, float]:
        """(β̂, s.e.) of a term; (−∞, ∞) for a term fixed at −∞."""
        if mask in self.layout.infinite:
            return -np.inf, np.inf
        i = self.layout.active.index(mask)
        return float(self.beta[i]), float(np.sqrt(max(self.cov[i, i], 0.0)))

    def start_for(self, lay: Layout) -> FloatArray:
        """A warm start for a related model: shared coefficients kept, new ones 0."""
        if lay.active[: len(self.layout.active)] == self.layout.active:
            # The usual case in forward selection: one new term appended.
            return np.concatenate([self.beta, np.zeros(len(lay.active) - len(self.beta))])
        known = dict(zip(self.layout.active, self.beta, strict=True))
        return np.array([known.get(m, 0.0) for m in lay.active])


def fit(
    model: Model,
    data: "Data | NDArray[np.number]",
    *,
    start: FloatArray | None = None,
    parent: Fit | None = None,
) -> Fit:
    """Fit a model to the full table of observable cells.

    Args:
        model: the hierarchical model.
        data: the table (`Data`), or counts of the 2^t − 1 observable cells in `all_patterns`
            order.
        start: starting coefficients for the active terms, if known.
        parent: a fit of a related model to warm-start from (ignored if `start` is given).

    Raises:
        ModelError: if the model is not identifiable, or its extended MLE does not exist.
    """
    if not isinstance(data, Data):
        data = Data.of(model.t, data)
    lay = layout(model, data)
    if not identifiable(lay):
        raise ModelError("not identifiable: the design is rank deficient")
    x = design(model.t, lay.active)[lay.keep]
    y = data.y[lay.keep]
    if start is None and parent is not None:
        start = parent.start_for(lay)
    beta, mu_kept, converged = newton(x, y, start)
    if not converged:
        if not exists(model, data):
            raise ModelError("the extended MLE does not exist (some fitted cells go to zero)")
        beta, mu_kept, converged = newton(x, y, None)
        if not converged:
            raise ModelError("the Poisson fit did not converge")
    mu = np.zeros(len(data.y))
    mu[lay.keep] = mu_kept
    positive = y > 0
    loglik = float(y @ np.log(mu_kept) - mu_kept.sum() - data.log_factorial)
    deviance = float(2.0 * (y[positive] @ np.log(y[positive] / mu_kept[positive])))
    # Σ (y − μ) = 0 because the intercept is in every model, so G² needs no second term.
    return Fit(model, lay, beta, mu, data.observed, loglik, deviance)


def profile_loglik(
    lay: Layout,
    data: Data,
    total: float,
    start: FloatArray | None = None,
) -> tuple[float, FloatArray]:
    """ℓ_p(N) of methods-mse.md §2.3 for a continuous N = `total`; returns (ℓ_p, β̂(N)).

    The table is completed with n_0 = N − n in cell 0 (intercept only) and the model refitted on
    all 2^t cells; p̂ = μ̂ / N because the intercept makes the fitted total equal N.
    """
    missing = total - data.observed
    x = design(lay.model.t, lay.active, complete=True)[np.concatenate([[True], lay.keep])]
    y = np.concatenate([[missing], data.y[lay.keep]])
    beta, mu, converged = newton(x, y, start)
    if not converged:
        beta, mu, converged = newton(x, y, None)
    p = mu / mu.sum()
    positive = y > 0
    value = float(gammaln(total + 1.0) - gammaln(missing + 1.0) + y[positive] @ np.log(p[positive]))
    return value, beta


def pair_overlaps(data: Data) -> dict[int, int]:
    """N*_ij for every two-list term mask: how many were seen on both lists."""
    return {mask: int(data.margin[mask]) for mask in pair_masks(data.t)}


@lru_cache(maxsize=32)
def hierarchical_models(t: int, max_order: int) -> tuple[Model, ...]:
    """Every hierarchical model on t lists (all main effects in) with terms up to `max_order`.

    Enumerated by choosing a set of pairs, then any set of admissible triples (all of whose
    pairs are in), and so on, so each model appears exactly once.
    """
    max_order = min(max_order, t)
    models: list[Model] = []

    def extend(chosen: frozenset[int], order: int) -> None:
        if order > max_order:
            models.append(Model.of(t, chosen))
            return
        candidates = [
            term_mask(t, c)
            for c in combinations(range(t), order)
            if all(
                popcount(sub) < 2 or sub in chosen
                for sub in _subsets(term_mask(t, c))
                if popcount(sub) == order - 1
            )
        ]
        for size in range(len(candidates) + 1):
            for subset in combinations(candidates, size):
                extend(chosen | frozenset(subset), order + 1)

    extend(frozenset(), 2)
    return tuple(sorted(set(models), key=lambda m: (len(m.terms), m.terms)))


def check_all_models(data: Data) -> list[Model]:
    """The two-list models whose extended MLE does not exist (SparseMSE `checkallmodels`).

    Existence is monotone: if the extended MLE exists for a model, it still exists after
    removing overlapping pairs from it. So check the 2^K models that contain every overlapping
    pair and any subset of the K non-overlapping pairs, and branch downwards (drop one
    overlapping pair at a time) only where a check fails. Returns the maximal failing models
    found; empty means every two-list model has an extended MLE.
    """
    pairs = pair_masks(data.t)
    disjoint = [m for m in pairs if data.margin[m] == 0]
    overlapping = [m for m in pairs if data.margin[m] > 0]
    failing: list[Model] = []
    seen: set[Model] = set()
    queue = [
        Model.of(data.t, [*overlapping, *chosen])
        for size in range(len(disjoint) + 1)
        for chosen in combinations(disjoint, size)
    ]
    while queue:
        model = queue.pop()
        if model in seen:
            continue
        seen.add(model)
        lay = layout(model, data)
        if identifiable(lay) and exists(model, data):
            continue
        failing.append(model)
        for mask in model.terms:
            if mask in overlapping:
                queue.append(Model(data.t, tuple(m for m in model.terms if m != mask)))
    return [m for m in failing if not any(o != m and set(m.terms) < set(o.terms) for o in failing)]
