"""The seam between the cross-reference workflow and the scorer, `unseen.core.xref`.

The workflow (`xref.py`) hands over the scorer's plain `Party` values and takes back `Found`
pairs (by the parties' ids) with a score in 0–1 and its explanation as JSON. The scoring, the
name folding and the blocking are the core's (docs/methods/xref.md).
"""

import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unseen.core.xref import Party

#: Records scored between two progress reports (each chunk may use several processes).
CHUNK = 2000
#: At most this many processes score a run (forked: the index is not copied).
MAX_WORKERS = 4


@dataclass(frozen=True)
class Found:
    """A record and an entity alike enough to propose (by their ids): the score and why."""

    record: str
    entity: str
    score: float
    explanation: list[dict[str, Any]]


def party(**values: Any) -> "Party":
    """A scorer's party: names, countries, addresses, identifiers ((scheme, value) pairs), kind
    (organisation, public_figure, site, or an FtM schema) and id."""
    from unseen.core.xref import Party

    return Party(**values)


def workers() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def cross_reference(
    records: Sequence["Party"],
    entities: Sequence["Party"],
    *,
    threshold: float,
    progress: Callable[[float], None] | None = None,
    processes: int | None = None,
) -> list[Found]:
    """Every (record, entity) pair scoring at least `threshold`, best first for each record."""
    from unseen.core.xref import EntityBlocks, NameIndex, candidates

    index = NameIndex.of(entities)
    blocks = EntityBlocks(entities)
    found: list[Found] = []
    with forkable() as can_fork:
        processes = (processes or workers()) if can_fork else 1
        for start in range(0, len(records), CHUNK):
            chunk = records[start : start + CHUNK]
            for match in candidates(
                chunk, entities, threshold, index=index, blocks=blocks, workers=processes
            ):
                found.append(
                    Found(match.record_id, match.entity_id, match.score, match.explanation_json())
                )
            if progress is not None:
                progress(min(1.0, (start + len(chunk)) / len(records)))
    return found


@contextmanager
def forkable() -> Iterator[bool]:
    """SIGTERM at its default while the scorer forks, and whether it may fork at all.

    The scorer's processes are forked and inherit the handler of their parent: the worker's
    "finish the job first" (django-tasks) or the command's "end the run as failed". The pool
    stops its processes with SIGTERM; one that runs such a handler instead of dying may hang in
    the pool's locks, and the run with it (seen: a run that never ended). So while it scores, a
    stop request kills the job outright, as it kills any process; its row is then shown as
    stalled and can be run again. Outside the main thread signals cannot be set: no forking.
    """
    try:
        previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:
        yield False
        return
    try:
        yield True
    finally:
        signal.signal(signal.SIGTERM, previous)


def rescore(pairs: list[tuple["Party", "Party"]], entities: Sequence["Party"]) -> list[Found]:
    """Pairs scored whatever their blocks say (accepted pairs, kept on a new version)."""
    from unseen.core.xref import NameIndex, score

    if not pairs:
        return []
    index = NameIndex.of(entities)
    return [
        Found(match.record_id, match.entity_id, match.score, match.explanation_json())
        for match in (score(record, entity, index) for record, entity in pairs)
    ]
