"""Parts of pages that apps above this one add: the record page (teamwork: assignment, comments,
watch; files: the evidence files) and a testimony's coding page (files: cited passages).

This app cannot import them or load their template tags (the layers run the other way), so they
register here: a template and a function of (kind, record, reader) giving its context.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from unseen.accounts.models import UserLike

from .browsing import Kind


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[Kind, Any, UserLike], dict[str, Any]]


_PANELS: list[Panel] = []


def register(template: str, context: Callable[[Kind, Any, UserLike], dict[str, Any]]) -> None:
    panel = Panel(template, context)
    if panel not in _PANELS:
        _PANELS.append(panel)


def rendered_for(kind: Kind, record: Any, user: UserLike) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of every registered panel, for a record `user` may read."""
    return [(panel.template, panel.context(kind, record, user)) for panel in _PANELS]


# The testimony's coding page has parts of its own from apps above (evidence files: the passages
# cited as where an indicator was found), shown beside the coding grid.
_CODING_PANELS: list[tuple[str, Callable[[Any, UserLike], dict[str, Any]]]] = []


def register_coding(template: str, context: Callable[[Any, UserLike], dict[str, Any]]) -> None:
    """A part of the coding page: a template and a function of (testimony, reader)."""
    if (template, context) not in _CODING_PANELS:
        _CODING_PANELS.append((template, context))


def coding_panels(testimony: Any, user: UserLike) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of every part registered for the coding page of `testimony`."""
    return [(template, context(testimony, user)) for template, context in _CODING_PANELS]
