"""`unseen revenue`'s output: one JSON document (docs/design.md §5) or a readable table.

The JSON keeps the design's keys exactly (``year``, ``draws``, ``total``, ``by_country``,
``assumptions``) and only adds others beside them.
"""

from collections.abc import Sequence
from typing import Any

from unseen.core.revenue.inputs import FAMILIES, FAMILY_LABELS, Range
from unseen.core.revenue.planning import Cell
from unseen.core.revenue.scenarios import ScenarioRun
from unseen.core.revenue.sensitivity import Required, Tornado
from unseen.core.revenue.shape import Shape
from unseen.core.revenue.simulation import Revenue, Summary
from unseen.core.revenue.variance import Sobol


def _cell_json(cell: Cell) -> dict[str, Any]:
    return {
        "country": cell.key,
        "name": cell.name,
        "sector": cell.sector,
        "rows": list(cell.rows),
        "inputs": {
            family: {
                "low": spec.low,
                "high": spec.high,
                "ranges": [[r.low, r.high] for r in spec.ranges],
                "distribution": spec.distribution,
                "origin": spec.origin,
                "default": spec.default,
            }
            for family, spec in cell.inputs.items()
        },
    }


def document(
    revenue: Revenue,
    *,
    tornado: Tornado | None = None,
    required: Sequence[Required] = (),
    scenarios: Sequence[ScenarioRun] = (),
    shapes: dict[str, Shape] | None = None,
    sobol: Sobol | None = None,
) -> dict[str, Any]:
    """The run as one JSON-ready dict, USD per year."""
    plan = revenue.plan
    names = {cell.key: cell.name for cell in plan.cells}
    result: dict[str, Any] = {
        "year": revenue.year,
        "draws": revenue.draws,
        "total": revenue.summary().to_json(),
        "by_country": {
            key: {**revenue.summary(key).to_json(), "name": names[key]} for key in revenue.countries
        },
        "assumptions": revenue.assumptions,
        "seed": revenue.seed,
        "correlation": revenue.correlation,
        "combine": plan.combine,
        "distributions": dict(plan.distributions),
        "include_proxies": plan.include_proxies,
        "borrow_years": plan.borrow_years,
        "world_rows": (
            {**revenue.summary("world").to_json(), "rows": list(plan.world.rows)}
            if plan.world is not None
            else None
        ),
        "cells": [_cell_json(cell) for cell in plan.cells],
        "defaults_used": [
            {
                "country": use.key,
                "sector": use.sector,
                "input": use.family,
                "low": use.default.range.low,
                "high": use.default.range.high,
                "source": use.default.source,
                "sources": list(use.default.sources),
            }
            for use in plan.defaults_used
        ],
        "excluded": [
            {
                "rows": list(item.rows),
                "host": item.host,
                "sector": item.sector,
                "reason": item.reason,
            }
            for item in plan.excluded
        ],
        "notes": list(plan.notes),
    }
    if tornado is not None:
        result["tornado"] = tornado.to_json()
    if shapes:
        result["shape"] = {
            key: {**shape.to_json(), "warning": shape.warning(money)}
            for key, shape in shapes.items()
        }
    if sobol is not None:
        result["sobol"] = sobol.to_json()
    if required:
        result["required"] = [item.to_json() for item in required]
    if scenarios:
        result["scenarios"] = [run.to_json() for run in scenarios]
    return result


def money(value: float) -> str:
    """USD in millions with one decimal, or in billions (two decimals) from 1 bn up."""
    if abs(value) >= 1e9:
        return f"${value / 1e9:,.2f} bn"
    return f"${value / 1e6:,.1f} m"


def _summary_line(label: str, summary: Summary) -> str:
    return (
        f"{label[:34]:<34} {money(summary.mean):>12} {money(summary.p05):>12} "
        f"{money(summary.p50):>12} {money(summary.p95):>12}"
    )


def _bar_line(bar: Any) -> str:
    scope = bar.name if bar.country else "all countries"
    ends = ""
    if bar.input_low is not None:
        ends = " " + Range(bar.input_low, bar.input_high).text(bar.family)
    return (
        f"  {FAMILY_LABELS[bar.family] + ', ' + scope + ends:<62} "
        f"{money(bar.total_low):>11} → {money(bar.total_high):>11}  (swing {money(bar.swing)})"
    )


