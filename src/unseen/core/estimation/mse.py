"""Multiple systems estimation: one entry point over every method (docs/design.md §5, `unseen mse`).

`estimate(histories, method, ci, level, bootstrap, seed)` runs one method and returns an
`Estimate` carrying the warnings a statistician needs; `estimate_all` runs every available
method side by side and adds a warning when the selection rules disagree.

The log-linear methods (`main-effects`, `stepwise-aic`, `stepwise-poisson`, `bic`) live in
`loglinear`, `selection` and `intervals`. Rcapture's heterogeneity models and LCMCR live in
`rcapture` and `lcmcr`, Bayesian model averaging over decomposable graphs in `dga`; they are
imported only when called, so this module works whether or not
they are installed, and a method whose module is missing raises `MethodUnavailable`.
"""

import importlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Protocol

import numpy as np

from unseen.core.estimation import intervals, selection

# Re-exported under their old names: callers read them as `mse.CIS` and so on.
from unseen.core.estimation.constants import CIS as CIS
from unseen.core.estimation.constants import DEFAULT_CI as DEFAULT_CI
from unseen.core.estimation.constants import DEFAULT_LEVEL as DEFAULT_LEVEL
from unseen.core.estimation.constants import DEFAULT_METHOD as DEFAULT_METHOD
from unseen.core.estimation.constants import LOGLINEAR as LOGLINEAR
from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.loglinear import Data, pair_masks, term_lists
from unseen.core.estimation.results import Estimate, Interval

#: Warn when the largest selection-rule estimate exceeds the smallest by this factor.
SENSITIVITY_RATIO = 1.25
#: Warn when the dark figure is this many times the number observed.
EXTRAPOLATION_RATIO = 10.0
#: BCa for `bic` selects among the top models on the original data (Silverman, Chan & Vincent
#: 2024): all for t ≤ 3, 20 for t = 4, 100 for t ≥ 5.
BIC_BOOTSTRAP_TOP = {2: 10_000, 3: 10_000, 4: 20}
BIC_BOOTSTRAP_TOP_DEFAULT = 100

# (method name, module, function) for the methods another module provides.
_EXTERNAL = (
    ("M0", "rcapture", "m0"),
    ("Mt", "rcapture", "mt"),
    ("Mh-chao", "rcapture", "mh_chao"),
    ("Mh-poisson", "rcapture", "mh_poisson"),
    ("Mh-darroch", "rcapture", "mh_darroch"),
    ("Mh-gamma", "rcapture", "mh_gamma"),
    ("Mb", "rcapture", "mb"),
    ("Mbh", "rcapture", "mbh"),
    ("bayes-threshold", "bayesthresh", "bayesian_thresholding"),
    ("lcmcr", "lcmcr", "lcmcr"),
    ("dga", "dga", "dga"),
)


class EstimationError(ValueError):
    """The request cannot be answered (unknown method or interval, too few informative lists)."""


class MethodUnavailable(EstimationError):
    """The method's module is not installed in this build."""


class NotApplicable(EstimationError):
    """The method does not apply to these data (dga on six lists); the others still run."""


class Method(Protocol):
    """An estimator the MSE front door can run: capture histories in, one `Estimate` out."""

    def __call__(
        self,
        histories: CaptureHistories,
        *,
        ci: str | None,
        level: float,
        bootstrap: int,
        seed: int | None,
    ) -> Estimate:
        """Estimate the total from `histories`, with an interval of the given kind and level."""


