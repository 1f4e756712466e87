"""Review before publishing: the review cycle, the two-person rule, comments and claim sign-off
(ADR 0025).

A record moves draft → in review → changes requested / reviewed. The two-person rule: a record
becomes public only if someone other than its last editor reviewed it after that edit. The last
edit is read from the record's revisions (ADR 0021); a review is not an edit, so the workflows
here write the review fields with `QuerySet.update`, which leaves no revision.

The rule is checked where a record is saved (`pre_save`), so forms, the API, reverts and every
later path obey it; forms also show it as a field error (`Record.clean`). A record created at
public by trusted code (the demo loader, fixtures) is not checked here: imports, forms and the API
refuse a new public record before it is written.
"""

import hashlib
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel, User
from unseen.accounts.roles import Capability
from unseen.audit.log import record as audit
from unseen.audit.models import Action

from .models import Claim, ClaimSignOff, Record, ReviewComment, ReviewState, Source
from .revisions import UNTRACKED, has_history


class ReviewRefused(Exception):
    """A review step or a publication the rules do not allow; the message says why, translated."""


# --- the two-person rule -------------------------------------------------------------------------


def last_revision(record: Any) -> Any:
    """The newest revision of `record`, or None (a record without history, or not saved yet)."""
    if record.pk is None or not has_history(type(record)):
        return None
    return (
        type(record)
        .history.filter(id=record.pk)
        .order_by("-history_date", "-history_id")
        .only("history_date", "actor", "history_id")
        .first()
    )


def last_editor(record: Any) -> str:
    """Who made the newest revision of `record` ("" when it has none)."""
    revision = last_revision(record)
    return revision.actor if revision is not None else ""


def newest_actor(model: type[models.Model]) -> Subquery:
    """The `last_editor` of each row of `model` as an expression for `annotate`: many records'
    last editors in one query (None for a record without revisions)."""
    history: Any = model.history  # type: ignore[attr-defined]
    return Subquery(
        history.filter(id=OuterRef("pk"))
        .order_by("-history_date", "-history_id")
        .values("actor")[:1]
    )


def review_is_current(record: Any, revision: Any = None) -> bool:
    """Whether `record` was reviewed, by someone other than its last editor, after that edit."""
    if record.review_state != ReviewState.REVIEWED or record.reviewed_at is None:
        return False
    if not record.reviewed_by:
        return False
    revision = revision if revision is not None else last_revision(record)
    if revision is None:
        return True  # no edit on record: the review stands on what is there
    return record.reviewed_by != revision.actor and record.reviewed_at >= revision.history_date


def _stored(record: Any) -> dict[str, Any] | None:
    return (
        type(record)
        ._default_manager.filter(pk=record.pk)
        .values("access_level", "review_state", "reviewed_by", "reviewed_at")
        .first()
    )


def publication_refusal(record: Any, *, new_records: bool = True) -> str:
    """Why saving `record` as it is now may not make it public ("" when it may, or it is not
    becoming public). Reads the stored row only when the record was not loaded from it.

    `new_records=False` lets a record not yet stored pass (trusted code creating it)."""
    if not isinstance(record, Record) or not has_history(type(record)):
        return ""
    if record.access_level != AccessLevel.PUBLIC:
        return ""
    new = _(
        "A new record cannot be public: save it, send it to review, and publish it once someone other than you has reviewed it."
    )
    if record.pk is None:
        return new if new_records else ""
    stored_level = getattr(record, "_stored_access_level", None)
    if stored_level is None:
        # Not loaded from its row: a new record, or one rebuilt from a revision (revert).
        stored = _stored(record)
        if stored is None:
            return new if new_records else ""
        stored_level = stored["access_level"]
        # A revision brought back carries the review fields of its day, not today's.
        for name in ("review_state", "reviewed_by", "reviewed_at"):
            setattr(record, name, stored[name])
    if stored_level == AccessLevel.PUBLIC:
        return ""
    history: Any = type(record).history  # type: ignore[attr-defined]
    revision = history.filter(id=record.pk).order_by("-history_date", "-history_id").first()
    if review_is_current(record, revision):
        if not _changed_besides_level(record):
            return ""
        return _(
            "Make a record public without changing anything else: save your other changes "
            "first, and have them reviewed."
        )
    return _unreviewed()


def _unreviewed() -> str:
    return _(
        "This record cannot be made public yet: someone other than its last editor must review "
        "it after the last edit (the two-person rule). Send it to review first."
    )


