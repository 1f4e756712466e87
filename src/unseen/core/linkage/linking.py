"""Train, predict and cluster with Splink: from records to entities in one call.

`link_records` deduplicates one table of records (across its `source` column) or links two or
more tables. It estimates the share of matching pairs from rules that admit almost only true
pairs, the u probabilities from random pairs and the m probabilities by expectation
maximisation on blocked pairs: no labels are needed. It scores the blocked pairs, lets the
analysts' decisions override the scores, and clusters at a threshold. Where each source lists
an entity at most once (several tables, or one table whose records all name their source) it
clusters one-to-one with Splink's single best links, which does not chain errors across
sources the way connected components do; a "not a match" decision is kept even where
clustering would chain its two records together.

All of it is Splink's API: DuckDB by default, Spark for data beyond one machine (the same
settings run on both).
"""

import logging
import os
import re
import shutil
import tempfile
import time
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from splink import Linker, block_on

from unseen.core.linkage import persons, places, records
from unseen.core.tables import TableError

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_THRESHOLDS",
    "MODELS",
    "PAIR_FLOOR",
    "LinkResult",
    "Plan",
    "blocked_pairs",
    "choose_blocking",
    "link_files",
    "link_records",
    "local_spark",
    "plan",
]

MODELS: dict[str, persons.Model] = {
    "person": persons.PERSON,
    "site": places.SITE,
    "organisation": places.ORGANISATION,
}
# Chosen from measured precision/recall curves (docs/methods/linkage.md): Splink's probabilities
# are under-confident where fields are missing, so true pairs often score well below 0.9.
DEFAULT_THRESHOLDS = {"person": 0.3, "site": 0.5, "organisation": 0.5}
DEFAULT_THRESHOLD = DEFAULT_THRESHOLDS["person"]
# Scored pairs below this are dropped: too unlikely to review, and they would not fit in memory.
PAIR_FLOOR = 0.01
# A blocking rule that alone would score more pairs than this per record is tightened: a common
# name ("Kim Chol Su") in a million records would otherwise make the run quadratic.
PAIRS_PER_RECORD = 30

_MEMORY = re.compile(r"^\d+(\.\d+)?\s*[KMGT]i?B$", re.IGNORECASE)
# DuckDB's own default is 80% of the machine, which a million records fill (10.6 GB measured):
# a quarter, at most 3 GB, keeps a run beside other work; beyond it DuckDB spills to disk.
# The records themselves, as pandas frames, come on top (about 1.6 GB for a million).
MEMORY_SHARE = 0.25
MEMORY_CAP_MB = 3 * 1024

Progress = Callable[[str, float], None]
Backend = Literal["duckdb", "spark"]
Decision = tuple[str, str, bool]


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


def local_spark(cores: int = 2, memory: str = "2g", partitions: int | None = None) -> Any:
    """A local-mode Spark session with Splink's string-similarity functions on its class path.

    `partitions` (shuffle partitions) defaults to four per core; a small file links faster
    with one or two. A session already running in this process is used as it is.
    """
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("unseen-link")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(partitions or cores * 4))
        .config("spark.default.parallelism", str(partitions or cores * 4))
        .config("spark.driver.memory", memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )


def default_memory_limit() -> str:
    """DuckDB's memory limit when none is given: a quarter of the machine, at most 3 GB."""
    try:
        total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):  # not POSIX: DuckDB's cap is still sound
        return f"{MEMORY_CAP_MB}MB"
    return f"{max(256, min(MEMORY_CAP_MB, int(total_mb * MEMORY_SHARE)))}MB"


