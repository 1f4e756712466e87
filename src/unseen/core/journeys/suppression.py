"""k-suppression for staged flows, counted cells and histograms (pure Python, no Django).

Every number shown rests on at least `k` testimonies, or is zero. Whatever rests on fewer is
merged into "other", and the merge is reported (what was merged and how many links or cells,
never which testimonies). The merges are chosen so that the easy subtractions (a node's links,
a column's other cells, a histogram's total) give back nothing below `k`: see
docs/methods/journeys.md.
"""

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

OTHER = "other"
UNKNOWN = "unknown"
DEFAULT_K = 5
MINIMUM_K = 3


class KTooSmall(ValueError):
    """A k under the floor: refused, never silently raised."""


def checked_k(k: int) -> int:
    """`k` itself, or `KTooSmall` saying why it is refused."""
    if isinstance(k, bool) or not isinstance(k, int):
        raise KTooSmall(f"k must be a whole number, at least {MINIMUM_K}.")
    if k < MINIMUM_K:
        raise KTooSmall(
            f"k = {k} is refused: every link and cell must rest on at least {MINIMUM_K} "
            "testimonies, or a reader could recognise the people behind it."
        )
    return k


@dataclass(frozen=True)
class Merge:
    """One thing merged into "other": where, what (a category, never a testimony), and why."""

    chart: str  # "sankey", "map", "indicators", "vetting", "contract", "exit"
    where: str  # a stage, a stage pair, or a duration's name
    what: str  # the category merged ("" when only a count of links or cells is told)
    count: int = 1  # how many links or cells this merge stands for
    kind: str = "category"  # "category", "coarsened", "links", "cells", "bins", "withheld"


@dataclass
class Report:
    """What was merged into "other", chart by chart."""

    k: int
    merges: list[Merge] = field(default_factory=list)

    def add(self, merge: Merge) -> None:  # noqa: D102
        self.merges.append(merge)

    def for_chart(self, chart: str) -> list[Merge]:  # noqa: D102
        return [m for m in self.merges if m.chart == chart]

    def __bool__(self) -> bool:
        return bool(self.merges)


# --- staged flows (the Sankey and the origin→host map) ---------------------------------------

Path = tuple[frozenset[str], ...]


@dataclass(frozen=True)
class Link:
    """A flow from a label of one stage to a label of the next, in testimonies."""

    source_stage: str
    source: str
    target_stage: str
    target: str
    testimonies: int


def staged_links(
    paths: Iterable[Path] | Mapping[Path, int],
    stages: Sequence[str],
    k: int,
    report: Report,
    chart: str = "sankey",
    coarser: Mapping[str, Callable[[str], str]] | None = None,
) -> list[Link]:
    """Links between consecutive stages, each counting the testimonies that took it.

    `paths` is one path per testimony, or each distinct path with its number of testimonies.
    `coarser` gives, for a stage, a label's coarser label (a host's country for its country and
    sector): a category below k is first shown as its coarser one, and joins "other" only if
    that too rests on fewer than k.

    A path holds, per stage, the set of labels a testimony has there (several hosts, say); it
    links every label of one stage to every label of the next. Labels are merged into OTHER
    per testimony and stage, never per link, so a node's flows in and out stay consistent
    and no link's count can be had by subtracting shown links from a node.
    """
    k = checked_k(k)
    # Paths may come counted already (path → testimonies), which spares hashing each one.
    weights: Mapping[Path, int] = (
        paths if isinstance(paths, Mapping) else Counter(map(tuple, paths))
    )
    n = len(stages)
    # 1. Categories of a stage held by fewer than k testimonies become "other"; then, while
    #    "other" itself holds between 1 and k-1, the smallest remaining category joins it.
    for i in range(n):
        counts = _label_counts(weights, i)
        coarsen = (coarser or {}).get(stages[i])
        if coarsen is not None:
            small = {label for label, c in counts.items() if c < k and label != OTHER}
            mapping = {label: coarsen(label) for label in small if coarsen(label) != label}
            # Only where the coarser category itself reaches k: otherwise they go to "other".
            held = _label_counts(_relabel_stage(weights, i, mapping), i)
            mapping = {label: to for label, to in mapping.items() if held[to] >= k}
            if mapping:
                weights = _relabel_stage(weights, i, mapping)
                for label in sorted(mapping):
                    report.add(Merge(chart, stages[i], label, 1, "coarsened"))
                counts = _label_counts(weights, i)
        small = {label for label, c in counts.items() if c < k and label != OTHER}
        merged = set(small)
        other = _holding(weights, i, merged | {OTHER})
        rest = sorted(
            (c, label) for label, c in counts.items() if label not in merged and label != OTHER
        )
        while 0 < other < k and rest:
            merged.add(rest.pop(0)[1])
            other = _holding(weights, i, merged | {OTHER})
        for label in sorted(merged):
            report.add(Merge(chart, stages[i], label))
        if merged:
            weights = _relabel_stage(weights, i, merged)
    # 2. Links resting on fewer than k testimonies: relabel their ends to "other" (the end
    #    that is not "other" yet, the target first) until every link holds k or more.
    merged_links: Counter[tuple[str, str]] = Counter()
    flows = _Flows(weights, n)
    while True:
        thin = sorted((c, key) for key, c in flows.links.items() if c < k)
        if not thin:
            break
        # All thin links at once, their targets first; their sources only when every thin
        # link already ends in "other"; a thin other→other link last, one at a time.
        targets = [key for _, key in thin if key[2] != OTHER]
        sources = [key for _, key in thin if key[2] == OTHER and key[1] != OTHER]
        if targets or sources:
            for i, _a, _b in targets or sources:
                merged_links[(stages[i], stages[i + 1])] += 1
            for key in targets:
                flows.relabel(key, source=False, target=True)
            if not targets:
                for key in sources:
                    flows.relabel(key, source=True, target=False)
            continue
        i = thin[0][1][0]
        pair = (stages[i], stages[i + 1])
        merged_links[pair] += 1
        # other → other too thin: fold in the smallest link touching "other" (or, failing
        # that, the smallest link of the pair); with none left, withhold it.
        candidates = sorted(
            (c, key) for key, c in flows.links.items() if key[0] == i and key != (i, OTHER, OTHER)
        )
        touching = [x for x in candidates if OTHER in x[1][1:]]
        chosen = (touching or candidates)[0] if (touching or candidates) else None
        if chosen is None:
            report.add(Merge(chart, f"{pair[0]}→{pair[1]}", "", 1, "withheld"))
            flows.drop_other(i)
            continue
        flows.relabel(chosen[1], source=True, target=True)
    for (s, t), c in sorted(merged_links.items()):
        report.add(Merge(chart, f"{s}→{t}", "", c, "links"))
    result = [Link(stages[i], a, stages[i + 1], b, c) for (i, a, b), c in flows.links.items() if c]
    result.sort(
        key=lambda l_: (stages.index(l_.source_stage), -l_.testimonies, l_.source, l_.target)
    )
    return result


