"""The redaction page of a file, and its working copies as staff see them.

`/app/files/<id>/redact/` shows the original (an image, or a PDF page by page) with the boxes the
face detector proposed in the box editor (static/files/redact.js, whose HTML contract the
template follows), blur or fill, "Confirm the redaction" and "No redaction needed (say why)". It
needs the capability that edits records, and the file's level (anything else is a 404). What the
detector proposed travels through the form signed, so the decision records what was really
proposed. `/app/files/<id>/copies/<copy>/` serves one working copy to a reader of the file (each
read is a custody event).
"""

import json
from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from unseen.accounts.access import requires
from unseen.accounts.roles import Capability
from unseen.core.media import MediaError
from unseen.core.media import faces as detecting

from . import redacting
from .models import EvidenceFile, WorkingCopy
from .views import _file, _user

SALT = "unseen.files.redaction.proposal"
PROPOSAL_MAX_AGE = 24 * 3600
# A PDF page in the editor is measured in pixels of the page rendered at this resolution; the
# boxes are in points (1/72 inch) everywhere else.
EDITOR_DPI = detecting.DEFAULT_PDF_DPI


def _to_editor(box: dict[str, Any], pdf: bool) -> dict[str, Any]:
    if not pdf:
        return {
            **box,
            "x": round(box["x"]),
            "y": round(box["y"]),
            "w": round(box["w"]),
            "h": round(box["h"]),
        }
    shown = detecting.points_to_pixels(
        detecting.Box(box["page"], box["x"], box["y"], box["w"], box["h"]), EDITOR_DPI
    )
    return {
        **box,
        "x": round(shown.x),
        "y": round(shown.y),
        "w": max(1, round(shown.w)),
        "h": max(1, round(shown.h)),
    }


def _from_editor(data: Any, pdf: bool) -> Any:
    """The boxes posted by the editor, in the units `redacting.confirm` takes (PDF: points)."""
    if not pdf or not isinstance(data, list):
        return data
    converted = []
    for item in data:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), int | float) and not isinstance(item.get(k), bool)
            for k in ("x", "y", "w", "h")
        ):
            converted.append(item)  # refused, with its reason, by redacting.confirm
            continue
        scale = 72.0 / EDITOR_DPI
        converted.append({**item, **{k: round(item[k] * scale, 2) for k in ("x", "y", "w", "h")}})
    return converted


def _stages(
    file: EvidenceFile, proposal: redacting.Proposal, pictures: list[WorkingCopy]
) -> list[dict[str, Any]]:
    pdf = redacting.is_pdf(file)
    by_page = {picture.page: picture for picture in pictures}
    stages = []
    for page in proposal.pages:
        picture = by_page.get(page.number)
        if picture is None:
            continue
        scale = EDITOR_DPI / 72.0 if pdf else 1.0
        stages.append(
            {
                "page": page.number,
                "width": round(page.width * scale),
                "height": round(page.height * scale),
                "picture": picture,
            }
        )
    return stages


def _page(
    request: HttpRequest,
    file: EvidenceFile,
    *,
    refusal: str = "",
    reason: str = "",
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    context: dict[str, Any] = {
        "file": file,
        "refusal": refusal,
        "reason": reason,
        "can_redact": redacting.can_redact(file),
        "latest": redacting.latest(file),
        "max_pages": redacting.MAX_PICTURE_PAGES,
    }
    if context["can_redact"]:
        try:
            proposal = redacting.propose(file, user)
            pictures = redacting.original_pictures(file, user)
        except (redacting.RedactionRefused, MediaError) as error:
            message = error.translated(_) if isinstance(error, MediaError) else str(error)
            context.update(can_redact=False, unreadable=message)
        else:
            pdf = redacting.is_pdf(file)
            context.update(
                proposal=proposal,
                stages=_stages(file, proposal, pictures),
                boxes=json.dumps([_to_editor(box, pdf) for box in proposal.boxes]),
                token=signing.dumps(
                    {
                        "file": file.pk,
                        "boxes": proposal.boxes,
                        "detector": proposal.detector,
                        "version": proposal.version,
                        "threshold": proposal.threshold,
                    },
                    salt=SALT,
                    compress=True,
                ),
                pages=len(proposal.pages),
            )
    return render(request, "files/redact.html", context, status=status)


@requires(Capability.EDIT_RECORDS)
def redact(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    file = _file(user, pk)
    if request.method != "POST":
        return _page(request, file)
    decision = request.POST.get("decision")
    try:
        if decision == "not_needed":
            reason = request.POST.get("reason", "")[:2000]
            redacting.mark_not_needed(file, user, reason)
            messages.success(request, _("Recorded: this file needs no redaction."))
        elif decision == "confirm":
            try:
                proposed = signing.loads(
                    request.POST.get("proposal", ""), salt=SALT, max_age=PROPOSAL_MAX_AGE
                )
            except signing.BadSignature:
                proposed = None
            if not isinstance(proposed, dict) or proposed.get("file") != file.pk:
                raise redacting.RedactionRefused(
                    _("The page was open too long or came from elsewhere: look at the boxes again.")
                )
            try:
                posted = json.loads(request.POST.get("boxes", ""))
            except ValueError:
                posted = None
            redacting.confirm(
                file,
                user,
                _from_editor(posted, redacting.is_pdf(file)),
                request.POST.get("style", ""),
                proposed=proposed["boxes"],
                detector=proposed["detector"],
                version=proposed["version"],
                threshold=proposed["threshold"],
            )
            messages.success(request, _("Redaction confirmed: the redacted copy is made."))
        else:
            raise redacting.RedactionRefused(
                _("Confirm the redaction, or say why no redaction is needed.")
            )
    except redacting.RedactionRefused as refusal:
        return _page(
            request,
            file,
            refusal=str(refusal),
            reason=request.POST.get("reason", "")[:2000],
            status=400,
        )
    return redirect("files:detail", pk=file.pk)


@requires(Capability.VIEW_RECORDS)
def working_copy(request: HttpRequest, pk: int, copy: int) -> StreamingHttpResponse:
    """One working copy of a file the reader may read, shown inline (a custody event)."""
    from . import storing

    user = _user(request)
    file = _file(user, pk)
    found = file.working_copies.filter(pk=copy).first()
    if found is None:
        raise Http404
    chunks = storing.open_working_copy(found, user=user, reason="shown to staff")
    response = StreamingHttpResponse(chunks, content_type=found.content_type)
    response["Content-Length"] = str(found.size)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if not found.content_type.startswith("image/"):
        response["Content-Security-Policy"] = "sandbox"
    return response
