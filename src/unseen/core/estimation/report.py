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

    `bic` results also carry their top-models table under "top_models"; `dga` results their
    posterior model probabilities and posterior of N under "model_average"; MCMC results (LCMCR,
    Bayesian thresholding) their mixing diagnostics and a thinned trace of N under
    "diagnostics" (`unseen.core.estimation.mcmc.summary`).
    """
    rendered = []
    for result in results:
        item = result.to_json()
        if "top_models" in result.details:
            item["top_models"] = result.details["top_models"]
        if "model_average" in result.details:
            item["model_average"] = result.details["model_average"]
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
        average = r.details.get("model_average")
        if average:
            summary = average["posterior"]
            lines += [
                "",
                f"{r.method}: averaged over {average['graphs']} decomposable graphs "
                f"(delta {average['delta']:g}, prior on N {average['prior']}); posterior of N: "
                f"median {summary['median']:,}, mean {_number(summary['mean'])}, "
                f"mode {summary['mode']:,}, Madigan-York estimate {_number(summary['bayes'])}",
            ]
            lines += [
                f"  {m['model']}  posterior {m['probability']:.4f}  N = {_number(m['estimate'])}"
                for m in average["models"][:5]
            ]
    for r in results:
        if r.warnings:
            lines += ["", f"warnings ({r.method}):"]
            lines += [f"  - {w}" for w in r.warnings]
    return "\n".join(lines)


def _cell_text(cell: dict[str, Any] | None) -> tuple[str, str, str]:
    if cell is None:
        return "not run", "", ""
    if cell["estimate"] is None:
        return ("∞" if cell["unbounded"] else "–"), "–", "–"
    ci = cell.get("ci")
    interval = "–"
    if ci and ci.get("low") is not None:
        high = "∞" if ci.get("high") is None else f"{ci['high']:,.0f}"
        interval = f"{ci['low']:,.0f} – {high}"
    return f"{cell['estimate']:,.0f}", interval, f"{cell['ratio']:.2f}"


def sensitivity_table(document: dict[str, Any]) -> str:
    """The sensitivity document (`core.estimation.sensitivity`) as fixed-width text.

    One block per method (rows: full, without X, X+Y merged, strata), then the statement and
    the warnings of every row but the full one (those are printed with the results).
    """
    lines = [
        f"Sensitivity ({document['interval']}); ratio = estimate ÷ {document['observed']:,} "
        "observed on all lists (a stratum: its own observed)",
    ]
    header = ("table", "observed", "estimate", "interval", "ratio")
    for method in document["methods"]:
        rows = []
        for row in document["rows"]:
            if row["note"]:
                rows.append((row["label"], f"{row['observed']:,}", row["note"], "", ""))
                continue
            rows.append(
                (row["label"], f"{row['observed']:,}", *_cell_text(row["results"].get(method)))
            )
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines += ["", f"{method}:"]
        lines.append("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        lines.append("  " + "  ".join("-" * w for w in widths))
        lines += [
            ("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))).rstrip()
            for r in rows
        ]
    lines += ["", document["statement"]]
    for row in document["rows"]:
        for method, cell in row["results"].items():
            if row["kind"] != "full" and cell["warnings"]:
                lines.append(f"  - {row['label']}, {method}: " + "; ".join(cell["warnings"]))
    return "\n".join(lines)
