"""A file's way to the public, as pages: the publication checklist, send to review, the review
page, the access level (ADR 0025, ADR 0028).

Thin: the two-person rule, the review cycle and its comments are `evidence.reviewing`'s, the
redaction gate is `files.publishing`'s, and the review page is documentation's template with a
file's breadcrumbs and the picture the public would see. Documentation's own review views find
records through its Kind registry, which has no evidence files: these take a file as
`views._file` finds it (its level and a readable record it stands behind, or 404).
"""

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unseen.accounts.access import requires
from unseen.accounts.models import AccessLevel, User
from unseen.accounts.roles import Capability
from unseen.documentation.browsing import INTERNAL_FIELDS, shown_fields
from unseen.documentation.forms import RevisionForm
from unseen.documentation.review_views import comments_by_label, decide
from unseen.evidence import reviewing
from unseen.evidence.models import ReviewState
from unseen.evidence.revisions import changed_between, revising, tracked_names

from . import access, publishing
from .forms import AccessForm
from .models import EvidenceFile
from .views import _file, _user

# What the review page leaves out: storage and keys, the facts of the original (hash, size, type,
# the name it arrived with: never published, shown on the file's page), what the file claims about
# itself, and the states shown on their own. What is left is what would be published.
NOT_REVIEWED = INTERNAL_FIELDS | {
    "blob",
    "sealed_key",
    "sha256",
    "size",
    "content_type",
    "name",
    "embedded_metadata",
    "redaction_state",
    "text_state",
    "scanned_pages",
    "uploaded_by",
    "review_state",
    "reviewed_by",
    "reviewed_at",
}
# Pages of a publishable copy shown to the reviewer (a long PDF: the first ones).
REVIEW_PICTURES = 6
ACCESS_REVISION_PREFIX = "access-revision"


# What making a file public changes: a revision of these alone is no edit of what was reviewed.
LEVEL_ONLY = frozenset({"access_level", "review_state", "reviewed_by", "reviewed_at"})
# How far back the page looks for the last edit of a public file's content.
REVISIONS_LOOKED_AT = 50


def last_content_edit(file: EvidenceFile) -> Any:
    """The newest revision of `file` that changed more than its level: what the review of a
    public file is judged against, since making it public was a revision of its own."""
    history: Any = EvidenceFile.history
    revisions = list(
        history.filter(id=file.pk).order_by("-history_date", "-history_id")[:REVISIONS_LOOKED_AT]
    )
    names = [n for n in tracked_names(history.model) if n not in LEVEL_ONLY]
    for newer, older in zip(revisions, [*revisions[1:], None], strict=True):
        if changed_between(older, newer, names):
            return newer
    return revisions[-1] if revisions else None


def checklist(file: EvidenceFile, user: User) -> dict[str, Any]:
    """What the file page's publication part shows: the redaction decision, the review by
    someone other than the last editor, and what this user may do about either.

    For a file not yet public the review counts as the two-person rule counts it (after the
    newest revision); for a public one, after the newest edit of more than its level."""
    may_write = access.may_write(user)
    can_review = user.can(Capability.REVIEW_RECORDS)
    public = file.access_level == AccessLevel.PUBLIC
    if public:
        review_current = reviewing.review_is_current(file, last_content_edit(file))
    else:
        review_current = reviewing.review_is_current(file)
    return {
        "public": public,
        "redaction_decided": file.redaction_state in publishing.DECIDED,
        "review_current": review_current,
        "last_editor": reviewing.last_editor(file),
        "review_comments": comments_by_label(file, EvidenceFile),
        "can_send_to_review": may_write and file.review_state != ReviewState.IN_REVIEW,
        "can_review": can_review,
        "review_refusal": reviewing.may_review(file, user) if can_review else "",
        "can_redact": may_write,
    }


def access_forms(
    file: EvidenceFile, user: User, data: Any = None
) -> tuple[AccessForm | None, RevisionForm | None]:
    """The access level control and its reason, for those who may change them."""
    if not access.may_write(user):
        return None, None
    return (
        AccessForm(data, instance=file, user=user),
        RevisionForm(data, user=user, editing=True, prefix=ACCESS_REVISION_PREFIX),
    )


@requires(Capability.EDIT_RECORDS)
@require_POST
def send_to_review(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file(_user(request), pk)
    try:
        reviewing.send_to_review(file, _user(request))
    except reviewing.ReviewRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Sent to review."))
    return redirect("files:detail", pk=pk)


@requires(Capability.REVIEW_RECORDS)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The review page: the file's description with a comment box per field, the picture the
    public would see; approve or request changes."""
    user = _user(request)
    file = _file(user, pk)
    labels = {str(f.verbose_name): f.name for f in EvidenceFile._meta.concrete_fields}
    fields = [
        (label, value, labels.get(label, ""))
        for label, value in shown_fields(file, user, NOT_REVIEWED, relations=False)
    ]
    if request.method == "POST":
        if not decide(request, file, user, labels.values()):
            return redirect("files:review", pk=pk)
        return redirect("files:detail", pk=pk)
    copy = publishing.publishable_copy(file)
    pictures = publishing.pictures(copy)[:REVIEW_PICTURES] if copy is not None else []
    return render(
        request,
        "files/review.html",
        {
            "file": file,
            "record": file,
            "fields": fields,
            "review_comments": comments_by_label(file, EvidenceFile),
            "refusal": reviewing.may_review(file, user),
            "last_editor": reviewing.last_editor(file),
            "redaction_decided": file.redaction_state in publishing.DECIDED,
            "pictures": pictures,
        },
    )


@requires(Capability.EDIT_RECORDS)
@require_POST
def change_access(request: HttpRequest, pk: int) -> HttpResponse:
    """The file's access level, and nothing else, with the reason kept in its history. Public
    needs both steps of the checklist: the model refuses it otherwise, and the refusal is shown
    beside the control."""
    from .views import render_detail

    user = _user(request)
    file = _file(user, pk)
    form, revision = access_forms(file, user, request.POST)
    assert form is not None and revision is not None  # EDIT_RECORDS is the capability to write
    if all([form.is_valid(), revision.is_valid()]):
        with transaction.atomic(), revising(**revision.why()):
            form.save()
        messages.success(
            request,
            _("Access level: %(level)s.") % {"level": file.get_access_level_display()},
        )
        return redirect("files:detail", pk=file.pk)
    file.refresh_from_db()  # the page shows the level as stored, the form what was asked
    return render_detail(request, file, access_form=form, access_revision=revision, status=400)
