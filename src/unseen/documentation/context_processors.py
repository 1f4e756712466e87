"""What every page's context gets from documentation, wired in by the settings (the top layer)."""

from typing import Any

from django.http import HttpRequest

from unseen.documentation.browsing import KINDS


def record_kinds() -> list[tuple[str, str]]:
    """(slug, plural label) of every record kind."""
    return [(kind.slug, kind.label) for kind in KINDS.values()]


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The record kinds for the workspace navigation (`ui/_workspace_nav.html`).

    The navigation lives in ui, below documentation, so it cannot load documentation's template
    tags; the list is handed in instead. Passed as a function, it is built only on pages that show
    the navigation.
    """
    return {"record_nav": record_kinds}
