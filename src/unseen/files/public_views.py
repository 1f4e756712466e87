"""The public face of evidence files: /evidence/ (a gallery) and /evidence/<id>/ (one file).

Only files through the publication gate (`files.publishing`) are shown, and of them only the copy
a person's redaction decision made and the pictures made from that copy: never the original,
never a copy made from it before the decision. Anything else is a 404. Each picture carries its
credit and licence line, as the press prints it.

Pictures are served with `Cache-Control: public, no-cache` and an ETag (the picture's SHA-256):
a cache may keep them but must ask again each time, so a file taken off the public side is gone
at once; an unchanged picture is answered 304 without its bytes being read (a read is a custody
event, written into the audit chain).
"""

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from unseen.accounts.access import public

from . import access, publishing, storing
from .models import WorkingCopy

PER_PAGE = 24


def _records(item: publishing.Published) -> list[Any]:
    """The published sources the file stands behind, as the public citations show them (other
    kinds are left out: their labels are not written for the public, a sighting's place or an
    incident's exact date)."""
    from unseen.evidence.models import Source

    return [r for r in access.readable_records(item.file, None) if isinstance(r, Source)]


@public
def gallery(request: HttpRequest) -> HttpResponse:
    page = Paginator(publishing.published_list(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "files/public_gallery.html", {"page": page, "items": page.object_list})


def _published(pk: int) -> publishing.Published:
    item = publishing.public_file(pk)
    if item is None:
        raise Http404
    return item


@public
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _published(pk)
    return render(
        request,
        "files/public_detail.html",
        {
            "item": item,
            "records": _records(item),
            "redacted": item.file.redaction_state == "redacted",
        },
    )


def _serve(
    request: HttpRequest, item: publishing.Published, picture: WorkingCopy
) -> HttpResponseBase:
    etag = f'"{picture.sha256}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponseBase = HttpResponse(status=304)
    else:
        chunks = storing.open_working_copy(picture, user=None, reason="public page", public=True)
        response = StreamingHttpResponse(chunks, content_type=picture.content_type)
        response["Content-Length"] = str(picture.size)
    extension = ".png" if picture.content_type == "image/png" else ".jpg"
    page = f"-p{picture.page}" if picture.page else ""
    response["ETag"] = etag
    response["Cache-Control"] = "public, no-cache"
    response["Content-Disposition"] = (
        content_disposition_header(False, f"{item.file.code}{page}{extension}") or "inline"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@public
def image(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A picture of the published copy: the image, or a page of the PDF (?page=N, from 1)."""
    item = _published(pk)
    number = request.GET.get("page")
    if number is None:
        picture = item.pictures[0]
    else:
        found = next((p for p in item.pictures if str(p.page) == number), None)
        if found is None:
            raise Http404
        picture = found
    return _serve(request, item, picture)


@public
def thumbnail(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = _published(pk)
    return _serve(request, item, item.thumbnail or item.pictures[0])
