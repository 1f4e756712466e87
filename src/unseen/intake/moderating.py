"""Moderators' decisions: approve (publish a comment, promote a sighting), reject, reject as spam.

Every decision is audited (who, what, never the content), and teaches the spam classifier.
"""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from unseen.accounts.models import UserLike
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.documentation.models import Sighting

from . import spam
from .models import Kind, Status, Submission, Upload
from .promotion import PromotionRefused, Publication, promote

logger = logging.getLogger(__name__)


def approve(
    submission: Submission, *, user: UserLike, publication: Publication | None = None
) -> Sighting | None:
    """Publish a comment, or promote a sighting; returns the Sighting a sighting became.

    A sighting or an addition needs the `publication` the moderator wrote; a comment needs none.
    """
    if submission.kind == Kind.COMMENT:
        with transaction.atomic():
            updated = Submission.objects.filter(pk=submission.pk, status=Status.PENDING).update(
                status=Status.APPROVED, decided_on=timezone.localdate()
            )
            if updated:
                record(
                    Action.UPDATE,
                    submission,
                    actor=user.get_username(),
                    detail={"decision": "approved"},
                )
        submission.refresh_from_db()
        learn()
        return None
    if publication is None:
        raise PromotionRefused("write the description the public will read")
    sighting = promote(submission, user=user, publication=publication)
    learn()
    return sighting


def reject(pks: list[int], *, user: UserLike, as_spam: bool = False) -> int:
    """Reject pending submissions (their uploads and contacts go at the next purge)."""
    status = Status.SPAM if as_spam else Status.REJECTED
    with transaction.atomic():
        chosen = list(
            Submission.objects.filter(pk__in=pks, status=Status.PENDING).values_list(
                "pk", flat=True
            )
        )
        Submission.objects.filter(pk__in=chosen).update(
            status=status, decided_on=timezone.localdate()
        )
        if chosen:
            record(
                Action.UPDATE,
                target_type="intake.submission",
                target_id=",".join(str(pk) for pk in chosen)[:64],
                actor=user.get_username(),
                detail={"decision": str(status), "count": len(chosen), "ids": chosen},
            )
    if chosen and as_spam:
        learn()
    return len(chosen)


def learn() -> bool:
    """Retrain the classifier on the latest decisions (approved: not spam; spam: spam)."""
    examples = [
        (
            f"{row['display_name']} {row['description']} {row['place']} {row['work_kind']}".strip(),
            row["status"] == Status.SPAM,
        )
        for row in Submission.objects.filter(status__in=[Status.APPROVED, Status.SPAM])
        .order_by("-id")
        .values("description", "place", "work_kind", "display_name", "status")[
            : spam.TRAINING_LIMIT
        ]
    ]
    try:
        return spam.train(examples)
    except Exception:  # a failed fit must never lose a decision already made
        logger.exception("spam classifier training failed")
        return False


def purge(*, days: int, today: dt.date | None = None) -> dict[str, int]:
    """Delete rejected and spam submissions decided more than `days` days ago, uploads included."""
    cutoff = (today or timezone.localdate()) - dt.timedelta(days=days)
    doomed = Submission.objects.purgeable(cutoff)
    # Additions to a doomed report go with it (cascade); their files too.
    ids = set(doomed.values_list("pk", flat=True))
    ids |= set(Submission.objects.filter(parent_id__in=ids).values_list("pk", flat=True))
    uploads = list(Upload.objects.filter(submission_id__in=ids))
    files = 0
    for upload in uploads:
        upload.file.delete(save=False)
        files += 1
    with transaction.atomic():
        Submission.objects.filter(pk__in=ids).delete()
        record(
            Action.DELETE,
            target_type="intake.submission",
            detail={"purged_submissions": len(ids), "files": files, "older_than_days": days},
        )
    # The classifier was fitted on spam now deleted: refit it on what is still held, or drop it.
    if ids and not learn():
        spam.forget()
    return {"submissions": len(ids), "files": files}