def informative(histories: CaptureHistories) -> tuple[CaptureHistories, list[str]]:
    """Drop lists that carry no information (SparseMSE `removenoninformativelists`).

    Removes lists that saw no one, lists that saw every observed entity, and lists identical to
    an earlier one over the observed entities. Returns the reduced table and one warning per
    dropped list.

    Raises:
        EstimationError: if fewer than two lists remain.
    """
    warnings: list[str] = []
    seen = histories.counts > 0
    columns = histories.patterns[seen].T  # one row per list, over the observed histories
    n = histories.observed
    totals = histories.list_totals()
    keep: list[str] = []
    for j, name in enumerate(histories.lists):
        if totals[name] == 0:
            warnings.append(f"list {name} is empty and was dropped (it carries no information)")
            continue
        if n and totals[name] == n:
            warnings.append(
                f"list {name} saw every observed entity and was dropped: MSE learns nothing "
                "from a list that misses no one we know of; the estimate comes from the others"
            )
            continue
        twin = next(
            (k for k in keep if np.array_equal(columns[histories.lists.index(k)], columns[j])),
            None,
        )
        if twin is not None:
            warnings.append(f"list {name} is identical to list {twin} and was dropped")
            continue
        keep.append(name)
    if len(keep) < 2:
        raise EstimationError(
            "fewer than two informative lists: MSE needs at least two overlapping lists"
        )
    if len(keep) == histories.t:
        return histories, warnings
    return histories.subset(keep), warnings


def overlap_warnings(histories: CaptureHistories) -> list[str]:
    """One warning naming every pair of lists with no one in common."""
    data = Data.of(histories.t, histories.counts)
    pairs = [
        ":".join(histories.lists[j] for j in term_lists(histories.t, mask))
        for mask in pair_masks(histories.t)
        if data.margin[mask] == 0
    ]
    if not pairs:
        return []
    return [
        f"non-overlapping pairs ({', '.join(pairs)}): no one is on both lists, so a model with "
        "such a term fixes it at −∞ (a structural zero); estimates that depend on it are fragile"
    ]


def _interval_warnings(estimate: Estimate) -> list[str]:
    out = []
    if not np.isfinite(estimate.estimate):
        out.append("no finite estimate: the data cannot bound the number unseen under this method")
    elif estimate.estimate < estimate.observed:
        out.append(
            f"negative estimate of the unseen: N̂ = {estimate.estimate:,.1f} is below the "
            f"{estimate.observed:,} observed, which signals a misspecified model"
        )
    elif estimate.estimate - estimate.observed > EXTRAPOLATION_RATIO * estimate.observed:
        out.append(
            f"the estimated unseen are more than {EXTRAPOLATION_RATIO:g} times the observed: "
            "a long extrapolation, very sensitive to the model"
        )
    if estimate.interval is not None and not np.isfinite(estimate.interval.high):
        out.append(
            "the upper limit is unbounded: the data are consistent with arbitrarily many unseen"
        )
    return out


def _model_name(histories: CaptureHistories, fit_model: Any) -> str:
    return str(fit_model.name(histories.lists))


def _loglinear(
    name: str,
    histories: CaptureHistories,
    *,
    ci: str | None,
    level: float,
    bootstrap: int,
    seed: int | None,
) -> Estimate:
    kind = ci or DEFAULT_CI[name]
    if kind not in CIS:
        raise EstimationError(f"unknown interval {kind!r}; choose from {', '.join(CIS)}")
    data = Data.of(histories.t, histories.counts)
    n = histories.observed
    try:
        chosen = selection.RULES[name](data)
    except selection.SelectionError as error:
        return Estimate(name, "", float("inf"), n, warnings=(f"non-existence: {error}",))
    result = chosen.fit
    warnings = [*chosen.notes]
    for mask in chosen.skipped:
        pair = ":".join(histories.lists[j] for j in term_lists(histories.t, mask))
        warnings.append(
            f"non-existence: {name} could not add {pair} (with it the model is not identifiable "
            "or its maximum-likelihood estimate does not exist), so it was left out"
        )
    if result.layout.infinite:
        terms = ", ".join(
            ":".join(histories.lists[j] for j in term_lists(histories.t, mask))
            for mask in result.layout.infinite
        )
        warnings.append(f"the model's terms {terms} are fixed at −∞ (the lists never overlap)")
    details: dict[str, Any] = {
        "se": result.se_estimate,
        "deviance": result.deviance,
        "df": result.df,
        "lists": list(histories.lists),
    }
    if chosen.ranking:
        details["top_models"] = [
            {"model": model.name(histories.lists), "estimate": est, "bic": b, "aic": a}
            for model, est, b, a in chosen.ranking
        ]
    interval: Interval
    if kind == "wald":
        interval = intervals.wald(result, level)
    elif kind == "profile":
        prof = intervals.profile(result, data, level)
        interval = prof.interval
        details["profile_estimate"] = prof.estimate
    else:
        rule = _bootstrap_rule(name, chosen, data)
        boot = intervals.bca(rule, data, result.estimate, level, bootstrap, seed)
        interval = boot.interval
        details.update(
            replicates=bootstrap,
            seed=seed,
            acceleration=boot.acceleration,
            bias_correction=boot.bias,
        )
        if boot.failures:
            warnings.append(
                f"{boot.failures} of {bootstrap} bootstrap replicates had no finite estimate "
                "(counted as unbounded)"
            )
    return Estimate(
        name,
        _model_name(histories, result.model),
        result.estimate,
        n,
        interval=interval,
        aic=result.aic,
        bic=result.bic,
        warnings=tuple(warnings),
        details=details,
    )


