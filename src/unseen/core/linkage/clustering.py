"""From scored pairs to entities.

Analysts' decisions win over the model's scores, then the pairs are clustered at a threshold.

Where each source lists an entity at most once, clustering is one-to-one (Splink's single best
links), which does not chain errors across sources the way connected components do; a "not a
match" decision is kept even where clustering would chain its two records together, and a match
decided within one source joins its two records even though one-to-one clustering would not.
"""

from typing import Any

import numpy as np
import pandas as pd
from splink import Linker

from unseen.core.linkage.entities import DEFAULT_THRESHOLDS
from unseen.core.linkage.planning import IDENTITY, Plan

__all__ = ["DEFAULT_THRESHOLDS", "Decision", "apply_decisions", "cluster", "name_pairs"]

# An analyst's verdict on a pair: (key_a, key_b, is_match).
Decision = tuple[str, str, bool]


def name_pairs(pairs: pd.DataFrame, order: pd.DataFrame) -> pd.DataFrame:
    """Scored pairs named by record key, record id and source instead of Splink's ids."""
    named: dict[str, Any] = {}
    ids = {side: pairs[f"unique_id_{side}"].to_numpy(dtype=np.int64) for side in ("l", "r")}
    for column in IDENTITY:
        values = order[column].to_numpy()
        for side in ("l", "r"):
            named[f"{column}_{side}"] = values[ids[side]]
    for column in ["match_probability", "match_weight"] + [
        c for c in pairs.columns if c.startswith("gamma_")
    ]:
        named[column] = pairs[column].to_numpy()
    return pd.DataFrame(named)


def apply_decisions(
    pairs: pd.DataFrame, decisions: list[Decision], order: pd.DataFrame
) -> pd.DataFrame:
    """Decided pairs score 1 (match) or 0 (not a match); matches the model never scored are added."""
    if not decisions:
        return pairs
    number = dict(zip(order["key"], order["unique_id"], strict=True))
    verdict = {
        frozenset((number[a], number[b])): match
        for a, b, match in decisions
        if a != b and a in number and b in number
    }
    ids = [frozenset(p) for p in zip(pairs["unique_id_l"], pairs["unique_id_r"], strict=True)]
    known = pd.Series([verdict.get(k) for k in ids], index=pairs.index, dtype=object)
    pairs = pairs.copy()
    matched, rejected = known.eq(True).to_numpy(), known.eq(False).to_numpy()
    pairs.loc[matched, "match_probability"] = 1.0
    pairs.loc[matched, "match_weight"] = 60.0
    pairs.loc[rejected, "match_probability"] = 0.0
    pairs.loc[rejected, "match_weight"] = -60.0
    datasets = order["source_dataset"].to_numpy()
    extra = []
    for pair in set(verdict) - set(ids):
        if not verdict[pair]:
            continue
        left, right = sorted(pair)
        extra.append(
            {
                "unique_id_l": left,
                "unique_id_r": right,
                "source_dataset_l": datasets[left],
                "source_dataset_r": datasets[right],
                "match_probability": 1.0,
                "match_weight": 60.0,
            }
        )
    if extra:
        pairs = pd.concat([pairs, pd.DataFrame(extra)], ignore_index=True)
    return pairs


def cluster(
    linker: Linker,
    edges: Any,
    data: Plan,
    threshold: float,
    *,
    named: pd.DataFrame,
    decided: list[Decision],
) -> pd.DataFrame:
    """Cluster the scored pairs at the threshold.

    `edges` is a Splink table, decisions already applied. Returns key, record_id, source and
    cluster_id, one row per record in input order.

    `named` holds the scored pairs by key (`name_pairs`): the links a rejection splits along.
    """
    if data.one_to_one:
        datasets = sorted({str(d) for p in data.tables for d in p["source_dataset"].unique()})
        clustered = linker.clustering.cluster_using_single_best_links(
            edges, duplicate_free_datasets=datasets, threshold_match_probability=threshold
        )
    else:
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
            edges, threshold_match_probability=threshold
        )
    # Only the two columns: the clustered table repeats every column of every record.
    assigned = linker.misc.query_sql(
        f"select unique_id, cluster_id from {clustered.physical_name}",  # noqa: S608 - Splink's
        output_type="pandas",
    )
    clusters = number_clusters(data.order, assigned)
    forbidden = [(a, b) for a, b, match in decided if not match]
    if forbidden:
        clusters = keep_apart(clusters, named, forbidden, threshold)
    if data.one_to_one and any(match for _a, _b, match in decided):
        clusters = join_matches(clusters, decided)
    return clusters


