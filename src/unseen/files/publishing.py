"""The publication gate: what of an evidence file may leave the platform, and with what credit.

A file becomes public (or goes into a public or pseudonymised export) only once a person has
confirmed its redaction or marked it as needing none (`files.redacting`): its `redaction_state`
is then `redacted` or `not_needed`, and a `Redaction` row names the working copy that decision
made. That copy, and the pictures made from it, are all the public side ever shows; the original
never leaves.

The gate is kept where a file is saved, as the two-person rule is (`evidence.reviewing`): the
model's `clean` gives forms and imports a field error, and `pre_save` refuses every other path
(`NotPublishable`). `publishable_copy` is what exports call: the redacted or stripped copy, or
None when the gate is closed.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models.signals import pre_save
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel
from unseen.evidence.reviewing import ReviewRefused

from . import access
from .models import CopyKind, EvidenceFile, Licence, Redaction, RedactionState, WorkingCopy

# The states in which a person has decided what of the file may be seen.
DECIDED = (RedactionState.REDACTED, RedactionState.NOT_NEEDED)
# The kinds of copy a redaction decision may name for publication.
PUBLISHABLE_KINDS = (CopyKind.REDACTED, CopyKind.STRIPPED, CopyKind.PREVIEW)

LICENCE_URLS = {
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_NC: "https://creativecommons.org/licenses/by-nc/4.0/",
    Licence.CC_BY_NC_SA: "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    Licence.CC_BY_ND: "https://creativecommons.org/licenses/by-nd/4.0/",
    Licence.CC_BY_NC_ND: "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    Licence.PDM: "https://creativecommons.org/publicdomain/mark/1.0/",
}


class NotPublishable(ReviewRefused):
    """A file made public before a person decided on its redaction; the message says so."""


def _refusal() -> str:
    return _(
        "This file cannot be made public until a person has confirmed its redaction or marked "
        "it as needing none (Redact, on the file's page)."
    )


def publication_refusal(file: EvidenceFile) -> str:
    """Why `file` may not be saved as it is now ("" when it may): public needs a redaction
    decision, confirmed by a person and recorded (a state set by hand without one is refused)."""
    if file.access_level != AccessLevel.PUBLIC:
        return ""
    if file.redaction_state not in DECIDED or file.pk is None:
        return _refusal()
    if not Redaction.objects.filter(file_id=file.pk, decision=file.redaction_state).exists():
        return _refusal()
    return ""


def publishable_copy(file: EvidenceFile) -> WorkingCopy | None:
    """The copy of `file` that may leave the platform (public pages, public and pseudonymised
    exports): the redacted or stripped copy of the newest redaction decision. None when no person
    has decided yet, or the decision made no copy (a recording has no picture). Never the
    original, and never a copy made from the original before the decision (a thumbnail of the
    unredacted photo)."""
    if file.redaction_state not in DECIDED:
        return None
    redaction = (
        Redaction.objects.filter(file_id=file.pk)
        .select_related("working_copy")
        .order_by("-confirmed_at", "-id")
        .first()
    )
    if redaction is None or redaction.decision != file.redaction_state:
        return None
    copy = redaction.working_copy
    if copy is None or copy.kind not in PUBLISHABLE_KINDS or copy.derived_from_id is not None:
        return None
    return copy


def pictures(copy: WorkingCopy) -> list[WorkingCopy]:
    """What can be shown of a publishable copy as images: its previews, page by page (an image's
    one preview, a PDF's pages), made from the copy itself, never from the original."""
    return list(copy.derived.filter(kind=CopyKind.PREVIEW).order_by("page", "pk"))


def thumbnail(copy: WorkingCopy) -> WorkingCopy | None:
    """The thumbnail made from a publishable copy (for the gallery), or None."""
    return copy.derived.filter(kind=CopyKind.THUMBNAIL).order_by("-pk").first()


# --- The public side -----------------------------------------------------------------------------


def public_files() -> models.QuerySet[EvidenceFile]:
    """Files anyone may see: public, through the gate, and standing behind public records only
    where they stand behind any (`access.visible_files` for an anonymous reader)."""
    return (
        access.visible_files(AnonymousUser())
        .filter(access_level=AccessLevel.PUBLIC, redaction_state__in=DECIDED)
        .order_by("-pk")
    )


@dataclass(frozen=True)
class Published:
    """A public file with what may be shown of it."""

    file: EvidenceFile
    copy: WorkingCopy
    pictures: list[WorkingCopy]
    thumbnail: WorkingCopy | None

    @property
    def title(self) -> str:
        return title(self.file)

    @property
    def description(self) -> str:
        return description(self.file)

    @property
    def credit(self) -> "Credit":
        return credit(self.file)


def published(file: EvidenceFile) -> Published | None:
    """`file` with its publishable copy and that copy's pictures, or None if nothing of it may
    be shown publicly (not public, gate closed, or no picture)."""
    copy = publishable_copy(file)
    if copy is None:
        return None
    shown = pictures(copy)
    if not shown:
        return None
    return Published(file, copy, shown, thumbnail(copy))


def published_list(limit: int | None = None) -> list[Published]:
    """Every file the public may see, newest first (at most `limit`)."""
    found = []
    for file in public_files().iterator(chunk_size=200):
        item = published(file)
        if item is not None:
            found.append(item)
            if limit is not None and len(found) >= limit:
                break
    return found


def public_file(pk: int) -> Published | None:
    """The public file `pk` with what may be shown of it, or None (then: 404)."""
    file = public_files().filter(pk=pk).first()
    return published(file) if file is not None else None


def published_behind(model: type[models.Model], ids: Any) -> dict[int, list[dict[str, Any]]]:
    """{record id: [published file, ...]} for records of `model`: what the public side shows of
    each file a published record rests on (its page, title and credit line), as plain data."""
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    from .models import Attachment

    links = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=list(ids),
        file__in=public_files(),
    ).order_by("object_id", "file_id")
    found: dict[int, list[dict[str, Any]]] = {}
    shown: dict[int, Published | None] = {}
    for link in links.select_related("file"):
        if link.file_id not in shown:
            shown[link.file_id] = published(link.file)
        item = shown[link.file_id]
        if item is None:
            continue
        line = item.credit
        found.setdefault(link.object_id, []).append(
            {
                "id": item.file.pk,
                "url": reverse("evidence:detail", args=[item.file.pk]),
                "title": item.title,
                "credit": {
                    "label": str(line.label),
                    "by": line.by,
                    "licence": line.licence,
                    "licence_code": line.licence_code,
                    "licence_url": line.licence_url,
                },
            }
        )
    return found


