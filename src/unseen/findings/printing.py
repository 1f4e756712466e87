"""A finding as PDF: the print page's article with its CSS inlined, rendered offline by
`unseen.core.pdf`. The same finding, corrections and figures give the same bytes: the document's
date is the finding's publication day, and the PDF is cached under the hash of its HTML."""

import hashlib
from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string

from unseen.core.pdf import render_pdf

from .models import Finding


def _css() -> str:
    from django.contrib.staticfiles import finders

    path = finders.find("findings/print.css")
    return open(str(path), encoding="utf-8").read() if path else ""


def pdf_html(finding: Finding, context: dict[str, Any], origin: str = "") -> str:
    """The PDF's HTML: the print CSS inlined (the renderer fetches nothing), dated by the data."""
    created = (finding.published_at or finding.updated_at).date().isoformat()
    html = render_to_string("findings/pdf.html", {**context, "created": created, "css": _css()})
    # On paper a link is read, not clicked: "How we know" must name the whole address.
    return html.replace('href="/', f'href="{origin}/')


def pdf_bytes(html: str) -> bytes:
    key = "unseen:finding-pdf:" + hashlib.sha256(html.encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = render_pdf(html)
        cache.set(key, data, timeout=24 * 3600)
    return data