def _bootstrap_rule(name: str, chosen: selection.Selection, data: Data) -> Callable[[Data], float]:
    if name != "bic":
        rule = selection.RULES[name]
        return lambda table: rule(table).fit.estimate
    top = BIC_BOOTSTRAP_TOP.get(data.t, BIC_BOOTSTRAP_TOP_DEFAULT)
    ranked = selection.bic(data, top=top).ranking
    candidates = [model for model, *_ in ranked]
    return lambda table: selection.bic(table, candidates=candidates).fit.estimate


def _loglinear_method(name: str) -> Method:
    def run(
        histories: CaptureHistories,
        *,
        ci: str | None = None,
        level: float = DEFAULT_LEVEL,
        bootstrap: int = intervals.DEFAULT_REPLICATES,
        seed: int | None = intervals.DEFAULT_SEED,
    ) -> Estimate:
        return _loglinear(name, histories, ci=ci, level=level, bootstrap=bootstrap, seed=seed)

    return run


def _external_method(name: str, module: str, function: str) -> Method:
    def run(
        histories: CaptureHistories,
        *,
        ci: str | None = None,
        level: float = DEFAULT_LEVEL,
        bootstrap: int = intervals.DEFAULT_REPLICATES,
        seed: int | None = intervals.DEFAULT_SEED,
    ) -> Estimate:
        implementation = _load(module, function)
        if implementation is None:
            raise MethodUnavailable(f"method {name} is not available in this build")
        result: Estimate = implementation(histories, level=level, seed=seed)
        if ci is not None and (result.interval is None or result.interval.kind != ci):
            reported = result.interval.kind if result.interval else "no"
            result = replace(
                result,
                warnings=(
                    *result.warnings,
                    f"--ci {ci} applies to the log-linear methods; {name} reports {reported} "
                    "interval",
                ),
            )
        return result

    return run


def _load(module: str, function: str) -> Callable[..., Estimate] | None:
    """The function from a sibling module, or None if that module is not there (yet)."""
    try:
        loaded = importlib.import_module(f"unseen.core.estimation.{module}")
    except ImportError:
        return None
    found = getattr(loaded, function, None)
    return found if callable(found) else None


METHODS: dict[str, Method] = {
    **{name: _loglinear_method(name) for name in LOGLINEAR},
    **{name: _external_method(name, module, fn) for name, module, fn in _EXTERNAL},
}


def available_methods() -> list[str]:
    """Method names whose implementation is installed, in registry order."""
    return [
        name
        for name in METHODS
        if name in LOGLINEAR
        or _load(*next((m, f) for n, m, f in _EXTERNAL if n == name)) is not None
    ]


def _finish(result: Estimate, histories: CaptureHistories, shared: Sequence[str]) -> Estimate:
    warnings = [*shared, *result.warnings]
    observed = histories.observed
    estimate = result.estimate
    interval = result.interval
    if estimate < observed and result.observed < observed:
        # Only after dropping a list that saw everyone can the reduced table's observed count
        # be below the original; the people on that list alone are then certainly in N.
        estimate = float(observed)
        warnings.append(f"the estimate was raised to the {observed:,} observed")
        if interval is not None:
            interval = replace(
                interval, low=max(interval.low, observed), high=max(interval.high, observed)
            )
    result = replace(result, estimate=estimate, observed=observed, interval=interval)
    warnings.extend(w for w in _interval_warnings(result) if w not in warnings)
    return replace(result, warnings=tuple(dict.fromkeys(warnings)))


