"""The same settings on Splink's Spark backend, in local mode: the path beyond one machine."""

import os
import shutil

import pandas as pd
import pytest
from django.core.management import call_command

from unseen.core.linkage import backends, evaluation, linking
from unseen.core.linkage.synthetic import generate_workers, split_by_source

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime"),
    # Spark never touches the database: once is enough, on the SQLite pass of .ci/run.
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="run on the SQLite pass"),
]


def test_unseen_link_on_spark_links_as_it_does_on_duckdb(tmp_path):
    frames = split_by_source(generate_workers(120, seed=5, sources=2))  # SYNTHETIC people
    truth = evaluation.truth_from(frames, "truth")
    inputs = [frame.drop(columns="truth") for frame in frames]
    paths = [tmp_path / "interviews.csv", tmp_path / "roster.csv"]
    for frame, path in zip(inputs, paths, strict=True):
        frame.to_csv(path, index=False)
    out = tmp_path / "clusters.csv"
    # Two shuffle partitions, not the default eight: the command uses the running session.
    spark = backends.local_spark(partitions=2)
    try:
        call_command("link", *map(str, paths), "--out", str(out), "--backend", "spark")
    finally:
        spark.stop()
    written = pd.read_csv(out, dtype=str)
    on_spark = written.assign(
        key=(written["file"].astype(int) - 1).astype(str) + ":" + written["record_id"]
    )
    on_duckdb = linking.link_records(inputs)
    spark_scores = evaluation.pairwise_scores(on_spark, truth)
    duckdb_scores = evaluation.pairwise_scores(on_duckdb.clusters, truth)
    assert spark_scores.f1 >= 0.9, spark_scores
    assert spark_scores.f1 == pytest.approx(duckdb_scores.f1, abs=0.05)
    assert len(on_spark) == sum(len(f) for f in frames)
