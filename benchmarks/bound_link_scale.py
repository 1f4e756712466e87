"""An upper bound on pairwise F1 from the comparison levels (issue 22): a diagnosis, not timed.

On the SYNTHETIC five-source workers of `bench_link.py` (`generate_workers(records / 2.6,
seed=1234, sources=5)`), every candidate pair the chosen blocking rules generate is compared as
`link_records` compares it (the same Splink comparisons, trained the same way), and the pairs are
grouped by their comparison vector: the level of every compared field (`gamma_*`). With the
generator's truth, each vector (pattern) holds some true pairs and some pairs of different
people. The F1-optimal classifier that sees only these levels accepts the patterns whose share
of true pairs is highest: sort the patterns by that share and take the cut with the best F1,
counting every true pair outside the blocks as missed (blocking recall accounted for).

What it bounds: any rule that decides a pair from its comparison levels alone. Our model
weighs the same name, birth place or country by how common it is (term frequencies), which
the levels do not show, so its pairwise cut can pass the bound. It does not bound a clustering
that uses other pairs too (one-to-one clustering: a record's best partner is judged against
its other candidates), which is why ours after clustering can exceed it; the bound's fall
from 100,000 to 1,000,000 records measures how much the levels themselves lose with scale.

    nice -n 10 .venv/bin/python benchmarks/bound_link_scale.py 100000
    nice -n 10 .venv/bin/python benchmarks/bound_link_scale.py 1000000   # about 10 minutes

Prints the records, the true pairs, the blocking recall, the number of patterns and the bound
(precision, recall, F1) at the best cut; with `--json OUT` writes them too.
"""

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = 1234
CHUNKS = 4  # predict in CHUNKS × CHUNKS pieces: a million records make 83 million pairs


def bayes_optimal_f1(true: Any, other: Any, all_true: int) -> dict[str, float]:
    """Best F1 over the cuts of patterns sorted by their share of true pairs.

    `true[i]` and `other[i]` count the true and other pairs of pattern i; `all_true` is every
    true pair, blocked or not (the ones never compared are missed by any classifier).
    """
    import numpy as np

    true = np.asarray(true, dtype=float)
    other = np.asarray(other, dtype=float)
    share = true / np.maximum(true + other, 1)
    order = np.argsort(-share, kind="stable")
    tp = np.cumsum(true[order])
    fp = np.cumsum(other[order])
    f1 = 2 * tp / np.maximum(2 * tp + fp + (all_true - tp), 1)
    best = int(np.argmax(f1))
    return {
        "f1": float(f1[best]),
        "precision": float(tp[best] / max(tp[best] + fp[best], 1)),
        "recall": float(tp[best] / max(all_true, 1)),
        "patterns_accepted": best + 1,
        "lowest_share_accepted": float(share[order][best]),
    }


def best_cut(score: Any, true: Any, other: Any, all_true: int) -> dict[str, float]:
    """Best F1 of a classifier that accepts the patterns scoring above a cut."""
    import numpy as np

    order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
    tp = np.cumsum(np.asarray(true, dtype=float)[order])
    fp = np.cumsum(np.asarray(other, dtype=float)[order])
    f1 = 2 * tp / np.maximum(tp + fp + all_true, 1)
    best = int(np.argmax(f1))
    return {
        "f1": float(f1[best]),
        "precision": float(tp[best] / max(tp[best] + fp[best], 1)),
        "recall": float(tp[best] / max(all_true, 1)),
        "probability_at_cut": float(np.asarray(score, dtype=float)[order][best]),
    }


