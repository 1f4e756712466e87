"""Redaction with a person in the loop: the detector proposes, a person decides (ADR 0030).

- `propose(file, user)` reads the original (a custody event: a view) and runs the face detector
  on it (an image, or a PDF page by page): the proposed boxes, with the detector's name, version
  and threshold, and the size of each page in the boxes' units.
- `confirm(file, user, boxes, style, ...)` makes the redacted working copy from the original
  (images: `core.media.redacting.redact_image`; PDFs: `redact_pdf`, then `text_under` must find
  no character under any box, or nothing is kept), the pictures the public side shows of it, a
  `Redaction` row saying who decided what, and sets `redaction_state` to redacted.
- `mark_not_needed(file, user, reason)`: a person says no redaction is needed, and why; the copy
  that may be published is the original without its metadata (images and PDFs), a picture of it
  (videos), or nothing (recordings, tables, text: no picture to show).

The original is never altered. Each decision is one transaction; the blobs of working copies made
for a decision that does not commit are deleted. Every copy made is a custody event (FILE_DERIVE,
by `storing.store_working_copy`), and the state change is a revision of the file, so a file
reviewed before its redaction must be reviewed again before it is published (ADR 0025).
"""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel, User, UserLike
from unseen.audit.models import Action
from unseen.core.media import MediaError, copies, types
from unseen.core.media import faces as detecting
from unseen.core.media import redacting as cutting
from unseen.evidence.revisions import revising

from . import access, storing
from .models import (
    CopyKind,
    EvidenceFile,
    Redaction,
    RedactionDecision,
    RedactionState,
    WorkingCopy,
)

# A file is redacted in memory: larger ones are refused with a message, not a swapped server.
MAX_BYTES = 256 << 20
# The public side shows a PDF page by page: pictures of the first pages only.
MAX_PICTURE_PAGES = 100
PICTURE_WIDTH = copies.PREVIEW_WIDTH
ORIGINS = ("detector", "person")


class RedactionRefused(Exception):
    """A redaction that cannot be made as asked; the message, translated, says why."""


@dataclass(frozen=True)
class Page:
    """A page as the box editor draws on it: its number (None: an image) and its size in the
    boxes' units (an image's pixels as displayed, or a PDF page's points)."""

    number: int | None
    width: float
    height: float


@dataclass(frozen=True)
class Proposal:
    """What the detector proposed for a file, and which detector (kept with the decision)."""

    boxes: list[dict[str, Any]]
    detector: str
    version: str
    threshold: float | None
    pages: list[Page] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        return asdict(self)


def file_type(file: EvidenceFile) -> types.FileType | None:
    try:
        return types.from_content_type(file.content_type)
    except MediaError:
        return None


def is_pdf(file: EvidenceFile) -> bool:
    return file_type(file) == types.PDF


def can_redact(file: EvidenceFile) -> bool:
    """Whether boxes can be drawn on the file: an image Pillow reads, or a PDF."""
    kind = file_type(file)
    return kind is not None and (kind in types.PILLOW_TYPES or kind == types.PDF)


def _check_writer(user: UserLike | None, file: EvidenceFile) -> None:
    if not access.may_write(user) or not access.may_read(user, file):
        raise PermissionDenied("redacting a file needs the capability that edits records")


def _check_not_public(file: EvidenceFile) -> None:
    """A public file's newest decision is what the public sees at once: a new one would be
    published unreviewed (the two-person rule is kept where a file becomes public). The stored
    level decides, not one set on the instance and not saved."""
    if EvidenceFile.objects.filter(pk=file.pk, access_level=AccessLevel.PUBLIC).exists():
        raise RedactionRefused(
            _(
                "This file is public: a new redaction would be published at once, unreviewed. "
                "Change its access level first, redact it again, and have it reviewed."
            )
        )


def _original(file: EvidenceFile, user: UserLike | None, reason: str) -> bytes:
    if file.size > MAX_BYTES:
        raise RedactionRefused(
            _("This file is too large to redact here (at most %(mb)s MB).")
            % {"mb": MAX_BYTES >> 20}
        )
    return storing.read_all(
        storing.open_original(file, user=user, reason=reason, action=Action.FILE_VIEW)
    )