def _db_api(backend: Backend, spark: Any, memory_limit: str | None, *, spill: bool = True) -> Any:
    if backend == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        memory_limit = memory_limit or default_memory_limit()
        if not _MEMORY.match(memory_limit):
            raise ValueError(f"memory limit {memory_limit!r}: write it as 4GB or 512MB")
        connection = duckdb.connect()
        connection.execute(f"SET memory_limit = '{memory_limit}'")
        # Spilled data goes to a directory of its own, removed with the connection (DuckDB's
        # default is ".tmp" in whatever directory the command was started from); none at all
        # when the records must not reach the disk.
        directory = tempfile.mkdtemp(prefix="unseen-duckdb-") if spill else ""
        connection.execute(f"SET temp_directory = '{directory}'")
        # Nothing here reads rows in the order they were written (clusters are put back in
        # input order by key); not keeping it lets DuckDB stream more and spill less.
        connection.execute("SET preserve_insertion_order = false")
        db_api = DuckDBAPI(connection)
        if directory:
            weakref.finalize(db_api, shutil.rmtree, directory, ignore_errors=True)
        return db_api
    if backend == "spark":
        from splink import SparkAPI

        session = spark if spark is not None else local_spark()
        # Splink breaks long query plans by checkpointing, which needs a directory.
        if session.sparkContext.getCheckpointDir() is None:
            session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="unseen-spark-"))
        return SparkAPI(spark_session=session)
    raise ValueError(f"unknown backend {backend!r}; choose duckdb or spark")


def _model(entity: str) -> persons.Model:
    try:
        return MODELS[entity]
    except KeyError:
        raise ValueError(
            f"unknown entity {entity!r}; choose from {', '.join(records.ENTITIES)}"
        ) from None


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
_IDENTITY = ["key", "record_id", "source"]


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
    model = model or _model(entity)
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
        [t[["unique_id", *_IDENTITY, "source_dataset"]] for t in tables], ignore_index=True
    )
    order = order.sort_values("unique_id", ignore_index=True)
    tables = [t.drop(columns=_IDENTITY) for t in tables]
    return Plan(tables, link_type, bool(one_to_one), order, model)


def _register(data: Plan, db_api: Any) -> list[Any]:
    """The plan's tables as Splink's input tables.

    On DuckDB each is first copied into a table of DuckDB's own: registered as a pandas frame it
    would be converted from Python objects on every scan, and Splink scans the records at each
    training step (training a million records was 11 s quicker).
    """
    from splink import DuckDBAPI

    registered = []
    for i, table in enumerate(data.tables):
        name = f"records_{i}"
        if not isinstance(db_api, DuckDBAPI):
            registered.append(db_api.register(table, dataset_display_name=name))
            continue
        connection = db_api.duckdb_con
        connection.register("unseen_incoming", table)
        try:
            connection.execute(f"CREATE OR REPLACE TABLE unseen_{name} AS FROM unseen_incoming")
        finally:
            connection.unregister("unseen_incoming")
        registered.append(db_api.register(f"unseen_{name}", dataset_display_name=name))
    return registered


def choose_blocking(data: Plan, tables: Sequence[Any] | None = None) -> tuple[list[Any], list[str]]:
    """The entity's blocking rules, each tightened (or left out) if it alone would score more
    than `PAIRS_PER_RECORD` pairs per record; returns the rules and a description of each.

    Counts come from Splink's blocking analysis (on `tables`, the plan's tables registered with
    DuckDB; registered here when None), on a sample of the records when there are many.
    """
    records_count = len(data.order)
    if tables is None:  # counting on DuckDB, whatever the backend that links
        tables = _register(data, _db_api("duckdb", None, None))
    budget = PAIRS_PER_RECORD * max(records_count, 1)
    chosen, described = [], []
    for block in data.model.blocking:
        for tight in (False, True):
            if tight and not block.tighter:
                break
            if _count_pairs(data, tables, [block.rule(tight=tight)]) <= budget:
                chosen.append(block.rule(tight=tight))
                described.append(block.describe(tight=tight))
                break
    return chosen, described


# Above this many records, pairs are counted on a sample (of each side of the blocking join).
_COUNT_EXACTLY_TO = 50_000


