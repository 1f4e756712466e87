"""Capture histories: which lists saw how many entities.

With t lists there are 2^t − 1 observable histories (the all-zero history, the people no list
saw, is what MSE estimates). Every method works on the full table, zero cells included:
leaving zero cells out silently changes estimates.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
from numpy.typing import NDArray


def all_patterns(t: int) -> NDArray[np.int_]:
    """The 2^t − 1 observable histories, in binary counting order.

    The first list is the most significant bit: for t = 2, (0,1), (1,0), (1,1).
    """
    return np.array([p for p in product((0, 1), repeat=t) if any(p)], dtype=int)


@dataclass(frozen=True)
class CaptureHistories:
    """A full table of capture histories.

    Attributes:
        lists: list names, in column order.
        patterns: (2^t − 1, t) array of 0/1, in `all_patterns` order.
        counts: (2^t − 1,) array of non-negative counts, aligned with `patterns`.
    """

    lists: tuple[str, ...]
    patterns: NDArray[np.int_]
    counts: NDArray[np.int_]

    @property
    def t(self) -> int:
        """The number of lists."""
        return len(self.lists)

    @property
    def observed(self) -> int:
        """n: the number of distinct entities seen by at least one list."""
        return int(self.counts.sum())

    @classmethod
    def from_counts(
        cls, lists: Sequence[str], rows: Iterable[tuple[Sequence[int], int]]
    ) -> "CaptureHistories":
        """Aggregate (pattern, count) rows; repeated patterns add up, missing ones are zero.

        Raises:
            ValueError: for fewer than two lists, a pattern of the wrong length or not 0/1,
                an all-zero pattern with a positive count, or a negative count.
        """
        t = len(lists)
        if t < 2:
            raise ValueError("MSE needs at least two lists")
        if len(set(lists)) != t:
            raise ValueError("list names must be distinct")
        patterns = all_patterns(t)
        index = {tuple(int(v) for v in p): i for i, p in enumerate(patterns)}
        counts = np.zeros(len(patterns), dtype=int)
        for pattern, count in rows:
            key = tuple(int(v) for v in pattern)
            if len(key) != t or any(v not in (0, 1) for v in key):
                raise ValueError(f"pattern {pattern!r} is not {t} values of 0 or 1")
            if count < 0:
                raise ValueError(f"count {count} is negative")
            if not any(key):
                if count:
                    raise ValueError("the all-zero history cannot be observed")
                continue
            counts[index[key]] += int(count)
        return cls(tuple(lists), patterns, counts)

    @classmethod
    def from_entities(
        cls, lists: Sequence[str], rows: Iterable[Sequence[int]]
    ) -> "CaptureHistories":
        """One row per entity (its 0/1 pattern)."""
        return cls.from_counts(lists, ((row, 1) for row in rows))

    def list_totals(self) -> dict[str, int]:
        """How many entities each list saw."""
        totals = self.patterns.T @ self.counts
        return {name: int(total) for name, total in zip(self.lists, totals, strict=True)}

    def subset(self, keep: Sequence[str]) -> "CaptureHistories":
        """The table for only the lists in `keep` (entities seen by none of them drop out)."""
        columns = [self.lists.index(name) for name in keep]
        rows = (
            (tuple(p[columns]), int(c))
            for p, c in zip(self.patterns, self.counts, strict=True)
            if p[columns].any()
        )
        return CaptureHistories.from_counts(list(keep), rows)

    def without_empty_lists(self) -> tuple["CaptureHistories", list[str]]:
        """Drop lists that saw no one (they carry no information); returns the dropped names."""
        totals = self.list_totals()
        empty = [name for name in self.lists if totals[name] == 0]
        if not empty:
            return self, []
        return self.subset([name for name in self.lists if name not in empty]), empty

    def count_of(self, pattern: Sequence[int]) -> int:
        """How many entities have exactly this capture history (one 0/1 per list)."""
        matches = np.all(self.patterns == np.asarray(pattern, dtype=int), axis=1)
        return int(self.counts[matches].sum())
