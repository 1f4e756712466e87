"""Sensitivity of an MSE estimate to its lists (docs/methods/sensitivity.md, ADR 0040).

Published multiple systems estimates (Silverman 2014 for the Home Office, and Silverman 2020's
Table 5; van Dijk et al. 2017 for UNODC on the Netherlands; UNODC 2018 on Serbia) do not stop at
one number: they show what happens when a list is left out, when two lists are counted as one,
how the estimate compares with the number observed, and per stratum. This module computes all of
that for every method of a run, side by side:

* **full**: the whole table, as the run's results, but with each method's fast interval;
* **without X**: each list dropped in turn (the people only X saw become unseen);
* **X+Y merged**: two lists counted as one (a person is on it if on either), for each pair the
  analyst chose;
* **per stratum** and their **sum**, when the table came with a stratum column; a stratum whose
  lists barely overlap is refused as `stratified.check_overlap` refuses it;
* **estimate ÷ observed** on every row: for the full table, a drop or a merge it is N̂ over the
  n observed on *all* lists (they estimate the same population, so the ratios compare); for a
  stratum, over that stratum's n.

Cheap by design: log-linear methods use the Wald interval (never a bootstrap) and every other
method its own interval, so a run with sensitivity stays quick. The methods that take seconds per
table (`SLOW`: MCMC, or a search over every model) are left out unless `slow=True`, and named.

Not informative. Lists that saw no one, everyone, or exactly the same people as another are
named (`mse.informative`'s checks). The lists *as a whole* are called not informative when no
method gives a finite estimate on the full table, or when, for every method that does, leaving
out one list moves the estimate by more than `SPAN_FACTOR` (largest ÷ smallest of the full and
drop-one estimates) or makes it unbounded: the answer then depends on which lists happen to be
there, not on the overlap the lists share.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from unseen.core.estimation import mse, stratified
from unseen.core.estimation.constants import DEFAULT_LEVEL, LOGLINEAR
from unseen.core.estimation.histories import CaptureHistories
from unseen.core.estimation.results import Estimate, finite_or_none

#: Drop-one estimates spanning more than this factor (largest ÷ smallest, full table included)
#: mark a method's answer as resting on which lists are present.
SPAN_FACTOR = 2.0
#: The interval log-linear methods get here: no bootstrap, no root finding.
FAST_CI = "wald"
#: How a merged list is named: the two names joined by this.
MERGE_JOIN = "+"
#: Version of the stored document (EstimateRun.sensitivity).
VERSION = 1
#: Methods that take seconds per table (MCMC, or a search over every model): run on every derived
#: table only when asked (`slow=True`, as `unseen mse --sensitivity` does). On the UK six lists,
#: their drop-one rows alone take 13 s (bic), 13 s (bayes-threshold) and 29 s (lcmcr).
SLOW = frozenset({"bic", "bayes-threshold", "lcmcr", "dga"})


class MergeError(mse.EstimationError):
    """A requested merge names an unknown list, the same list twice, or fewer than two lists."""


@dataclass(frozen=True)
class Row:
    """One line of the sensitivity table.

    A table derived from the run's (or the run's own), estimated by each method.
    """

    kind: str  # "full", "drop", "merge", "stratum", "strata-sum"
    label: str  # plain English for the CLI; the page builds its own (translated) label
    lists: tuple[str, ...]  # the lists the row's table has ("" entries never)
    observed: int  # n of the row's own table
    results: dict[str, dict[str, Any]]  # method -> estimate, ci, ratio, warnings
    subject: tuple[str, ...] = ()  # the dropped list, the merged lists, or the stratum
    note: str = ""  # why the row has no estimates (one list left, stratum refused)

    def to_json(self) -> dict[str, Any]:
        """The row as stored in `EstimateRun.sensitivity["rows"]`."""
        return {
            "kind": self.kind,
            "label": self.label,
            "subject": list(self.subject),
            "lists": list(self.lists),
            "observed": self.observed,
            "results": self.results,
            "note": self.note,
        }


def parse_merge(text: str, lists: Sequence[str]) -> tuple[str, ...]:
    """`"PF+NCA"` → `("PF", "NCA")`, checked against the table's lists (case-insensitive).

    Raises:
        MergeError: fewer than two names, an unknown name, or one named twice.
    """
    by_key = {name.strip().lower(): name for name in lists}
    names = [part.strip() for part in text.split(MERGE_JOIN) if part.strip()]
    if len(names) < 2:
        raise MergeError(f"merge {text!r}: name two lists joined by '+', e.g. A+B")
    chosen: list[str] = []
    for name in names:
        found = by_key.get(name.lower())
        if found is None:
            raise MergeError(f"merge {text!r}: no list {name!r}; the lists are {', '.join(lists)}")
        if found in chosen:
            raise MergeError(f"merge {text!r}: list {found} is named twice")
        chosen.append(found)
    if len(chosen) == len(lists):
        raise MergeError(f"merge {text!r}: merging every list leaves one list, and MSE needs two")
    return tuple(chosen)


def merged(histories: CaptureHistories, group: Sequence[str]) -> CaptureHistories:
    """The table with the lists in `group` counted as one list.

    The merged list is named `A+B` and takes the place of the first of them; a person is on it
    if any of them saw the person.

    Raises:
        MergeError: as `parse_merge`.
    """
    group = parse_merge(MERGE_JOIN.join(group), histories.lists)
    columns = [histories.lists.index(name) for name in group]
    first = min(columns)
    keep = [j for j in range(histories.t) if j not in columns or j == first]
    names = [MERGE_JOIN.join(group) if j == first else histories.lists[j] for j in keep]
    rows = []
    for pattern, count in zip(histories.patterns, histories.counts, strict=True):
        new = [int(pattern[columns].any()) if j == first else int(pattern[j]) for j in keep]
        rows.append((new, int(count)))
    return CaptureHistories.from_counts(names, rows)


def pooled(strata: Mapping[str, CaptureHistories]) -> CaptureHistories:
    """All strata added up: the table a stratified run is also estimated on as a whole.

    Raises:
        ValueError: no strata, or strata with different lists.
    """
    tables = list(strata.values())
    if not tables:
        raise ValueError("no strata")
    lists = tables[0].lists
    if any(t.lists != lists for t in tables):
        raise ValueError("every stratum must have the same lists")
    rows = ((tuple(p), int(c)) for t in tables for p, c in zip(t.patterns, t.counts, strict=True))
    return CaptureHistories.from_counts(lists, rows)


def _flags(histories: CaptureHistories) -> list[str]:
    """`mse.informative`'s reasons, for a table it refuses outright (it names none then)."""
    totals = histories.list_totals()
    n = histories.observed
    flags = []
    for name in histories.lists:
        if totals[name] == 0:
            flags.append(f"list {name} is empty")
        elif totals[name] == n:
            flags.append(f"list {name} saw every observed entity")
    return flags