def _count_pairs(data: Plan, tables: Sequence[Any], rules: list[Any]) -> int:
    """How many pairs the blocking rules generate together: exact on up to `_COUNT_EXACTLY_TO`
    records, else estimated from a tenth of them (counting a million records' 70 million pairs
    exactly took 36 s, a tenth of the run)."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    sample = 1.0 if len(data.order) <= _COUNT_EXACTLY_TO else 0.1
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


def _linker(
    data: Plan,
    tables: list[Any],
    dialect: str,
    blocking: list[Any] | None = None,
    *,
    evidence: bool = True,
) -> Linker:
    present = {c for p in data.tables for c in p.columns if p[c].notna().any()}
    settings = data.model.settings(
        data.link_type, dialect=dialect, present=present, blocking=blocking
    )
    # Records are named from `Plan.order` afterwards: Splink carries no more than it compares.
    settings.additional_columns_to_retain = []
    settings.retain_matching_columns = False
    # The comparison levels of each pair (gamma_*) are the review queue's evidence.
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


def _agreeing_pairs(data: Plan, columns: tuple[str, ...]) -> int:
    """How many pairs Splink compares agree on all these columns."""
    parts = [p[list(columns)].dropna().assign(_table=i) for i, p in enumerate(data.tables)]
    both = pd.concat(parts, ignore_index=True)
    sizes = both.groupby(list(columns)).size()
    pairs = int((sizes * (sizes - 1) // 2).sum())
    if data.link_type == "link_only":  # pairs within one table are not compared
        within = both.groupby([*columns, "_table"]).size()
        pairs -= int((within * (within - 1) // 2).sum())
    return pairs


# An EM session needs enough pairs to estimate from; fewer, and a looser block is used.
TRAINING_PAIRS = 200


def _training_order(
    data: Plan, alternatives: Sequence[tuple[str, ...]]
) -> Iterator[tuple[str, ...]]:
    """The blocks to try, in order: those with enough pairs, then those with a few.

    Counted only as far as the caller reads: on a million records the first block has enough,
    and counting each costs seconds.
    """
    few = []
    for columns in alternatives:
        n = _agreeing_pairs(data, columns)
        if n >= TRAINING_PAIRS:
            yield columns
        elif n > 0:
            few.append(columns)
    yield from few


def train(
    linker: Linker,
    data: Plan,
    *,
    seed: int = 1234,
    report: Progress | None = None,
) -> list[str]:
    """Estimate the model's parameters without labels; returns warnings about skipped steps."""
    model = data.model
    notes: list[str] = []
    try:
        linker.training.estimate_probability_two_random_records_match(
            list(model.deterministic_rules), recall=0.7
        )
    except Exception as error:  # Splink refuses when no pair passes the rules
        notes.append(f"prior kept at one match per record ({type(error).__name__})")
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    trained: set[tuple[str, ...]] = set()
    for i, alternatives in enumerate(model.training_blocks):
        if report is not None:
            report("training", 0.1 + 0.35 * i / len(model.training_blocks))
        # The first block with enough pairs is used, else the next. A session without pairs
        # would fail in Splink after corrupting the model (it leaves the share of matches near
        # 1); one that fails otherwise (a level EM drives to m = 0 on little data) leaves the
        # model as it was, and the next block is tried. A block already trained on is skipped:
        # a repeated session would count twice.
        usable = _training_order(data, alternatives)
        for columns in usable:
            if columns in trained:
                break
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*columns), estimate_without_term_frequencies=True, max_pairs=2e6
                )
            except Exception as error:
                notes.append(
                    f"training blocked on {', '.join(columns)} failed ({type(error).__name__})"
                )
                continue
            trained.add(columns)
            break
        else:
            notes.append("not trained on any of " + " or ".join(", ".join(c) for c in alternatives))
    return notes