def sobol_text(sobol: Sobol, rows: int = 10) -> list[str]:
    """The lines of the report with the Sobol' indices (every country first, then by country)."""

    def interval(pair: tuple[float, float] | None) -> str:
        return f"[{pair[0]:.3f}, {pair[1]:.3f}]" if pair else ""

    lines = [
        f"Sobol' indices: share of the total's variance ({sobol.samples:,} samples, "
        f"{sobol.resamples} bootstrap resamples, 95% intervals):",
        f"  {'input':<52} {'first-order':>24} {'total':>24}",
    ]
    shown = [i for i in sobol.indices if i.total > 0.0005][: rows + 4]
    for index in shown:
        label = f"{FAMILY_LABELS[index.family]}, {index.name}"
        lines.append(
            f"  {label[:52]:<52} {index.first:>7.3f} {interval(index.first_interval):>16} "
            f"{index.total:>7.3f} {interval(index.total_interval):>16}"
        )
    return lines


def required_text(required: Required, year: int) -> list[str]:
    """The lines of the report that say what it would take to reach the target."""
    lines = [
        f"What it would take to reach {money(required.target)} a year ({year} cells):",
        f"  all inputs at their sourced lows {money(required.at_low)}, medians "
        f"{money(required.at_median)}, highs {money(required.at_high)}"
        + (" — within the sourced ranges" if required.within_ranges else " — out of reach"),
        "  one input alone, the others at their highs (multiple of its sourced upper bound):",
    ]
    for family in FAMILIES:
        item = required.one_input[family]
        verdict = "possible" if item["possible"] else f"impossible (cannot pass {item['limit']:g})"
        lines.append(f"    {FAMILY_LABELS[family]:<26} ×{item['multiple_of_high']:.2f}  {verdict}")
    joint = required.joint
    by_input = ", ".join(f"{f} ×{joint['by_input'][f]:.2f}" for f in FAMILIES)
    lines.append(
        f"  all inputs scaled together: ×{joint['multiple']:.2f} of every upper bound "
        f"(share and months capped): {by_input}"
    )
    lines.append(
        f"  average gross wage needed (12 months), against the highest sourced wage "
        f"${required.wage_high:,.0f}:"
    )
    for row in required.grid:
        multiple = row["multiple_of_sourced_wage_high"]
        lines.append(
            f"    N = {row['workers']:>9,.0f}, share {row['share']:.2f}: "
            f"${row['wage_needed']:>8,.0f}/month"
            + (f" (×{multiple:.2f})" if multiple is not None else "")
            + f"; take ${row['take_per_worker_year']:,.0f} per worker-year"
        )
    return lines


def table(
    revenue: Revenue,
    *,
    tornado: Tornado | None = None,
    required: Sequence[Required] = (),
    scenarios: Sequence[ScenarioRun] = (),
    shapes: dict[str, Shape] | None = None,
    sobol: Sobol | None = None,
    bars: int = 10,
) -> str:
    """The run as text: by country and total, the tornado, targets, scenarios, assumptions."""
    plan = revenue.plan
    names = {cell.key: cell.name for cell in plan.cells}
    lines = [
        f"Revenue to the state, {revenue.year} (USD a year; {revenue.draws:,} draws, "
        f"seed {revenue.seed}, combine {plan.combine}"
        + (f", wage–share rank correlation {revenue.correlation:g}" if revenue.correlation else "")
        + ")",
        f"{'':<34} {'mean':>12} {'p05':>12} {'p50':>12} {'p95':>12}",
    ]
    ordered = sorted(revenue.countries, key=lambda key: -revenue.summary(key).mean)
    lines += [_summary_line(names[key], revenue.summary(key)) for key in ordered]
    lines.append(_summary_line("Total (country rows)", revenue.summary()))
    if plan.world is not None:
        lines.append(_summary_line("Worldwide rows (comparison only)", revenue.summary("world")))
    for key, shape in (shapes or {}).items():
        if shape.multimodal:
            where = "Total" if key == "total" else names.get(key, key)
            lines += ["", f"WARNING — shape of the distribution ({where}): {shape.warning(money)}"]
    if tornado is not None:
        lines += [
            "",
            f"Tornado: each input low→high, the others at their medians "
            f"(all-medians total {money(tornado.base)}):",
        ]
        lines += [_bar_line(bar) for bar in tornado.bars[:bars] if bar.swing > 0]
    if sobol is not None and sobol.indices:
        lines += ["", *sobol_text(sobol, bars)]
    for item in required:
        lines += ["", *required_text(item, revenue.year)]
    if scenarios:
        lines += ["", "Scenarios (same draws and seed):"]
        lines.append(f"{'':<34} {'mean':>12} {'p05':>12} {'p50':>12} {'p95':>12}")
        for run in scenarios:
            lines.append(_summary_line(run.scenario.name, Summary.of(run.draws)))
        for run in scenarios:
            lines.append(f"  {run.scenario.name}: {run.scenario.title}. {run.scenario.note}")
            lines += [f"    source: {source}" for source in run.scenario.sources]
    lines += ["", "Assumptions:", revenue.assumptions]
    return "\n".join(lines)