def _unreadable(file: EvidenceFile) -> RedactionRefused:
    if is_pdf(file):
        return RedactionRefused(_("The PDF could not be read (it may be damaged or locked)."))
    return RedactionRefused(_("The image could not be read; it may be damaged."))


def _image_size(data: bytes) -> tuple[int, int]:
    """The image's size as displayed (its EXIF orientation applied), as the boxes measure it."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            turned = image.getexif().get(0x0112) in (5, 6, 7, 8)
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ValueError(str(error)) from error
    return (height, width) if turned else (width, height)


def _pdf_pages(data: bytes) -> list[Page]:
    import pymupdf

    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except (RuntimeError, ValueError) as error:
        raise ValueError(str(error)) from error
    with document:
        if document.needs_pass:
            raise ValueError("the PDF is locked")
        rects = [document[number].rect for number in range(document.page_count)]
        return [
            Page(number, round(rect.width, 2), round(rect.height, 2))
            for number, rect in enumerate(rects, start=1)
        ]


def _pages(file: EvidenceFile, data: bytes) -> list[Page]:
    if is_pdf(file):
        return _pdf_pages(data)
    width, height = _image_size(data)
    return [Page(None, width, height)]


def propose(file: EvidenceFile, user: UserLike | None) -> Proposal:
    """Faces the detector finds in the original, as boxes to confirm (reading it is a view)."""
    _check_writer(user, file)
    if not can_redact(file):
        raise RedactionRefused(_("Boxes can be drawn on images and PDFs only."))
    data = _original(file, user, reason="face detection for redaction")
    try:
        pages = _pages(file, data)
        pdf = is_pdf(file)
        detection = detecting.detect_in_pdf(data) if pdf else detecting.detect_faces(data)
    except ValueError as error:
        raise _unreadable(file) from error
    return Proposal(
        boxes=detection.proposed(),
        detector=detection.detector,
        version=detection.version,
        threshold=float(detection.threshold),
        pages=pages,
    )


def _boxes(file: EvidenceFile, data: Any, style: str, pages: int | None) -> list[dict[str, Any]]:
    """The boxes sent, checked, as the Redaction keeps them (page, x, y, w, h, style, origin)."""
    try:
        parsed = cutting.parse_boxes(data, pdf=is_pdf(file), pages=pages)
    except ValueError as error:
        message = _("The boxes could not be read: %(error)s") % {"error": error}
        raise RedactionRefused(message) from error
    raw = data if isinstance(data, list) else []
    kept = []
    for number, box in enumerate(parsed):
        item = raw[number] if number < len(raw) and isinstance(raw[number], dict) else {}
        origin = item.get("origin") if item.get("origin") in ORIGINS else "person"
        kept.append({**box.to_dict(), "style": style, "origin": origin})
    return kept


def _as_boxes(kept: list[dict[str, Any]]) -> list[detecting.Box]:
    return [detecting.Box(b["page"], b["x"], b["y"], b["w"], b["h"]) for b in kept]


@contextmanager
def _deciding() -> Iterator[list[WorkingCopy]]:
    """One transaction for a decision; the blobs of the copies it made go if it does not commit."""
    made: list[WorkingCopy] = []
    try:
        with transaction.atomic():
            yield made
    except BaseException:
        for copy in made:
            storing.blob_path(copy.blob).unlink(missing_ok=True)
        raise


def _store(
    made: list[WorkingCopy],
    file: EvidenceFile,
    data: bytes,
    *,
    derived_from: WorkingCopy | None = None,
    **options: Any,
) -> WorkingCopy:
    copy = storing.store_working_copy(file, [data], **options)
    made.append(copy)
    if derived_from is not None:
        copy.derived_from = derived_from
        copy.save(update_fields=["derived_from"])
    return copy


def _store_derived(
    made: list[WorkingCopy],
    file: EvidenceFile,
    derived: copies.Derived,
    kind: str,
    user: UserLike | None,
    *,
    derived_from: WorkingCopy | None = None,
    page: int | None = None,
) -> WorkingCopy:
    return _store(
        made,
        file,
        derived.data,
        derived_from=derived_from,
        kind=kind,
        content_type=derived.content_type,
        tool=derived.tool,
        tool_version=derived.tool_version,
        parameters={**derived.parameters, "width": derived.width, "height": derived.height},
        user=user,
        page=page,
    )


def _pictures_of(
    made: list[WorkingCopy],
    file: EvidenceFile,
    copy: WorkingCopy,
    data: bytes,
    user: UserLike | None,
) -> None:
    """The previews (page by page) and thumbnail the public side shows of `copy`, made from it."""
    shown = types.from_content_type(copy.content_type)
    if shown == types.PDF:
        count = len(_pdf_pages(data))
        numbers: list[int | None] = list(range(1, min(count, MAX_PICTURE_PAGES) + 1))
    else:
        numbers = [None]
    for number in numbers:
        picture = copies.preview(data, shown, page=(number or 1) - 1, width=PICTURE_WIDTH)
        _store_derived(made, file, picture, CopyKind.PREVIEW, user, derived_from=copy, page=number)
    _store_derived(
        made, file, copies.thumbnail(data, shown), CopyKind.THUMBNAIL, user, derived_from=copy
    )


def _set_state(file: EvidenceFile, state: str, why: str) -> None:
    """The new state, written to the row as stored (not whatever else the caller's instance holds
    unsaved), as a revision of the file."""
    stored = EvidenceFile.objects.select_for_update().get(pk=file.pk)
    stored.redaction_state = state
    with revising(why):
        stored.save(update_fields=["redaction_state", "updated_at"])
    file.redaction_state = state
    file.updated_at = stored.updated_at


def confirm(
    file: EvidenceFile,
    user: UserLike | None,
    boxes: Any,
    style: str,
    *,
    proposed: list[dict[str, Any]] | None = None,
    detector: str = "",
    version: str = "",
    threshold: float | None = None,
) -> Redaction:
    """Make the redacted working copy of `file` with `boxes` (a list of {page, x, y, w, h,
    origin}, or its JSON) in `style` (blur or fill), and record the decision.

    Raises:
        RedactionRefused: a public file, no boxes, unknown style, boxes that do not fit, an
            unreadable file, or (PDFs) text still found under a box after redaction.
        PermissionDenied: `user` may not edit records or read the file.
    """
    _check_writer(user, file)
    _check_not_public(file)
    if not can_redact(file):
        raise RedactionRefused(_("Boxes can be drawn on images and PDFs only."))
    if style not in cutting.STYLES:
        raise RedactionRefused(_("Choose blur or solid fill."))
    # Boxes that cannot be used are refused before the original is read.
    if not _boxes(file, boxes, style, None):
        raise RedactionRefused(_("Draw at least one box, or say why this file needs no redaction."))
    data = _original(file, user, reason="redaction")
    try:
        pages = len(_pdf_pages(data)) if is_pdf(file) else None
    except ValueError as error:
        raise _unreadable(file) from error
    kept = _boxes(file, boxes, style, pages)
    shapes = _as_boxes(kept)
    try:
        if is_pdf(file):
            redacted = cutting.redact_pdf(data, shapes, style)
            remaining = cutting.text_under(redacted, shapes)
            if remaining.strip():
                raise cutting.RedactionFailed(remaining)
            content_type = "application/pdf"
            parameters = cutting.pdf_parameters(shapes, style)
        else:
            redacted, content_type, parameters = cutting.redact_image(data, shapes, style)
    except cutting.RedactionFailed as error:
        raise RedactionRefused(
            _(
                "The redacted copy still had text under a box, so it was not kept. Try again "
                "with larger boxes, or flatten the document into images."
            )
        ) from error
    except ValueError as error:
        raise _unreadable(file) from error
    tool = str(parameters.get("tool", ""))
    tool_version = str(parameters.get("tool_version", ""))
    with _deciding() as made:
        copy = _store(
            made,
            file,
            redacted,
            kind=CopyKind.REDACTED,
            content_type=content_type,
            tool=tool,
            tool_version=tool_version,
            parameters={**parameters, "style": style, "boxes": kept},
            user=user,
        )
        _pictures_of(made, file, copy, redacted, user)
        redaction = Redaction.objects.create(
            file=file,
            working_copy=copy,
            decision=RedactionDecision.REDACTED,
            boxes=kept,
            proposed=proposed or [],
            detector=detector,
            detector_version=version,
            threshold=threshold,
            confirmed_by=user if isinstance(user, User) else None,
        )
        _set_state(file, RedactionState.REDACTED, _("Redaction confirmed"))
    return redaction


def _stripped(file: EvidenceFile, data: bytes) -> tuple[str, copies.Derived] | None:
    """The copy that may be published of a file needing no redaction, or None (no picture)."""
    kind = file_type(file)
    if kind is None:
        return None
    if kind in types.PILLOW_TYPES:
        return CopyKind.STRIPPED, copies.strip_image(data)
    if kind == types.PDF:
        return CopyKind.STRIPPED, copies.strip_pdf(data)
    try:
        return CopyKind.PREVIEW, copies.preview(data, kind, width=PICTURE_WIDTH)
    except MediaError:
        return None  # a recording, a table, text: nothing to show as a picture


def mark_not_needed(file: EvidenceFile, user: UserLike | None, reason: str) -> Redaction:
    """Record that a person judged `file` to need no redaction, and why; make the copy that may
    be published (the original without its metadata, or a picture of it).

    Raises:
        RedactionRefused: a public file, no reason given, or the file could not be read.
        PermissionDenied: `user` may not edit records or read the file.
    """
    _check_writer(user, file)
    _check_not_public(file)
    reason = reason.strip()
    if not reason:
        raise RedactionRefused(_("Say why this file needs no redaction."))
    data = _original(file, user, reason="copy without metadata")
    try:
        stripped = _stripped(file, data)
    except MediaError as error:
        raise RedactionRefused(error.translated(_)) from error
    with _deciding() as made:
        copy = None
        if stripped is not None:
            kind, derived = stripped
            copy = _store_derived(made, file, derived, kind, user)
            _pictures_of(made, file, copy, derived.data, user)
        redaction = Redaction.objects.create(
            file=file,
            working_copy=copy,
            decision=RedactionDecision.NOT_NEEDED,
            reason=reason,
            confirmed_by=user if isinstance(user, User) else None,
        )
        _set_state(
            file,
            RedactionState.NOT_NEEDED,
            _("No redaction needed: %(reason)s") % {"reason": reason},
        )
    return redaction


# Pictures of the original for the box editor: pages at this width (the editor scales them).
EDITOR_WIDTH = 1200
EDITOR_PURPOSE = "redaction editor"


def original_pictures(file: EvidenceFile, user: UserLike | None) -> list[WorkingCopy]:
    """Previews of the original (an image's one, a PDF's first pages) for the box editor, made
    once and kept as working copies (never published: no redaction decision names them)."""
    _check_writer(user, file)
    kept = list(
        file.working_copies.filter(
            kind=CopyKind.PREVIEW,
            derived_from__isnull=True,
            parameters__purpose=EDITOR_PURPOSE,
        ).order_by("page", "pk")
    )
    if kept:
        return kept
    data = _original(file, user, reason="pictures for redaction")
    shown = file_type(file)
    if shown is None:
        return []
    try:
        count = len(_pdf_pages(data)) if shown == types.PDF else 1
    except ValueError as error:
        raise _unreadable(file) from error
    numbers: list[int | None] = (
        list(range(1, min(count, MAX_PICTURE_PAGES) + 1)) if shown == types.PDF else [None]
    )
    with _deciding() as made:
        for number in numbers:
            picture = copies.preview(data, shown, page=(number or 1) - 1, width=EDITOR_WIDTH)
            kept.append(
                _store(
                    made,
                    file,
                    picture.data,
                    kind=CopyKind.PREVIEW,
                    content_type=picture.content_type,
                    tool=picture.tool,
                    tool_version=picture.tool_version,
                    parameters={
                        **picture.parameters,
                        "purpose": EDITOR_PURPOSE,
                        "width": picture.width,
                        "height": picture.height,
                    },
                    user=user,
                    page=number,
                )
            )
    return kept


def latest(file: EvidenceFile) -> Redaction | None:
    """The newest redaction decision on `file`, or None."""
    return (
        Redaction.objects.filter(file=file)
        .select_related("working_copy", "confirmed_by")
        .order_by("-confirmed_at", "-id")
        .first()
    )