def held_out_f1(folded: Any, gammas: list[str], unblocked_true: int) -> float:
    """The bound's cut chosen on one half of the pairs and scored on the other, averaged.

    The in-sample bound is optimistic where patterns are rare (a pattern of one true pair is
    "all true"); pairs are halved by the parity of their two record numbers, and the true
    pairs outside the blocks are shared equally between the halves.
    """
    import numpy as np

    table = folded.unstack("fold", fill_value=0)
    scores = []
    for choose, score in ((0, 1), (1, 0)):
        true_c, pairs_c = table["true_pairs"][choose], table["pairs"][choose]
        share = true_c / np.maximum(pairs_c, 1)
        cut = bayes_optimal_f1(true_c, pairs_c - true_c, int(true_c.sum() + unblocked_true / 2))
        accepted = (share >= cut["lowest_share_accepted"]) & (pairs_c > 0)
        true_s, pairs_s = table["true_pairs"][score], table["pairs"][score]
        tp = float(true_s[accepted].sum())
        fp = float((pairs_s - true_s)[accepted].sum())
        all_true = float(true_s.sum() + unblocked_true / 2)
        scores.append(2 * tp / max(tp + fp + all_true, 1))
    return float(np.mean(scores))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("records", nargs="?", type=int, default=100_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import numpy as np
    import pandas as pd

    from unseen.core.linkage import evaluation, planning
    from unseen.core.linkage.backends import DuckDB
    from unseen.core.linkage.synthetic import generate_workers
    from unseen.core.linkage.training import train

    started = time.perf_counter()
    frame = generate_workers(max(100, round(args.records / 2.6)), seed=SEED, sources=5)
    truth = evaluation.truth_from([frame], "truth")
    data = planning.plan([frame.drop(columns="truth")], "person", None)
    person = truth.reindex(data.order["key"]).to_numpy().astype(np.int64)
    sizes = pd.Series(person).value_counts()
    all_true = int((sizes * (sizes - 1) // 2).sum())

    backend = DuckDB()
    db_api = backend.api()
    tables = backend.register(db_api, data.tables)
    counting = backend.counting_tables(tables, data.tables)
    blocking, described = planning.choose_blocking(data, counting)
    linker = planning.make_linker(data, tables, backend.dialect, blocking, evidence=True)
    train(linker, data, seed=SEED)
    people = db_api.register(
        pd.DataFrame({"uid": data.order["unique_id"].to_numpy(), "person": person}),
        dataset_display_name="bound_truth",
    )
    gammas: list[str] = []
    parts, scored = [], []
    for left in range(1, CHUNKS + 1):
        for right in range(1, CHUNKS + 1):
            chunk = linker.inference.predict_chunk(
                left_chunk=(left, CHUNKS),
                right_chunk=(right, CHUNKS),
                threshold_match_probability=None,
                threshold_match_weight=None,
                warning_mode="never",
            )
            if not gammas:
                columns = chunk.columns
                gammas = [
                    c.unquote().name for c in columns if c.unquote().name.startswith("gamma_")
                ]
            listed = ", ".join(gammas)
            joined_sql = f"""from {chunk.physical_name} p
                join {people.physical_name} a on a.uid = p.unique_id_l
                join {people.physical_name} b on b.uid = p.unique_id_r"""
            parts.append(
                linker.misc.query_sql(
                    f"""select {listed}, (p.unique_id_l + p.unique_id_r) % 2 as fold,
                      count(*) as pairs,
                      count(*) filter (where a.person = b.person) as true_pairs
                    {joined_sql} group by all""",
                    output_type="pandas",
                )
            )
            # The model's own scores: with term frequencies, pairs of one pattern differ.
            scored.append(
                linker.misc.query_sql(
                    f"""select round(p.match_probability, 4) as model, count(*) as pairs,
                      count(*) filter (where a.person = b.person) as true_pairs
                    {joined_sql} group by all""",
                    output_type="pandas",
                )
            )
            chunk.drop_table_from_database_and_remove_from_cache()
            print(f"  chunk {left},{right}: {time.perf_counter() - started:.0f} s", flush=True)
    joined = pd.concat(parts)
    folded = joined.groupby([*gammas, "fold"])[["pairs", "true_pairs"]].sum()
    patterns = folded.groupby(level=gammas).sum().reset_index()
    blocked_true = int(patterns["true_pairs"].sum())
    bound = bayes_optimal_f1(
        patterns["true_pairs"], patterns["pairs"] - patterns["true_pairs"], all_true
    )
    bound["held_out_f1"] = held_out_f1(folded, gammas, all_true - blocked_true)
    # The trained model's own best cut: the same pairs, sorted by its match probability
    # (to four decimals), before any clustering.
    by_score = pd.concat(scored).groupby("model")[["pairs", "true_pairs"]].sum().reset_index()
    ours = best_cut(
        by_score["model"].to_numpy(), by_score["true_pairs"].to_numpy(),
        (by_score["pairs"] - by_score["true_pairs"]).to_numpy(), all_true,
    )  # fmt: skip
    out = {
        "records": len(data.order),
        "true_pairs": all_true,
        "candidate_pairs": int(patterns["pairs"].sum()),
        "blocking": described,
        "blocking_recall": blocked_true / max(all_true, 1),
        "compared": [g.removeprefix("gamma_") for g in gammas],
        "patterns": len(patterns),
        "bound": bound,
        "model_best_cut": ours,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
