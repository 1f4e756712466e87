"""Named sets of assumptions, run side by side with the same draws and seed.

The file's rows, and the aggregate inputs behind published figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unseen.core.places import WORLD
from unseen.core.revenue.distributions import Spec, by_family
from unseen.core.revenue.inputs import FAMILIES, InputRow, Range, RevenueError
from unseen.core.revenue.planning import Cell, Plan
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


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            "sourced-ranges",
            "Sourced ranges: the file's rows for the year, documented defaults for blanks",
            (
                "nk-deployments.csv (each row's source)",
                "docs/facts/nk-facts.md §3.1, §7 (defaults)",
            ),
            "Country rows of the chosen year; see the run's assumptions for every default used.",
        ),
        Scenario(
            "civil-society-2012",
            "The assumptions that travelled with $1.2–2.3 bn (NKDB 2015 / Darusman 2015)",
            (
                "NKDB, Yoon & Lee, Mar 2015: 50,000–60,000 workers, ~90% taken "
                "(via Dong-A Ilbo 2015-03-10)",
                "UN SR Darusman, Oct 2015: workers keep $120–150/month (via Newsweek 2015-10-28)",
                "docs/facts/nk-facts.md §9 A",
            ),
            "Read generously: the $120–150 kept is the 10% left, so gross pay is $1,200–1,500. "
            "Even so neither end reaches $1.2 bn ($0.65–0.97 bn at the ends, nk-facts §9 A).",
            (
                {
                    "workers": Range(50_000, 60_000),
                    "wage": Range(1_200, 1_500),
                    "share": Range(0.9, 0.9),
                    "months": Range(12, 12),
                },
            ),
        ),
        Scenario(
            "us-state-2017",
            "US State Department 2017 ranges",
            (
                "R. Tillerson, 2017 TIP Report release, 2017-06-27: 50,000–80,000 workers",
                "US State Dept via AFP/Taipei Times 2017-12-04: $300–1,000/month, 70–90% taken",
                "docs/facts/nk-facts.md §9 B",
            ),
            "Worldwide aggregate; $0.13–0.86 bn at the ends (nk-facts §9 B).",
            (
                {
                    "workers": Range(50_000, 80_000),
                    "wage": Range(300, 1_000),
                    "share": Range(0.7, 0.9),
                    "months": Range(12, 12),
                },
            ),
        ),
        Scenario(
            "un-panel-2023",
            "UN Panel of Experts 2023: ~100,000 workers, ~$500 m",
            (
                "UN Panel of Experts (1718 Committee) report dated 2024-03-07 "
                "(believed S/2024/215, verify), via RFA 2024-03-21",
                "docs/facts/nk-facts.md §7: $500 m ÷ 100,000 ≈ $5,000 per worker-year ≈ $417/month",
            ),
            "The Panel gives revenue and workers, not wage and share: its implied take of "
            "$417/month is entered as the wage with the whole of it withheld (share 1).",
            (
                {
                    "workers": Range(100_000, 100_000),
                    "wage": Range(5_000 / 12, 5_000 / 12),
                    "share": Range(1.0, 1.0),
                    "months": Range(12, 12),
                },
            ),
        ),
    )
}


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
            "total": Summary.of(self.draws).to_json(),
        }


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
