"""Canary checks: walk pages as one reader and fail if any of them shows what it must not.

    from tests.canary import assert_nothing_shown, record_marks

    assert_nothing_shown(
        client,  # a django.test.Client, signed in as the reader (or not signed in)
        ["/app/sources/3/", "/map/data.json"],
        ["Interview CONF-77", *record_marks(secret_testimony)],
    )

A forbidden string counts as shown when it is in the answer as sent, in its HTML-unescaped text
or, for JSON, in the decoded document (JSON may escape non-ASCII text as \\uXXXX). The failure
names every URL and every string it showed, so one run reports every leak.
"""

import contextlib
import html
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import pytest
from django.db import models
from django.urls import reverse

from unseen.documentation.browsing import slug_for


def answer_text(response: Any, asked: str = "") -> str:
    """Everything a response says, as text: body, unescaped body, decoded JSON and where it
    redirects to (less the URL `asked` for, which a sign-in redirect echoes as ?next=)."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    text = body.decode(response.charset or "utf-8", errors="replace")
    parts = [text, html.unescape(text)]
    if "json" in response.get("Content-Type", ""):
        with contextlib.suppress(ValueError):  # a JSON error page is checked as text above
            parts.append(json.dumps(json.loads(text), ensure_ascii=False))
    location = unquote(response.get("Location", ""))
    if location:
        parts.append(location.replace(asked, "") if asked else location)
    return "\n".join(parts)


def leaks(
    client: Any, urls: Iterable[str], forbidden: Iterable[str], *, status: int | None = 200
) -> list[str]:
    """Every (URL, string) a page showed, and every URL that did not answer with `status`.

    `status=None` accepts any status: for a reader who is redirected or refused, an answer that
    shows nothing is what is wanted. With a status, a page that fails to render cannot pass by
    showing nothing.
    """
    strings = [s for s in forbidden if s]
    found = []
    for url in urls:
        response = client.get(url)
        if status is not None and response.status_code != status:
            found.append(f"{url}: answered {response.status_code}, expected {status}")
        text = answer_text(response, asked=url)
        found.extend(f"{url}: shows {string!r}" for string in strings if string in text)
    return found


def assert_nothing_shown(
    client: Any, urls: Iterable[str], forbidden: Iterable[str], *, status: int | None = 200
) -> None:
    """Fail, naming each URL and string, if any of `urls` shows any of `forbidden`."""
    found = leaks(client, urls, forbidden, status=status)
    if found:
        pytest.fail("Pages show what this reader must not see:\n" + "\n".join(found))


def record_url(record: models.Model) -> str:
    """The record's page in the staff workspace."""
    slug = slug_for(type(record))
    assert slug is not None, f"{type(record).__name__} has no page"
    return reverse("documentation:detail", args=[slug, record.pk])


def record_marks(record: models.Model) -> list[str]:
    """Strings that give a record away by its id: its page's URL, and its edit and claim URLs
    (which share that prefix). Names and titles are the caller's to add."""
    return [record_url(record)]
