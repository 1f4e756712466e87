"""Stratified MSE: estimate within strata (time × place, victim type …) and add up.

Capture probabilities and list dependence often differ between strata; pooling them can bias
an estimate badly, which is why HRDAG estimates per stratum (dga `make.strata`). Each stratum is
estimated on its own by `mse.estimate`; the total is the sum of the stratum estimates.

Combining intervals. Strata are independent samples, so variances add. Each stratum's interval
is read as a (possibly asymmetric) normal interval: its lower and upper half-widths divided by
z_{1−α/2} give a lower and an upper standard error. The total's interval is
Σ N̂_s − z·√Σ se_low,s² to Σ N̂_s + z·√Σ se_high,s², never below the total observed. This keeps
the skew of profile and bootstrap intervals (the upper side of an MSE interval is usually the
longer) and reduces to the usual sum-of-variances rule for symmetric ones. An unbounded stratum
makes the total unbounded.

Refusal. A stratum whose lists barely overlap carries almost no information about its unseen;
its estimate is an artefact of the model. `check_overlap` refuses a stratum with fewer than
`MIN_RECAPTURES` entities on two or more lists, or in which more than half of the pairs of
lists have no one in common.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from unseen.core.estimation import intervals, mse
from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.loglinear import Data, pair_masks
from unseen.core.estimation.results import Estimate, Interval

MIN_RECAPTURES = 10


class StratumRefused(mse.EstimationError):
    """A stratum's lists overlap too little to estimate from."""


@dataclass(frozen=True)
class StratifiedEstimate:
    """The combined estimate and each stratum's own."""

    total: Estimate
    strata: dict[str, Estimate]


def check_overlap(name: str, histories: CaptureHistories, minimum: int = MIN_RECAPTURES) -> None:
    """Refuse a stratum whose lists barely overlap.

    Raises:
        StratumRefused: fewer than `minimum` entities on two or more lists, or more than half
            of the pairs of lists disjoint.
    """
    recaptured = int(histories.counts[histories.patterns.sum(axis=1) >= 2].sum())
    if recaptured < minimum:
        raise StratumRefused(
            f"stratum {name}: only {recaptured} of {histories.observed} entities are on more "
            f"than one list (at least {minimum} needed); its lists barely overlap, so MSE "
            "cannot estimate its unseen. Merge it with a neighbouring stratum."
        )
    data = Data.of(histories.t, histories.counts)
    pairs = pair_masks(histories.t)
    disjoint = sum(1 for mask in pairs if data.margin[mask] == 0)
    if disjoint * 2 > len(pairs):
        raise StratumRefused(
            f"stratum {name}: {disjoint} of {len(pairs)} pairs of lists have no one in common; "
            "its lists barely overlap. Merge it with a neighbouring stratum."
        )


def combine(estimates: Mapping[str, Estimate], level: float) -> Estimate:
    """Sum stratum estimates; combine intervals as the module docstring describes."""
    if not estimates:
        raise mse.EstimationError("no strata to combine")
    results = list(estimates.values())
    total = float(sum(r.estimate for r in results))
    observed = int(sum(r.observed for r in results))
    interval: Interval | None = None
    if all(r.interval is not None for r in results):
        z = float(ndtri(0.5 + level / 2.0))
        low_var = high_var = 0.0
        for r in results:
            assert r.interval is not None
            low_var += ((r.estimate - r.interval.low) / z) ** 2
            high_var += ((r.interval.high - r.estimate) / z) ** 2
        kinds = {r.interval.kind for r in results if r.interval is not None}
        interval = Interval(
            kinds.pop() if len(kinds) == 1 else "combined",
            level,
            max(float(observed), total - z * float(np.sqrt(low_var))),
            total + z * float(np.sqrt(high_var)),
        )
    warnings = [f"stratum {name}: {w}" for name, r in estimates.items() for w in r.warnings]
    aics = [r.aic for r in results]
    methods = {r.method for r in results}
    return Estimate(
        method=methods.pop() if len(methods) == 1 else "mixed",
        model=f"stratified ({len(results)} strata)",
        estimate=total,
        observed=observed,
        interval=interval,
        aic=float(sum(a for a in aics if a is not None)) if None not in aics else None,
        bic=None,  # BIC's log n differs by stratum, so stratum BICs do not add up to one
        warnings=tuple(warnings),
        details={"strata": {name: r.to_json() for name, r in estimates.items()}},
    )


def estimate_stratified(
    strata: Mapping[str, CaptureHistories],
    method: str = mse.DEFAULT_METHOD,
    ci: str | None = None,
    level: float = mse.DEFAULT_LEVEL,
    bootstrap: int = intervals.DEFAULT_REPLICATES,
    seed: int | None = intervals.DEFAULT_SEED,
    min_recaptures: int = MIN_RECAPTURES,
) -> StratifiedEstimate:
    """Estimate every stratum with one method and add them up.

    Every stratum is checked first, so nothing is computed for a request that will be refused.
    Each stratum's bootstrap uses the same seed: strata are separate tables, so that does not
    correlate their resamples in any way that matters.

    Raises:
        StratumRefused: a stratum's lists barely overlap (see `check_overlap`).
        mse.EstimationError: as `mse.estimate`.
    """
    for name, histories in strata.items():
        check_overlap(name, histories, min_recaptures)
    per_stratum = {
        name: mse.estimate(h, method, ci=ci, level=level, bootstrap=bootstrap, seed=seed)
        for name, h in strata.items()
    }
    return StratifiedEstimate(combine(per_stratum, level), per_stratum)
