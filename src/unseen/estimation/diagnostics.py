"""The run page's mixing diagnostics: plain verdicts and a trace plot for each MCMC result.

The numbers come from `unseen.core.estimation.mcmc.summary`, which LCMCR and Bayesian
thresholding store with their result under "diagnostics"; runs saved before that carry none and
show nothing here. Thresholds are the ones behind the methods' warnings (docs/methods/
rcapture-and-lcmcr.md, "Reading the diagnostics").
"""

import math
from typing import Any

from django.utils.translation import gettext as _

# The same limits as unseen.core.estimation.mcmc (not imported: this module is loaded with the
# URL conf, and that one imports numpy).
MIN_ESS = 200
RHAT_LIMIT = 1.05
GEWEKE_LIMIT = 3.0
LAST_CLASS_LIMIT = 0.05

WIDTH, HEIGHT = 600, 160
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 8, 24


def _number(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:,.{digits}f}"


def _verdicts(diagnostics: dict[str, Any]) -> list[dict[str, Any]]:
    ess = diagnostics.get("effective_sample_size")
    rhat = diagnostics.get("split_rhat")
    z = diagnostics.get("geweke_z")
    rows = [
        {
            "name": _("Effective sample size of N"),
            "value": _number(ess),
            "ok": ess is not None and ess >= MIN_ESS,
            "verdict": (
                _("Enough independent information for the interval's limits.")
                if ess is not None and ess >= MIN_ESS
                else _(
                    "Fewer than %(limit)s effective draws: the median is usable, the limits "
                    "are rough. Run longer."
                )
                % {"limit": MIN_ESS}
            ),
        },
        {
            "name": _("Split R̂ (four quarters of the chain)"),
            "value": _number(rhat, 3),
            "ok": rhat is not None and math.isfinite(rhat) and rhat <= RHAT_LIMIT,
            "verdict": (
                _("The quarters of the chain agree.")
                if rhat is not None and math.isfinite(rhat) and rhat <= RHAT_LIMIT
                else _(
                    "The quarters of the chain disagree: it lingered in one region of N. Do "
                    "not use this run; run longer and compare seeds."
                )
            ),
        },
        {
            "name": _("Geweke z (first tenth against last half)"),
            "value": _number(z, 2),
            "ok": z is not None and abs(z) <= GEWEKE_LIMIT,
            "verdict": (
                _("The start and the end of the chain agree.")
                if z is not None and abs(z) <= GEWEKE_LIMIT
                else _("The start and the end of the chain disagree: increase the burn-in.")
            ),
        },
    ]
    occupied = diagnostics.get("occupied_classes_mean")
    last = diagnostics.get("last_class_weight_mean")
    if occupied is not None and last is not None:
        rows.append(
            {
                "name": _("Classes occupied (mean) / weight of the last class"),
                "value": f"{_number(occupied, 1)} / {_number(100 * last, 1)}%",
                "ok": last <= LAST_CLASS_LIMIT,
                "verdict": (
                    _("The number of classes does not limit the model.")
                    if last <= LAST_CLASS_LIMIT
                    else _("The last class carries weight: rerun with more classes.")
                ),
            }
        )
    acceptance = diagnostics.get("acceptance")
    if acceptance is not None:
        rows.append(
            {
                "name": _("Metropolis acceptance rate"),
                "value": f"{_number(100 * acceptance, 0)}%",
                "ok": 0.1 <= acceptance <= 0.6,
                "verdict": (
                    _("In the usual range for a random-walk sampler.")
                    if 0.1 <= acceptance <= 0.6
                    else _(
                        "Outside the usual range of 0.1 to 0.6: the steps are too large or too small."
                    )
                ),
            }
        )
    return rows


def _plot(trace: list[float], step: int) -> dict[str, Any]:
    low, high = min(trace), max(trace)
    span = (high - low) or 1.0
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    last = max(len(trace) - 1, 1)
    points = " ".join(
        f"{LEFT + inner_w * i / last:.1f},{TOP + inner_h * (1 - (v - low) / span):.1f}"
        for i, v in enumerate(trace)
    )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "points": points,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 6,
        "low": _number(low),
        "high": _number(high),
        "sweeps": _number(step * (len(trace) - 1)),
        "rows": [(_number(step * i), _number(v)) for i, v in enumerate(trace)],
    }


def for_results(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per result that carries MCMC diagnostics, in the order of the results."""
    shown = []
    for result in results:
        diagnostics = result.get("diagnostics")
        if not isinstance(diagnostics, dict):
            continue
        trace = [v for v in diagnostics.get("trace") or [] if v is not None]
        entry: dict[str, Any] = {
            "method": result.get("method", ""),
            "draws": diagnostics.get("draws"),
            "rows": _verdicts(diagnostics),
            "plot": _plot(trace, int(diagnostics.get("trace_step") or 1)) if trace else None,
        }
        entry["all_ok"] = all(row["ok"] for row in entry["rows"])
        shown.append(entry)
    return shown
