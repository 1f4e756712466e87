"""Named sets of assumptions, run side by side with the same draws and seed.

The file's rows, and the aggregate inputs behind published figures: rows of
``data/scenarios.csv`` and ``data/scenario_inputs.csv``, every input citing its sources (ADR 0042).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from unseen.core.places import WORLD
from unseen.core.revenue.distributions import Spec, by_family
from unseen.core.revenue.inputs import FAMILIES, InputRow, Range, RevenueError
from unseen.core.revenue.planning import Cell, Plan
from unseen.core.revenue.records import DATA, ScenarioInput, read_scenarios, read_sources
from unseen.core.revenue.simulation import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    Revenue,
    Summary,
    simulate,
    simulate_cells,
)


@dataclass(frozen=True)
class Scenario:
    """A named set of assumptions, run side by side with the others.

    ``segments`` replace the file's rows by aggregate worldwide inputs (family → range); a scenario
    without segments runs the file's rows as they are.
    """

    name: str
    title: str
    sources: tuple[str, ...]
    note: str
    segments: tuple[Mapping[str, Range], ...] | None = None
    inputs: tuple[ScenarioInput, ...] = ()

    def cells(self, distributions: Mapping[str, str]) -> tuple[Cell, ...]:
        """The scenario's segments as worldwide cells, drawn with the given distributions."""
        assert self.segments is not None
        return tuple(
            Cell(
                WORLD,
                WORLD,
                f"{self.name} segment {i + 1}",
                (f"scenario {self.name}",),
                {
                    family: Spec(family, (segment[family],), distributions[family], self.title)
                    for family in FAMILIES
                },
            )
            for i, segment in enumerate(self.segments)
        )


def _scenarios(directory: Path = DATA) -> dict[str, Scenario]:
    """The scenarios of ``scenarios.csv`` with their inputs from ``scenario_inputs.csv``.

    Raises:
        RevenueDataError: naming the file, row and column of every bad cell.
    """
    titles = {key: source.title for key, source in read_sources(directory).items()}
    rows, inputs = read_scenarios(directory)
    scenarios = {}
    for row in rows:
        mine = tuple(i for i in inputs if i.scenario == row.name)
        if not mine:
            scenarios[row.name] = Scenario(row.name, row.title, FILE_SOURCES, row.note)
            continue
        cited: list[str] = []
        for item in mine:
            for key in item.sources:
                if titles[key] not in cited:
                    cited.append(titles[key])
        segments = tuple(
            {i.input: i.range for i in mine if i.segment == segment}
            for segment in sorted({i.segment for i in mine})
        )
        scenarios[row.name] = Scenario(row.name, row.title, tuple(cited), row.note, segments, mine)
    return scenarios


#: What the scenario that runs the input rows rests on.
FILE_SOURCES = (
    "each input row's own source",
    "the defaults' sources (unseen/core/revenue/data/defaults.csv)",
)
SCENARIOS: dict[str, Scenario] = _scenarios()


@dataclass(frozen=True)
class ScenarioRun:
    """One scenario's draws, with its revenue (for "sourced-ranges") and its assumptions text."""

    scenario: Scenario
    revenue: Revenue | None  # for "sourced-ranges"
    draws: np.ndarray
    assumptions: str

    def to_json(self) -> dict[str, Any]:
        """The run as JSON: the scenario's names and sources and a summary of its draws."""
        return {
            "name": self.scenario.name,
            "title": self.scenario.title,
            "sources": list(self.scenario.sources),
            "note": self.scenario.note,
            "inputs": scenario_inputs_json(self.scenario),
            "total": Summary.of(self.draws).to_json(),
        }


def scenario_inputs_json(scenario: Scenario) -> list[dict[str, Any]]:
    """A scenario's inputs with the keys of their sources, as the run stores them."""
    return [
        {
            "segment": item.segment,
            "input": item.input,
            "low": item.range.low,
            "high": item.range.high,
            "sources": list(item.sources),
            "says": item.says,
        }
        for item in scenario.inputs
    ]


def scenario_names(names: Iterable[str]) -> list[str]:
    """Expand "all" and check names, keeping the order given.

    Raises:
        RevenueError: on an unknown name.
    """
    expanded: list[str] = []
    for name in names:
        for one in SCENARIOS if name == "all" else (name,):
            if one not in SCENARIOS:
                raise RevenueError(
                    f"unknown scenario {one!r}; there are: {', '.join(SCENARIOS)}, all"
                )
            if one not in expanded:
                expanded.append(one)
    return expanded


def run_scenarios(
    names: Iterable[str],
    rows: Sequence[InputRow] | Plan,
    year: int | None = None,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    correlation: float = 0.0,
    **options: Any,
) -> list[ScenarioRun]:
    """Run scenarios side by side with the same draws, seed and wage–share correlation.

    ("all" runs every one.)

    Raises:
        RevenueError: on an unknown scenario, or see `simulate`.
    """
    runs = []
    if isinstance(rows, Plan):
        chosen = dict(rows.distributions)
    else:
        chosen = by_family(options.get("distributions"))
    for name in scenario_names(names):
        scenario = SCENARIOS[name]
        if scenario.segments is None:
            revenue = simulate(
                rows, year, draws=draws, seed=seed, correlation=correlation, **options
            )
            runs.append(ScenarioRun(scenario, revenue, revenue.total, revenue.assumptions))
            continue
        _by_key, total = simulate_cells(
            scenario.cells(chosen), draws, np.random.default_rng(seed), correlation
        )
        text = f"{scenario.title}. {scenario.note} Sources: " + "; ".join(scenario.sources)
        runs.append(ScenarioRun(scenario, None, total, text))
    return runs
