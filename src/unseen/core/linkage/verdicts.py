"""What a verdict on a pair would change, and how two records' fields compare, for the review page.

Pure arithmetic on clusters and strings: the linkage app turns the results into sentences (this
package has no translations) and decides what a reader may see.

A verdict acts on the next run (the model's clusters are rebuilt with every verdict in force), so
"what it changes" is read against the clusters of the run under review:

- the two records in different clusters: *the same* joins the two clusters into one (unless a
  "not the same" verdict in force already separates a member of one from a member of the other,
  which then wins, as clustering keeps records decided apart apart); *not the same* changes nothing;
- the two records in one cluster: *the same* changes nothing; *not the same* splits the cluster so
  that the two end up apart (the other members follow the links they are closest to, which the
  run does not keep, so only "at least two clusters" is known);
- *unsure* never changes anything: it is no verdict.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum


class Change(StrEnum):
    """What one verdict does to the clusters."""

    NOTHING = "nothing"  # they stay as they are
    MERGE = "merge"  # two clusters become one
    BLOCKED = "blocked"  # would merge, but a verdict in force keeps members of the two apart
    SPLIT = "split"  # one cluster is split so that the two records are apart


@dataclass(frozen=True)
class Effect:
    """One verdict's change, and the size of the cluster it acts on."""

    change: Change
    size: int  # records in the cluster(s) it would make: the merged one, or the cluster split


@dataclass(frozen=True)
class Effects:
    """The pair's clusters now, and what each verdict would do to them."""

    together: bool  # both records in one cluster now
    size_a: int  # records in the first record's cluster (itself included)
    size_b: int
    same: Effect
    different: Effect
    unsure: Effect


def verdict_effects(
    cluster_a: frozenset[int], cluster_b: frozenset[int], apart: Iterable[tuple[int, int]] = ()
) -> Effects:
    """What *the same*, *not the same* and *unsure* would change, given each record's cluster.

    `cluster_a` and `cluster_b` are the members (record ids) of the clusters the two records are
    in, each including its record; `apart` the pairs a "not the same" verdict in force separates.

    Raises:
        ValueError: the clusters overlap without being one cluster (they cannot both be a run's).
    """
    if not cluster_a or not cluster_b:
        raise ValueError("a record is always in a cluster, if only of itself")
    together = cluster_a == cluster_b
    if not together and cluster_a & cluster_b:
        raise ValueError("two clusters of one run never share a record")
    nothing = Effect(Change.NOTHING, 0)
    if together:
        return Effects(
            together=True,
            size_a=len(cluster_a),
            size_b=len(cluster_b),
            same=nothing,
            different=Effect(Change.SPLIT, len(cluster_a)),
            unsure=nothing,
        )
    blocked = any(
        (x in cluster_a and y in cluster_b) or (x in cluster_b and y in cluster_a) for x, y in apart
    )
    joined = len(cluster_a) + len(cluster_b)
    return Effects(
        together=False,
        size_a=len(cluster_a),
        size_b=len(cluster_b),
        same=Effect(Change.BLOCKED if blocked else Change.MERGE, joined),
        different=nothing,
        unsure=nothing,
    )


class Agreement(StrEnum):
    """How one field of the two records compares."""

    EQUAL = "equal"  # written the same (ignoring case and surrounding spaces)
    FOLDED = "folded"  # written differently, the same once romanisation is folded
    DIFFERENT = "different"
    MISSING = "missing"  # empty on one side or both: neither agreement nor disagreement


def compare_values(a: object, b: object, fold: Callable[[str], str] | None = None) -> Agreement:
    """How two values of one field compare; `fold` (a name key) makes spellings of one name equal.

    Missing is checked first: an empty field says nothing about the pair.
    """
    left, right = _text(a), _text(b)
    if not left or not right:
        return Agreement.MISSING
    if left.casefold() == right.casefold():
        return Agreement.EQUAL
    if fold is not None:
        folded_left, folded_right = fold(left), fold(right)
        if folded_left and folded_left == folded_right:
            return Agreement.FOLDED
    return Agreement.DIFFERENT


def _text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


def person_name_fold(field: str) -> Callable[[str], str]:
    """The key one field of a person's name is compared by (Lee Chul-soo = Ri Chol Su = 리철수)."""
    from unseen.core.linkage.names import fold_token, person_name_keys  # pandas: load when used

    if field in {"full_name", "name_hangul"}:

        def fold(text: str) -> str:
            # Sorted syllables: a full name's order (family first or last) does not matter.
            return person_name_keys(**{field: text}).tokens_sorted or ""

        return fold
    return fold_token


def place_name_fold(text: str) -> str:
    """The key a site's or organisation's name (or a place) is compared by."""
    from unseen.core.linkage.names import fold_place_name  # pandas: load when used

    return fold_place_name(text)
