"""Saved runs of the revenue model (issue 5): frozen input rows, parameters, seed and version.

A revenue run keeps, in `EstimateRun.inputs`, every input row it was computed from (ranges,
source text, confidence, and for the platform's records the deployment id, its access level and
the sources behind it as the runner could see them), and in `results` summaries only: quantiles,
a histogram of the total in bins, by-country intervals, the tornado and the scenarios. A million
draws are never stored; the seed regenerates them, so `rerun()` gives the same numbers.

Access (issue 14, the rule of `unseen.evidence.models.DerivedRecord`): a run is as restricted as
the most restricted of its rows — a platform row's deployment and every source the row lists —
and an uploaded row is at its file's ``access_level`` cell, or the level the analyst declared for
the whole file. Publishing (docs/design.md §2, docs/methods/revenue.md "On the platform"): a run
may go on the public site only if every one of those inputs is public, now as well as when it was
run. A run resting on anything else is refused with the rows that block it: the public page shows
the rows, sectors and sources, so it cannot be published "in summary only" without leaking them.
"""

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.db import transaction

from unseen.accounts.models import AccessLevel, UserLike
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core import revenue
from unseen.core.places import Host
from unseen.core.revenue import report as revenue_report
from unseen.core.tables import read_table, validate
from unseen.evidence.models import declared_input, strictest_access_level
from unseen.ui.uploads import saved_upload, table_limits

from . import revenue_charts
from .models import EstimateRun, RunKind, _plain, software_version
from .publication import NotPublishable, set_published

HISTOGRAM_BINS = 40
#: The quantiles kept of the total (the draws themselves are not).
QUANTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
#: Tornado bars kept: the widest swings, enough for every input in the largest countries.
TORNADO_BARS = 16


__all__ = ["NotPublishable"]  # raised by `publish`, defined with the rule in `publication`


# --- frozen input rows ------------------------------------------------------------------------


def _range(value: revenue.Range | None) -> list[float] | None:
    return None if value is None else [value.low, value.high]


def frozen_row(
    row: revenue.InputRow,
    *,
    origin: str,
    access_level: str,
    deployment: int | None = None,
    sources: Sequence[dict[str, Any]] = (),
    source_id: int | None = None,
) -> dict[str, Any]:
    """One input row as plain JSON, with what is needed to show its evidence and judge its access."""
    return {
        "row": row.row,
        "label": row.label,
        "ref": row.ref,
        "country": row.host.country,
        "region": row.host.region,
        "year": row.year,
        "sector": row.sector,
        **{family: _range(row.get(family)) for family in revenue.FAMILIES},
        "source": row.source,
        "source_id": source_id,
        "confidence": row.confidence,
        "notes": list(row.notes),
        "origin": origin,
        "deployment": deployment,
        "access_level": access_level,
        "sources": list(sources),
    }


def thawed_row(data: dict[str, Any]) -> revenue.InputRow:
    """The `InputRow` a frozen row was made from."""
    ranges = {
        family: None if data[family] is None else revenue.Range(*data[family])
        for family in revenue.FAMILIES
    }
    return revenue.InputRow(
        row=data["row"],
        host=Host(country=data["country"], region=data["region"]),
        year=data["year"],
        sector=data["sector"],
        source=data["source"],
        confidence=data["confidence"],
        label=data["label"],
        notes=tuple(data["notes"]),
        **ranges,
    )


def platform_rows(year: int, user: UserLike) -> list[dict[str, Any]]:
    """The deployment records covering `year` that `user` may read, with their visible evidence."""
    # documentation sits below estimation: the records are read, never written, from here.
    from unseen.documentation.models import Deployment
    from unseen.documentation.revenue_inputs import deployment_inputs

    rows = deployment_inputs(year, user=user)
    deployments = Deployment.objects.in_bulk({row.row for row in rows})
    frozen = []
    for row in rows:
        deployment = deployments[row.row]
        claims = list(deployment.evidence_trail(user))
        named = next((c.source for c in claims if c.source.title == row.source), None)
        levels = [deployment.access_level]
        if named is not None:
            levels.append(named.access_level)
        frozen.append(
            frozen_row(
                row,
                origin="deployment",
                access_level=strictest_access_level(levels),
                deployment=deployment.pk,
                source_id=named.pk if named is not None else None,
                sources=[
                    {
                        "id": claim.source.pk,
                        "title": claim.source.title,
                        "url": claim.source.url,
                        "access_level": claim.source.access_level,
                        "credibility": claim.credibility,
                    }
                    for claim in claims
                ],
            )
        )
    return frozen


