"""The entry points: from records to entities in one call.

`link_records` deduplicates one table of records (across its `source` column) or links two or
more tables: it plans the run (`planning`), trains without labels (`training`), scores the
blocked pairs, lets the analysts' decisions override the scores and clusters at a threshold
(`clustering`), on the backend it is given (`backends`: DuckDB by default, Spark for data
beyond one machine). `link_files` is what `unseen link` does; `blocked_pairs` what blocking
recall is measured on.
"""

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from splink import Linker

from unseen.core.linkage import persons, records
from unseen.core.linkage.backends import Backend, DuckDB
from unseen.core.linkage.clustering import (
    DEFAULT_THRESHOLDS,
    Decision,
    apply_decisions,
    cluster,
    name_pairs,
)
from unseen.core.linkage.planning import (
    COUNT_EXACTLY_TO,
    Plan,
    choose_blocking,
    count_pairs,
    make_linker,
    model_for,
    plan,
)
from unseen.core.linkage.training import Progress, train
from unseen.core.tables import TableError

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_THRESHOLDS",
    "PAIR_FLOOR",
    "Decision",
    "LinkResult",
    "Progress",
    "blocked_pairs",
    "link_files",
    "link_records",
]

DEFAULT_THRESHOLD = DEFAULT_THRESHOLDS["person"]
# Scored pairs below this are dropped: too unlikely to review, and they would not fit in memory.
PAIR_FLOOR = 0.01


@dataclass
class LinkResult:
    """What a run produced; keys are "<frame index>:<record_id>"."""

    pairs: pd.DataFrame  # key_l, key_r, record_id_l, record_id_r, source_l, source_r,
    # match_probability, match_weight, gamma_<comparison>: scored pairs ≥ PAIR_FLOOR
    clusters: pd.DataFrame  # key, record_id, source, cluster_id: one row per record, input order
    threshold: float
    parameters: dict[str, Any]  # the trained Splink model (JSON-able): freezes a run
    stats: dict[str, Any] = field(default_factory=dict)  # records, candidate_pairs, seconds
    warnings: list[str] = field(default_factory=list)


