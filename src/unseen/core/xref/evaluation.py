"""Pairwise precision, recall and F1 of the name scorer on a labelled set of name pairs.

The set (`benchmarks/data/organisation_name_pairs.csv`, built by hand; its README says how) has
columns name_a, name_b, same (1/0), kind_of_variant, source. Each pair is scored as two parties
with one name each and nothing else — names alone — against an index of every name in the set,
standing in for the list, and called a match at the threshold.
"""

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from unseen.core.xref.constants import DEFAULT_THRESHOLD
from unseen.core.xref.scoring import NameIndex, Party, score


@dataclass(frozen=True)
class LabelledPair:
    """One row of the labelled set."""

    name_a: str
    name_b: str
    same: bool
    kind_of_variant: str
    source: str


@dataclass(frozen=True)
class PairwiseScores:
    """Counts of right and wrong calls at a threshold, and what follows from them."""

    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @property
    def precision(self) -> float:
        """Share of the pairs called the same that are."""
        called = self.true_positives + self.false_positives
        return self.true_positives / called if called else 1.0

    @property
    def recall(self) -> float:
        """Share of the pairs that are the same that are called so."""
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with precision, recall and F1."""
        return {**asdict(self), "precision": self.precision, "recall": self.recall, "f1": self.f1}


def load_pairs(path: Path | str) -> list[LabelledPair]:
    """Read the labelled set (CSV, UTF-8)."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        return [
            LabelledPair(
                row["name_a"],
                row["name_b"],
                row["same"].strip() == "1",
                row["kind_of_variant"],
                row["source"],
            )
            for row in csv.DictReader(handle)
        ]


def score_pairs(pairs: Sequence[LabelledPair]) -> list[float]:
    """The score of each pair, names alone, weighed by an index of all the set's names."""
    index = NameIndex(name for pair in pairs for name in {pair.name_a, pair.name_b})
    return [score(Party((p.name_a,)), Party((p.name_b,)), index).score for p in pairs]


def pairwise_scores(
    pairs: Sequence[LabelledPair], scores: Sequence[float], threshold: float = DEFAULT_THRESHOLD
) -> PairwiseScores:
    """Counts of right and wrong calls, a score at or above the threshold calling a match."""
    counts: Counter[tuple[bool, bool]] = Counter(
        (pair.same, value >= threshold) for pair, value in zip(pairs, scores, strict=True)
    )
    return PairwiseScores(
        threshold, counts[True, True], counts[False, True], counts[True, False],
        counts[False, False],
    )  # fmt: skip


def errors(
    pairs: Sequence[LabelledPair], scores: Sequence[float], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[LabelledPair, float]]:
    """The pairs the scorer gets wrong at the threshold, worst first."""
    wrong = [
        (pair, value)
        for pair, value in zip(pairs, scores, strict=True)
        if (value >= threshold) != pair.same
    ]
    return sorted(wrong, key=lambda item: -abs(item[1] - threshold))


def by_kind(
    pairs: Sequence[LabelledPair], scores: Sequence[float], threshold: float = DEFAULT_THRESHOLD
) -> dict[str, dict[str, int]]:
    """Right and wrong calls for each kind of variant."""
    table: dict[str, dict[str, int]] = {}
    for pair, value in zip(pairs, scores, strict=True):
        row = table.setdefault(pair.kind_of_variant, {"right": 0, "wrong": 0})
        row["right" if (value >= threshold) == pair.same else "wrong"] += 1
    return dict(sorted(table.items()))


def curve(
    pairs: Sequence[LabelledPair], scores: Sequence[float], thresholds: Iterable[float]
) -> list[dict[str, Any]]:
    """Precision, recall and F1 at each threshold."""
    return [
        {k: round(v, 4) if isinstance(v, float) else v for k, v in s.as_dict().items()}
        for s in (pairwise_scores(pairs, scores, t) for t in thresholds)
    ]