class _Flows:
    """Paths with their weights, and the links they make, kept up to date as paths change."""

    def __init__(self, weights: Mapping[Path, int], n: int):
        self.n = n
        self.weights: dict[Path, int] = {}
        self.links: Counter[tuple[int, str, str]] = Counter()
        self.index: dict[tuple[int, str, str], set[Path]] = defaultdict(set)
        for path, w in weights.items():
            self.add(path, w)

    def keys(self, path: Path) -> list[tuple[int, str, str]]:
        return [(i, a, b) for i in range(self.n - 1) for a in path[i] for b in path[i + 1]]

    def add(self, path: Path, w: int) -> None:
        self.weights[path] = self.weights.get(path, 0) + w
        for key in self.keys(path):
            self.links[key] += w
            self.index[key].add(path)

    def remove(self, path: Path) -> int:
        w = self.weights.pop(path)
        for key in self.keys(path):
            self.links[key] -= w
            self.index[key].discard(path)
            if not self.links[key]:
                del self.links[key]
                del self.index[key]
        return w

    def relabel(self, key: tuple[int, str, str], *, source: bool, target: bool) -> None:
        """For the testimonies on link a→b (stages i, i+1), relabel a and/or b to OTHER."""
        i, a, b = key
        for path in list(self.index.get(key, ())):
            here, there = path[i], path[i + 1]
            if source:
                here = frozenset(OTHER if x == a else x for x in here)
            if target:
                there = frozenset(OTHER if x == b else x for x in there)
            self.add((*path[:i], here, there, *path[i + 2 :]), self.remove(path))

    def drop_other(self, i: int) -> None:
        """Withhold the last thin other→other link of a stage pair."""
        for path in list(self.index.get((i, OTHER, OTHER), ())):
            w = self.remove(path)
            self.add((*path[: i + 1], path[i + 1] - {OTHER}, *path[i + 2 :]), w)


def _holding(weights: Mapping[Path, int], i: int, labels: set[str]) -> int:
    return sum(w for path, w in weights.items() if path[i] & labels)


def _label_counts(weights: Mapping[Path, int], i: int) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path, w in weights.items():
        for label in path[i]:
            counts[label] += w
    return counts


def _relabel_stage(
    weights: Mapping[Path, int], i: int, labels: set[str] | Mapping[str, str]
) -> Counter[Path]:
    """Stage i's labels in `labels` renamed: to OTHER, or each to its own new name."""
    rename = labels if isinstance(labels, Mapping) else dict.fromkeys(labels, OTHER)
    out: Counter[Path] = Counter()
    for path, w in weights.items():
        if any(x in rename for x in path[i]):
            path = (
                *path[:i],
                frozenset(rename.get(x, x) for x in path[i]),
                *path[i + 1 :],
            )
        out[path] += w
    return out


# --- counted cells (indicator × stage) ---------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of cells: label → testimonies, with "other" (None when withheld)."""

    cells: dict[str, int]
    other: int | None
    merged: tuple[str, ...]


