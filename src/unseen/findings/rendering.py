"""A finding's Markdown as HTML: CommonMark without raw HTML or images, links marked nofollow,
and each embed line replaced by the live figure it names (`embeds`).

Raw HTML is off so a finding cannot carry a script or a tracking pixel into the public site, and
images are off because an image from another server tells that server who read the finding.
"""

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from unseen.publishing.freshness import cached
from unseen.publishing.scope import PUBLIC

from .embeds import Resolved, embeds_in, resolve
from .models import Finding


@dataclass
class Rendered:
    html: SafeString
    embeds: list[Resolved] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [r.problem for r in self.embeds if not r.public]


def _markdown() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")

    def link_open(renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
        # A link from a finding is a citation, not an endorsement (and opens nothing of ours).
        tokens[index].attrSet("rel", "nofollow noopener")
        return str(renderer.renderToken(tokens, index, options, env))

    md.add_render_rule("link_open", link_open)
    return md


def render_markdown(text: str) -> Rendered:
    """`text` as HTML with its embeds drawn now, for the public (only public things appear)."""
    lines = text.splitlines()
    found = embeds_in(text)
    # Each embed line becomes a marker paragraph, replaced after Markdown has run: the embed's
    # HTML never passes through the Markdown renderer (which would escape it, rightly).
    nonce = secrets.token_hex(8)
    for number, embed in enumerate(found):
        lines[embed.line - 1] = f"\n{nonce}E{number}\n"
    html = _markdown().render("\n".join(lines))
    resolved = [resolve(embed) for embed in found]
    for number, item in enumerate(resolved):
        html = html.replace(f"<p>{nonce}E{number}</p>", item.html, 1)
        # Inside a list item Markdown writes the marker without a paragraph of its own.
        html = html.replace(f"{nonce}E{number}", item.html, 1)
    return Rendered(mark_safe(html), resolved)  # noqa: S308 - escaped by markdown-it and templates


def body(finding: Finding, language: str) -> Rendered:
    return render_markdown(finding.text("body", language))


def public_body(finding: Finding, language: str) -> SafeString:
    """The published body, built once per change anywhere (the cache key holds the audit log's
    last change id, so a figure withdrawn a second ago is never served from the cache)."""
    built = cached(
        "finding", PUBLIC, lambda: {"html": str(body(finding, language).html)},
        slug=finding.slug, language=language,
    )  # fmt: skip
    return mark_safe(built["html"])  # noqa: S308 - rendered above


def problems(finding: Finding) -> list[str]:
    """Why the finding cannot be published yet: every embed, in either language, that is not
    public now."""
    seen: list[str] = []
    for text in (finding.body_en, finding.body_ko):
        for embed in embeds_in(text):
            item = resolve(embed)
            if not item.public and item.problem not in seen:
                seen.append(item.problem)
    return seen