def _korean() -> bool:
    return (get_language() or "").startswith("ko")


def title(file: EvidenceFile) -> str:
    """The title in the reader's language, the other when that one is blank."""
    first, second = (file.title_ko, file.title_en) if _korean() else (file.title_en, file.title_ko)
    return first or second or file.code


def description(file: EvidenceFile) -> str:
    """The description in the reader's language, the other when that one is blank."""
    first, second = (
        (file.description_ko, file.description_en)
        if _korean()
        else (file.description_en, file.description_ko)
    )
    return first or second


@dataclass(frozen=True)
class Credit:
    """The line under a published picture, as the press prints it: "Photo: NASA · Public domain
    mark" (the licence linked to its text where it has one)."""

    label: Any  # "Photo" or "Document" (lazy translation)
    by: str
    licence: str
    licence_code: str
    licence_url: str


def credit(file: EvidenceFile) -> Credit:
    is_image = file.content_type.startswith("image/")
    label = gettext_lazy("Photo") if is_image else gettext_lazy("Document")
    return Credit(
        label=label,
        by=file.credit or file.creator,
        licence=str(Licence(file.licence).label) if file.licence in Licence.values else "",
        licence_code=file.licence,
        licence_url=LICENCE_URLS.get(Licence(file.licence), "")
        if file.licence in Licence.values
        else "",
    )


# --- The gate where a file is saved --------------------------------------------------------------


def _refuse_unredacted_publication(sender: Any, instance: EvidenceFile, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures loaded as they were written
    refusal = publication_refusal(instance)
    if refusal:
        raise NotPublishable(refusal)


def connect() -> None:
    pre_save.connect(
        _refuse_unredacted_publication, sender=EvidenceFile, dispatch_uid="files-publication-gate"
    )
