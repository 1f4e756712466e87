"""k-anonymity over quasi-identifiers: full-domain generalisation, then suppression.

Each quasi-identifier has a ladder of generalisations (level 0 is the least coarse the export
allows; the last level is usually ANY). `anonymise` walks the lattice of ladder levels from the
finest node upwards and takes the first node where at most `max_suppressed` rows sit in groups
smaller than k; those rows are suppressed (left out, and counted so the caller can report them).
When no node gets there, the node that suppresses fewest rows is returned with `refused` set.
"""

import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

Value = str | tuple[str, ...]
Row = Mapping[str, Value]
Step = Callable[[str], str]


@dataclass(frozen=True)
class Ladder:
    """How one quasi-identifier coarsens: steps[0] is applied at level 0, and so on."""

    name: str
    steps: tuple[Step, ...]

    def apply(self, value: Value, level: int) -> Value:
        """The value coarsened to `level`; a tuple of values is coarsened member by member."""
        step = self.steps[level]
        if isinstance(value, tuple):
            return tuple(sorted({step(v) for v in value}))
        return step(value)


def keep(value: str) -> str:
    """The step that releases a value as it is."""
    return value


def hide(value: str) -> str:
    """The top of every ladder: the value is withheld (blank stays blank: nothing to hide)."""
    return "*" if value else ""


def drop(value: str) -> str:
    """Withheld without a trace: for numbers and flags, where '*' would not be a value."""
    return ""


def generalise(row: Row, ladders: Sequence[Ladder], levels: Sequence[int]) -> tuple[Value, ...]:
    """The row's quasi-identifiers, each coarsened to its ladder's level."""
    return tuple(
        ladder.apply(row.get(ladder.name, ""), level)
        for ladder, level in zip(ladders, levels, strict=True)
    )


def group_sizes(keys: Sequence[tuple[Value, ...]]) -> Counter[tuple[Value, ...]]:
    """How many rows share each generalised key."""
    return Counter(keys)


def smallest_group(keys: Sequence[tuple[Value, ...]]) -> int:
    """k of a table: the size of its smallest equivalence class (0 for an empty table)."""
    sizes = group_sizes(keys)
    return min(sizes.values()) if sizes else 0


@dataclass
class Release:
    """What may go out: the levels chosen, the generalised keys, and the rows released or suppressed."""

    levels: dict[str, int]
    keys: list[tuple[Value, ...]]  # generalised quasi-identifiers of every row, in input order
    released: list[int]  # indices of the rows that may go out
    suppressed: list[int]  # indices of rows left out because their group is smaller than k
    k: int  # smallest released group (0 when nothing is released)
    refused: bool = False
    small_groups: int = 0
    smallest: int = 0  # smallest group, released or not (on the join with earlier releases)
    notes: list[str] = field(default_factory=list)


def _evaluate(
    rows: Sequence[Row], ladders: Sequence[Ladder], levels: Sequence[int], k: int
) -> Release:
    keys = [generalise(row, ladders, levels) for row in rows]
    sizes = group_sizes(keys)
    released = [i for i, key in enumerate(keys) if sizes[key] >= k]
    suppressed = [i for i, key in enumerate(keys) if sizes[key] < k]
    kept = [sizes[keys[i]] for i in released]
    return Release(
        levels={ladder.name: level for ladder, level in zip(ladders, levels, strict=True)},
        keys=keys,
        released=released,
        suppressed=suppressed,
        k=min(kept) if kept else 0,
        small_groups=sum(1 for size in sizes.values() if size < k),
    )


def anonymise(
    rows: Sequence[Row], ladders: Sequence[Ladder], k: int, max_suppressed: int
) -> Release:
    """The least generalisation that leaves every released group at least k rows strong."""
    if k < 1:
        raise ValueError("k must be at least 1")
    nodes = sorted(
        itertools.product(*(range(len(ladder.steps)) for ladder in ladders)),
        key=lambda node: (sum(node), node),
    )
    best: Release | None = None
    for node in nodes:
        release = _evaluate(rows, ladders, node, k)
        if len(release.suppressed) <= max_suppressed and (release.released or not rows):
            return release
        if best is None or len(release.suppressed) < len(best.suppressed):
            best = release
    assert best is not None
    best.refused = True
    return best


