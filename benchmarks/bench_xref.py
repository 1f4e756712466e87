"""Benchmark: sanctions cross-referencing, how well and how fast (issue 20).

* QUALITY on the labelled set `benchmarks/data/organisation_name_pairs.csv` (real designated
  DPRK organisations and their romanised, Hangul, abbreviated, renamed and misspelt names, and
  hard non-matches; see benchmarks/data/README.md): each pair scored on names alone at the
  default threshold. Target pairwise F1 ≥ 0.9; precision, recall, the calls by kind of variant
  and the precision/recall curve go to the details.
* SPEED of candidates: 10,000 SYNTHETIC organisations of ours against a SYNTHETIC list of 5,000
  entities (`unseen.core.xref.synthetic.generate_organisations`, seeded), index and blocking
  built and every candidate scored, in two processes: target under 30 s. Precision and recall
  against the generator's truth are reported, not targeted: its invented names often fold
  alike.

Figures are 1 − F1 (lower is better, so the target is an upper bound) and seconds.

    .venv/bin/python benchmarks/bench_xref.py [--json OUT]

UNSEEN_BENCH_XREF_RECORDS and UNSEEN_BENCH_XREF_ENTITIES shrink the speed run for a quick look.
"""

import argparse
import os
import sys
import time
from pathlib import Path

from harness import ROOT, Figure, Result

PAIRS = ROOT / "benchmarks" / "data" / "organisation_name_pairs.csv"
SEED = 20261201
WORKERS = 2


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    return parser.parse_args()


def quality(result: Result) -> None:
    from unseen.core.xref import DEFAULT_THRESHOLD
    from unseen.core.xref import evaluation as ev

    pairs = ev.load_pairs(PAIRS)
    scores = ev.score_pairs(pairs)
    measured = ev.pairwise_scores(pairs, scores, DEFAULT_THRESHOLD)
    result.details["labelled_set"] = {
        "file": str(PAIRS.relative_to(ROOT)),
        "pairs": len(pairs),
        "same": sum(p.same for p in pairs),
        **measured.as_dict(),
        "by_kind": ev.by_kind(pairs, scores, DEFAULT_THRESHOLD),
        "curve": ev.curve(pairs, scores, [t / 20 for t in range(4, 17)]),
        "errors": [
            {
                "a": p.name_a,
                "b": p.name_b,
                "same": p.same,
                "kind": p.kind_of_variant,
                "score": round(s, 3),
            }
            for p, s in ev.errors(pairs, scores, DEFAULT_THRESHOLD)
        ],
    }
    result.add(Figure("labelled pairs: 1 − pairwise F1", 1 - measured.f1, "", 0.1))
    result.add(Figure("labelled pairs: precision", measured.precision))
    result.add(Figure("labelled pairs: recall", measured.recall))


def speed(result: Result) -> None:
    from unseen.core.xref.blocking import EntityBlocks, candidates
    from unseen.core.xref.scoring import NameIndex
    from unseen.core.xref.synthetic import generate_organisations

    records = int(os.environ.get("UNSEEN_BENCH_XREF_RECORDS", 10_000))
    entities = int(os.environ.get("UNSEEN_BENCH_XREF_ENTITIES", 5_000))
    data = generate_organisations(entities, records, records // 10, seed=SEED)
    wall, cpu = time.perf_counter(), time.process_time()
    index = NameIndex.of(data.entities)
    blocks = EntityBlocks(data.entities)
    built = time.perf_counter() - wall
    matches = list(candidates(data.records, data.entities, index=index, blocks=blocks,
                              workers=WORKERS))  # fmt: skip
    seconds = time.perf_counter() - wall
    found = {(m.record_id, m.entity_id) for m in matches}
    true = len(found & data.truth)
    result.details["speed"] = {
        "records": records,
        "entities": entities,
        "workers": WORKERS,
        "index_seconds": round(built, 3),
        "main_process_cpu_seconds": round(time.process_time() - cpu, 3),
        "candidates": len(matches),
        "synthetic_precision": round(true / len(found), 4) if found else None,
        "synthetic_recall": round(true / len(data.truth), 4) if data.truth else None,
    }
    result.add(Figure(f"{records:,} x {entities:,} candidates", seconds, "s", 30))


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    result = Result("xref")
    try:
        quality(result)
        speed(result)
    finally:
        result.write(args.json)


if __name__ == "__main__":
    main()
