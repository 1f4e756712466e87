"""`unseen link`: the contract of docs/design.md §5, on small files."""

import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from unseen.core.linkage.synthetic import generate_workers, split_by_source


def run(*args: str) -> int:
    try:
        call_command("link", *args)
    except SystemExit as exit:
        return int(exit.code or 0)
    return 0


@pytest.fixture(scope="module")
def workers(tmp_path_factory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("link")
    frame = generate_workers(150, seed=11, sources=2)  # SYNTHETIC people
    whole = folder / "workers.csv"
    frame.drop(columns="truth").to_csv(whole, index=False)
    first, second = split_by_source(frame)
    paths = [folder / "interviews.csv", folder / "roster.csv"]
    for part, path in zip((first, second), paths, strict=True):
        part.drop(columns="truth").assign(note="x").to_csv(path, index=False)
    return whole, paths[0], paths[1]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_it_deduplicates_one_file_into_one_row_per_record(workers, tmp_path, capsys):
    whole, _, _ = workers
    out = tmp_path / "clusters.csv"
    assert run(str(whole), "--out", str(out), "--json") == 0
    written = rows(out)
    assert list(written[0]) == ["record_id", "cluster_id"]
    assert [r["record_id"] for r in written] == [r["record_id"] for r in rows(whole)]
    summary = json.loads(capsys.readouterr().out)
    assert summary["records"] == len(written)
    assert summary["clusters"] == len({r["cluster_id"] for r in written})
    assert summary["linked_clusters"] > 0


def test_it_links_two_files_and_says_which_file_a_record_came_from(workers, tmp_path, capsys):
    _, first, second = workers
    out = tmp_path / "clusters.csv"
    assert run(str(first), str(second), "--out", str(out)) == 0
    written = rows(out)
    assert list(written[0]) == ["record_id", "cluster_id", "file"]
    assert len(written) == len(rows(first)) + len(rows(second))
    assert {r["file"] for r in written} == {"1", "2"}
    captured = capsys.readouterr()
    assert "written to" in captured.out
    assert "column 'note' is not a person column; ignored" in captured.err


def test_it_refuses_a_repeated_record_id_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text("record_id,full_name\nR1,Ri Chol Su\nR1,Lee Chul-soo\n", encoding="utf-8")
    out = tmp_path / "clusters.csv"
    assert run(str(path), "--out", str(out)) == 2
    assert f"error: {path}:3:record_id: duplicate record_id (first on row 2)" in (
        capsys.readouterr().err
    )
    assert not out.exists()


def test_it_refuses_files_without_usable_columns_or_unreadable(tmp_path, capsys):
    useless = tmp_path / "useless.csv"
    useless.write_text("record_id,colour\nR1,red\n", encoding="utf-8")
    assert run(str(useless), "--out", str(tmp_path / "a.csv")) == 2
    assert "no column to compare records by" in capsys.readouterr().err
    assert run(str(tmp_path / "missing.csv"), "--out", str(tmp_path / "b.csv")) == 2
    assert "missing.csv: no such file" in capsys.readouterr().err
    assert not (tmp_path / "a.csv").exists() and not (tmp_path / "b.csv").exists()


def test_it_refuses_a_threshold_outside_zero_and_one(workers, tmp_path, capsys):
    whole, _, _ = workers
    assert run(str(whole), "--out", str(tmp_path / "c.csv"), "--threshold", "1.5") == 2
    assert "--threshold 1.5" in capsys.readouterr().err