def upload_rows(upload: Any, year: int, access_level: str) -> list[dict[str, Any]]:
    """The rows of `year` in an uploaded file with the nk-deployments columns.

    A row's access level is its ``access_level`` cell, or `access_level` where the file has none.

    Raises:
        TableError: listing every bad cell by row and column (the whole file is checked).
    """
    with saved_upload(upload) as path:
        limits = table_limits()
        rows = revenue.read_inputs(path, limits)
        parsed, _errors = validate(read_table(path, limits), revenue.input_schema())
    levels = {number: cells.get("access_level") or access_level for number, cells in parsed}
    return [
        frozen_row(row, origin="upload", access_level=levels.get(row.row, access_level))
        for row in rows
        if row.year == year
    ]


def row_inputs(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a run on `rows` read, each named by its row: a platform row's deployment and every
    source it lists (the page shows their titles), an uploaded row at its declared level."""
    inputs: list[dict[str, Any]] = []
    for row in rows:
        if row.get("deployment"):
            inputs.append(
                {
                    "model": "documentation.deployment",
                    "pk": row["deployment"],
                    "access_level": row["access_level"],
                    "label": row["ref"],
                }
            )
            sources = {s["id"]: s["access_level"] for s in row["sources"]}
            if row.get("source_id"):
                sources.setdefault(row["source_id"], row["access_level"])
            inputs.extend(
                {"model": "evidence.source", "pk": pk, "access_level": level, "label": row["ref"]}
                for pk, level in sources.items()
            )
        else:
            inputs.append(declared_input(row["ref"], row["access_level"]))
    return inputs


# --- computing ----------------------------------------------------------------------------------


def histogram(draws: np.ndarray) -> dict[str, Any]:
    """The total's distribution in `HISTOGRAM_BINS` bins between its 0.5th and 99.5th percentiles."""
    low, high = revenue.quantiles(draws, (0.005, 0.995))
    if high <= low:
        return {"edges": [low, high], "counts": [int(draws.size)], "below": 0, "above": 0}
    counts, edges = np.histogram(draws, bins=HISTOGRAM_BINS, range=(low, high))
    return {
        "edges": [float(e) for e in edges],
        "counts": [int(c) for c in counts],
        "below": int(np.count_nonzero(draws < low)),
        "above": int(np.count_nonzero(draws > high)),
    }


def compute_results(inputs: Sequence[dict[str, Any]], parameters: dict[str, Any]) -> dict[str, Any]:
    """The run's summaries from its frozen rows and parameters (same inputs and seed: same numbers).

    Raises:
        revenue.RevenueError: no country has a headcount in the year, or an unknown option.
    """
    rows = [thawed_row(data) for data in inputs]
    plan = revenue.plan(
        rows,
        parameters["year"],
        combine=parameters["combine"],
        include_proxies=parameters.get("include_proxies", False),
        distributions=parameters.get("distribution", revenue.DEFAULT_DISTRIBUTION),
    )
    draws, seed = parameters["draws"], parameters["seed"]
    correlation = float(parameters.get("correlation", 0.0))
    result = revenue.simulate(plan, draws=draws, seed=seed, correlation=correlation)
    tornado = revenue.tornado(plan.cells)
    # A run made before the shape and the Sobol indices existed has no "sobol_samples": its
    # re-run computes what it stored, and nothing more, so it still comes out identical.
    analysed = "sobol_samples" in parameters
    samples = int(parameters.get("sobol_samples") or 0)
    document = revenue_report.document(
        result,
        tornado=tornado,
        shapes=revenue.shapes(result) if analysed else None,
        sobol=(
            revenue.sobol(plan.cells, samples=samples, seed=seed, correlation=correlation)
            if samples
            else None
        ),
    )
    bars = [bar for bar in document["tornado"]["bars"] if bar["swing"] > 0]
    document["tornado"]["bars"] = bars[:TORNADO_BARS]
    document["quantiles"] = {
        f"p{round(q * 100):02d}": value
        for q, value in zip(QUANTILES, revenue.quantiles(result.total, QUANTILES), strict=True)
    }
    document["histogram"] = histogram(result.total)
    others = [name for name in parameters["scenarios"] if name != "sourced-ranges"]
    runs = {
        run.scenario.name: run
        for run in revenue.run_scenarios(
            others, plan, draws=draws, seed=seed, correlation=correlation
        )
    }
    scenarios = []
    for name in parameters["scenarios"]:
        if name == "sourced-ranges":
            scenario = revenue.SCENARIOS[name]
            scenarios.append(
                {
                    "name": name,
                    "title": scenario.title,
                    "sources": list(scenario.sources),
                    "note": scenario.note,
                    "inputs": [],
                    "total": document["total"],
                    "assumptions": document["assumptions"],
                }
            )
        else:
            run = runs[name]
            scenarios.append({**run.to_json(), "assumptions": run.assumptions})
    document["scenarios"] = scenarios
    # Through JSON and back: a re-run is compared with exactly what the database holds.
    return dict(json.loads(json.dumps(_plain(document), allow_nan=False)))


def run_revenue(
    title: str,
    inputs: Sequence[dict[str, Any]],
    parameters: dict[str, Any],
    *,
    input_kind: str,
    user: UserLike | None = None,
) -> EstimateRun:
    """Compute and save a revenue run with its frozen rows, audited; all or nothing.

    Raises:
        revenue.RevenueError: see `compute_results`; nothing is saved.
    """
    parameters = {
        "year": int(parameters["year"]),
        "scenarios": list(parameters["scenarios"]),
        "draws": int(parameters["draws"]),
        "seed": int(parameters["seed"]),
        "combine": parameters["combine"],
        "distribution": parameters.get("distribution", revenue.DEFAULT_DISTRIBUTION),
        "include_proxies": bool(parameters.get("include_proxies", False)),
        "correlation": float(parameters.get("correlation") or 0.0),
        "sobol_samples": int(parameters.get("sobol_samples") or revenue.SOBOL_SAMPLES),
        "input": input_kind,
    }
    frozen = json.loads(json.dumps(list(inputs), allow_nan=False))
    results = compute_results(frozen, parameters)
    with transaction.atomic():
        run = EstimateRun(
            title=title,
            kind=RunKind.REVENUE,
            inputs=frozen,
            parameters=parameters,
            software_version=software_version(),
            results=results,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        run.derive_from(row_inputs(frozen))
        run.save()
        record(
            Action.CREATE,
            run,
            detail={
                "kind": run.kind,
                "year": parameters["year"],
                "rows": len(frozen),
                "input": input_kind,
                "scenarios": parameters["scenarios"],
                "draws": parameters["draws"],
                "seed": parameters["seed"],
                "access_level": run.access_level,
            },
        )
    return run


def rerun(run: EstimateRun) -> dict[str, Any]:
    """Recompute a revenue run from its frozen rows and parameters; nothing is saved."""
    return compute_results(run.inputs, run.parameters)


# --- publishing --------------------------------------------------------------------------------


def publication_problems(run: EstimateRun) -> list[str]:
    """Why `run` may not be public: each input row that is not public (now, or when it was run)."""
    return run.publication_problems()


def publish(run: EstimateRun, published: bool, *, by: Any = None) -> EstimateRun:
    """Publish a revenue run (only if every input row is public) or withdraw it; `by` publishes.

    Raises:
        NotPublishable: publishing a run that rests on a row that is not public, or one its
            runner would publish alone (the two-person rule).
    """
    return set_published(run, published, by=by)


def evidence_rows(run: EstimateRun, public: bool = False) -> list[dict[str, Any]]:
    """The run's input rows as the page lists them; on the public site, public sources only."""
    rows = []
    for data in run.inputs:
        ranges = {
            family: revenue.Range(*data[family]).text(family) if data[family] else ""
            for family in revenue.FAMILIES
        }
        sources = data["sources"]
        if public:
            sources = [s for s in sources if s["access_level"] == AccessLevel.PUBLIC]
        rows.append(
            {
                **data,
                "host": Host(country=data["country"], region=data["region"]).label,
                "ranges": ranges,
                "sources": sources,
            }
        )
    return rows


def figures(document: dict[str, Any]) -> dict[str, Any]:
    """What the charts draw (and their tables list), from a run's stored results."""
    countries = sorted(
        (
            {"key": key, "label": value["name"], **value}
            for key, value in document["by_country"].items()
        ),
        key=lambda item: -item["mean"],
    )
    edges = document["histogram"]["edges"]
    bins = [
        {"low": low, "high": high, "count": count}
        for low, high, count in zip(edges, edges[1:], document["histogram"]["counts"], strict=False)
    ]
    tornado = [
        {
            **bar,
            "label": f"{revenue.FAMILY_LABELS[bar['input']]}, {bar['name']}",
            "range": (
                revenue.Range(bar["input_low"], bar["input_high"]).text(bar["input"])
                if bar["input_low"] is not None
                else ""
            ),
        }
        for bar in document["tornado"]["bars"]
    ]
    scenarios = [
        {"key": s["name"], "label": s["name"], **s["total"]} for s in document["scenarios"]
    ]
    return {
        **revenue_charts.shape_and_sobol(document),
        "countries": countries,
        "bins": bins,
        "histogram": {**document["histogram"], "bins": bins},
        "tornado": {"base": document["tornado"]["base"], "bars": tornado},
        "scenarios": scenarios,
    }
