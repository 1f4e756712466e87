"""Sanctions cross-referencing: our organisations and persons matched against list entities.

Pure Python (no Django). `folding` turns a name in any script or romanisation into comparable
tokens, `scoring` scores a record against a list entity with an explanation, `blocking` finds
the candidates among many, `evaluation` measures the scorer on the labelled set of name pairs,
`synthetic` makes SYNTHETIC organisations for the benchmark, `constants` holds the score levels.
The method is in docs/methods/xref.md.

Each name below is imported on first use, as in `unseen.core.linkage`: folding reuses the person
name folding of `linkage.names`, which loads pandas, and Django apps import this package when a
command starts. `constants` loads nothing.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unseen.core.xref.blocking import EntityBlocks, candidates
    from unseen.core.xref.constants import ACCEPT_LEVEL, DEFAULT_THRESHOLD, NAME_WEIGHT
    from unseen.core.xref.folding import (
        FoldedName,
        Token,
        TokenClass,
        fold_name,
        fold_organisation_name,
    )
    from unseen.core.xref.scoring import (
        Evidence,
        Match,
        NameIndex,
        Party,
        compare_names,
        kind_of,
        name_similarity,
        score,
    )

__all__ = [
    "ACCEPT_LEVEL",
    "DEFAULT_THRESHOLD",
    "NAME_WEIGHT",
    "EntityBlocks",
    "Evidence",
    "FoldedName",
    "Match",
    "NameIndex",
    "Party",
    "Token",
    "TokenClass",
    "candidates",
    "compare_names",
    "fold_name",
    "fold_organisation_name",
    "kind_of",
    "name_similarity",
    "score",
]

_HOME = {
    "ACCEPT_LEVEL": "constants",
    "DEFAULT_THRESHOLD": "constants",
    "NAME_WEIGHT": "constants",
    "EntityBlocks": "blocking",
    "candidates": "blocking",
    "FoldedName": "folding",
    "Token": "folding",
    "TokenClass": "folding",
    "fold_name": "folding",
    "fold_organisation_name": "folding",
    "Evidence": "scoring",
    "Match": "scoring",
    "NameIndex": "scoring",
    "Party": "scoring",
    "compare_names": "scoring",
    "kind_of": "scoring",
    "name_similarity": "scoring",
    "score": "scoring",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