def _ci_for(method: str) -> str | None:
    return FAST_CI if method in LOGLINEAR else None


def _one(
    histories: CaptureHistories, method: str, level: float, seed: int | None
) -> Estimate | None:
    """One method on one derived table, or None when the method is not installed."""
    try:
        return mse.estimate(
            histories, method, ci=_ci_for(method), level=level, bootstrap=0, seed=seed
        )
    except mse.MethodUnavailable:
        return None
    except mse.EstimationError as error:
        return Estimate(method, "", math.nan, histories.observed, warnings=(str(error),))
    except (ValueError, ArithmeticError) as error:
        return Estimate(
            method,
            "",
            math.nan,
            histories.observed,
            warnings=(f"{method} could not be computed on this table: {error}",),
        )


def _cell(result: Estimate, denominator: int, extra: Sequence[str] = ()) -> dict[str, Any]:
    estimate = finite_or_none(result.estimate)
    ratio = None
    if estimate is not None and denominator:
        ratio = estimate / denominator
    elif math.isinf(result.estimate):
        ratio = None
    return {
        "estimate": estimate,
        "unbounded": math.isinf(result.estimate),
        "ci": result.interval.to_json() if result.interval else None,
        "ratio": ratio,
        "model": result.model,
        "warnings": [*extra, *result.warnings],
    }


def _estimate_row(
    histories: CaptureHistories,
    methods: Sequence[str],
    level: float,
    seed: int | None,
    denominator: int,
    full_observed: int | None = None,
) -> dict[str, dict[str, Any]]:
    cells: dict[str, dict[str, Any]] = {}
    for method in methods:
        result = _one(histories, method, level, seed)
        if result is None:
            continue
        extra = []
        if (
            full_observed is not None
            and math.isfinite(result.estimate)
            and result.estimate < full_observed
        ):
            extra.append(
                f"the estimate ({result.estimate:,.0f}) is below the {full_observed:,} observed "
                "on all the lists: the people only the left-out list saw are certainly there"
            )
        cells[method] = _cell(result, denominator, extra)
    return cells