def publication_refusals(model: type[models.Model], records: Iterable[Any]) -> dict[Any, str]:
    """{pk: why} for the stored, not yet public `records` of `model` that may not be made public
    by changing their level alone: the rule of `publication_refusal` for many records at once
    (bulk changes write with `QuerySet.update`, which `pre_save` never sees). Their newest
    revisions are read in two queries per thousand records, and only for records in the
    reviewed state: any other is refused without one."""
    if not issubclass(model, Record) or not has_history(model):
        return {}
    records = list(records)
    reviewed = [r.pk for r in records if r.review_state == ReviewState.REVIEWED]
    history: Any = model.history  # type: ignore[attr-defined]
    newest: dict[Any, Any] = {}
    for start in range(0, len(reviewed), _BATCH):
        pks = reviewed[start : start + _BATCH]
        ids = (
            model._default_manager.filter(pk__in=pks)
            .annotate(
                newest=Subquery(
                    history.filter(id=OuterRef("pk"))
                    .order_by("-history_date", "-history_id")
                    .values("history_id")[:1]
                )
            )
            .values_list("newest", flat=True)
        )
        for revision in history.filter(history_id__in=[i for i in ids if i is not None]).only(
            "id", "history_date", "actor", "history_id"
        ):
            newest[revision.id] = revision
    return {
        record.pk: _unreviewed()
        for record in records
        # A reviewed record without revisions (rare) is looked up again there, and passes.
        if not review_is_current(record, newest.get(record.pk))
    }


_BATCH = 1000


_NOT_CONTENT = frozenset({"access_level", "review_state", "reviewed_by", "reviewed_at"})


def _changed_besides_level(record: Any) -> list[str]:
    """Fields this save changes besides the level and the review: what was reviewed is the row
    as stored, and only that may become public. One query, only when a record becomes public."""
    names = [
        f.attname
        for f in type(record)._meta.concrete_fields
        if f.name not in _NOT_CONTENT and f.name not in UNTRACKED and not f.primary_key
    ]
    stored = type(record)._default_manager.filter(pk=record.pk).values(*names).first() or {}
    return [n for n in names if n in stored and getattr(record, n, None) != stored[n]]


def _refuse_unreviewed_publication(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures loaded as they were written
    # Records created by trusted code (the demo loader, tests, intake promotion after a
    # moderator's decision) pass; forms, imports and the API refuse a new public record.
    refusal = publication_refusal(instance, new_records=False)
    if refusal:
        raise ReviewRefused(refusal)


def _remember_stored_level(sender: Any, instance: Any, **kwargs: Any) -> None:
    # The level now stored: a second save of the same instance is not "becoming public" again.
    instance._stored_access_level = instance.access_level


# --- the review cycle ----------------------------------------------------------------------------


def _set_state(record: Any, state: str, **fields: Any) -> None:
    type(record)._default_manager.filter(pk=record.pk).update(review_state=state, **fields)
    record.review_state = state
    for name, value in fields.items():
        setattr(record, name, value)
    audit(Action.UPDATE, record, detail={"review_state": state})


def send_to_review(record: Any, user: User) -> None:
    """An editor asks for a second pair of eyes."""
    if not user.can(Capability.EDIT_RECORDS):
        raise ReviewRefused(_("Only editors send records to review."))
    if record.review_state == ReviewState.IN_REVIEW:
        raise ReviewRefused(_("This record is in review already."))
    with transaction.atomic():
        _set_state(record, ReviewState.IN_REVIEW, reviewed_by="", reviewed_at=None)


def may_review(record: Any, user: User) -> str:
    """Why `user` may not review `record` now ("" when they may)."""
    if not user.can(Capability.REVIEW_RECORDS):
        return _("You may not review records.")
    editor = last_editor(record)
    if editor and editor == user.get_username():
        return _("You made the last edit of this record; someone else must review it.")
    if getattr(record, "created_by_id", None) == user.pk:
        # A run has no revisions: whoever ran it is its last editor.
        return _("You made the last edit of this record; someone else must review it.")
    return ""


def _comment(record: Any, user: User, comments: dict[str, str]) -> list[ReviewComment]:
    content_type = ContentType.objects.get_for_model(type(record))
    return ReviewComment.objects.bulk_create(
        [
            ReviewComment(
                content_type=content_type,
                object_id=record.pk,
                field_name=name,
                text=text.strip(),
                author=user,
            )
            for name, text in comments.items()
            if text.strip()
        ]
    )


def approve(record: Any, user: User, comments: dict[str, str] | None = None) -> None:
    """`user` reviewed the record as it is now: it may be published (by anyone) until edited."""
    refusal = may_review(record, user)
    if refusal:
        raise ReviewRefused(refusal)
    with transaction.atomic():
        _comment(record, user, comments or {})
        _set_state(
            record,
            ReviewState.REVIEWED,
            reviewed_by=user.get_username(),
            reviewed_at=timezone.now(),
        )


def request_changes(record: Any, user: User, comments: dict[str, str]) -> None:
    """`user` sends the record back with a comment on at least one field."""
    refusal = may_review(record, user)
    if refusal:
        raise ReviewRefused(refusal)
    if not any(text.strip() for text in comments.values()):
        raise ReviewRefused(_("Say what should change: comment on at least one field."))
    with transaction.atomic():
        _comment(record, user, comments)
        _set_state(record, ReviewState.CHANGES_REQUESTED, reviewed_by="", reviewed_at=None)


def comments_on(record: Any) -> list[ReviewComment]:
    return list(
        ReviewComment.objects.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        ).select_related("author")
    )


