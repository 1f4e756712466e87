"""Parts of the record page that apps above this one add (teamwork: assignment, comments, watch).

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
