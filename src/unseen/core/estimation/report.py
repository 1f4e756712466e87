"""What `unseen mse` prints: the JSON document of docs/design.md §5 and a readable table."""

import math
from collections.abc import Sequence
from typing import Any

from unseen.core.estimation import mse
from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.results import Estimate


def run(
    histories: CaptureHistories,
    method: str = mse.DEFAULT_METHOD,
    ci: str | None = None,
    level: float = mse.DEFAULT_LEVEL,
    bootstrap: int = 1000,
    seed: int | None = 1234,
) -> list[Estimate]:
    """One method, or every available one for `method="all"`.

    Raises:
        mse.EstimationError: as `mse.estimate`.
    """
    if method == "all":
        return mse.estimate_all(histories, ci=ci, level=level, bootstrap=bootstrap, seed=seed)
    return [mse.estimate(histories, method, ci=ci, level=level, bootstrap=bootstrap, seed=seed)]


def document(histories: CaptureHistories, results: Sequence[Estimate]) -> dict[str, Any]:
    """`{"lists": [...], "observed": n, "results": [...]}`.

    `bic` results also carry their top-models table under "top_models"; MCMC results (LCMCR,
    Bayesian thresholding) their mixing diagnostics and a thinned trace of N under
    "diagnostics" (`unseen.core.estimation.mcmc.summary`).
    """
    rendered = []
    for result in results:
        item = result.to_json()
        if "top_models" in result.details:
            item["top_models"] = result.details["top_models"]
        if "diagnostics" in result.details:
            item["diagnostics"] = result.details["diagnostics"]
        rendered.append(item)
    return {"lists": list(histories.lists), "observed": histories.observed, "results": rendered}


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    if not math.isfinite(value):
        return "∞"
    return f"{value:,.1f}"


def table(histories: CaptureHistories, results: Sequence[Estimate]) -> str:
    """A fixed-width table of the results, then their warnings (numbered per method)."""
    header = ("method", "model", "estimate", "interval", "AIC", "BIC")
    rows = []
    for r in results:
        interval = "–"
        if r.interval is not None:
            interval = (
                f"{_number(r.interval.low)} – {_number(r.interval.high)} "
                f"({r.interval.kind} {r.interval.level:.0%})"
            )
        rows.append(
            (
                r.method,
                r.model or "–",
                _number(r.estimate),
                interval,
                _number(r.aic),
                _number(r.bic),
            )
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        f"{len(histories.lists)} lists ({', '.join(histories.lists)}); "
        f"{histories.observed:,} observed",
        "",
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    for r in results:
        top = r.details.get("top_models")
        if top:
            lines += ["", f"{r.method}: best models by BIC"]
            lines += [
                f"  {m['model']}  N = {_number(m['estimate'])}  BIC {m['bic']:.3f}" for m in top
            ]
    for r in results:
        if r.warnings:
            lines += ["", f"warnings ({r.method}):"]
            lines += [f"  - {w}" for w in r.warnings]
    return "\n".join(lines)