def as_released(rows: Sequence[Row], ladders: Sequence[Ladder]) -> Release:
    """Level 0 everywhere, nothing suppressed: what an administrator's override releases."""
    release = _evaluate(rows, ladders, [0] * len(ladders), 1)
    sizes = group_sizes(release.keys)
    release.k = min(sizes.values()) if sizes else 0
    return release


# ---------------------------------------------------------------------------------------------
# Individuals with joined rows.
#
# A recipient joins to one individual every row that carries their pseudonym (a person's
# deployments, incidents, testimonies). k-anonymity over the individual alone then says nothing:
# one rare row beside the pseudonym singles them out. So each individual is a list of rows of
# several kinds (their own row included) and their equivalence class is the whole multiset of
# their generalised rows. Columns of different kinds that mean the same thing (every date,
# every country) share a Dimension, so they climb together and stay consistent.

Column = tuple[str, str]  # (kind, column)
JoinedRow = tuple[str, Mapping[str, str]]  # (kind, {column: value})


@dataclass(frozen=True)
class Dimension:
    """Columns that coarsen together: at level n every column takes its own steps[n].

    Every column of a Dimension has the same number of steps. A column of a row that no
    Dimension names is released as it is, and so counts in the key as it is.
    """

    name: str
    columns: Mapping[Column, tuple[Step, ...]]

    @property
    def height(self) -> int:
        """The number of steps every column of the dimension has; ValueError when they differ."""
        heights = {len(steps) for steps in self.columns.values()}
        if len(heights) != 1:
            raise ValueError(f"the columns of {self.name} have ladders of different heights")
        return heights.pop()


def generalise_joined(
    rows: Sequence[JoinedRow], dimensions: Sequence[Dimension], levels: Mapping[str, int]
) -> list[dict[str, str]]:
    """Each row's columns at the dimensions' levels, in input order."""
    steps = {
        column: ladder[levels[dimension.name]]
        for dimension in dimensions
        for column, ladder in dimension.columns.items()
    }
    out = []
    for kind, record in rows:
        out.append(
            {
                column: steps[(kind, column)](value) if (kind, column) in steps else value
                for column, value in record.items()
            }
        )
    return out


def _row_text(kind: str, cells: Sequence[tuple[str, str]]) -> str:
    return f"{kind}\x1f" + "\x1f".join(f"{column}={value}" for column, value in cells)


def joined_key(rows: Sequence[JoinedRow], generalised: Sequence[Mapping[str, str]]) -> Value:
    """An individual's equivalence class: the multiset of their rows as released."""
    return tuple(
        sorted(
            _row_text(kind, sorted(record.items()))
            for (kind, _raw), record in zip(rows, generalised, strict=True)
        )
    )


# A cell prepared for the lattice walk: its column, the index of its dimension (-1: none) and its
# value at every level of that dimension, so each node only looks values up.
_Cell = tuple[str, int, tuple[str, ...]]


def _prepare(
    individuals: Sequence[Sequence[JoinedRow]], dimensions: Sequence[Dimension]
) -> list[list[tuple[str, list[_Cell]]]]:
    where = {
        column: (index, steps)
        for index, dimension in enumerate(dimensions)
        for column, steps in dimension.columns.items()
    }
    prepared = []
    for rows in individuals:
        out = []
        for kind, record in rows:
            cells: list[_Cell] = []
            for column, value in sorted(record.items()):
                if (kind, column) in where:
                    index, steps = where[(kind, column)]
                    cells.append((column, index, tuple(step(value) for step in steps)))
                else:
                    cells.append((column, -1, (value,)))
            out.append((kind, cells))
        prepared.append(out)
    return prepared


