"""Where linkage quality goes as records grow (issue 22): a diagnosis, not a timed benchmark.

On the SYNTHETIC five-source workers of `bench_link.py` (`generate_workers(records / 2.6,
seed=1234, sources=5)`), prints:

* each blocking rule's recall on the true pairs (loose and tightened), which rules were chosen,
  and the blocking recall of the chosen ones (checked on the true pairs' own columns);
* the block each training session uses;
* pairs that share the folded name and agree on every other core field both records know,
  true against other (how many different people the data cannot tell apart);
* `link_records`: stage seconds, the curve of the scored pairs before clustering, pairwise
  precision, recall and F1 after clustering, the trained prior and m/u probabilities.

    .venv/bin/python benchmarks/diagnose_link_scale.py 100000
    nice -n 10 .venv/bin/python benchmarks/diagnose_link_scale.py 1000000   # about 6 minutes, 6 GB

The best pairwise F1 any rule on the same comparison levels could reach (the bound the
scored pairs' curve is measured against) is `bound_link_scale.py`'s.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE_FIELDS = ["birth_day", "birth_year", "sex", "birth_place", "identifier", "country"]


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    import duckdb
    import numpy as np
    import pandas as pd

    from unseen.core.linkage import evaluation, link_records, planning, training
    from unseen.core.linkage.synthetic import generate_workers

    records = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    frame = generate_workers(max(100, round(records / 2.6)), seed=1234, sources=5)
    truth = evaluation.truth_from([frame], "truth")
    inputs = [frame.drop(columns="truth")]
    data = planning.plan(inputs, "person", None)
    person = truth.reindex(data.order["key"]).to_numpy()
    ids = pd.DataFrame({"uid": data.order["unique_id"].to_numpy(), "person": person})
    pairs = ids.merge(ids, on="person")
    pairs = pairs[pairs["uid_x"] < pairs["uid_y"]]
    table = pd.concat(data.tables, ignore_index=True).set_index("unique_id").sort_index()
    left = table.loc[pairs["uid_x"].to_numpy()].reset_index(drop=True)
    right = table.loc[pairs["uid_y"].to_numpy()].reset_index(drop=True)
    print(f"{len(frame):,} records, {len(pairs):,} true pairs", flush=True)

    def agree(column: str, tolerant: bool) -> np.ndarray:
        both = (left[column].notna() & right[column].notna()).to_numpy()
        same = both & (left[column].astype(str) == right[column].astype(str)).to_numpy()
        return same | ~both if tolerant else same

    _rules, described = planning.choose_blocking(data)
    found = np.zeros(len(pairs), dtype=bool)
    for block in data.model.blocking:
        for tier in range(block.tiers + 1):
            hit = np.ones(len(pairs), dtype=bool)
            for column in block.columns:
                hit &= agree(column, tolerant=False)
            for column in block.tighter[:tier]:
                hit &= agree(column, tolerant=True)
            name = block.describe(tier)
            chosen = name in described
            found |= hit & chosen
            print(f"  rule {name:68s} recall {hit.mean():.4f}{'  chosen' if chosen else ''}")
    print(f"blocking recall of the chosen rules: {found.mean():.4f}")
    for alternatives in data.model.training_blocks:
        print("training session blocked on", next(training.training_order(data, alternatives)))

    both = pd.concat(data.tables, ignore_index=True)[["unique_id", "name_sorted", *CORE_FIELDS]]
    both["person"] = person[both["unique_id"].to_numpy()]
    con = duckdb.connect()
    con.register("t", both)
    alike = " and ".join(f"(l.{c} = r.{c} or l.{c} is null or r.{c} is null)" for c in CORE_FIELDS)
    known = "l.{0} is not null and r.{0} is not null"
    query = f"""
        select l.person = r.person as same_person, count(*) as sharing_the_name,
          count(*) filter (where {alike}) as alike_on_all_known,
          count(*) filter (where {alike} and {known.format("birth_year")}) as with_years,
          count(*) filter (where {alike} and {known.format("birth_day")}) as with_dates
        from t l join t r on l.name_sorted = r.name_sorted and l.unique_id < r.unique_id
        group by 1 order by 1
    """  # noqa: S608 - the column names are ours
    print(con.execute(query).df().to_string(index=False), flush=True)

    started = time.perf_counter()
    result = link_records(inputs, seed=1234)
    print(f"linked in {time.perf_counter() - started:.0f} s: {result.stats['seconds']}")
    print(f"candidate pairs {result.stats['candidate_pairs']:,}, scored {len(result.pairs):,}")
    print(evaluation.curve(result.pairs, truth).round(4).to_string(index=False))
    scores = evaluation.pairwise_scores(result.clusters, truth)
    print(f"after clustering: precision {scores.precision:.4f} recall {scores.recall:.4f} "
          f"F1 {scores.f1:.4f}")  # fmt: skip
    parameters = result.parameters
    print("prior (share of pairs that match):", parameters["probability_two_random_records_match"])
    for comparison in parameters["comparisons"]:
        levels = [
            (level.get("label_for_charts"), level.get("m_probability"), level.get("u_probability"))
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level")
        ]
        print(comparison["output_column_name"], levels)


if __name__ == "__main__":
    main()
