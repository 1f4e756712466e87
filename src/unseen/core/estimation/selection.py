"""Model selection rules for log-linear MSE (methods-mse.md §3).

Each rule maps a table (`loglinear.Data`) to a chosen, fitted model. The rules are:

* ``main-effects``: the independence model.
* ``stepwise-aic``: Bales–Hesketh–Silverman (2015) forward stepwise on two-list terms. Each
  round fits every absent pair, takes the lowest AIC (ties: lowest pair index), stops if the AIC
  does not fall, and otherwise keeps the term only if its Wald p-value is ≤ p (0.05).
* ``stepwise-poisson``: Chan–Silverman–Vincent (2021). Each round compares every absent pair's
  observed overlap N*_ij with its expectation E*_ij under the current fit, by the smaller
  Poisson tail; the smallest p below the threshold (0.02) is added, unless the model with it is
  not identifiable or has no extended MLE, in which case that pair counts as p = 1.
* ``bic``: every hierarchical model up to a maximum order, ranked by BIC (Rcapture
  `closedpMS.t`, MultipleSystemsEstimation `estimate_population_bic`).

The rules are deterministic functions of the counts, so the bootstrap can rerun them on every
replicate (`intervals.bca`).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

import numpy as np
from scipy.special import ndtr, pdtr, pdtrc

from unseen.core.estimation.loglinear import (
    Data,
    Fit,
    Model,
    ModelError,
    containment,
    fit,
    hierarchical_models,
    pair_masks,
    popcount,
    term_mask,
)

STEPWISE_AIC_P = 0.05
STEPWISE_POISSON_P = 0.02
#: MultipleSystemsEstimation's default maximum interaction order for t = 2 … 6 lists.
DEFAULT_MAX_ORDER = {2: 1, 3: 2, 4: 3, 5: 3, 6: 2}
#: Above this many candidate models, exhaustive BIC is replaced by a greedy BIC search (as the
#: R package switches to stepwise at t ≥ 6): 32,768 fits would take tens of seconds.
MAX_EXHAUSTIVE_MODELS = 20_000
TOP_MODELS = 10


class SelectionError(ValueError):
    """No admissible model: even the main-effects model cannot be fitted."""


@dataclass(frozen=True)
class Selection:
    """A selection rule's answer.

    Attributes:
        rule: the rule's name.
        fit: the fitted model chosen.
        skipped: pairs (term masks) the rule would have added but whose model failed the
            identifiability or existence check.
        ranking: for `bic`, the best models as (model, N̂, BIC, AIC), best first.
        notes: human-readable remarks (e.g. the search was greedy).
    """

    rule: str
    fit: Fit
    skipped: tuple[int, ...] = ()
    ranking: tuple[tuple[Model, float, float, float], ...] = ()
    notes: tuple[str, ...] = field(default=())


def _start(data: Data) -> Fit:
    try:
        return fit(Model.main_effects(data.t), data)
    except ModelError as error:
        raise SelectionError(f"the main-effects model cannot be fitted: {error}") from None


def main_effects(data: Data) -> Selection:
    """The independence model."""
    return Selection("main-effects", _start(data))


def _pair_table(t: int) -> tuple[list[int], np.ndarray]:
    pairs = pair_masks(t)
    return pairs, containment(t)[:, pairs].astype(float)


def stepwise_poisson(data: Data, threshold: float = STEPWISE_POISSON_P) -> Selection:
    """Chan–Silverman–Vincent stepwise selection (SparseMSE `stepwisefit`).

    Args:
        data: the table.
        threshold: add a pair only if its overlap p-value is below this (0 → main effects,
            1 → all pairs whose models can be fitted).
    """
    pairs, indicator = _pair_table(data.t)
    observed = indicator.T @ data.y  # N*_ij
    current = _start(data)
    included = np.zeros(len(pairs), dtype=bool)
    skipped: list[int] = []
    while not included.all():
        expected = indicator.T @ current.mu  # E*_ij under the current fit
        # min(P(X ≤ N*), P(X ≥ N*)) for X ~ Poisson(E*); pdtrc(k − 1, m) = P(X ≥ k).
        lower = pdtr(observed, expected)
        upper = np.where(observed > 0, pdtrc(observed - 1, expected), 1.0)
        p = np.minimum(lower, upper)
        p[included] = np.inf
        p[expected <= 0] = 1.0
        accepted = False
        for i in np.argsort(p, kind="stable"):  # stable: ties go to the lowest pair index
            if not p[i] < threshold:
                break
            try:
                candidate = fit(current.model.with_term(pairs[i]), data, parent=current)
            except ModelError:
                included[i] = True  # p = 1 from now on: it can never be added
                skipped.append(pairs[i])
                continue
            current = candidate
            included[i] = True
            accepted = True
            break
        if not accepted:
            break
    return Selection("stepwise-poisson", current, tuple(skipped))


def _wald_p(result: Fit, mask: int) -> float:
    beta, se = result.coefficient(mask)
    if not np.isfinite(beta) or not np.isfinite(se) or se <= 0:
        return 1.0  # a term at −∞ has no finite test; it cannot be "significant"
    return float(2.0 * ndtr(-abs(beta) / se))


def stepwise_aic(data: Data, threshold: float = STEPWISE_AIC_P) -> Selection:
    """Bales–Hesketh–Silverman stepwise selection (modslavmse `MSEfit`).

    Args:
        data: the table.
        threshold: keep an added pair only if its Wald p-value is ≤ this.
    """
    pairs = pair_masks(data.t)
    current = _start(data)
    skipped: list[int] = []
    remaining = list(pairs)
    while remaining:
        best: Fit | None = None
        best_pair = 0
        for mask in remaining:  # pair order, so `<` keeps the lowest index on ties
            try:
                candidate = fit(current.model.with_term(mask), data, parent=current)
            except ModelError:
                if mask not in skipped:
                    skipped.append(mask)
                continue
            if best is None or candidate.aic < best.aic:
                best, best_pair = candidate, mask
        if best is None or not best.aic < current.aic:
            break
        if _wald_p(best, best_pair) > threshold:
            break
        current = best
        remaining.remove(best_pair)
    return Selection("stepwise-aic", current, tuple(skipped))


def default_max_order(t: int) -> int:
    """The highest interaction order searched for `t` lists by default (2 when unlisted)."""
    return DEFAULT_MAX_ORDER.get(t, 2)


def _greedy_bic(data: Data, max_order: int) -> tuple[Fit, list[Fit]]:
    """Forward search by BIC over hierarchical models, one admissible term at a time."""
    current = _start(data)
    seen = [current]
    while True:
        best = None
        for order in range(2, max_order + 1):
            for model in _one_term_more(current.model, order):
                try:
                    candidate = fit(model, data, parent=current)
                except ModelError:
                    continue
                seen.append(candidate)
                if best is None or candidate.bic < best.bic:
                    best = candidate
        if best is None or not best.bic < current.bic:
            return current, seen
        current = best


def _one_term_more(model: Model, order: int) -> list[Model]:
    have = set(model.terms)
    out = []
    for lists in combinations(range(model.t), order):
        mask = term_mask(model.t, lists)
        if mask in have:
            continue
        subs = [mask & ~(1 << b) for b in range(model.t) if mask >> b & 1]
        if all(popcount(s) < 2 or s in have for s in subs):
            out.append(Model.of(model.t, (*model.terms, mask)))
    return out


def bic(
    data: Data,
    max_order: int | None = None,
    top: int = TOP_MODELS,
    candidates: Sequence[Model] | None = None,
) -> Selection:
    """The minimum-BIC hierarchical model with terms up to `max_order` (default by t).

    Models that are not identifiable or have no extended MLE are left out. With more than
    `MAX_EXHAUSTIVE_MODELS` candidates the search is greedy (forward, one term at a time).

    Args:
        data: the table.
        max_order: highest interaction order (default: 1, 2, 3, 3, 2 for t = 2 … 6).
        top: how many models the ranking keeps.
        candidates: choose only among these models (the bootstrap's top-n restriction of
            Silverman, Chan & Vincent 2024); `max_order` is then ignored.
    """
    order = default_max_order(data.t) if max_order is None else max_order
    start = _start(data)
    notes: list[str] = []
    if candidates is not None:
        fits = [start] if not candidates else []
        for model in candidates:
            try:
                fits.append(fit(model, data, parent=start))
            except ModelError:
                continue
        if not fits:
            fits = [start]
        chosen = min(fits, key=lambda f: (f.bic, len(f.model.terms)))
    elif _model_count(data.t, order) > MAX_EXHAUSTIVE_MODELS:
        chosen, fits = _greedy_bic(data, order)
        notes.append(
            f"{data.t} lists up to order {order}: too many models to fit them all, so BIC "
            "was minimised by forward search"
        )
    else:
        fits = []
        done: dict[Model, Fit] = {start.model: start}
        for model in hierarchical_models(data.t, order):  # fewest terms first
            # Warm-start from the model without its highest term, fitted earlier: it is one
            # term away, so Newton needs a few steps instead of a cold start's many.
            parent = done.get(Model(model.t, model.terms[:-1]), start) if model.terms else start
            try:
                result = fit(model, data, parent=parent)
            except ModelError:
                continue
            done[model] = result
            fits.append(result)
        chosen = min(fits, key=lambda f: (f.bic, len(f.model.terms)))
    fits.sort(key=lambda f: (f.bic, len(f.model.terms)))
    ranking = tuple((f.model, f.estimate, f.bic, f.aic) for f in fits[:top])
    return Selection("bic", chosen, ranking=ranking, notes=tuple(notes))


@lru_cache(maxsize=32)
def _model_count(t: int, order: int) -> int:
    if t <= 5:
        return len(hierarchical_models(t, order))
    # Six or more lists: already 2^15 = 32,768 models with pairs alone.
    return 2 ** (t * (t - 1) // 2) if order >= 2 else 1


Rule = Callable[[Data], Selection]

RULES: dict[str, Rule] = {
    "main-effects": main_effects,
    "stepwise-aic": stepwise_aic,
    "stepwise-poisson": stepwise_poisson,
    "bic": bic,
}