def _joined_release(
    prepared: Sequence[Sequence[tuple[str, list[_Cell]]]],
    dimensions: Sequence[Dimension],
    node: Sequence[int],
    k: int,
    earlier: Sequence[Hashable] | None = None,
) -> Release:
    levels = {d.name: level for d, level in zip(dimensions, node, strict=True)}
    keys: list[tuple[Value, ...]] = [
        (
            tuple(
                sorted(
                    _row_text(
                        kind,
                        [(c, values[node[i]] if i >= 0 else values[0]) for c, i, values in cells],
                    )
                    for kind, cells in rows
                )
            ),
        )
        for rows in prepared
    ]
    # With earlier releases, an individual's class is what this release says of them joined to
    # what the earlier ones said: the recipient holds both, under one pseudonym.
    classes: Sequence[Hashable] = keys if earlier is None else list(zip(earlier, keys, strict=True))
    sizes: Counter[Hashable] = Counter(classes)
    released = [i for i, key in enumerate(classes) if sizes[key] >= k]
    kept = [sizes[classes[i]] for i in released]
    return Release(
        levels=levels,
        keys=keys,
        released=released,
        suppressed=[i for i, key in enumerate(classes) if sizes[key] < k],
        k=min(kept) if kept else 0,
        small_groups=sum(1 for size in sizes.values() if size < k),
        smallest=min(sizes.values()) if sizes else 0,
    )


def anonymise_joined(
    individuals: Sequence[Sequence[JoinedRow]],
    dimensions: Sequence[Dimension],
    k: int,
    max_suppressed: int,
    earlier: Sequence[Hashable] | None = None,
) -> Release:
    """`anonymise` for individuals with joined rows: k counts whole individuals, rows and all.

    Each dimension's steps must coarsen: the value at level n+1 a function of the value at n.

    Suppressing an individual suppresses all their rows: the caller leaves them out together.

    Args:
        individuals: each individual's rows, as (kind, {column: value}).
        dimensions: the columns that coarsen together, and their steps.
        k: the smallest group of individuals that may be released.
        max_suppressed: how many individuals may be left out before the release is refused.
        earlier: per individual, what earlier releases that the recipient can join to this one
            already told about them (equal values: told the same; e.g. a tuple of `digest`s
            of their keys in each earlier release, "" where they were absent). k is then
            counted on the join of this release with those, and `Release.k` is the smallest
            group on that join. `Release.keys` stay this release's own.
    """
    if earlier is not None and len(earlier) != len(individuals):
        raise ValueError("earlier must say something (if only '') of every individual")
    if k < 1:
        raise ValueError("k must be at least 1")
    nodes = sorted(
        itertools.product(*(range(d.height) for d in dimensions)),
        key=lambda node: (sum(node), node),
    )
    prepared = _prepare(individuals, dimensions)
    # Every step coarsens the one below it, so a group only grows as levels rise: when even the
    # top node suppresses too many, every node does, and the lattice need not be walked.
    top = _joined_release(prepared, dimensions, [d.height - 1 for d in dimensions], k, earlier)
    if len(top.suppressed) > max_suppressed or not (top.released or not individuals):
        top.refused = True
        return top
    best: Release | None = None
    for node in nodes:
        release = _joined_release(prepared, dimensions, node, k, earlier)
        if len(release.suppressed) <= max_suppressed and (release.released or not individuals):
            return release
        if best is None or len(release.suppressed) < len(best.suppressed):
            best = release
    assert best is not None
    best.refused = True
    return best


def joined_as_released(
    individuals: Sequence[Sequence[JoinedRow]], dimensions: Sequence[Dimension]
) -> Release:
    """Level 0 everywhere, nothing suppressed, k as it truly is: an administrator's override."""
    return _joined_release(_prepare(individuals, dimensions), dimensions, [0] * len(dimensions), 1)


def digest(key: Hashable) -> str:
    """A stand-in for an individual's key as released, equal exactly when the keys are.

    What a release ledger keeps: enough to tell later whether two individuals were told apart,
    without holding the values a second time. Keys are (nested tuples of) strings, whose repr
    is unambiguous.
    """
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]
