"""`/api/v1/files/`: evidence files' metadata, and their working copies' bytes; never an original.

A file is read through the pages' own rule (`files.access.visible_files`: its level and a readable
record it stands behind), with the capability that reads records: anything else is a 404. Opening
a file's metadata is audited as opening its page is; every download of a working copy is a
custody event of its original, written by `storing.open_working_copy` as the page
`files:working_copy` writes it. The original itself (and the embedded metadata it arrived with,
shown on the page as a claim) is downloaded on the file's page only, for a stated reason.
"""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from ninja import Query, Router, Schema
from pydantic import Field

from unseen.accounts.models import UserLike
from unseen.accounts.roles import Capability, Scope
from unseen.audit.log import record as audit
from unseen.audit.models import Action
from unseen.documentation.browsing import slug_for
from unseen.files import access, storing
from unseen.files.models import EvidenceFile
from unseen.files.views import _file, _steps

from .records import ERRORS, Page, user_of
from .runs import INVALID, Paging, paged
from .service import operation

router = Router()

# What the custody report says of a copy read through the API.
API_REASON = "downloaded through the API"

FILES: dict[str, Any] = {
    "capability": Capability.VIEW_RECORDS,
    "scope": Scope.READ,
    "tags": ["files"],
}


class FileFilters(Paging):
    step: Literal["redaction", "review", "changes", "reviewed", "public"] | None = Field(
        None, description="Where files stand on their way to the public, as the list page's."
    )


class FileSummary(Schema):
    id: int
    code: str
    name: str
    content_type: str
    size: int
    sha256: str
    title_en: str
    title_ko: str
    access_level: str
    review_state: str
    redaction_state: str
    text_state: str
    is_synthetic: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class AttachedRecord(Schema):
    kind: str | None
    id: int


class Copy(Schema):
    id: int
    kind: str
    page: int | None
    content_type: str
    size: int
    sha256: str
    made_at: dt.datetime
    derived_from: int | None
    url: str = Field(description="Where to download it (each download is a custody event).")


class FileDetail(FileSummary):
    description_en: str
    description_ko: str
    creator: str
    credit: str
    licence: str
    capture_date: dt.date | None
    capture_date_precision: str
    capture_place: str
    capture_country: str
    scanned_pages: int | None
    records: list[AttachedRecord] = Field(description="The records it stands behind you may read.")
    copies: list[Copy]


class FilePage(Page):
    results: list[FileSummary]


SUMMARY_FIELDS = tuple(name for name in FileSummary.model_fields if name != "code")
DETAIL_FIELDS = (
    "description_en",
    "description_ko",
    "creator",
    "credit",
    "licence",
    "capture_date",
    "capture_date_precision",
    "capture_place",
    "capture_country",
    "scanned_pages",
)


def file_summary(file: EvidenceFile) -> dict[str, Any]:
    return {"code": file.code, **{name: getattr(file, name) for name in SUMMARY_FIELDS}}


def file_detail(file: EvidenceFile, user: UserLike) -> dict[str, Any]:
    return {
        **file_summary(file),
        **{name: getattr(file, name) for name in DETAIL_FIELDS},
        "records": [
            {"kind": slug_for(type(record)), "id": record.pk}
            for record in access.readable_records(file, user)
        ],
        "copies": [
            {
                "id": copy.pk,
                "kind": copy.kind,
                "page": copy.page,
                "content_type": copy.content_type,
                "size": copy.size,
                "sha256": copy.sha256,
                "made_at": copy.made_at,
                "derived_from": copy.derived_from_id,
                "url": reverse("api:file_copy_download", args=[file.pk, copy.pk]),
            }
            for copy in file.working_copies.order_by("kind", "page", "pk")
        ],
    }


@operation(
    router,
    "GET",
    "/files/",
    response={200: FilePage, **INVALID, **ERRORS},
    name="file_list",
    summary="List evidence files",
    description="Files you may read, newest first, as the files page lists them; follow `next`.",
    **FILES,
)
def file_list(request: HttpRequest, filters: Query[FileFilters]) -> Any:
    found = access.visible_files(user_of(request))
    if filters.step is not None:
        found = found.filter(_steps()[filters.step][1])
    return paged(request, found, filters, file_summary)


@operation(
    router,
    "GET",
    "/files/{int:id}/",
    response={200: FileDetail, **ERRORS},
    name="file_detail",
    summary="One evidence file's metadata",
    description=(
        "Its description, the records it stands behind that you may read and its working "
        "copies. 404 for a file beyond your access level. Reading it is audited."
    ),
    **FILES,
)
def file_read(request: HttpRequest, id: int) -> Any:
    user = user_of(request)
    file = _file(user, id)
    audit(Action.VIEW, file, detail={"page": "api"})
    return file_detail(file, user)


BYTES = {"*/*": {"schema": {"type": "string", "format": "binary"}}}


@operation(
    router,
    "GET",
    "/files/{int:id}/copies/{int:copy_id}/",
    response={200: None, **ERRORS},
    name="file_copy_download",
    summary="Download a working copy of an evidence file",
    description=(
        "A thumbnail, preview, redacted copy or copy without metadata, stripped of metadata. "
        "Each download is a custody event in the file's report. Originals are not served here."
    ),
    openapi_extra={"responses": {200: {"description": "The copy's bytes", "content": BYTES}}},
    **FILES,
)
def file_copy(request: HttpRequest, id: int, copy_id: int) -> StreamingHttpResponse:
    user = user_of(request)
    file = _file(user, id)
    found = file.working_copies.filter(pk=copy_id).first()
    if found is None:
        raise Http404
    chunks = storing.open_working_copy(found, user=user, reason=API_REASON, api=True)
    response = StreamingHttpResponse(chunks, content_type=found.content_type)
    response["Content-Length"] = str(found.size)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{file.code}-{found.kind}-{found.pk}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if not found.content_type.startswith("image/"):
        response["Content-Security-Policy"] = "sandbox"
    return response
