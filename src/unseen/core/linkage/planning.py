"""What a run compares.

The records prepared as Splink takes them, the blocking rules that pick the pairs, and the Splink
linker over both.

Splink knows a record by its place in the run and a source by its number; what a record is known
by outside Splink (key, record id, source) stays in `Plan.order`.
"""

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from splink import Linker

from unseen.core.linkage import persons, places, records
from unseen.core.linkage.backends import DuckDB

__all__ = [
    "MODELS",
    "PAIRS_PER_RECORD",
    "Plan",
    "choose_blocking",
    "count_pairs",
    "make_linker",
    "model_for",
    "plan",
]

MODELS: dict[str, persons.Model] = {
    "person": persons.PERSON,
    "site": places.SITE,
    "organisation": places.ORGANISATION,
}
# A blocking rule that alone would score more pairs than this per record is tightened: a common
# name ("Kim Chol Su") in a million records would otherwise make the run quadratic.
PAIRS_PER_RECORD = 30
# Above this many records, pairs are counted on a sample (of each side of the blocking join).
COUNT_EXACTLY_TO = 50_000


def model_for(entity: str) -> persons.Model:
    """The linkage model for an entity kind; ValueError names the kinds there are."""
    try:
        return MODELS[entity]
    except KeyError:
        raise ValueError(
            f"unknown entity {entity!r}; choose from {', '.join(records.ENTITIES)}"
        ) from None


@dataclass
class Plan:
    """The prepared tables as Splink takes them, how they are linked, the records in order."""

    tables: list[pd.DataFrame]
    link_type: str
    one_to_one: bool
    # unique_id, key, record_id, source, source_dataset: every record in input order, row i
    # the record whose Splink unique_id is i
    order: pd.DataFrame
    model: persons.Model


# What a record is known by outside Splink: kept in `Plan.order`, not handed to Splink.
IDENTITY = ["key", "record_id", "source"]


def plan(
    frames: Sequence[pd.DataFrame],
    entity: str,
    one_to_one: bool | None = None,
    model: persons.Model | None = None,
) -> Plan:
    """Prepare the records and decide how Splink links them (`model`: the entity's own if None).

    Splink knows a record by its place in the run (0, 1, 2 ...) and a source by its number:
    when linking, Splink joins on "<source_dataset>-__-<unique_id>", and a key that short
    ("3-__-1009449") is stored inside DuckDB's 16-byte string, while one like
    "press-__-0:press-0000001" goes to the heap. A million records' 73 million blocked pairs
    then need half the memory, and scoring and clustering ran 45 s quicker under the default
    memory limit.
    """
    model = model or model_for(entity)
    if not frames:
        raise ValueError("nothing to link: no table of records")
    prepared, offset = [], 0
    for i, frame in enumerate(frames):
        table = records.prepare(frame, entity, index=i).rename(columns={"unique_id": "key"})
        table.insert(0, "unique_id", np.arange(offset, offset + len(table), dtype=np.int64))
        offset += len(table)
        prepared.append(table)
    if len(prepared) > 1:
        link_type, one_to_one, tables = "link_only", one_to_one is not False, prepared
    else:
        only = prepared[0]
        sources = only["source"]
        by_source = bool(sources.notna().all() and sources.nunique() > 1)
        if one_to_one and not by_source:
            raise ValueError(
                "one-to-one clustering needs a source for every record, and two sources"
            )
        if one_to_one is None:
            one_to_one = by_source
        if not one_to_one:
            link_type, tables = "dedupe_only", prepared
        else:
            # Splink's single best links keeps one record per "source dataset" in a cluster:
            # one table per source, linked and deduplicated together (which compares every
            # pair, as dedupe does).
            link_type = "link_and_dedupe"
            tables = [
                group.assign(source_dataset=str(number)).reset_index(drop=True)
                for number, (_source, group) in enumerate(only.groupby("source", sort=True))
            ]
    order = pd.concat(
        [t[["unique_id", *IDENTITY, "source_dataset"]] for t in tables], ignore_index=True
    )
    order = order.sort_values("unique_id", ignore_index=True)
    tables = [t.drop(columns=IDENTITY) for t in tables]
    return Plan(tables, link_type, bool(one_to_one), order, model)


def choose_blocking(data: Plan, tables: Sequence[Any] | None = None) -> tuple[list[Any], list[str]]:
    """The entity's blocking rules, and a description of each.

    Each is tightened, one column more at a time (`persons.Block`), or left out, if it alone
    would score more than `PAIRS_PER_RECORD` pairs per record.

    Counts come from Splink's blocking analysis (on `tables`, the plan's tables registered with
    DuckDB; registered here when None), on a sample of the records when there are many.
    """
    records_count = len(data.order)
    if tables is None:  # counting on DuckDB, whatever the backend that links
        counting = DuckDB()
        tables = counting.register(counting.api(), data.tables)
    budget = PAIRS_PER_RECORD * max(records_count, 1)
    chosen, described = [], []
    for block in data.model.blocking:
        for tier in range(block.tiers + 1):
            if count_pairs(data, tables, [block.rule(tier)]) <= budget:
                chosen.append(block.rule(tier))
                described.append(block.describe(tier))
                break
    return chosen, described


def count_pairs(data: Plan, tables: Sequence[Any], rules: list[Any]) -> int:
    """How many pairs the blocking rules generate together.

    Exact on up to `COUNT_EXACTLY_TO` records, else estimated from a tenth of them (counting a
    million records' 70 million pairs exactly took 36 s, a tenth of the run).
    """
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    sample = 1.0 if len(data.order) <= COUNT_EXACTLY_TO else 0.1
    with warnings.catch_warnings():  # a sampled count's "may be unstable" is fine here
        warnings.simplefilter("ignore", UserWarning)
        counts = count_comparisons_from_blocking_rules(
            tables if len(tables) > 1 else tables[0],
            blocking_rules=rules,
            link_type=data.link_type,  # type: ignore[arg-type]
            source_dataset_column_name="source_dataset" if len(tables) > 1 else None,
            record_sample_proportion=sample,
        )
    return int(counts[-1]["cumulative_comparison_count"]) if counts else 0


def make_linker(
    data: Plan,
    tables: list[Any],
    dialect: str,
    blocking: list[Any] | None = None,
    *,
    evidence: bool = True,
) -> Linker:
    """Splink's linker over the registered tables, with the model's settings for this plan."""
    present = {c for p in data.tables for c in p.columns if p[c].notna().any()}
    settings = data.model.settings(
        data.link_type, dialect=dialect, present=present, blocking=blocking
    )
    # Records are named from `Plan.order` afterwards: Splink carries no more than it compares.
    settings.additional_columns_to_retain = []
    # The comparison levels of each pair (gamma_*) are the review queue's evidence; Splink 5
    # keeps them only with the columns compared (`linking` leaves the compared values unread).
    settings.retain_matching_columns = evidence
    settings.retain_intermediate_calculation_columns = evidence
    sizes = [len(p) for p in data.tables]
    n = sum(sizes)
    possible = n * (n - 1) / 2
    if data.link_type == "link_only":
        possible = (n * n - sum(s * s for s in sizes)) / 2
    # The prior until the deterministic rules estimate it: about one match per record.
    settings.probability_two_random_records_match = min(0.5, max(1e-12, n / max(possible, 1.0)))
    # Splink warns about every level EM did not see; what matters reaches LinkResult.warnings.
    return Linker(tables if len(tables) > 1 else tables[0], settings, log_level=logging.ERROR)
