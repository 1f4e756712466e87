"""Rcapture's closed-population models as Poisson log-linear models on the full table.

Baillargeon & Rivest (2007, J. Stat. Softw. 19(5)) write the classical capture–recapture models
as Poisson regressions on the 2^t − 1 observable cells: log μ_ω = α + (terms in ω), with the
unseen count estimated by exp(α̂) and N̂ = n + exp(α̂). With k_ω = Σ_j ω_j the number of lists
that saw history ω:

* **M0**: one column k_ω (every list has the same catch probability, no heterogeneity).
* **Mt**: the main effects ω_j (lists differ; individuals do not).
* **Mh**: M0 plus one heterogeneity column f(k_ω): Poisson2 2^k − 1, Darroch k²/2, Gamma3.5
  −log(1 + k/3.5); or Chao's lower bound, the columns (k − j + 1)₊ for j = 3..t, which
  makes the fit extrapolate to k = 0 from the k = 1, 2 cells only.
* **Mth**: Mt plus the same heterogeneity terms.

Each function returns the Poisson point estimate and the standard error Rcapture prints, the
AIC and BIC as Rcapture computes them (full Poisson log-likelihood; BIC penalty log n with n
the number of observed individuals), and the multinomial profile-likelihood interval of
Rcapture's `closedpCI.t`, solved continuously rather than on a grid. `mt_plus` fits Mt with
extra user columns (Rcapture's `mX`), such as a two-list interaction or a one-history
indicator.

No R code was copied: the model definitions follow the paper and methods-mse.md.

The package is split by model family: `heterogeneity` (M0, Mt, Mh, Mth), `behaviour` (Mb,
Mbh) and `custom` (Mt plus user columns), on `models` (one model's design and fit) and
`fitting` (the Poisson fit and the profile likelihood). Every public name is importable from
here.
"""

from collections.abc import Callable, Mapping

from unseen.core.estimation.rcapture.behaviour import mb, mbh
from unseen.core.estimation.rcapture.custom import indicator, interaction, mt_plus
from unseen.core.estimation.rcapture.fitting import FloatArray
from unseen.core.estimation.rcapture.heterogeneity import (
    m0,
    mh_chao,
    mh_darroch,
    mh_gamma,
    mh_poisson,
    mt,
    mth_chao,
    mth_darroch,
    mth_gamma,
    mth_poisson,
)
from unseen.core.estimation.rcapture.models import GAMMA_THETA, POISSON_THETA
from unseen.core.estimation.results import Estimate

__all__ = [
    "GAMMA_THETA",
    "MODELS",
    "POISSON_THETA",
    "FloatArray",
    "indicator",
    "interaction",
    "m0",
    "mb",
    "mbh",
    "mh_chao",
    "mh_darroch",
    "mh_gamma",
    "mh_poisson",
    "mt",
    "mt_plus",
    "mth_chao",
    "mth_darroch",
    "mth_gamma",
    "mth_poisson",
]

MODELS: Mapping[str, Callable[..., Estimate]] = {
    "M0": m0,
    "Mt": mt,
    "Mh-chao": mh_chao,
    "Mh-poisson": mh_poisson,
    "Mh-darroch": mh_darroch,
    "Mh-gamma": mh_gamma,
    "Mth-chao": mth_chao,
    "Mth-poisson": mth_poisson,
    "Mth-darroch": mth_darroch,
    "Mth-gamma": mth_gamma,
    "Mb": mb,
    "Mbh": mbh,
}
"""Every model by its method name, in Rcapture's `closedp.t` order."""
