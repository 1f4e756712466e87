"""The seam between the cross-reference workflow and the scoring of name pairs.

The workflow (`xref.py`) hands over plain `Party` values and takes back `Found` pairs with a score
in 0–1 and its explanation; how names are folded and scored is `unseen.core.xref`'s.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: What a party is, for the scorer: a company or organisation, a person, a place.
ORGANISATION, PERSON, SITE = "organisation", "person", "site"


@dataclass(frozen=True)
class Party:
    """One side of a comparison: our record or a list entity, as plain values (the shape of
    `unseen.core.xref`'s). `identifiers` are (scheme, value) pairs; `id` names the party."""

    names: tuple[str, ...]
    countries: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()
    kind: str = ORGANISATION
    id: str = ""


@dataclass(frozen=True)
class Found:
    """A record and an entity alike enough to propose (by their ids): the score and why."""

    record: str
    entity: str
    score: float
    explanation: list[dict[str, Any]]


def cross_reference(
    records: Sequence[Party],
    entities: Sequence[Party],
    *,
    threshold: float,
    progress: Callable[[float], None] | None = None,
) -> list[Found]:
    """Every (record, entity) pair scoring at least `threshold`, best first for each record.

    Interim scorer until `unseen.core.xref` is merged: folded name tokens weighted by rarity,
    blocked on shared tokens, with country and identifier agreement.
    """
    from unseen.core.linkage.names import fold_place_name

    def tokens(party: Party) -> list[frozenset[str]]:
        return [frozenset(fold_place_name(name).split()) for name in party.names if name]

    entity_tokens = [tokens(e) for e in entities]
    index: dict[str, set[int]] = {}
    for i, names in enumerate(entity_tokens):
        for name in names:
            for token in name:
                index.setdefault(token, set()).add(i)
    total = max(len(entities), 1)
    idf = {t: math.log(1 + total / len(found)) for t, found in index.items()}
    results: list[Found] = []
    for n, record in enumerate(records):
        mine = tokens(record)
        near: set[int] = set()
        for name in mine:
            for token in name:
                if len(index.get(token, ())) <= BLOCK_LIMIT:
                    near |= index.get(token, set())
        scored = []
        for i in near:
            entity = entities[i]
            if not _compatible(record.kind, entity.kind):
                continue
            name_score, pair = _best_names(mine, entity_tokens[i], idf, record, entity)
            score, explanation = _combine(name_score, pair, record, entity)
            if score >= threshold:
                scored.append(Found(record.id, entity.id, round(score, 4), explanation))
        results += sorted(scored, key=lambda f: -f.score)
        if progress is not None and n % 500 == 0:
            progress(n / max(len(records), 1))
    return results


#: A token shared by more entities than this does not make a block (a "trading", a "korea").
BLOCK_LIMIT = 200


def _compatible(record_kind: str, entity_kind: str) -> bool:
    if PERSON in (record_kind, entity_kind):
        return record_kind == entity_kind
    return True


def _best_names(
    mine: list[frozenset[str]],
    theirs: list[frozenset[str]],
    idf: dict[str, float],
    record: Party,
    entity: Party,
) -> tuple[float, tuple[str, str]]:
    best, pair = 0.0, ("", "")
    for a, ours in zip(mine, record.names, strict=False):
        for b, listed in zip(theirs, entity.names, strict=False):
            union = sum(idf.get(t, 1.0) for t in a | b)
            if not union:
                continue
            shared = sum(idf.get(t, 1.0) for t in a & b)
            if shared / union > best:
                best, pair = shared / union, (ours, listed)
    return best, pair


def _combine(
    name_score: float, pair: tuple[str, str], record: Party, entity: Party
) -> tuple[float, list[dict[str, Any]]]:
    explanation = [
        {
            "feature": "name",
            "contribution": round(0.8 * name_score, 4),
            "text": f"{pair[0]} ~ {pair[1]}",
        }
    ]
    score = 0.8 * name_score
    ours, theirs = set(record.countries), set(entity.countries)
    if ours and theirs:
        if ours & theirs:
            score += 0.15
            explanation.append(
                {
                    "feature": "country",
                    "contribution": 0.15,
                    "text": ", ".join(sorted(ours & theirs)),
                }
            )
        else:
            score -= 0.2
            explanation.append(
                {
                    "feature": "country",
                    "contribution": -0.2,
                    "text": f"{', '.join(sorted(ours))} ≠ {', '.join(sorted(theirs))}",
                }
            )
    shared_ids = {v for _s, v in record.identifiers} & {v for _s, v in entity.identifiers}
    if shared_ids:
        score += 0.3
        explanation.append(
            {"feature": "identifier", "contribution": 0.3, "text": ", ".join(sorted(shared_ids))}
        )
    return min(max(score, 0.0), 1.0), explanation
