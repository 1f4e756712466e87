"""Training without labels.

The share of matches from rules that admit almost only true pairs, the u probabilities from random
pairs, the m probabilities by expectation maximisation on blocked pairs.
"""

from collections.abc import Callable, Iterator, Sequence

import pandas as pd
from splink import Linker, block_on

from unseen.core.linkage.planning import Plan

__all__ = ["TRAINING_PAIRS", "TRUE_PAIRS_PER_RECORD", "Progress", "train"]

Progress = Callable[[str, float], None]

# An EM session needs enough pairs to estimate from; fewer, and a looser block is used.
TRAINING_PAIRS = 200
# A block with more pairs than this per record cannot be mostly true pairs (`training_order`).
TRUE_PAIRS_PER_RECORD = 1.0


def agreeing_pairs(data: Plan, columns: tuple[str, ...]) -> int:
    """How many pairs Splink compares agree on all these columns."""
    parts = [p[list(columns)].dropna().assign(_table=i) for i, p in enumerate(data.tables)]
    both = pd.concat(parts, ignore_index=True)
    sizes = both.groupby(list(columns)).size()
    pairs = int((sizes * (sizes - 1) // 2).sum())
    if data.link_type == "link_only":  # pairs within one table are not compared
        within = both.groupby([*columns, "_table"]).size()
        pairs -= int((within * (within - 1) // 2).sum())
    return pairs


def training_order(
    data: Plan, alternatives: Sequence[tuple[str, ...]]
) -> Iterator[tuple[str, ...]]:
    """The blocks to try, in order: those mostly of true pairs, those with enough, those with few.

    A block is used first if it has at least `TRAINING_PAIRS` pairs and at most
    `TRUE_PAIRS_PER_RECORD` per record: a record has few true partners (one per other source at
    most), so a block with many more pairs than records is mostly of different people who
    share a name, and EM would learn what namesakes have in common. On a million synthetic
    records the folded name alone gives 94 pairs per record (about 1 % true), with the full
    birth date 0.3.

    Counted only as far as the caller reads: counting each costs seconds on a million records.
    """
    records_count = len(data.order)
    crowded, few = [], []
    for columns in alternatives:
        n = agreeing_pairs(data, columns)
        if TRAINING_PAIRS <= n <= TRUE_PAIRS_PER_RECORD * records_count:
            yield columns
        elif n >= TRAINING_PAIRS:
            crowded.append(columns)
        elif n > 0:
            few.append(columns)
    yield from crowded
    yield from few


def train(
    linker: Linker,
    data: Plan,
    *,
    seed: int = 1234,
    report: Progress | None = None,
) -> list[str]:
    """Estimate the model's parameters without labels; returns warnings about skipped steps."""
    model = data.model
    notes: list[str] = []
    try:
        linker.training.estimate_probability_two_random_records_match(
            list(model.deterministic_rules), recall=0.7
        )
    except Exception as error:  # Splink refuses when no pair passes the rules
        notes.append(f"prior kept at one match per record ({type(error).__name__})")
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    trained: set[tuple[str, ...]] = set()
    for i, alternatives in enumerate(model.training_blocks):
        if report is not None:
            report("training", 0.1 + 0.35 * i / len(model.training_blocks))
        # The first block with enough pairs is used, else the next. A session without pairs
        # would fail in Splink after corrupting the model (it leaves the share of matches near
        # 1); one that fails otherwise (a level EM drives to m = 0 on little data) leaves the
        # model as it was, and the next block is tried. A block already trained on is skipped:
        # a repeated session would count twice.
        usable = training_order(data, alternatives)
        for columns in usable:
            if columns in trained:
                break
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*columns), estimate_without_term_frequencies=True, max_pairs=2e6
                )
            except Exception as error:
                notes.append(
                    f"training blocked on {', '.join(columns)} failed ({type(error).__name__})"
                )
                continue
            trained.add(columns)
            break
        else:
            notes.append("not trained on any of " + " or ".join(", ".join(c) for c in alternatives))
    return notes
