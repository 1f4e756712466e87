"""HTML and CSS to PDF with WeasyPrint, offline and byte-for-byte repeatable (ADR 0033).

A dossier can carry what only its reader may see, so rendering must never reach outside the
machine: an image or stylesheet at a remote address would tell that server who opened which
record, and when. The fetcher here serves only `data:` URLs and the named assets the caller
hands in (`asset:NAME`); anything else stops the rendering with `RemoteFetchRefused`, rather than
leaving a hole in the page that nobody notices.

Repeatable: WeasyPrint writes no clock time unless the document names one, so the caller puts
`<meta name="dcterms.created" content="...">` (a date taken from the data, never now) into the
head, and the PDF's file identifier is derived from the HTML and the assets. The same input gives
the same bytes on the same fonts and library versions.
"""

import hashlib
from collections.abc import Mapping
from typing import Any

ASSET_SCHEME = "asset:"


def _weasyprint() -> Any:
    """WeasyPrint, imported without its side effect on Pillow.

    Importing it sets Pillow's process-wide `ImageFile.LOAD_TRUNCATED_IMAGES`, after which every
    image opened in that process (an uploaded photo's check among them) accepts a file cut
    short. The worker that renders a dossier also checks uploads, so the setting is put back.
    """
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    import weasyprint
    import weasyprint.images  # the module that changes the setting

    ImageFile.LOAD_TRUNCATED_IMAGES = before
    return weasyprint


class RemoteFetchRefused(Exception):
    """The document asked for something outside it (a web address, a local file)."""

    def __init__(self, url: str) -> None:
        # Only the scheme and host: a path could name a record.
        shown = url.split("?")[0][:80]
        super().__init__(f"rendering refused to fetch {shown!r}: documents carry their own assets")
        self.url = url


def _fetcher(assets: Mapping[str, tuple[bytes, str]], refused: list[str]) -> Any:
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class OfflineFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(ASSET_SCHEME) and url[len(ASSET_SCHEME) :] in assets:
                body, mime_type = assets[url[len(ASSET_SCHEME) :]]
                return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})
            refused.append(url)
            raise FatalURLFetchingError(url)

    return OfflineFetcher(allowed_protocols=("data",))


def render_pdf(
    html: str,
    *,
    assets: Mapping[str, tuple[bytes, str]] | None = None,
    pdf_variant: str | None = None,
) -> bytes:
    """The PDF of `html`. `assets` maps NAME to (bytes, MIME type) for `asset:NAME` URLs.

    Raises `RemoteFetchRefused` when the document refers to anything else but `data:` URLs.
    """
    weasyprint = _weasyprint()
    from weasyprint.urls import FatalURLFetchingError

    assets = assets or {}
    refused: list[str] = []
    digest = hashlib.sha256(html.encode())
    for name in sorted(assets):
        digest.update(name.encode())
        digest.update(assets[name][0])
    options: dict[str, Any] = {"pdf_identifier": digest.digest()[:16]}
    if pdf_variant:
        options["pdf_variant"] = pdf_variant
    try:
        document = weasyprint.HTML(
            string=html, base_url=ASSET_SCHEME, url_fetcher=_fetcher(assets, refused)
        ).render()
    except FatalURLFetchingError as error:
        raise RemoteFetchRefused(refused[0] if refused else str(error)) from None
    if refused:
        raise RemoteFetchRefused(refused[0])
    return bytes(document.write_pdf(**options))
