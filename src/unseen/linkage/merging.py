"""Merging records found to be one entity, and undoing it.

A merge points the other records at one surviving record (`merged_into`); nothing else changes,
so every claim, source, deployment and testimony stays with the record it was made about, and
the survivor's evidence trail shows them all. Undoing clears the pointers again. Each merge puts
"the same" verdicts in force between the survivor and the records merged into it (so later runs
keep them together), and its undo withdraws them.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unseen.accounts.models import User, visible_access_levels
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.evidence.revisions import record_updated

from .models import ENTITY_MODELS, ClusterMember, LinkageRun, LinkDecision, Merge, PairReview
from .reviewing import labels, record_decision, verdicts_between


class MergeRefused(ValueError):
    """The records cannot be merged as asked; the message says why (pseudonyms and ids only)."""


def root_of(model: Any, pk: int) -> int:
    """The record this one is now part of: itself, or the end of its `merged_into` chain."""
    seen = {pk}
    current = pk
    while True:
        parent = model._default_manager.filter(pk=current).values_list("merged_into", flat=True)
        following = parent.first()
        if following is None or following in seen:
            return current
        seen.add(following)
        current = following


def merge_records(
    entity: str, pks: list[int], user: User, *, run: LinkageRun | None = None
) -> Merge:
    """Merge these records (and whatever is already merged into them) into one.

    The survivor is the oldest record among the ones not yet merged into another.

    Raises:
        MergeRefused: a record is missing or not readable by `user`, they are already one
            record, or a verdict in force says two of them are not the same.
    """
    model = ENTITY_MODELS[entity]
    wanted = sorted({int(pk) for pk in pks})
    with transaction.atomic():
        visible = model._default_manager.filter(
            pk__in=wanted, access_level__in=visible_access_levels(user)
        ).select_for_update()
        if sorted(visible.values_list("pk", flat=True)) != wanted:
            raise MergeRefused("some of these records do not exist or you may not read them")
        roots = sorted({root_of(model, pk) for pk in wanted})
        if len(roots) < 2:
            raise MergeRefused("these records are already one record")
        family = {
            pk for root in roots for pk in model._default_manager.get(pk=root).merged_family()
        }
        refused = [
            pair
            for pair, same in verdicts_between(entity, sorted(family | set(wanted))).items()
            if not same
        ]
        if refused:
            names = ", ".join(" and ".join(labels(entity, list(pair))) for pair in refused)
            raise MergeRefused(f"judged not the same: {names}; change that decision before merging")
        survivor, absorbed = roots[0], roots[1:]
        merge = Merge.objects.create(
            run=run,
            entity=entity,
            survivor=survivor,
            absorbed=absorbed,
            merged_by=user if getattr(user, "is_authenticated", False) else None,
        )
        # Keyword dicts: django-stubs cannot resolve lookups on an abstract model's FK.
        model._default_manager.filter(pk__in=absorbed).update(**{"merged_into": survivor})
        # `update` sends no signals: the revisions of the absorbed records are written here.
        record_updated(
            model,
            absorbed,
            _("Merge %(merge)s into record %(survivor)s")
            % {"merge": merge.pk, "survivor": survivor},
        )
        survivor_label = labels(entity, [survivor])[0]
        for pk, label in zip(absorbed, labels(entity, absorbed), strict=True):
            record_decision(entity, survivor, pk, True, user, merge=merge)
            record(
                Action.UPDATE,
                target_type=model._meta.label_lower,
                target_id=str(pk),
                detail={"merged_into": survivor_label, "merge": merge.pk, "record": label},
            )
        record(
            Action.UPDATE,
            target_type=model._meta.label_lower,
            target_id=str(survivor),
            detail={
                "merged": labels(entity, absorbed),
                "merge": merge.pk,
                "record": survivor_label,
                "run": run.pk if run else None,
            },
        )
    return merge


def merge_cluster(run: LinkageRun, cluster: int, user: User) -> Merge:
    """Accept one of a run's clusters: its records become one."""
    pks = list(
        ClusterMember.objects.filter(run=run, cluster=cluster).values_list("record_id", flat=True)
    )
    if len(pks) < 2:
        raise MergeRefused("this cluster holds a single record")
    return merge_records(run.entity, pks, user, run=run)


def merge_pair(review: PairReview, user: User) -> Merge:
    """Merge the two records of a reviewed pair."""
    return merge_records(
        review.run.entity, [review.record_a, review.record_b], user, run=review.run
    )


def undo_merge(merge: Merge, user: User) -> Merge:
    """Restore the merged records as records of their own and withdraw the merge's verdicts.

    Raises:
        MergeRefused: it was already undone.
    """
    model = ENTITY_MODELS[merge.entity]
    with transaction.atomic():
        merge = Merge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone:
            raise MergeRefused("this merge was already undone")
        now = timezone.now()
        restored = list(
            model._default_manager.filter(
                pk__in=merge.absorbed, **{"merged_into": merge.survivor}
            ).values_list("pk", flat=True)
        )
        model._default_manager.filter(pk__in=restored).update(**{"merged_into": None})
        record_updated(model, restored, _("Undoing merge %(merge)s") % {"merge": merge.pk})
        LinkDecision.objects.active().filter(merge=merge).update(withdrawn_at=now)
        merge.undone_at = now
        merge.undone_by = user if getattr(user, "is_authenticated", False) else None
        merge.save(update_fields=["undone_at", "undone_by"])
        survivor_label = labels(merge.entity, [merge.survivor])[0]
        for pk, label in zip(restored, labels(merge.entity, restored), strict=True):
            record(
                Action.UPDATE,
                target_type=model._meta.label_lower,
                target_id=str(pk),
                detail={"unmerged_from": survivor_label, "merge": merge.pk, "record": label},
            )
        record(
            Action.UPDATE,
            merge,
            detail={"undone": True, "restored": labels(merge.entity, restored)},
        )
    return merge