def _span(rows: Sequence[Row], method: str) -> dict[str, Any] | None:
    """Largest and smallest of the full and drop-one estimates for one method."""
    values = []
    unbounded = False
    for index, row in enumerate(rows):
        if row.kind not in {"full", "drop"}:
            continue
        cell = row.results.get(method)
        if cell is None:
            continue
        if cell["unbounded"]:
            unbounded = True
        elif cell["estimate"] is not None:
            values.append((cell["estimate"], index))
    if not values:
        return None
    low = min(values)
    high = max(values)
    factor = None if unbounded else high[0] / low[0] if low[0] > 0 else None
    return {
        "low": low[0],
        "low_row": low[1],
        "high": high[0],
        "high_row": high[1],
        "factor": factor,
        "unbounded": unbounded,
        "stable": not unbounded and factor is not None and factor <= SPAN_FACTOR,
    }


def sensitivity(
    histories: CaptureHistories,
    methods: Sequence[str],
    *,
    level: float = DEFAULT_LEVEL,
    seed: int | None = None,
    merges: Sequence[Sequence[str]] = (),
    strata: Mapping[str, CaptureHistories] | None = None,
    min_recaptures: int = stratified.MIN_RECAPTURES,
    slow: bool = False,
) -> dict[str, Any]:
    """Every row of the sensitivity table for every method, as one JSON-ready document.

    Args:
        histories: the run's whole table (for a stratified table, the strata added up).
        methods: the run's methods; those not installed are left out.
        level: the interval level (the run's).
        seed: the seed for the methods that draw (the run's).
        merges: groups of list names to count as one, each a row of its own.
        strata: the table split by stratum, if it has a stratum column.
        min_recaptures: `stratified.check_overlap`'s minimum, for refusing a stratum.
        slow: also run the methods in `SLOW`; otherwise they are listed under "skipped".

    Returns:
        `{"version", "lists", "observed", "level", "methods", "interval", "rows",
        "non_informative", "spans", "informative", "statement"}`; see docs/methods/sensitivity.md.

    Raises:
        MergeError: a merge names an unknown list.
    """
    groups = [parse_merge(MERGE_JOIN.join(group), histories.lists) for group in merges]
    n = histories.observed
    asked = list(dict.fromkeys(methods))
    skipped = [] if slow else [m for m in asked if m in SLOW]
    methods = [m for m in asked if m not in skipped]
    try:
        _, flagged = mse.informative(histories)
        enough = True
    except mse.EstimationError as error:
        flagged = [*_flags(histories), str(error)]
        enough = False
    rows: list[Row] = []
    if enough:
        rows.append(
            Row(
                "full",
                "all lists",
                histories.lists,
                n,
                _estimate_row(histories, methods, level, seed, n),
            )
        )
        for name in histories.lists:
            rest = tuple(other for other in histories.lists if other != name)
            if len(rest) < 2:
                rows.append(
                    Row(
                        "drop",
                        f"without {name}",
                        rest,
                        0,
                        {},
                        (name,),
                        "one list would be left: MSE needs two",
                    )
                )
                continue
            reduced = histories.subset(rest)
            cells = _estimate_row(reduced, methods, level, seed, n, full_observed=n)
            rows.append(Row("drop", f"without {name}", rest, reduced.observed, cells, (name,)))
        for group in groups:
            table = merged(histories, group)
            label = f"{MERGE_JOIN.join(group)} merged"
            cells = _estimate_row(table, methods, level, seed, n)
            rows.append(Row("merge", label, table.lists, table.observed, cells, group))
    if strata:
        rows.extend(_strata_rows(strata, methods, level, seed, min_recaptures))
    spans = {m: s for m in methods if (s := _span(rows, m)) is not None}
    finite = [m for m in methods if rows and rows[0].results.get(m, {}).get("estimate") is not None]
    informative: bool | None = (
        enough and bool(finite) and any(spans[m]["stable"] for m in finite if m in spans)
    )
    if enough and not methods:
        informative = None  # every method was too slow to run here: nothing to judge by
    return {
        "version": VERSION,
        "lists": list(histories.lists),
        "observed": n,
        "level": level,
        "methods": [m for m in methods if any(m in row.results for row in rows)],
        "interval": (
            f"fast intervals: {FAST_CI} for the log-linear methods, each other method's own; "
            "no bootstrap"
        ),
        "span_factor": SPAN_FACTOR,
        "skipped": skipped,
        "rows": [row.to_json() for row in rows],
        "non_informative": flagged,
        "spans": spans,
        "informative": informative,
        "statement": statement(rows, spans, finite, enough, flagged, skipped),
    }