class _Clock:
    """Seconds per stage, and the progress callback."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self.stage = ""
        self.started = time.perf_counter()

    def __call__(self, stage: str, fraction: float) -> None:
        now = time.perf_counter()
        if self.stage:
            self.seconds[self.stage] = self.seconds.get(self.stage, 0.0) + now - self.started
        self.stage, self.started = stage, now
        if self.progress is not None:
            self.progress(stage, fraction)


def link_records(
    frames: Sequence[pd.DataFrame],
    *,
    entity: str = "person",
    threshold: float | None = None,
    backend: Backend | None = None,
    decisions: Iterable[Decision] = (),
    one_to_one: bool | None = None,
    progress: Progress | None = None,
    seed: int = 1234,
    keep_pairs: bool = True,
    model: persons.Model | None = None,
) -> LinkResult:
    """Deduplicate one table of records, or link two or more.

    Args:
        frames: tables in the entity's columns (`records.COLUMNS`), as text; `record_id`
            unique within each table.
        entity: "person", "site" or "organisation".
        threshold: the match probability at which a pair joins one entity;
            `DEFAULT_THRESHOLDS[entity]` when None.
        backend: where Splink runs, with its settings: `DuckDB(memory_limit=…, spill=…)` (the
            default, `DuckDB()`) or `Spark(session=…)`.
        decisions: analysts' verdicts `(key_a, key_b, is_match)`; a match links its records
            and a non-match keeps them apart, whatever the model says.
        one_to_one: cluster with at most one record per source (per table when linking);
            None decides: yes for several tables, or one table whose records all name one of
            two or more sources.
        progress: called with a stage name and the fraction of the run done.
        seed: seed of the random pairs that estimate the u probabilities.
        keep_pairs: return the scored pairs (with their comparison levels); without them a
            run of millions of records needs much less memory.
        model: another model than the entity's own (comparisons, blocking, training), over
            the same prepared columns: for measuring what each part of a model is worth.

    Returns:
        The scored pairs, the clusters, the trained model and timings.
    """
    clock = _Clock(progress)
    model_for(entity)
    clock("preparing", 0.0)
    data = plan(frames, entity, one_to_one, model)
    return _link(
        data,
        clock,
        entity=entity,
        threshold=threshold,
        backend=backend or DuckDB(),
        decisions=decisions,
        seed=seed,
        keep_pairs=keep_pairs,
    )


def _link(
    data: Plan,
    clock: _Clock,
    *,
    entity: str,
    threshold: float | None,
    backend: Backend,
    decisions: Iterable[Decision],
    seed: int,
    keep_pairs: bool,
) -> LinkResult:
    """`link_records` once the records are prepared."""
    threshold = DEFAULT_THRESHOLDS[entity] if threshold is None else threshold
    db_api = backend.api()
    tables = backend.register(db_api, data.tables)
    counting = backend.counting_tables(tables, data.tables)
    blocking, described = choose_blocking(data, counting)
    candidate_pairs = count_pairs(data, counting, blocking)
    linker = make_linker(data, tables, backend.dialect, blocking, evidence=keep_pairs)

    clock("training", 0.05)
    notes = train(linker, data, seed=seed, report=clock)

    clock("predicting", 0.5)
    scored = linker.inference.predict(threshold_match_probability=PAIR_FLOOR)
    decided = list(decisions)
    edges = scored
    if keep_pairs or decided:
        pairs = _scored_levels(linker, scored, data)
        scored_count = len(pairs)
    else:
        pairs = pd.DataFrame(columns=_PAIR_COLUMNS)
        scored_count = _count(linker, scored)
    if decided:
        pairs = apply_decisions(pairs, decided, data.order)
        edges = db_api.register(pairs, dataset_display_name="decided_pairs")
    named = name_pairs(pairs, data.order)

    clock("clustering", 0.8)
    clusters = cluster(linker, edges, data, threshold, named=named, decided=decided)

    clock("done", 1.0)
    parameters = linker.misc.save_model_to_json()
    n_records = len(data.order)
    stats = {
        "records": n_records,
        "candidate_pairs": candidate_pairs,
        "candidate_pairs_exact": len(data.order) <= COUNT_EXACTLY_TO,
        "scored_pairs": scored_count,
        "clusters": int(clusters["cluster_id"].nunique()),
        "one_to_one": data.one_to_one,
        "blocking": described,
        "seconds": {k: round(v, 3) for k, v in clock.seconds.items()},
    }
    return LinkResult(named, clusters, float(threshold), parameters, stats, notes)


_PAIR_COLUMNS = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]


def _scored_levels(linker: Linker, scored: Any, data: Plan) -> pd.DataFrame:
    """The scored pairs as Splink scored them, without the compared values.

    The scores table carries each record's compared values beside the levels (gamma_*); read
    into memory they would more than double its size, and nothing reads them.
    """
    own = {"unique_id", "source_dataset"}
    values = {
        f"{c}_{side}" for t in data.tables for c in t.columns if c not in own for side in "lr"
    }
    names = [c.unquote().name for c in scored.columns]
    columns = ", ".join(f'"{n}"' for n in names if n not in values)
    return linker.misc.query_sql(
        f"select {columns} from {scored.physical_name}",  # noqa: S608 - Splink's own table
        output_type="pandas",
    )


def _count(linker: Linker, table: Any) -> int:
    counted = linker.misc.query_sql(
        f"select count(*) as n from {table.physical_name}",  # noqa: S608 - Splink's own table
        output_type="pandas",
    )
    return int(counted["n"].iloc[0])


def blocked_pairs(
    frames: Sequence[pd.DataFrame], *, entity: str = "person", one_to_one: bool | None = None
) -> pd.DataFrame:
    """Every pair the entity's blocking rules generate (`key_l`, `key_r`), on DuckDB.

    What `evaluation.blocking_recall` measures the blocking rules by.
    """
    data = plan(frames, entity, one_to_one)
    duckdb = DuckDB()
    tables = duckdb.register(duckdb.api(), data.tables)
    blocking, _described = choose_blocking(data, tables)
    linker = make_linker(data, tables, duckdb.dialect, blocking)
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    frame = blocked.as_pandas_dataframe()
    keys = data.order["key"].to_numpy()
    # When linking, Splink joins on "<source dataset>-__-<unique id>".
    return pd.DataFrame(
        {
            f"key_{side}": keys[
                frame[f"join_key_{side}"].astype(str).str.split("-__-", n=1).str[-1].astype(int)
            ]
            for side in ("l", "r")
        }
    )


def _read_files(paths: Sequence[Path], entity: str, warnings: list[str]) -> list[pd.DataFrame]:
    frames = []
    for path in paths:
        try:
            frame, read_warnings = records.read_records(path, entity)
        except TableError as error:
            error.path = path  # type: ignore[attr-defined]
            raise
        frames.append(frame)
        warnings += [f"{path}: {w}" for w in read_warnings]
    return frames


def link_files(
    paths: Sequence[Path],
    out: Path,
    *,
    entity: str = "person",
    threshold: float | None = None,
    backend: Backend | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """What `unseen link` does: read one file (deduplicate) or two (link), write the clusters.

    The output CSV has `record_id,cluster_id`, one row per input record in input order, and,
    when two files are linked, a third column `file` (1 or 2: record ids need only be unique
    within a file). It is written to a temporary file first, so a failed run leaves nothing.

    Raises:
        TableError: a file cannot be read, or has a blank or repeated record_id, or no column
            to compare (every error is reported, with its file in `TableError.path`).
    """
    model_for(entity)
    backend = backend or DuckDB()
    warnings: list[str] = []
    clock = _Clock(progress)
    clock("preparing", 0.0)
    # The files as read are dropped once prepared (a million records take a gigabyte).
    data = plan(_read_files(paths, entity, warnings), entity)
    result = _link(
        data,
        clock,
        entity=entity,
        threshold=threshold,
        backend=backend,
        decisions=(),
        seed=1234,
        keep_pairs=False,
    )
    written = result.clusters[["record_id", "cluster_id"]].copy()
    if len(paths) > 1:
        written["file"] = result.clusters["key"].str.split(":", n=1).str[0].astype(int) + 1
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        written.to_csv(partial, index=False)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    sizes = written.groupby("cluster_id").size()
    return {
        "entity": entity,
        "files": [str(p) for p in paths],
        "out": str(out),
        "records": len(written),
        "clusters": len(sizes),
        "linked_clusters": int((sizes > 1).sum()),
        "largest_cluster": int(sizes.max()) if len(sizes) else 0,
        "threshold": result.threshold,
        "backend": backend.name,
        "one_to_one": result.stats["one_to_one"],
        "candidate_pairs": result.stats["candidate_pairs"],
        "candidate_pairs_exact": result.stats["candidate_pairs_exact"],
        "scored_pairs": result.stats["scored_pairs"],
        "seconds": result.stats["seconds"],
        "warnings": warnings + result.warnings,
    }