def number_clusters(order: pd.DataFrame, assigned: pd.DataFrame) -> pd.DataFrame:
    """One row per record in input order; cluster ids C-000001… numbered by first record."""
    merged = order[["unique_id", *IDENTITY]].merge(
        assigned, on="unique_id", how="left", validate="one_to_one"
    )
    cluster = merged["cluster_id"].astype(object)
    lonely = cluster.isna()
    cluster[lonely] = "record-" + merged.loc[lonely, "unique_id"].astype(str)
    number = {c: f"C-{i + 1:06d}" for i, c in enumerate(pd.unique(cluster))}
    merged["cluster_id"] = cluster.map(number)
    return merged[["key", "record_id", "source", "cluster_id"]]


def keep_apart(
    clusters: pd.DataFrame,
    pairs: pd.DataFrame,
    forbidden: list[tuple[str, str]],
    threshold: float,
) -> pd.DataFrame:
    """Split clusters that hold a pair decided "not a match".

    Within such a cluster the links at or above the threshold are added strongest first, each
    only if it joins no two records that must stay apart (a constrained single linkage); the
    cluster then falls into the groups this leaves.
    """
    cluster_of = dict(zip(clusters["key"], clusters["cluster_id"], strict=True))
    broken = {
        cluster_of[a]
        for a, b in forbidden
        if a in cluster_of and cluster_of.get(b) == cluster_of[a]
    }
    if not broken:
        return clusters
    apart = {frozenset(p) for p in forbidden}
    clusters = clusters.copy()
    next_number = clusters["cluster_id"].str.slice(2).astype(int).max() + 1
    strong = pairs[pairs["match_probability"] >= threshold].sort_values(
        "match_probability", ascending=False, kind="stable"
    )
    for cluster in sorted(broken):
        members = clusters.loc[clusters["cluster_id"] == cluster, "key"].tolist()
        inside = set(members)
        group = {k: {k} for k in members}
        for left, right in zip(strong["key_l"], strong["key_r"], strict=True):
            if left not in inside or right not in inside or group[left] is group[right]:
                continue
            a, b = group[left], group[right]
            if any(frozenset((x, y)) in apart for x in a for y in b):
                continue
            a |= b
            for key in b:
                group[key] = a
        distinct = list({id(g): g for g in group.values()}.values())
        distinct.sort(key=lambda g: min(members.index(k) for k in g))
        for g in distinct[1:]:
            clusters.loc[clusters["key"].isin(g), "cluster_id"] = f"C-{next_number:06d}"
            next_number += 1
    return clusters


def join_matches(clusters: pd.DataFrame, decisions: list[Decision]) -> pd.DataFrame:
    """Put records decided to be the same into one cluster.

    Unless that would join two records decided apart.

    One-to-one clustering keeps at most one record per source in a cluster, so it leaves apart
    two records of one source even when an analyst said they are one entity (a duplicate
    within a roster). The decision wins.
    """
    cluster_of = dict(zip(clusters["key"], clusters["cluster_id"], strict=True))
    members: dict[str, set[str]] = {}
    for key, cluster in cluster_of.items():
        members.setdefault(cluster, set()).add(key)
    parent = {cluster: cluster for cluster in members}

    def root(cluster: str) -> str:
        while parent[cluster] != cluster:
            parent[cluster] = parent[parent[cluster]]
            cluster = parent[cluster]
        return cluster

    apart = {frozenset((a, b)) for a, b, same in decisions if not same}
    for a, b, same in decisions:
        if not same or a not in cluster_of or b not in cluster_of:
            continue
        left, right = sorted((root(cluster_of[a]), root(cluster_of[b])))
        if left == right:
            continue
        if any(frozenset((x, y)) in apart for x in members[left] for y in members[right]):
            continue
        parent[right] = left
        members[left] |= members.pop(right)
    joined = clusters.copy()
    joined["cluster_id"] = [root(c) for c in joined["cluster_id"]]
    return joined