def _strata_rows(
    strata: Mapping[str, CaptureHistories],
    methods: Sequence[str],
    level: float,
    seed: int | None,
    min_recaptures: int,
) -> list[Row]:
    rows: list[Row] = []
    per_method: dict[str, dict[str, Estimate]] = {m: {} for m in methods}
    refused = False
    for name, table in strata.items():
        try:
            stratified.check_overlap(name, table, min_recaptures)
        except stratified.StratumRefused as error:
            refused = True
            rows.append(
                Row(
                    "stratum",
                    f"stratum {name}",
                    table.lists,
                    table.observed,
                    {},
                    (name,),
                    str(error),
                )
            )
            continue
        cells: dict[str, dict[str, Any]] = {}
        for method in methods:
            result = _one(table, method, level, seed)
            if result is None:
                continue
            per_method[method][name] = result
            cells[method] = _cell(result, table.observed)
        rows.append(Row("stratum", f"stratum {name}", table.lists, table.observed, cells, (name,)))
    total_observed = sum(t.observed for t in strata.values())
    if refused:
        rows.append(
            Row(
                "strata-sum",
                "sum of strata",
                (),
                total_observed,
                {},
                (),
                "not added up: a stratum was refused; merge it with a neighbouring one",
            )
        )
        return rows
    cells = {}
    for method, results in per_method.items():
        if len(results) != len(strata):
            continue
        if not all(math.isfinite(r.estimate) for r in results.values()):
            total = Estimate(
                method,
                "",
                math.inf,
                total_observed,
                warnings=("a stratum has no finite estimate, so the sum has none",),
            )
        else:
            total = stratified.combine(results, level)
            total = Estimate(
                method, total.model, total.estimate, total.observed, total.interval, warnings=()
            )
        cells[method] = _cell(total, total_observed)
    rows.append(Row("strata-sum", "sum of strata", (), total_observed, cells))
    return rows


def _percent(value: float, base: float) -> str:
    return f"{(value / base - 1) * 100:+.0f}%"


def statement(
    rows: Sequence[Row],
    spans: Mapping[str, Mapping[str, Any]],
    finite: Sequence[str],
    enough: bool,
    flagged: Sequence[str],
    skipped: Sequence[str] = (),
) -> str:
    """One plain paragraph: how much leaving out a list moves the answer.

    It also says whether the lists as a whole are informative.
    """
    if not enough:
        return "The lists are not informative: " + "; ".join(flagged) + ". No estimate can be made."
    if not finite and not rows[0].results:
        return (
            f"Only {', '.join(skipped)} were run, and they take seconds per table: "
            "`unseen mse --sensitivity` shows their sensitivity."
        )
    if not finite:
        return (
            "The lists are not informative: no method gives a finite estimate on the full table, "
            "so the data cannot bound the number unseen."
        )
    full = rows[0].results
    parts = []
    for method in finite:
        span = spans.get(method)
        if span is None:
            continue
        base = full[method]["estimate"]
        if span["unbounded"]:
            parts.append(f"{method}: leaving out one list makes the estimate unbounded")
            continue
        low_label = rows[span["low_row"]].label
        high_label = rows[span["high_row"]].label
        parts.append(
            f"{method}: from {span['low']:,.0f} ({low_label}, {_percent(span['low'], base)}) "
            f"to {span['high']:,.0f} ({high_label}, {_percent(span['high'], base)})"
        )
    stable = [m for m in finite if spans.get(m, {}).get("stable")]
    text = "Leaving out one list at a time moves the estimate " + "; ".join(parts) + "."
    if not stable:
        text += (
            f" The lists are not informative as a whole: for every method, which lists are present "
            f"moves the answer by more than a factor of {SPAN_FACTOR:g} (or leaves it unbounded). "
            "Do not publish a number from them."
        )
    elif len(stable) < len(finite):
        text += (
            f" Under {', '.join(m for m in finite if m not in stable)} the answer moves by more "
            f"than a factor of {SPAN_FACTOR:g}; read those with care."
        )
    if flagged:
        text += " " + " ".join(f"Note: {w}." for w in flagged)
    if skipped:
        text += (
            f" Not in this table: {', '.join(skipped)} (seconds per table; "
            "`unseen mse --sensitivity` runs them)."
        )
    return text
