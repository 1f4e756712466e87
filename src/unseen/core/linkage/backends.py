"""Where Splink runs: DuckDB on one machine, Spark beyond it (the same settings run on both).

A backend is an object that holds what a run needs of its database (DuckDB's memory limit,
whether it may spill to disk, its threads; Spark's session), so that the entry points take one
argument for it, not a flag per setting. Splink, DuckDB and PySpark are imported when a run
opens its database: importing this module costs nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import weakref
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MEMORY_CAP_MB", "Backend", "DuckDB", "Spark", "default_memory_limit", "local_spark"]

_MEMORY = re.compile(r"^\d+(\.\d+)?\s*[KMGT]i?B$", re.IGNORECASE)
# DuckDB's own default is 80% of the machine, which a million records fill (10.6 GB measured):
# a quarter, at most 3 GB, keeps a run beside other work; beyond it DuckDB spills to disk.
# The records themselves, as pandas frames, come on top (about 1.6 GB for a million).
MEMORY_SHARE = 0.25
MEMORY_CAP_MB = 3 * 1024


def default_memory_limit() -> str:
    """DuckDB's memory limit when none is given: a quarter of the machine, at most 3 GB."""
    try:
        total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):  # not POSIX: DuckDB's cap is still sound
        return f"{MEMORY_CAP_MB}MB"
    return f"{max(256, min(MEMORY_CAP_MB, int(total_mb * MEMORY_SHARE)))}MB"


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


class Backend(ABC):
    """A database Splink runs on; `api()` opens it for one run."""

    name: ClassVar[str]
    # Splink's SQL dialect: the comparison functions are named per dialect.
    dialect: ClassVar[str]

    @abstractmethod
    def api(self) -> Any:
        """A fresh Splink database API (`DuckDBAPI`, `SparkAPI`)."""

    def register(self, api: Any, tables: Sequence[pd.DataFrame]) -> list[Any]:
        """The tables as Splink's input tables, named records_0, records_1 and so on."""
        return [
            api.register(table, dataset_display_name=f"records_{i}")
            for i, table in enumerate(tables)
        ]

    @abstractmethod
    def counting_tables(self, registered: list[Any], tables: Sequence[pd.DataFrame]) -> list[Any]:
        """The tables Splink's blocking analysis counts pairs on (it runs on DuckDB only)."""


@dataclass
class DuckDB(Backend):
    """DuckDB in this process.

    memory_limit: e.g. "4GB" (it spills to disk beyond it); `default_memory_limit()` if None.
    spill: let DuckDB write what does not fit its memory limit to a private temporary
        directory. False keeps the records off the disk, and a run that does not fit fails:
        for identities decrypted from the vault.
    threads: DuckDB's threads; its own default (every core) if None.
    """

    name: ClassVar[str] = "duckdb"
    dialect: ClassVar[str] = "duckdb"

    memory_limit: str | None = None
    spill: bool = True
    threads: int | None = None

    def api(self) -> Any:
        """A DuckDB connection set to the memory limit, threads and spill policy, as Splink's API."""
        import duckdb
        from splink import DuckDBAPI

        memory_limit = self.memory_limit or default_memory_limit()
        if not _MEMORY.match(memory_limit):
            raise ValueError(f"memory limit {memory_limit!r}: write it as 4GB or 512MB")
        connection = duckdb.connect()
        connection.execute(f"SET memory_limit = '{memory_limit}'")
        if self.threads is not None:
            connection.execute(f"SET threads = {int(self.threads)}")
        # Spilled data goes to a directory of its own, removed with the connection (DuckDB's
        # default is ".tmp" in whatever directory the command was started from); none at all
        # when the records must not reach the disk.
        directory = tempfile.mkdtemp(prefix="unseen-duckdb-") if self.spill else ""
        connection.execute(f"SET temp_directory = '{directory}'")
        # Nothing here reads rows in the order they were written (clusters are put back in
        # input order by key); not keeping it lets DuckDB stream more and spill less.
        connection.execute("SET preserve_insertion_order = false")
        db_api = DuckDBAPI(connection)
        if directory:
            weakref.finalize(db_api, shutil.rmtree, directory, ignore_errors=True)
        return db_api

    def register(self, api: Any, tables: Sequence[pd.DataFrame]) -> list[Any]:
        """Each table copied into one of DuckDB's own first.

        Registered as a pandas frame it would be converted from Python objects on every scan, and
        Splink scans the records at each training step (training a million records was 11 s
        quicker).
        """
        registered = []
        connection = api.duckdb_con
        for i, table in enumerate(tables):
            name = f"records_{i}"
            connection.register("unseen_incoming", table)
            try:
                connection.execute(f"CREATE OR REPLACE TABLE unseen_{name} AS FROM unseen_incoming")
            finally:
                connection.unregister("unseen_incoming")
            registered.append(api.register(f"unseen_{name}", dataset_display_name=name))
        return registered

    def counting_tables(self, registered: list[Any], tables: Sequence[pd.DataFrame]) -> list[Any]:
        """The tables to count pairs on: DuckDB counts on the registered tables themselves."""
        return registered


@dataclass
class Spark(Backend):
    """Spark, for data beyond one machine.

    session: the Spark session to run on; when None, the one running in this process, else a
        local one (`local_spark(cores, memory, partitions)`).
    counting: the DuckDB that counts the pairs of each blocking rule before linking (pass
        `DuckDB(spill=False)` for records that must stay off the disk).
    """

    name: ClassVar[str] = "spark"
    dialect: ClassVar[str] = "spark"

    session: Any = None
    cores: int = 2
    memory: str = "2g"
    partitions: int | None = None
    counting: DuckDB = field(default_factory=DuckDB)

    def api(self) -> Any:
        """A Spark session (the given one, or a local one) with a checkpoint directory, as Splink's API."""
        from splink import SparkAPI

        session = self.session
        if session is None:
            session = local_spark(self.cores, self.memory, self.partitions)
        # Splink breaks long query plans by checkpointing, which needs a directory.
        if session.sparkContext.getCheckpointDir() is None:
            session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="unseen-spark-"))
        return SparkAPI(spark_session=session)

    def counting_tables(self, registered: list[Any], tables: Sequence[pd.DataFrame]) -> list[Any]:
        """The tables to count pairs on: registered with DuckDB, which counts quicker than Spark."""
        return self.counting.register(self.counting.api(), tables)
