"""Sanctions cross-referencing: organisation and person names matched against list entities.

`folding` turns a name in any script or romanisation into comparable tokens, `scoring` scores
a record against a list entity with an explanation, `blocking` finds the candidates among many,
`evaluation` measures the scorer on a labelled set of name pairs, `synthetic` makes SYNTHETIC
organisations for the benchmark. The names other layers call are re-exported here.
"""

from unseen.core.xref.folding import (
    FoldedName,
    Token,
    TokenClass,
    fold_name,
    fold_organisation_name,
)
from unseen.core.xref.scoring import (
    ACCEPT_LEVEL,
    DEFAULT_THRESHOLD,
    Evidence,
    Match,
    NameIndex,
    Party,
    kind_of,
    name_similarity,
    score,
)

__all__ = [
    "ACCEPT_LEVEL",
    "DEFAULT_THRESHOLD",
    "Evidence",
    "FoldedName",
    "Match",
    "NameIndex",
    "Party",
    "Token",
    "TokenClass",
    "fold_name",
    "fold_organisation_name",
    "kind_of",
    "name_similarity",
    "score",
]
