"""The same settings on Splink's Spark backend, in local mode: the path beyond one machine."""

import os
import shutil

import pytest

from unseen.core.linkage import evaluation, linking
from unseen.core.linkage.synthetic import generate_workers, split_by_source

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime"),
    # Spark never touches the database: once is enough, on the SQLite pass of .ci/run.
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="run on the SQLite pass"),
]


def test_it_links_on_spark_as_it_does_on_duckdb():
    frames = split_by_source(generate_workers(120, seed=5, sources=2))  # SYNTHETIC people
    truth = evaluation.truth_from(frames, "truth")
    inputs = [frame.drop(columns="truth") for frame in frames]
    spark = linking.local_spark(partitions=2)
    try:
        on_spark = linking.link_records(inputs, backend="spark", spark=spark)
    finally:
        spark.stop()
    on_duckdb = linking.link_records(inputs)
    spark_scores = evaluation.pairwise_scores(on_spark.clusters, truth)
    duckdb_scores = evaluation.pairwise_scores(on_duckdb.clusters, truth)
    assert spark_scores.f1 >= 0.9, spark_scores
    assert spark_scores.f1 == pytest.approx(duckdb_scores.f1, abs=0.05)
    assert len(on_spark.clusters) == sum(len(f) for f in frames)