def estimate(
    histories: CaptureHistories,
    method: str = DEFAULT_METHOD,
    ci: str | None = None,
    level: float = DEFAULT_LEVEL,
    bootstrap: int = intervals.DEFAULT_REPLICATES,
    seed: int | None = intervals.DEFAULT_SEED,
) -> Estimate:
    """Estimate the population size N (observed included) by one method.

    Args:
        histories: the full capture-history table.
        method: a key of `METHODS`.
        ci: `profile`, `wald` or `bca`; None takes the method's own default (`DEFAULT_CI`).
        level: confidence level of the interval.
        bootstrap: replicates for `bca`.
        seed: seed for the bootstrap and for stochastic methods; the same seed gives the same
            numbers.

    Returns:
        The estimate; its warnings include dropped lists, non-overlapping pairs, non-existence,
        negative or unbounded estimates.

    Raises:
        EstimationError: unknown method or interval, fewer than two informative lists.
        MethodUnavailable: the method's module is not installed.
    """
    if method not in METHODS:
        raise EstimationError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    if ci is not None and ci not in CIS:
        raise EstimationError(f"unknown interval {ci!r}; choose from {', '.join(CIS)}")
    if not 0.0 < level < 1.0:
        raise EstimationError(f"level must be between 0 and 1, not {level}")
    reduced, dropped = informative(histories)
    shared = [*dropped, *overlap_warnings(reduced)]
    result = METHODS[method](reduced, ci=ci, level=level, bootstrap=bootstrap, seed=seed)
    return _finish(result, histories, shared)


def estimate_all(
    histories: CaptureHistories,
    ci: str | None = None,
    level: float = DEFAULT_LEVEL,
    bootstrap: int = intervals.DEFAULT_REPLICATES,
    seed: int | None = intervals.DEFAULT_SEED,
    methods: Sequence[str] | None = None,
) -> list[Estimate]:
    """Every available method (or those in `methods`) on the same table, side by side.

    When the log-linear selection rules' estimates differ by more than `SENSITIVITY_RATIO`,
    each of them gets a warning giving the range: the choice of rule is then driving the answer.
    """
    names = available_methods() if methods is None else list(methods)
    results = []
    for name in names:
        try:
            results.append(
                estimate(histories, name, ci=ci, level=level, bootstrap=bootstrap, seed=seed)
            )
        except MethodUnavailable:
            continue
        except NotApplicable as error:
            results.append(
                Estimate(
                    name,
                    "",
                    float("nan"),
                    histories.observed,
                    warnings=(f"{name} does not apply to these data: {error}",),
                )
            )
        except EstimationError:
            raise  # the request itself is wrong (level, interval, lists): no method can run
        except (ValueError, ArithmeticError) as error:
            # One method failing on these data must not hide the others' answers.
            results.append(
                Estimate(
                    name,
                    "",
                    float("nan"),
                    histories.observed,
                    warnings=(f"{name} could not be computed on these data: {error}",),
                )
            )
    rules = [r for r in results if r.method in LOGLINEAR and np.isfinite(r.estimate)]
    if len(rules) >= 2:
        low = min(rules, key=lambda r: r.estimate)
        high = max(rules, key=lambda r: r.estimate)
        if high.estimate > SENSITIVITY_RATIO * low.estimate:
            message = (
                f"sensitive to the selection rule: estimates range from {low.estimate:,.0f} "
                f"({low.method}) to {high.estimate:,.0f} ({high.method}); report several, "
                "with their intervals"
            )
            flagged = {id(r) for r in rules}
            results = [
                replace(r, warnings=(*r.warnings, message)) if id(r) in flagged else r
                for r in results
            ]
    return results