def suppressed_column(
    members: Mapping[str, set[Hashable]], k: int, report: Report, chart: str, where: str
) -> Column:
    """Cells below k merged into "other", from each cell's members (see `suppressed_counts`)."""

    def union(labels: set[str]) -> int:
        holders: set[Hashable] = set()
        for label in labels:
            holders |= members[label]
        return len(holders)

    return suppressed_counts(
        {label: len(ids) for label, ids in members.items()}, union, k, report, chart, where
    )


def suppressed_counts(
    sizes: Mapping[str, int],
    union: Callable[[set[str]], int],
    k: int,
    report: Report,
    chart: str,
    where: str,
) -> Column:
    """Cells below k merged into "other", topped up until "other" holds k or more.

    `union(labels)` counts the testimonies having any of the labels: "other" is that count for
    the merged cells; while it holds fewer than k the smallest shown cell joins it; if it never
    reaches k it is withheld (None).
    """
    k = checked_k(k)
    sizes = {label: size for label, size in sizes.items() if size}
    merged = {label for label, size in sizes.items() if size < k}
    rest = sorted((size, label) for label, size in sizes.items() if label not in merged)
    other = union(merged) if merged else 0
    while 0 < other < k and rest:
        merged.add(rest.pop(0)[1])
        other = union(merged)
    if merged:
        report.add(Merge(chart, where, "", len(merged), "cells"))
    withheld = 0 < other < k
    if withheld:
        report.add(Merge(chart, where, "", 1, "withheld"))
    return Column(
        cells={label: size for label, size in sizes.items() if label not in merged},
        other=None if withheld else other,
        merged=tuple(sorted(merged)),
    )


# --- histograms (durations) --------------------------------------------------------------------


@dataclass(frozen=True)
class Bin:
    """A bar of a duration histogram."""

    low: float  # months, inclusive
    high: float | None  # months, exclusive; None: open-ended
    testimonies: int
    with_unknown: bool = False  # the last bin also holds the testimonies with no duration


def suppressed_histogram(
    values: Sequence[float | None],
    edges: Sequence[float],
    k: int,
    report: Report,
    chart: str,
) -> tuple[list[Bin], int]:
    """Bins of testimonies by duration, neighbours joined until each holds k or more.

    Returns the bins and the count of testimonies with no duration (0 when merged into the
    last bin because it was below k: the total minus the bins would otherwise give it).
    """
    k = checked_k(k)
    known = [v for v in values if v is not None]
    unknown = len(values) - len(known)
    bounds = list(edges)
    per_bin = Counter(bisect_right(bounds, v) - 1 for v in known if v >= bounds[0])
    raw: list[tuple[float, float | None, int]] = [
        (low, bounds[j + 1] if j + 1 < len(bounds) else None, per_bin.get(j, 0))
        for j, low in enumerate(bounds)
    ]
    # Empty bins at either end hold no one: they are left out rather than widened into, which
    # would join everything into one bar on a short range of values.
    while raw and raw[0][2] == 0:
        raw.pop(0)
    while raw and raw[-1][2] == 0:
        raw.pop()
    bins: list[list[float | int | None]] = []
    widened = 0
    pending: list[float | int | None] | None = None
    for low, high, count in raw:
        if pending is None:
            pending = [low, high, count]
        else:
            pending[1] = high
            pending[2] = int(pending[2] or 0) + count
            widened += 1
        if int(pending[2] or 0) >= k:
            bins.append(pending)
            pending = None
    if pending is not None and int(pending[2] or 0) > 0:
        if bins:
            bins[-1][1] = pending[1]
            bins[-1][2] = int(bins[-1][2] or 0) + int(pending[2] or 0)
            widened += 1
        else:
            report.add(Merge(chart, chart, "", 1, "withheld"))
    with_unknown = False
    if not bins and known:
        # Fewer than k testimonies tell a duration: the count of those that do not would
        # give their number by subtraction, so it is withheld with them.
        unknown = 0
    if 0 < unknown < k:
        if bins:
            bins[-1][2] = int(bins[-1][2] or 0) + unknown
            with_unknown = True
            report.add(Merge(chart, chart, UNKNOWN, 1, "bins"))
        else:
            report.add(Merge(chart, chart, UNKNOWN, 1, "withheld"))
        unknown = 0
    if widened:
        report.add(Merge(chart, chart, "", widened, "bins"))
    result = [
        Bin(float(b[0] or 0), None if b[1] is None else float(b[1]), int(b[2] or 0))
        for b in bins
        if int(b[2] or 0) > 0
    ]
    if with_unknown and result:
        last = result[-1]
        result[-1] = Bin(last.low, last.high, last.testimonies, True)
    # Empty stretches between shown bins are folded into the following bin's range.
    return result, unknown


def group_members(pairs: Iterable[tuple[str, Hashable]]) -> dict[str, set[Hashable]]:
    """label → the set of members, from (label, member) pairs."""
    out: dict[str, set[Hashable]] = defaultdict(set)
    for label, member in pairs:
        out[label].add(member)
    return dict(out)
