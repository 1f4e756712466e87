"""Levels of the cross-referencing score, without the libraries that compute it.

Apart so that a model, a form or a command's options can use them without loading what the
scorer needs (the person-name folding of `unseen.core.linkage.names` brings pandas, #16).
"""

__all__ = ["ACCEPT_LEVEL", "DEFAULT_THRESHOLD", "NAME_WEIGHT"]

NAME_WEIGHT = 0.7  # the most a name alone can give
ACCEPT_LEVEL = 0.8  # a score at or above this needs more than a name
DEFAULT_THRESHOLD = 0.5  # candidates below this are not shown
