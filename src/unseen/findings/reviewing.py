"""A finding's way to the public: written, submitted, reviewed by a second person who publishes it,
then corrected by dated notes or withdrawn with a reason (ADR 0034).

Each step runs in one transaction with its audit entry, on the row locked against a concurrent
step (two reviewers approving at once publish once). Audit details carry ids, statuses and field
names, never the text.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.audit.log import record
from unseen.audit.models import Action

from . import rendering
from .models import Correction, Decision, Finding, Review, Status

TEXT_FIELDS = (
    "slug",
    "title_en",
    "title_ko",
    "summary_en",
    "summary_ko",
    "body_en",
    "body_ko",
)


class Refused(Exception):
    """The step is not allowed now; the message says why, in the reader's language."""


def _require(user: User, capability: Capability) -> None:
    if not user.can(capability):
        raise Refused(_("You do not have the permission this step needs."))


def _locked(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().get(pk=finding.pk)


def write(data: dict[str, Any], *, by: User, finding: Finding | None = None) -> Finding:
    """A new draft, or changes to a draft. A finding in review, published or withdrawn is
    refused: the reviewer approves what they read, and the public keeps what it read."""
    _require(by, Capability.WRITE_FINDINGS)
    with transaction.atomic():
        if finding is None:
            finding = Finding(author=by, **{name: data.get(name, "") for name in TEXT_FIELDS})
            finding.save()
            record(Action.CREATE, finding, detail={"status": finding.status})
            return finding
        finding = _locked(finding)
        if finding.status != Status.DRAFT:
            raise Refused(
                _("Only a draft can be edited; a published finding is corrected by a dated note.")
            )
        changed = [name for name in TEXT_FIELDS if data.get(name, "") != getattr(finding, name)]
        for name in changed:
            setattr(finding, name, data.get(name, ""))
        if changed:
            finding.save()
            record(Action.UPDATE, finding, detail={"fields": changed})
        return finding


def _publishable_problems(finding: Finding) -> list[str]:
    problems = rendering.problems(finding)
    if not (finding.title_en or finding.title_ko) or not (finding.body_en or finding.body_ko):
        problems.insert(0, _("A finding needs a title and a text."))
    return problems


def submit(finding: Finding, *, by: User) -> Finding:
    """Send a draft for review; refused while anything it embeds is not public."""
    _require(by, Capability.WRITE_FINDINGS)
    with transaction.atomic():
        finding = _locked(finding)
        if finding.status != Status.DRAFT:
            raise Refused(_("Only a draft can be sent for review."))
        problems = _publishable_problems(finding)
        if problems:
            raise Refused(" ".join(problems))
        finding.status = Status.IN_REVIEW
        finding.save(update_fields=["status", "updated_at"])
        record(Action.UPDATE, finding, detail={"status": finding.status, "step": "submitted"})
    return finding


def review(finding: Finding, *, by: User, decision: str, comment: str = "") -> Review:
    """A second person's decision: approve publishes the finding, asking for changes sends it
    back to draft. The author may not review their own finding."""
    _require(by, Capability.REVIEW_RECORDS)
    with transaction.atomic():
        finding = _locked(finding)
        if finding.status != Status.IN_REVIEW:
            raise Refused(_("This finding is not waiting for review."))
        if finding.author_id == by.pk:
            raise Refused(_("You wrote this finding; someone else must review it."))
        if decision not in Decision.values:
            raise Refused(_("Choose a decision."))
        if decision == Decision.APPROVE:
            problems = _publishable_problems(finding)
            if problems:
                raise Refused(" ".join(problems))
        last = finding.history.order_by("-history_id").values_list("history_id", flat=True).first()
        decided = Review.objects.create(
            finding=finding, reviewer=by, decision=decision, comment=comment, revision=last
        )
        if decision == Decision.APPROVE:
            finding.status = Status.PUBLISHED
            finding.reviewer = by
            finding.published_at = timezone.now()
        else:
            finding.status = Status.DRAFT
        finding.save(update_fields=["status", "reviewer", "published_at", "updated_at"])
        record(
            Action.UPDATE,
            finding,
            detail={"status": finding.status, "step": "reviewed", "review": decided.pk},
        )
    return decided


def correct(
    finding: Finding, *, by: User, text_en: str = "", text_ko: str = "", on: dt.date | None = None
) -> Correction:
    """Append a dated correction below a published (or withdrawn) finding; the body is untouched."""
    _require(by, Capability.WRITE_FINDINGS)
    if not (text_en.strip() or text_ko.strip()):
        raise Refused(_("Write what the correction says."))
    with transaction.atomic():
        finding = _locked(finding)
        if not finding.is_public:
            raise Refused(_("A draft is edited, not corrected: corrections follow publication."))
        correction = Correction.objects.create(
            finding=finding,
            author=by,
            text_en=text_en.strip(),
            text_ko=text_ko.strip(),
            corrected_on=on or timezone.localdate(),
        )
        record(
            Action.CREATE,
            correction,
            detail={"finding": finding.pk, "languages": _languages(text_en, text_ko)},
        )
    return correction


def withdraw(finding: Finding, *, by: User, reason_en: str = "", reason_ko: str = "") -> Finding:
    """Take a published finding back: its page stays, says it was withdrawn, when and why."""
    _require(by, Capability.REVIEW_RECORDS)
    if not (reason_en.strip() or reason_ko.strip()):
        raise Refused(_("Say why the finding is withdrawn; the public page shows it."))
    with transaction.atomic():
        finding = _locked(finding)
        if finding.status != Status.PUBLISHED:
            raise Refused(_("Only a published finding can be withdrawn."))
        finding.status = Status.WITHDRAWN
        finding.withdrawn_at = timezone.now()
        finding.withdrawal_reason_en = reason_en.strip()
        finding.withdrawal_reason_ko = reason_ko.strip()
        finding.save()
        record(
            Action.UPDATE,
            finding,
            detail={
                "status": finding.status,
                "step": "withdrawn",
                "languages": _languages(reason_en, reason_ko),
            },
        )
    return finding


def _languages(english: str, korean: str) -> list[str]:
    return [code for code, text in (("en", english), ("ko", korean)) if text.strip()]
