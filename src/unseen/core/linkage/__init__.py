"""Record linkage: the same person, site or organisation across sources, on Splink.

Pure Python (no Django). The names below are what callers outside the package use; the modules
(`entities`, `names`, `records`, `persons`/`places`, `backends`, `planning`, `training`,
`clustering`, `linking`, `evaluation`, `synthetic`) stay importable by their path for tests and
benchmarks.

Each name is imported on first use: the Django apps import this package when a command starts,
and Splink, DuckDB and pandas take seconds to load. The names of `entities` load none of them.

There is deliberately no module `__dir__` listing the lazy names: tools that walk `dir()` and read
every attribute (freezegun does, on entering `freeze_time`) would import pandas and Splink through
it, and freezegun hangs doing so under frozen time.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unseen.core.linkage.backends import Backend, DuckDB, Spark, local_spark
    from unseen.core.linkage.clustering import Decision
    from unseen.core.linkage.entities import COLUMNS, DEFAULT_THRESHOLDS, ENTITIES, record_key
    from unseen.core.linkage.linking import LinkResult, blocked_pairs, link_files, link_records
    from unseen.core.linkage.synthetic import generate_workers, split_by_source

__all__ = [
    "COLUMNS",
    "DEFAULT_THRESHOLDS",
    "ENTITIES",
    "Backend",
    "Decision",
    "DuckDB",
    "LinkResult",
    "Spark",
    "blocked_pairs",
    "generate_workers",
    "link_files",
    "link_records",
    "local_spark",
    "record_key",
    "split_by_source",
]

_HOME = {
    "Backend": "backends",
    "DuckDB": "backends",
    "Spark": "backends",
    "local_spark": "backends",
    "DEFAULT_THRESHOLDS": "entities",
    "Decision": "clustering",
    "LinkResult": "linking",
    "blocked_pairs": "linking",
    "link_files": "linking",
    "link_records": "linking",
    "COLUMNS": "entities",
    "ENTITIES": "entities",
    "record_key": "entities",
    "generate_workers": "synthetic",
    "split_by_source": "synthetic",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
