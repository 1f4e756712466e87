"""The backends hold the database settings a run takes, and the package loads Splink only when a
run needs it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import unseen
from unseen.core.linkage import backends


def test_importing_the_package_or_its_public_names_loads_no_heavy_library():
    # Every command imports the Django apps, which import this package: Splink, DuckDB and
    # pandas take seconds to load.
    code = (
        "import sys, unseen.core.linkage as linkage\n"
        "from unseen.core.linkage import DuckDB, Spark, Backend\n"
        "print(sorted(m for m in ('splink', 'duckdb', 'pandas', 'pyspark') if m in sys.modules))"
    )
    # The source tree under test, not whichever copy of the package is installed.
    path = os.pathsep.join(
        [str(Path(unseen.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": path},
    ).stdout
    assert loaded.strip() == "[]"


def test_public_names_resolve_to_their_modules_and_unknown_names_fail():
    import unseen.core.linkage as linkage
    from unseen.core.linkage import linking

    assert linkage.link_records is linking.link_records
    assert all(hasattr(linkage, name) for name in linkage.__all__)
    with pytest.raises(AttributeError):
        linkage.no_such_name  # noqa: B018


def test_duckdb_takes_a_thread_count_and_leaves_its_own_default_otherwise():
    default = backends.DuckDB(spill=False).api().duckdb_con
    limited = backends.DuckDB(spill=False, threads=1).api().duckdb_con
    setting = "select current_setting('threads')"
    assert limited.execute(setting).fetchone() == (1,)
    assert default.execute(setting).fetchone()[0] >= 1


def test_spark_counts_blocked_pairs_on_the_duckdb_it_is_given():
    counting = backends.DuckDB(spill=False)
    assert backends.Spark(counting=counting).counting is counting
    assert backends.Spark().counting == backends.DuckDB()
    assert (backends.DuckDB.name, backends.Spark.dialect) == ("duckdb", "spark")