def resolve_comment(comment: ReviewComment) -> None:
    with transaction.atomic():
        ReviewComment.objects.filter(pk=comment.pk).update(resolved=True)


# --- sign-off per claim --------------------------------------------------------------------------

# What a sign-off vouches for: every field of the claim a reader sees.
_SIGNED_FIELDS = ("source_id", "credibility", "statement", "field", "content_type_id", "object_id")


def fingerprint(claim: Claim) -> str:
    text = "\x1f".join(str(getattr(claim, name)) for name in _SIGNED_FIELDS)
    return hashlib.sha256(text.encode()).hexdigest()


def sign_off(claim: Claim, user: User) -> ClaimSignOff:
    """A reviewer vouches for the claim as it and its source's grade stand now."""
    if not user.can(Capability.REVIEW_RECORDS):
        raise ReviewRefused(_("You may not sign off claims."))
    editor = last_editor(claim)
    if editor and editor == user.get_username():
        raise ReviewRefused(_("You made the last edit of this claim; someone else must sign off."))
    with transaction.atomic():
        ClaimSignOff.objects.filter(claim=claim).delete()
        made = ClaimSignOff.objects.create(
            claim=claim,
            signed_by=user,
            fingerprint=fingerprint(claim),
            reliability=claim.source.reliability,
        )
        audit(Action.UPDATE, claim, detail={"signed_off": True})
    return made


def _clear_changed_claim(sender: Any, instance: Claim, **kwargs: Any) -> None:
    # In the save's transaction: the change and the cleared sign-off stand or fall together.
    ClaimSignOff.objects.filter(claim_id=instance.pk).exclude(
        fingerprint=fingerprint(instance)
    ).delete()


def _clear_regraded_source(sender: Any, instance: Source, **kwargs: Any) -> None:
    ClaimSignOff.objects.filter(claim__source_id=instance.pk).exclude(
        reliability=instance.reliability
    ).delete()


def signed_off_counts(model: type[models.Model], pks: list[Any]) -> dict[Any, tuple[int, int]]:
    """{pk: (claims signed off, claims)} for records of `model`; two queries for a whole page.

    For sources, the claims taken from them; for other records, the claims about them."""
    from django.db.models import Count, Q

    if model is Claim:
        signed = set(
            ClaimSignOff.objects.filter(claim_id__in=pks).values_list("claim_id", flat=True)
        )
        return {pk: (int(pk in signed), 1) for pk in pks}
    claims: Any
    if model is Source:
        claims = Claim.objects.filter(source_id__in=pks).values_list("source_id")
    else:
        claims = Claim.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=pks
        ).values_list("object_id")
    rows = claims.annotate(
        total=Count("id"), signed=Count("id", filter=Q(sign_off__isnull=False))
    ).order_by()
    return {pk: (signed, total) for pk, total, signed in rows}


def connect() -> None:
    for model in _reviewed_models():
        pre_save.connect(
            _refuse_unreviewed_publication, sender=model, dispatch_uid=f"review-{model._meta}"
        )
        post_save.connect(
            _remember_stored_level, sender=model, dispatch_uid=f"reviewed-{model._meta}"
        )
    post_save.connect(_clear_changed_claim, sender=Claim, dispatch_uid="sign-off-claim")
    post_save.connect(_clear_regraded_source, sender=Source, dispatch_uid="sign-off-source")


def _reviewed_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if issubclass(model, Record) and has_history(model) and not model._meta.abstract
    ]
