"""What the North Korean state earns from workers it sends abroad.

A Monte Carlo model over sourced ranges (issue 5; the method is written up in
docs/methods/revenue.md).

Revenue to the state in one year is R = Σ over cells of N × W × s × m, where a *cell* is a host
country × sector (× the chosen year) and

* N (``workers``) is the stock of workers,
* W (``wage``) the gross monthly pay of one worker in USD,
* s (``share``) the fraction of gross pay that never reaches the worker (state, dispatching
  company and minders together, as the sources rarely separate them: nk-facts.md §0),
* m (``months``) the paid months in a year.

Every input is a range [low, high] drawn in each of D draws, independently unless a wage–share
rank correlation is asked for (a normal copula within each cell, `simulate(correlation=…)`); by-country draws are
sums of their cells' draws and the total draw is the sum of the country draws, draw by draw, so
the country distributions and the total are always consistent.

The rules the model applies to the sourced table, each reported back to the user (nothing is
filled in silently):

* **Distribution.** Uniform between low and high by default (the sources give ranges, not modes;
  uniform is the least committal choice with those ends). ``triangular`` (mode at the midpoint)
  or ``log-uniform`` (equal weight per order of magnitude, for headcounts that differ by
  factors) can be chosen for all inputs or per family. A range with low == high is a point.
* **One-sided ranges.** A range with only one end ("at least 50,000", "up to 1,500") is taken as
  a point at the given end; every such reading is listed in the notes.
* **Blanks.** A cell with no headcount is left out of the total and listed (a headcount is never
  invented). A blank wage, share or months takes a default range with its sources
  (`DEFAULTS`, the rows of ``data/defaults.csv``; ADR 0042), and every default used is listed.
* **Proxies.** Rows whose sector starts with ``entries`` or ``planned`` count border entries or
  announced plans, not workers: left out unless ``include_proxies``.
* **Regions.** Totals are built from country rows only. Worldwide rows ("ALL"/"World") are run
  through the same model as an external comparison and never added; other regions ("Southeast
  Asia", "Qatar/UAE") are left out and listed, as they would double-count country rows.
* **Sectors.** Different sectors of one country and year are different workers and add up,
  except that a sector starting with ``mixed`` describes the whole country: then every row of
  that country and year is one cell, its rows being alternative estimates of the same workers.
* **Overlaps.** Where several rows report the same input of one cell the `COMBINE` policy
  decides, input by input: ``pooled`` (the default: each draw picks one of the rows at random,
  with equal weight, and draws from that row's range, a mixture that keeps each source's own
  range), ``widest`` (the envelope of the rows' ranges) or ``most-reliable`` (the rows of the
  highest confidence only, their envelope if several tie).

The functions are pure: plain dataclasses in, plain dataclasses and numpy arrays out; the same
seed gives the same numbers (numpy's PCG64 `Generator`).

The modules follow a run: `inputs` (rows read as ranges), `records` (the data files, every
number citing its sources), `defaults` (ranges for blanks),
`distributions` (how one input is drawn), `planning` (rows to cells), `simulation` (the draws),
`sensitivity` (the tornado and what a target would take), `variance` (Sobol' indices),
`shape` (one hump or several, and which pooled input makes them), `scenarios` (side by side)
and `report` (JSON and text). Callers use the names below as ``revenue.X`` (``from unseen.core import
revenue``); the report is ``unseen.core.revenue.report``.
"""

from unseen.core.revenue.distributions import DEFAULT_DISTRIBUTION, DISTRIBUTIONS
from unseen.core.revenue.inputs import (
    FAMILIES,
    FAMILY_LABELS,
    InputRow,
    Range,
    RevenueError,
    input_schema,
    read_inputs,
    row_from_fields,
)
from unseen.core.revenue.planning import COMBINE, DEFAULT_COMBINE, Cell, Plan, plan
from unseen.core.revenue.scenarios import SCENARIOS, ScenarioRun, run_scenarios
from unseen.core.revenue.sensitivity import Required, Tornado, required_for, tornado
from unseen.core.revenue.shape import Shape, shapes
from unseen.core.revenue.simulation import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    Revenue,
    Summary,
    quantiles,
    simulate,
)
from unseen.core.revenue.variance import DEFAULT_SAMPLES as SOBOL_SAMPLES
from unseen.core.revenue.variance import Sobol, sobol

__all__ = [
    "COMBINE",
    "DEFAULT_COMBINE",
    "DEFAULT_DISTRIBUTION",
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "DISTRIBUTIONS",
    "FAMILIES",
    "FAMILY_LABELS",
    "SCENARIOS",
    "SOBOL_SAMPLES",
    "Cell",
    "InputRow",
    "Plan",
    "Range",
    "Required",
    "Revenue",
    "RevenueError",
    "ScenarioRun",
    "Shape",
    "Sobol",
    "Summary",
    "Tornado",
    "input_schema",
    "plan",
    "quantiles",
    "read_inputs",
    "required_for",
    "row_from_fields",
    "run_scenarios",
    "shapes",
    "simulate",
    "sobol",
    "tornado",
]
