"""What each part of the person model is worth at scale (issue 22): a diagnosis, not timed.

On the SYNTHETIC five-source workers of `bench_link.py` (`generate_workers(records / 2.6,
seed=1234, sources=5)`), links the records with `link_records`, leaving out the parts of the
model named by `--without` (`persons.PARTS`: the name's term frequencies, the birth place's and
country's, the `seen` comparison, the site's number across scripts; ADR 0047), and prints
pairwise precision, recall and F1 after one-to-one clustering at several thresholds (the
default is 0.3).

    .venv/bin/python benchmarks/ablate_link_model.py 100000
    .venv/bin/python benchmarks/ablate_link_model.py 100000 --without seen site-number
    nice -n 10 .venv/bin/python benchmarks/ablate_link_model.py 1000000   # about 6 minutes
"""

import argparse
import dataclasses
import functools
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 1234
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.7)


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from unseen.core.linkage import evaluation, linking, persons
    from unseen.core.linkage.synthetic import generate_workers

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("records", type=int)
    parser.add_argument("--without", nargs="*", default=[], choices=persons.PARTS)
    args = parser.parse_args()

    frame = generate_workers(max(100, round(args.records / 2.6)), seed=SEED, sources=5)
    truth = evaluation.truth_from([frame], "truth")
    model = dataclasses.replace(
        persons.PERSON,
        comparisons=functools.partial(persons.comparisons, without=tuple(args.without)),
    )
    found: dict[str, dict[str, float]] = {}
    cluster = linking.cluster

    def at_every_threshold(linker, edges, data, threshold, **options):
        # The scored pairs are clustered at each threshold (one scoring, several cuts).
        for cut in THRESHOLDS:
            scores = evaluation.pairwise_scores(cluster(linker, edges, data, cut, **options), truth)
            found[str(cut)] = {
                "precision": round(scores.precision, 4),
                "recall": round(scores.recall, 4),
                "f1": round(scores.f1, 4),
            }
        return cluster(linker, edges, data, threshold, **options)

    linking.cluster = at_every_threshold
    started = time.perf_counter()
    linking.link_records([frame.drop(columns="truth")], model=model, keep_pairs=False)
    out = {
        "records": len(frame),
        "without": args.without,
        "seconds": round(time.perf_counter() - started, 1),
        "by_threshold": found,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
