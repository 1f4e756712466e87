"""Candidates among many: which list entities each record is scored against.

Scoring every record against every entity (10,000 x 5,000 = 50 million pairs) would take hours.
Instead each folded name gives blocking keys, and a record is scored only against entities that
share a key with it:

- each name proper (every key of a Hangul token), and neighbouring names proper joined (Nam Gang
  meets Namgang);
- the first and last four letters of a long name proper, folded and as written, so that a typo
  in one half still meets the other (Rungardo, Namgnag);
- an abbreviation written in capitals, and the initials of each entity name;
- a name with no name proper (Korea Mining Development Trading Corporation): each pair of its
  words other than legal forms;
- each identifier's value.

A key shared by many entities (korea, trading, the pair korea+trading) finds nothing rare and
would cost much: keys of more than `max_postings` entities are left out, unless they are all a
record has, then its rarest one is kept.
"""

import multiprocessing
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import combinations
from typing import cast

from unseen.core.xref.constants import DEFAULT_THRESHOLD
from unseen.core.xref.folding import (
    FoldedName,
    TokenClass,
    fold_name,
    fold_token,
    words_for_initials,
)
from unseen.core.xref.scoring import Match, NameIndex, Party, kind_of, score

AFFIX = 4  # letters of a name proper's start and end used as keys
AFFIX_MIN_LENGTH = 6  # ... when it has at least this many


def _identifier_keys(party: Party) -> set[str]:
    return {
        "i:" + "".join(ch for ch in value.upper() if ch.isalnum())
        for _, value in party.identifiers
        if value
    }


def name_keys(name: FoldedName) -> set[str]:
    """Blocking keys of one folded name (see the module's docstring)."""
    keys: set[str] = set()
    tokens = name.tokens
    propers = [t for t in tokens if t.cls is TokenClass.NAME]
    for token in propers:
        keys.update("n:" + k for k in token.keys)
        if token.acronym:
            keys.add("a:" + token.key)
            continue
        for text in (token.key, token.initial):
            if len(text) >= AFFIX_MIN_LENGTH:
                keys.add("p:" + text[:AFFIX])
                keys.add("s:" + text[-AFFIX:])
    for span in (2, 3):
        for start in range(len(tokens) - span + 1):
            part = tokens[start : start + span]
            if all(t.cls is TokenClass.NAME and not t.acronym for t in part):
                keys.add("n:" + "".join(t.key for t in part))
                if all(t.initial for t in part):
                    joined = fold_token("".join(t.initial for t in part)).replace("-", "")
                    keys.add("n:" + joined)
    if name.acronym:
        keys.add("a:" + name.acronym.lower())
    if not propers:
        words = sorted({t.key for t in tokens if t.cls is not TokenClass.LEGAL})
        if len(words) == 1:
            keys.add("c:" + words[0])
        keys.update("c:" + a + "|" + b for a, b in combinations(words, 2))
    return keys


def _initials_keys(text: str) -> set[str]:
    """Initials an abbreviation of this name may be: of all its words, of its required ones."""
    words = words_for_initials(text)
    keys = set()
    every = "".join(w[0] for w, _ in words if w)
    required = "".join(w[0] for w, needed in words if w and needed)
    for initials in (every, required):
        if len(initials) >= 3:
            keys.add("a:" + initials)
    return keys


def party_keys(party: Party, *, entity: bool = False) -> set[str]:
    """Blocking keys of a record, or of a list entity (which adds its names' initials)."""
    keys = _identifier_keys(party)
    for text in party.names:
        keys |= name_keys(fold_name(text))
        if entity:
            keys |= _initials_keys(text)
    return keys


class EntityBlocks:
    """The inverted index of a list's entities by blocking key."""

    def __init__(
        self, entities: Sequence[Party], max_postings: int | None = None, max_candidates: int = 10
    ) -> None:
        self.entities = entities
        self.max_postings = max_postings or max(50, len(entities) // 100)
        self.max_candidates = max_candidates
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for position, party in enumerate(entities):
            for key in party_keys(party, entity=True):
                postings[key].append(position)
        self.postings = dict(postings)

    def candidates_for(self, record: Party) -> list[int]:
        """Positions of the entities sharing a usable key with the record.

        At most `max_candidates` of them: those sharing the rarest keys (an identifier above all).
        """
        shared: dict[int, float] = {}
        skipped: list[list[int]] = []  # postings too long to use
        for key in party_keys(record):
            posting = self.postings.get(key)
            if posting is None:
                continue
            identifier = key.startswith("i:")
            if len(posting) > self.max_postings and not identifier:
                skipped.append(posting)
                continue
            rarity = 10.0 if identifier else 1.0 / len(posting)
            for position in posting:
                shared[position] = shared.get(position, 0.0) + rarity
        if not shared and skipped:
            shortest = min(skipped, key=lambda posting: len(posting))
            shared = dict.fromkeys(shortest, 0.0)
        if len(shared) <= self.max_candidates:
            return list(shared)
        return sorted(shared, key=lambda p: -shared[p])[: self.max_candidates]


def candidates(
    records: Iterable[Party],
    entities: Sequence[Party],
    threshold: float = DEFAULT_THRESHOLD,
    index: NameIndex | None = None,
    blocks: EntityBlocks | None = None,
    workers: int = 1,
) -> Iterator[Match]:
    """Matches of each record with the list's entities at or above `threshold`.

    Record by record, best first. `index` defaults to one built over the entities' names and
    countries; `blocks` to the entities' blocking index (pass them to reuse across runs).
    `workers` > 1 scores in that many processes (forked, so the index is not copied), in order.
    """
    index = index if index is not None else NameIndex.of(entities)
    blocks = blocks if blocks is not None else EntityBlocks(entities)
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        records = list(records)
        if len(records) >= 2 * PARALLEL_CHUNK:
            yield from _in_processes(records, threshold, index, blocks, workers)
            return
    for record in records:
        yield from _matches(record, threshold, index, blocks)


PARALLEL_CHUNK = 500  # records a worker takes at a time
_SHARED: dict[str, object] = {}  # what forked workers read: set before the pool starts


def _matches(
    record: Party, threshold: float, index: NameIndex, blocks: EntityBlocks
) -> list[Match]:
    kind = kind_of(record.kind)
    found = []
    for position in blocks.candidates_for(record):
        entity = blocks.entities[position]
        if kind_of(entity.kind) != kind:
            continue
        match = score(record, entity, index)
        if match.score >= threshold:
            found.append(match)
    found.sort(key=lambda m: -m.score)
    return found


def _chunk(bounds: tuple[int, int]) -> list[Match]:
    records = cast(list[Party], _SHARED["records"])
    threshold = cast(float, _SHARED["threshold"])
    index = cast(NameIndex, _SHARED["index"])
    blocks = cast(EntityBlocks, _SHARED["blocks"])
    return [
        m for r in records[bounds[0] : bounds[1]] for m in _matches(r, threshold, index, blocks)
    ]


def _in_processes(
    records: list[Party], threshold: float, index: NameIndex, blocks: EntityBlocks, workers: int
) -> Iterator[Match]:
    _SHARED.update(records=records, threshold=threshold, index=index, blocks=blocks)
    try:
        bounds = [(i, i + PARALLEL_CHUNK) for i in range(0, len(records), PARALLEL_CHUNK)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for chunk in pool.imap(_chunk, bounds):
                yield from chunk
    finally:
        _SHARED.clear()
