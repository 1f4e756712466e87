"""Verdicts on cross-reference candidates, and what accepting one writes to our record.

The queue and its remembered verdicts work as the linkage review's (`linkage.reviewing`): a
verdict is kept (`XrefDecision`) and wins over the score on every later run; a new verdict
withdraws the old one, which is kept; *unsure, skip* is no verdict (ADR 0020): the candidate stays
pending and goes to the back of that reviewer's queue.

Accepting a candidate ("the same") writes, in one transaction and audited: the list's identifier
on the record (`ExternalIdentifier`, in the list's scheme), a `Designation` of an organisation or a
public figure (authority, programme, reference, listing date, the list's code), and a claim on the
record — and one on the designation — whose source is the list at its version and date. A site is
never designated: accepting one adds the claim only. Rejecting a pair that was accepted takes
back what its acceptance added, so the record says what the verdict in force says.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel, User
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.evidence.models import Claim, Credibility, strictest_access_level
from unseen.evidence.revisions import revising
from unseen.linkage.models import ReviewStatus
from unseen.linkage.reviewing import in_reviewer_order as linkage_order
from unseen.linkage.reviewing import next_pending as linkage_next
from unseen.registry.models import (
    Designation,
    ExternalIdentifier,
    IdentifierScheme,
    Organisation,
    PublicFigure,
)

from .models import (
    ListedEntity,
    RecordKind,
    SanctionsList,
    XrefCandidate,
    XrefDecision,
    XrefSkip,
)


class NotPending(Exception):
    """Only a candidate waiting for a verdict can be skipped; a decided one takes another verdict."""


class AcceptRefused(Exception):
    """Accepting would break a rule (the identifier is another record's; the record is gone)."""


def decide(candidate: XrefCandidate, is_match: bool, user: User) -> XrefDecision:
    """An analyst's verdict on a candidate; deciding again replaces the earlier verdict.

    Raises:
        AcceptRefused: "the same" cannot be carried out; nothing was written.
    """
    with transaction.atomic():
        candidate = (
            XrefCandidate.objects.select_for_update()
            .select_related("run__sanctions_list", "listed_entity__sanctions_list")
            .get(pk=candidate.pk)
        )
        key = _key(candidate)
        earlier = XrefDecision.objects.active().filter(**key).first()
        if earlier is not None and earlier.is_match == is_match:
            return earlier  # the same verdict again: nothing to write twice
        taken_back: dict[str, Any] = {}
        if earlier is not None and earlier.is_match:
            taken_back = _take_back(earlier)
        added = _apply(candidate, user) if is_match else {}
        now = timezone.now()
        XrefDecision.objects.active().filter(**key).update(withdrawn_at=now)
        decision = XrefDecision.objects.create(
            **key,
            is_match=is_match,
            decided_by=_who(user),
            decided_at=now,
            candidate=candidate,
            added=added,
        )
        candidate.status = ReviewStatus.ACCEPTED if is_match else ReviewStatus.REJECTED
        candidate.decided_by = _who(user)
        candidate.decided_at = now
        candidate.save(update_fields=["status", "decided_by", "decided_at"])
        record(
            Action.CREATE,
            decision,
            detail={
                "record_kind": candidate.record_kind,
                "record": candidate.record_id,
                "list": key["list_code"],
                "entity": candidate.entity_id,
                "version": candidate.listed_entity.sanctions_list.version,
                "same": is_match,
                "candidate": candidate.pk,
                "added": added,
                "taken_back": taken_back,
            },
        )
    return decision


def skip(candidate: XrefCandidate, user: User) -> XrefSkip:
    """The reviewer is unsure: the candidate goes to the back of their queue, still pending.

    Raises:
        NotPending: the candidate has a verdict (withdrawing one is giving another).
    """
    with transaction.atomic():
        candidate = XrefCandidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status != ReviewStatus.PENDING:
            raise NotPending
        skipped, _created = XrefSkip.objects.update_or_create(
            candidate=candidate, user=user, defaults={"skipped_at": timezone.now()}
        )
        record(
            Action.CREATE,
            skipped,
            detail={
                "record_kind": candidate.record_kind,
                "record": candidate.record_id,
                "entity": candidate.entity_id,
                "unsure": True,
                "candidate": candidate.pk,
            },
        )
    return skipped


def in_reviewer_order(candidates: "QuerySet[XrefCandidate]", user: User) -> "QuerySet[Any]":
    """Candidates in the order this reviewer works through them (as the linkage queue's)."""
    return linkage_order(candidates, user, XrefSkip, "candidate")


def next_pending(
    candidates: "QuerySet[XrefCandidate]", user: User, after: XrefCandidate
) -> int | None:
    return linkage_next(candidates, user, after, XrefSkip, "candidate")


def _key(candidate: XrefCandidate) -> dict[str, Any]:
    return {
        "record_kind": candidate.record_kind,
        "record_id": candidate.record_id,
        "list_code": candidate.listed_entity.sanctions_list.code,
        "entity_id": candidate.entity_id,
    }


def _who(user: User) -> User | None:
    return user if getattr(user, "is_authenticated", False) else None


# --- what an acceptance writes -------------------------------------------------------------------


def identifier_value(sanctions_list: SanctionsList, entity: ListedEntity) -> str:
    """The identifier an accepted match adds: the list's reference (its own id where it has
    none); prefixed with the list's code under the catch-all scheme, where values of several
    lists meet."""
    if sanctions_list.scheme == IdentifierScheme.OPENSANCTIONS:
        value = entity.entity_id
    else:
        value = entity.reference or entity.entity_id
    if sanctions_list.scheme == IdentifierScheme.OTHER:
        value = f"{sanctions_list.code}:{value}"
    return value[:100]


def claim_statement(sanctions_list: SanctionsList, entity: ListedEntity) -> str:
    listed = f", listed on {entity.listed_on.isoformat()}" if entity.listed_on else ""
    reference = f" ({entity.reference})" if entity.reference else ""
    return (
        f"Listed as “{entity.caption}”{reference} on {sanctions_list.title}, version "
        f"{sanctions_list.version}{listed}."
    )


def _apply(candidate: XrefCandidate, user: User) -> dict[str, Any]:
    """Write the identifier, designation and claims of an accepted match; what was added."""
    entity = candidate.listed_entity
    sanctions_list = entity.sanctions_list
    source = sanctions_list.source
    target: Any = (
        candidate.model._default_manager.select_for_update().filter(pk=candidate.record_id).first()
    )
    if target is None:
        raise AcceptRefused(_("The record no longer exists."))
    added: dict[str, Any] = {"claims": []}
    statement = claim_statement(sanctions_list, entity)
    with revising(
        _("Accepted match with %(list)s version %(version)s")
        % {"list": sanctions_list.code, "version": sanctions_list.version},
        source=source,
    ):
        if candidate.record_kind in (RecordKind.ORGANISATION, RecordKind.PUBLIC_FIGURE):
            holder = _holder(target)
            value = identifier_value(sanctions_list, entity)
            existing = ExternalIdentifier.objects.filter(
                scheme=sanctions_list.scheme, value=value
            ).first()
            if existing is None:
                identifier = ExternalIdentifier.objects.create(
                    scheme=sanctions_list.scheme, value=value, **holder
                )
                added["identifier"] = identifier.pk
            elif not _holds(existing, target):
                # The other holder may be beyond the reviewer's level: it is never named.
                raise AcceptRefused(
                    _(
                        "Another record already holds this list identifier: reject this match, "
                        "or merge the two records first."
                    )
                )
            designation = Designation.objects.create(
                **holder,
                authority=(entity.authority or sanctions_list.authority)[:200],
                programme=entity.programme[:100],
                reference=entity.reference[:100],
                listed_on=entity.listed_on,
                listed_on_precision=entity.listed_on_precision,
                reason=entity.reason,
                list_code=sanctions_list.code,
                # New, so never public before someone other than its writer reviewed it
                # (ADR 0025); never more open than the record or the list.
                access_level=strictest_access_level(
                    [target.access_level, source.access_level, AccessLevel.INTERNAL]
                ),
                is_synthetic=target.is_synthetic,
            )
            added["designation"] = designation.pk
            added["claims"].append(
                designation.add_claim(source, Credibility.CONFIRMED, statement).pk
            )
        added["claims"].append(target.add_claim(source, Credibility.CONFIRMED, statement).pk)
    record(
        Action.UPDATE,
        target,
        detail={
            "xref_candidate": candidate.pk,
            "list": sanctions_list.code,
            "version": sanctions_list.version,
            "added": {k: v for k, v in added.items() if v},
        },
    )
    return added


def _holder(target: Any) -> dict[str, Any]:
    if isinstance(target, Organisation):
        return {"organisation": target}
    if isinstance(target, PublicFigure):
        return {"public_figure": target}
    raise AcceptRefused(_("Only organisations and public figures are designated."))


def _holds(identifier: ExternalIdentifier, target: Any) -> bool:
    if isinstance(target, Organisation):
        return identifier.organisation_id == target.pk
    return identifier.public_figure_id == target.pk


def _take_back(decision: XrefDecision) -> dict[str, Any]:
    """Remove what an acceptance added (whatever of it still exists): the pair is not the same."""
    added = decision.added or {}
    taken: dict[str, Any] = {}
    with revising(_("Match rejected after it was accepted")):
        if added.get("claims"):
            taken["claims"] = Claim.objects.filter(pk__in=added["claims"]).delete()[0]
        if added.get("designation"):
            taken["designation"] = Designation.objects.filter(pk=added["designation"]).delete()[0]
        if added.get("identifier"):
            taken["identifier"] = ExternalIdentifier.objects.filter(
                pk=added["identifier"]
            ).delete()[0]
    model = ContentType.objects.get_for_model(_model_of(decision.record_kind))
    record(
        Action.DELETE,
        target_type=f"{model.app_label}.{model.model}",
        target_id=str(decision.record_id),
        detail={"xref_decision": decision.pk, "taken_back": taken},
    )
    return taken


def _model_of(kind: str) -> Any:
    from .models import RECORD_MODELS

    return RECORD_MODELS[kind]
