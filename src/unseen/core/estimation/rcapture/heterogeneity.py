"""Models M0 and Mt, and the heterogeneity models Mh and Mth built on them.

Mh is M0 and Mth is Mt plus one heterogeneity column (Poisson2, Darroch, Gamma3.5) or Chao's
lower-bound columns; see the package docstring.
"""

from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.rcapture.models import _run
from unseen.core.estimation.results import Estimate

# ---------------------------------------------------------------------------------------------
# Public models. `seed` is accepted so every method has the same signature; these are exact.


def m0(histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None) -> Estimate:
    """Model M0: every list catches every individual with the same probability.

    Args:
        histories: the full table of observable histories (t ≥ 2 lists).
        level: the profile interval's confidence level, in (0, 1).
        seed: ignored (the fit is deterministic); present for a uniform method signature.

    Returns:
        The Poisson N̂ = n + exp(α̂), Rcapture's AIC/BIC, the multinomial profile interval,
        and details (stderr, deviance, df, coefficients, profile_estimate).

    Raises:
        ValueError: if no one was observed or `level` is outside (0, 1).
    """
    return _run(histories, "M0", None, level)


def mt(histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None) -> Estimate:
    """Model Mt: lists differ in catch probability; individuals are alike (independence).

    Same contract as `m0`; a list that saw no one is dropped with a warning.
    """
    return _run(histories, "Mt", None, level)


def mh_chao(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mh, Chao's lower bound: N̂ extrapolated from the once- and twice-seen only.

    Negative η_j are set to 0 and the model is refitted (with a warning). Same contract as
    `m0`.
    """
    return _run(histories, "Mh", "chao", level)


def mh_poisson(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mh with Rcapture's Poisson2 heterogeneity column 2^k − 1. Same contract as `m0`."""
    return _run(histories, "Mh", "poisson", level)


def mh_darroch(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mh with Darroch's heterogeneity column k²/2. Same contract as `m0`."""
    return _run(histories, "Mh", "darroch", level)


def mh_gamma(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mh with Rcapture's Gamma3.5 column −log(3.5 + k) + log 3.5. Same contract as `m0`."""
    return _run(histories, "Mh", "gamma", level)


def mth_chao(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mth, Chao's lower bound (Mt plus the Chao columns). Same contract as `mh_chao`."""
    return _run(histories, "Mth", "chao", level)


def mth_poisson(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mth Poisson2: Mt plus the column 2^k − 1. Same contract as `m0`."""
    return _run(histories, "Mth", "poisson", level)


def mth_darroch(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mth Darroch: Mt plus the column k²/2. Same contract as `m0`."""
    return _run(histories, "Mth", "darroch", level)


def mth_gamma(
    histories: CaptureHistories, *, level: float = 0.95, seed: int | None = None
) -> Estimate:
    """Model Mth Gamma3.5: Mt plus the column −log(3.5 + k) + log 3.5. Same contract as `m0`."""
    return _run(histories, "Mth", "gamma", level)
