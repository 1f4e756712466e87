"""Analysts' verdicts on pairs: each one remembered, audited, and in force on every later run."""

from typing import Any

from django.db import transaction
from django.db.models import F, Model, OuterRef, QuerySet, Subquery
from django.utils import timezone

from unseen.accounts.models import User, UserLike
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.registry import vault
from unseen.registry.models import Person

from .models import Entity, LinkDecision, Merge, PairReview, PairSkip, ReviewStatus


def labels(entity: str, pks: list[int]) -> list[str]:
    """How the audit log names records: pseudonyms for persons (so the per-person access report
    finds the entry), ids for sites and organisations."""
    if entity != Entity.PERSON:
        return [str(pk) for pk in pks]
    names = dict(Person.objects.filter(pk__in=pks).values_list("pk", "pseudonym"))
    return [names.get(pk, str(pk)) for pk in pks]


def record_decision(
    entity: str,
    first: int,
    second: int,
    is_match: bool,
    user: User,
    *,
    review: PairReview | None = None,
    merge: Merge | None = None,
) -> LinkDecision:
    """Put a verdict on two records in force; the one it replaces is withdrawn, not deleted."""
    a, b = sorted((int(first), int(second)))
    if a == b:
        raise ValueError("a record is always the same as itself")
    now = timezone.now()
    with transaction.atomic():
        LinkDecision.objects.active().filter(entity=entity, record_a=a, record_b=b).update(
            withdrawn_at=now
        )
        decision = LinkDecision.objects.create(
            entity=entity,
            record_a=a,
            record_b=b,
            is_match=is_match,
            decided_by=user if getattr(user, "is_authenticated", False) else None,
            decided_at=now,
            review=review,
            merge=merge,
        )
        record(
            Action.CREATE,
            decision,
            detail={
                "entity": entity,
                "records": labels(entity, [a, b]),
                "same": is_match,
                "review": review.pk if review else None,
                "merge": merge.pk if merge else None,
            },
        )
    return decision


def decide(review: PairReview, is_match: bool, user: User) -> LinkDecision:
    """An analyst's verdict on a queued pair; deciding again replaces the earlier verdict."""
    with transaction.atomic():
        review = PairReview.objects.select_for_update().select_related("run").get(pk=review.pk)
        review.status = ReviewStatus.ACCEPTED if is_match else ReviewStatus.REJECTED
        review.decided_by = user if getattr(user, "is_authenticated", False) else None
        review.decided_at = timezone.now()
        review.save(update_fields=["status", "decided_by", "decided_at"])
        return record_decision(
            review.run.entity, review.record_a, review.record_b, is_match, user, review=review
        )


class NotPending(Exception):
    """Only a pair waiting for a verdict can be skipped; a decided one takes another verdict."""


def skip(review: PairReview, user: User) -> PairSkip:
    """The reviewer is unsure: the pair goes to the back of their queue, still pending.

    No verdict is recorded and none in force is touched, so the next run's clusters, the capture
    histories and the estimates made from them are as if the reviewer had never seen the pair.
    The skip is audited like a verdict, since it is a reviewer's act on two records.

    Raises:
        NotPending: the pair has a verdict (withdrawing one is giving another).
    """
    with transaction.atomic():
        review = PairReview.objects.select_for_update().select_related("run").get(pk=review.pk)
        if review.status != ReviewStatus.PENDING:
            raise NotPending
        skipped, _created = PairSkip.objects.update_or_create(
            review=review, user=user, defaults={"skipped_at": timezone.now()}
        )
        record(
            Action.CREATE,
            skipped,
            detail={
                "entity": review.run.entity,
                "records": labels(review.run.entity, [review.record_a, review.record_b]),
                "unsure": True,
                "review": review.pk,
            },
        )
    return skipped


def in_reviewer_order(
    reviews: "QuerySet[Any]", user: User, skips: type[Model] = PairSkip, field: str = "review"
) -> "QuerySet[Any]":
    """Pairs in the order this reviewer works through them: those they have not skipped, oldest
    first, then those they skipped, the longest ago first (`skipped_at` is theirs, or None).

    Any queue whose items have pending/decided statuses and a skip model (`skips`, pointing at
    the item by `field`, related name "skips") is worked through alike: the cross-reference's
    candidates are.
    """
    mine = skips._default_manager.filter(**{field: OuterRef("pk")}, user=user).values("skipped_at")[
        :1
    ]
    return reviews.annotate(skipped_at=Subquery(mine)).order_by(
        F("skipped_at").asc(nulls_first=True), "id"
    )


def next_pending(
    reviews: "QuerySet[Any]",
    user: User,
    after: Model,
    skips: type[Model] = PairSkip,
    field: str = "review",
) -> int | None:
    """The pair this reviewer goes to after `after`: the next one they have not skipped, else the
    first they have not skipped, else the one they skipped the longest ago; None when none is left.
    """
    pending = in_reviewer_order(
        reviews.filter(status=ReviewStatus.PENDING).exclude(pk=after.pk), user, skips, field
    )
    fresh = pending.exclude(skips__user=user)
    for candidates in (fresh.filter(id__gt=after.pk), fresh, pending):
        found = candidates.values_list("pk", flat=True).first()
        if found is not None:
            return int(found)
    return None


def verdicts_between(entity: str, pks: list[int]) -> dict[tuple[int, int], bool]:
    """Verdicts in force between any two of these records."""
    wanted = set(pks)
    found = LinkDecision.objects.active().filter(
        entity=entity, record_a__in=wanted, record_b__in=wanted
    )
    return {(a, b): m for a, b, m in found.values_list("record_a", "record_b", "is_match")}


def reveal_identities(review: PairReview, user: UserLike, purpose: str) -> list[Any]:
    """Both persons' identities for a user who holds the vault permission; each read audited.

    Raises:
        PermissionDenied: the user may not read identities.
    """
    if review.run.entity != Entity.PERSON:
        return [None, None]
    persons = Person.objects.in_bulk([review.record_a, review.record_b])
    return [
        vault.read_identity(persons[pk], user=user, purpose=purpose) if pk in persons else None
        for pk in (review.record_a, review.record_b)
    ]