def link_records(
    frames: Sequence[pd.DataFrame],
    *,
    entity: str = "person",
    threshold: float | None = None,
    backend: Backend = "duckdb",
    decisions: Iterable[Decision] = (),
    one_to_one: bool | None = None,
    progress: Progress | None = None,
    spark: Any = None,
    memory_limit: str | None = None,
    spill: bool = True,
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
        backend: "duckdb" (one machine) or "spark".
        decisions: analysts' verdicts `(key_a, key_b, is_match)`; a match links its records
            and a non-match keeps them apart, whatever the model says.
        one_to_one: cluster with at most one record per source (per table when linking);
            None decides: yes for several tables, or one table whose records all name one of
            two or more sources.
        progress: called with a stage name and the fraction of the run done.
        spark: the Spark session of the Spark backend (a local one when None).
        memory_limit: DuckDB's memory limit, e.g. "4GB" (it spills to disk beyond it).
        spill: let DuckDB write what does not fit its memory limit to a private temporary
            directory. False keeps the records off the disk, and a run that does not fit
            fails: for identities decrypted from the vault.
        seed: seed of the random pairs that estimate the u probabilities.
        keep_pairs: return the scored pairs (with their comparison levels); without them a
            run of millions of records needs much less memory.
        model: another model than the entity's own (comparisons, blocking, training), over
            the same prepared columns: for measuring what each part of a model is worth.

    Returns:
        The scored pairs, the clusters, the trained model and timings.
    """
    clock = _Clock(progress)
    _model(entity)
    clock("preparing", 0.0)
    data = plan(frames, entity, one_to_one, model)
    return _link(
        data,
        clock,
        entity=entity,
        threshold=threshold,
        backend=backend,
        decisions=decisions,
        spark=spark,
        memory_limit=memory_limit,
        spill=spill,
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
    spark: Any,
    memory_limit: str | None,
    spill: bool,
    seed: int,
    keep_pairs: bool,
) -> LinkResult:
    """`link_records` once the records are prepared."""
    threshold = DEFAULT_THRESHOLDS[entity] if threshold is None else threshold
    db_api = _db_api(backend, spark, memory_limit, spill=spill)
    dialect = "spark" if backend == "spark" else "duckdb"
    tables = _register(data, db_api)
    counting = tables
    if backend != "duckdb":
        counting = _register(data, _db_api("duckdb", None, None, spill=spill))
    blocking, described = choose_blocking(data, counting)
    candidate_pairs = _count_pairs(data, counting, blocking)
    linker = _linker(data, tables, dialect, blocking, evidence=keep_pairs)

    clock("training", 0.05)
    notes = train(linker, data, seed=seed, report=clock)

    clock("predicting", 0.5)
    scored = linker.inference.predict(threshold_match_probability=PAIR_FLOOR)
    decided = list(decisions)
    edges = scored
    if keep_pairs or decided:
        pairs = scored.as_pandas_dataframe()
        scored_count = len(pairs)
    else:
        pairs = pd.DataFrame(columns=_PAIR_COLUMNS)
        scored_count = _count(linker, scored)
    if decided:
        pairs = _apply_decisions(pairs, decided, data.order)
        edges = db_api.register(pairs, dataset_display_name="decided_pairs")
    named = _pairs(pairs, data.order)

    clock("clustering", 0.8)
    if data.one_to_one:
        datasets = sorted({str(d) for p in data.tables for d in p["source_dataset"].unique()})
        clustered = linker.clustering.cluster_using_single_best_links(
            edges, duplicate_free_datasets=datasets, threshold_match_probability=threshold
        )
    else:
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
            edges, threshold_match_probability=threshold
        )
    # Only the two columns: the clustered table repeats every column of every record.
    assigned = linker.misc.query_sql(
        f"select unique_id, cluster_id from {clustered.physical_name}",  # noqa: S608 - Splink's
        output_type="pandas",
    )
    clusters = _clusters(data.order, assigned)
    forbidden = [(a, b) for a, b, match in decided if not match]
    if forbidden:
        clusters = _keep_apart(clusters, named, forbidden, threshold)
    if data.one_to_one and any(match for _a, _b, match in decided):
        clusters = _join_matches(clusters, decided)

    clock("done", 1.0)
    parameters = linker.misc.save_model_to_json()
    n_records = len(data.order)
    stats = {
        "records": n_records,
        "candidate_pairs": candidate_pairs,
        "candidate_pairs_exact": len(data.order) <= _COUNT_EXACTLY_TO,
        "scored_pairs": scored_count,
        "clusters": int(clusters["cluster_id"].nunique()),
        "one_to_one": data.one_to_one,
        "blocking": described,
        "seconds": {k: round(v, 3) for k, v in clock.seconds.items()},
    }
    return LinkResult(named, clusters, float(threshold), parameters, stats, notes)


_PAIR_COLUMNS = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]


def _count(linker: Linker, table: Any) -> int:
    counted = linker.misc.query_sql(
        f"select count(*) as n from {table.physical_name}",  # noqa: S608 - Splink's own table
        output_type="pandas",
    )
    return int(counted["n"].iloc[0])


def _pairs(pairs: pd.DataFrame, order: pd.DataFrame) -> pd.DataFrame:
    """Scored pairs named by record key, record id and source instead of Splink's ids."""
    named: dict[str, Any] = {}
    ids = {side: pairs[f"unique_id_{side}"].to_numpy(dtype=np.int64) for side in ("l", "r")}
    for column in _IDENTITY:
        values = order[column].to_numpy()
        for side in ("l", "r"):
            named[f"{column}_{side}"] = values[ids[side]]
    for column in ["match_probability", "match_weight"] + [
        c for c in pairs.columns if c.startswith("gamma_")
    ]:
        named[column] = pairs[column].to_numpy()
    return pd.DataFrame(named)


def _apply_decisions(
    pairs: pd.DataFrame, decisions: list[Decision], order: pd.DataFrame
) -> pd.DataFrame:
    """Decided pairs score 1 (match) or 0 (not a match); matches the model never scored are added."""
    if not decisions:
        return pairs
    number = dict(zip(order["key"], order["unique_id"], strict=True))
    verdict = {
        frozenset((number[a], number[b])): match
        for a, b, match in decisions
        if a != b and a in number and b in number
    }
    ids = [frozenset(p) for p in zip(pairs["unique_id_l"], pairs["unique_id_r"], strict=True)]
    known = pd.Series([verdict.get(k) for k in ids], index=pairs.index, dtype=object)
    pairs = pairs.copy()
    matched, rejected = known.eq(True).to_numpy(), known.eq(False).to_numpy()
    pairs.loc[matched, "match_probability"] = 1.0
    pairs.loc[matched, "match_weight"] = 60.0
    pairs.loc[rejected, "match_probability"] = 0.0
    pairs.loc[rejected, "match_weight"] = -60.0
    datasets = order["source_dataset"].to_numpy()
    extra = []
    for pair in set(verdict) - set(ids):
        if not verdict[pair]:
            continue
        left, right = sorted(pair)
        extra.append(
            {
                "unique_id_l": left,
                "unique_id_r": right,
                "source_dataset_l": datasets[left],
                "source_dataset_r": datasets[right],
                "match_probability": 1.0,
                "match_weight": 60.0,
            }
        )
    if extra:
        pairs = pd.concat([pairs, pd.DataFrame(extra)], ignore_index=True)
    return pairs


def _clusters(order: pd.DataFrame, assigned: pd.DataFrame) -> pd.DataFrame:
    """One row per record in input order; cluster ids C-000001… numbered by first record."""
    merged = order[["unique_id", *_IDENTITY]].merge(
        assigned, on="unique_id", how="left", validate="one_to_one"
    )
    cluster = merged["cluster_id"].astype(object)
    lonely = cluster.isna()
    cluster[lonely] = "record-" + merged.loc[lonely, "unique_id"].astype(str)
    number = {c: f"C-{i + 1:06d}" for i, c in enumerate(pd.unique(cluster))}
    merged["cluster_id"] = cluster.map(number)
    return merged[["key", "record_id", "source", "cluster_id"]]


def _keep_apart(
    clusters: pd.DataFrame,
    pairs: pd.DataFrame,
    forbidden: list[tuple[str, str]],
    threshold: float,
) -> pd.DataFrame:
    """Split clusters that hold a pair decided "not a match".

    Within such a cluster the links at or above the threshold are added strongest first, each
    only if it joins no two records that must stay apart (a constrained single linkage); the
    cluster then falls into the groups this leaves.
    """
    cluster_of = dict(zip(clusters["key"], clusters["cluster_id"], strict=True))
    broken = {
        cluster_of[a]
        for a, b in forbidden
        if a in cluster_of and cluster_of.get(b) == cluster_of[a]
    }
    if not broken:
        return clusters
    apart = {frozenset(p) for p in forbidden}
    clusters = clusters.copy()
    next_number = clusters["cluster_id"].str.slice(2).astype(int).max() + 1
    strong = pairs[pairs["match_probability"] >= threshold].sort_values(
        "match_probability", ascending=False, kind="stable"
    )
    for cluster in sorted(broken):
        members = clusters.loc[clusters["cluster_id"] == cluster, "key"].tolist()
        inside = set(members)
        group = {k: {k} for k in members}
        for left, right in zip(strong["key_l"], strong["key_r"], strict=True):
            if left not in inside or right not in inside or group[left] is group[right]:
                continue
            a, b = group[left], group[right]
            if any(frozenset((x, y)) in apart for x in a for y in b):
                continue
            a |= b
            for key in b:
                group[key] = a
        distinct = list({id(g): g for g in group.values()}.values())
        distinct.sort(key=lambda g: min(members.index(k) for k in g))
        for g in distinct[1:]:
            clusters.loc[clusters["key"].isin(g), "cluster_id"] = f"C-{next_number:06d}"
            next_number += 1
    return clusters


def _join_matches(clusters: pd.DataFrame, decisions: list[Decision]) -> pd.DataFrame:
    """Put records decided to be the same into one cluster, unless that would join two records
    decided apart.

    One-to-one clustering keeps at most one record per source in a cluster, so it leaves apart
    two records of one source even when an analyst said they are one entity (a duplicate
    within a roster). The decision wins.
    """
    cluster_of = dict(zip(clusters["key"], clusters["cluster_id"], strict=True))
    members: dict[str, set[str]] = {}
    for key, cluster in cluster_of.items():
        members.setdefault(cluster, set()).add(key)
    parent = {cluster: cluster for cluster in members}

    def root(cluster: str) -> str:
        while parent[cluster] != cluster:
            parent[cluster] = parent[parent[cluster]]
            cluster = parent[cluster]
        return cluster

    apart = {frozenset((a, b)) for a, b, same in decisions if not same}
    for a, b, same in decisions:
        if not same or a not in cluster_of or b not in cluster_of:
            continue
        left, right = sorted((root(cluster_of[a]), root(cluster_of[b])))
        if left == right:
            continue
        if any(frozenset((x, y)) in apart for x in members[left] for y in members[right]):
            continue
        parent[right] = left
        members[left] |= members.pop(right)
    joined = clusters.copy()
    joined["cluster_id"] = [root(c) for c in joined["cluster_id"]]
    return joined


def blocked_pairs(
    frames: Sequence[pd.DataFrame], *, entity: str = "person", one_to_one: bool | None = None
) -> pd.DataFrame:
    """Every pair the entity's blocking rules generate (`key_l`, `key_r`), on DuckDB.

    What `evaluation.blocking_recall` measures the blocking rules by.
    """
    data = plan(frames, entity, one_to_one)
    tables = _register(data, _db_api("duckdb", None, None))
    blocking, _described = choose_blocking(data, tables)
    linker = _linker(data, tables, "duckdb", blocking)
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
    backend: Backend = "duckdb",
    progress: Progress | None = None,
    memory_limit: str | None = None,
) -> dict[str, Any]:
    """What `unseen link` does: read one file (deduplicate) or two (link), write the clusters.

    The output CSV has `record_id,cluster_id`, one row per input record in input order, and,
    when two files are linked, a third column `file` (1 or 2: record ids need only be unique
    within a file). It is written to a temporary file first, so a failed run leaves nothing.

    Raises:
        TableError: a file cannot be read, or has a blank or repeated record_id, or no column
            to compare (every error is reported, with its file in `TableError.path`).
    """
    _model(entity)
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
        spark=None,
        memory_limit=memory_limit,
        spill=True,
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
        "backend": backend,
        "one_to_one": result.stats["one_to_one"],
        "candidate_pairs": result.stats["candidate_pairs"],
        "candidate_pairs_exact": result.stats["candidate_pairs_exact"],
        "scored_pairs": result.stats["scored_pairs"],
        "seconds": result.stats["seconds"],
        "warnings": warnings + result.warnings,
    }
