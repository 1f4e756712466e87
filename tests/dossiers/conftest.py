"""A stand-in composition: the pipeline's tests must not depend on what a dossier says, only on
what the pipeline does with it (the content has tests of its own)."""

import html
from dataclasses import dataclass, field
from typing import Any

import pytest

from unseen.accounts.models import AccessLevel
from unseen.dossiers.subjects import resolve
from unseen.evidence.models import Claim, visible_access_levels


@dataclass(frozen=True)
class StandIn:
    html: str
    assets: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    title: str = ""
    highest_level: str = AccessLevel.PUBLIC
    recipe: dict[str, Any] = field(default_factory=dict)
    footnotes: list[dict[str, Any]] = field(default_factory=list)


def stand_in_compose(subject, reader, language, progress=None):
    """What the reader may see of a record's claims, one line each, on as many pages as needed."""
    found = resolve(subject, reader)
    claims = list(
        Claim.objects.visible_to(reader).filter(object_id=getattr(found, "pk", 0)).order_by("id")
    )
    levels = visible_access_levels(reader)
    highest = max([AccessLevel.PUBLIC, *[c.source.access_level for c in claims]], key=levels.index)
    if progress:
        progress(0.5)
    lines = "".join(
        f"<p>{html.escape(c.statement)}<sup>{n}</sup></p>" for n, c in enumerate(claims, 1)
    )
    page = (
        '<html><head><meta name="dcterms.created" content="2026-01-01">'
        f"<title>{subject.kind} {subject.key}</title></head><body>"
        f"<h1>{html.escape(str(found))}</h1>{lines}</body></html>"
    )
    return StandIn(
        html=page,
        title=str(found),
        highest_level=highest,
        recipe={
            "subject": [subject.kind, subject.key],
            "reader": reader.get_username() if reader.is_authenticated else "",
            "language": language,
            "claims": [c.pk for c in claims],
        },
        footnotes=[{"n": n, "claim": c.pk, "source": c.source_id} for n, c in enumerate(claims, 1)],
    )


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.setattr("unseen.dossiers.rendering.compose", stand_in_compose)
    return stand_in_compose
