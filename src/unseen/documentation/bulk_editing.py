"""Bulk actions on a list: a selection of records, a preview of what would change, then one
transaction that changes them, with a revision and an audit entry per record (ADR 0027).

The access-level rule (docs/architecture.md, "Bulk actions"): a record is never more open than
the evidence it rests on. A record's evidence is the sources of the claims about it (and a
testimony's own source); for every such pair the record must be at least as strict as the source.
So a bulk change is refused, record by record, where

- opening a record would leave a source behind it stricter than the record (a deployment made
  public while a claim about it comes from a confidential source: its facts would be read by
  those the source is kept from);
- closing a source would leave records resting on it more open than it (the same pair seen from
  the source's side);
- closing a record would take away an input of a published derived result (an estimate, a
  revenue run): a public `DerivedRecord` may rest only on public inputs, so the result must be
  withdrawn first;
- opening a record to the public that no one other than its last editor reviewed after that
  edit (the two-person rule of ADR 0025, `reviewing.publication_refusals`): a bulk `UPDATE` is
  not seen by the per-save check, so the rule is applied here, in the preview and again on the
  locked rows at confirmation.

Only records the user may read are selected: ids beyond that, forged or stale, are dropped
without a word, exactly as the list would never have shown them.

Sending to review lives here too; actions of apps above this one (assignment) register a
`BulkAction` and share the preview and the confirmation.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from unseen.accounts.models import AccessLevel, User, UserLike, visible_access_levels
from unseen.audit.context import current_actor
from unseen.audit.log import record_many
from unseen.audit.models import Action
from unseen.evidence import reviewing
from unseen.evidence.models import (
    ACCESS_ORDER,
    Claim,
    DerivedRecord,
    Record,
    ReviewComment,
    ReviewState,
    Source,
    Tag,
    tag_text,
)
from unseen.evidence.revisions import current_why, has_history

from . import indexing
from .browsing import KINDS, Kind
from .forms import FilterForm
from .models import Testimony

# Ticked boxes come from one page of the list; more than this is not a page's worth of ticks.
MAX_TICKED = 1000
# Refused records named on the preview; the rest are counted.
REFUSALS_SHOWN = 100
BATCH = 1000


def bulk_kinds() -> list[str]:
    """Kinds a list offers bulk actions on: every kind with an access level (claims have none,
    they take their source's and subject's)."""
    return [slug for slug, spec in KINDS.items() if spec.model is not Claim]


def selection(spec: Kind, user: UserLike, data: QueryDict) -> QuerySet[Any]:
    """The records a bulk form names: its ticked ids, or (`all`) every record its list filter
    matches; in either case only records `user` may read."""
    visible = spec.visible(user)
    if data.get("all") == "1":
        form = FilterForm(QueryDict(data.get("query", "")), kind=spec)
        if not form.is_valid():
            return visible.none()
        values = form.cleaned_data
        chosen = spec.filter(visible, values, user)
        if values.get("q"):
            chosen = spec.search(chosen, values["q"], user)
        return chosen
    ids = [int(value) for value in data.getlist("ids") if value.isdigit()][:MAX_TICKED]
    return visible.filter(pk__in=ids)


@dataclass
class Refusal:
    pk: int
    label: str
    reason: str


@dataclass
class Plan:
    """What a bulk action would do: the records it changes, those it leaves as they are (at the
    level already, tagged already), and those refused with the reason. `value` is the new level
    or the tag."""

    spec: Kind
    value: str
    changing: list[Any] = field(default_factory=list)
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)

    @property
    def shown_refusals(self) -> list[Refusal]:
        return self.refused[:REFUSALS_SHOWN]


def _stricter(level: str) -> list[str]:
    return list(ACCESS_ORDER[ACCESS_ORDER.index(level) + 1 :])


def _more_open(level: str) -> list[str]:
    return list(ACCESS_ORDER[: ACCESS_ORDER.index(level)])


def _level_name(level: str) -> str:
    return str(AccessLevel(level).label) if level in AccessLevel.values else level


def plan_access_change(spec: Kind, user: UserLike, chosen: QuerySet[Any], level: str) -> Plan:
    """Sort the chosen records into changing, unchanged and refused (with the reason), in a few
    queries whatever their number."""
    plan = Plan(spec, level)
    model = spec.model
    plan.unchanged = chosen.filter(access_level=level).count()
    moving = chosen.exclude(access_level=level).order_by("pk")
    pks = moving.values("pk")
    readable = set(visible_access_levels(user))
    reasons: dict[int, str] = {}

    # Opening a record past a source behind it.
    stricter = _stricter(level)
    if stricter:
        behind: dict[int, set[str]] = {}
        claims = Claim.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=pks,
            source__access_level__in=stricter,
        ).values_list("object_id", "source__access_level")
        for pk, source_level in claims:
            behind.setdefault(pk, set()).add(source_level)
        if model is Testimony:
            for pk, source_level in moving.filter(source__access_level__in=stricter).values_list(
                "pk", "source__access_level"
            ):
                behind.setdefault(pk, set()).add(source_level)
        for pk, levels in behind.items():
            if levels <= readable:
                names = ", ".join(_level_name(x) for x in ACCESS_ORDER if x in levels)
                reasons[pk] = _("it rests on a source at a stricter level (%(levels)s)") % {
                    "levels": names
                }
            else:
                # The source's level is beyond the reader: say no more than that it exists.
                reasons[pk] = _("it rests on evidence beyond your access level")

    # Closing a source past the records resting on it.
    more_open = _more_open(level)
    if model is Source and more_open:
        resting: dict[int, int] = {}
        by_type: dict[int, list[tuple[int, int]]] = {}
        for source_id, type_id, object_id in Claim.objects.filter(source__in=pks).values_list(
            "source_id", "content_type_id", "object_id"
        ):
            by_type.setdefault(type_id, []).append((source_id, object_id))
        for type_id, pairs in by_type.items():
            subject_model = ContentType.objects.get_for_id(type_id).model_class()
            if subject_model is None:
                continue
            open_subjects = set(
                subject_model._default_manager.filter(
                    pk__in=Claim.objects.filter(content_type_id=type_id, source__in=pks).values(
                        "object_id"
                    ),
                    access_level__in=more_open,
                ).values_list("pk", flat=True)
            )
            for source_id, object_id in pairs:
                if object_id in open_subjects:
                    resting[source_id] = resting.get(source_id, 0) + 1
        for source_id in Testimony.objects.filter(
            source__in=pks, access_level__in=more_open
        ).values_list("source_id", flat=True):
            resting[source_id] = resting.get(source_id, 0) + 1
        for pk, count in resting.items():
            reasons.setdefault(
                pk,
                ngettext(
                    "%(count)d record resting on it would be more open than it",
                    "%(count)d records resting on it would be more open than it",
                    count,
                )
                % {"count": count},
            )

    # Closing an input of a published result.
    if level != AccessLevel.PUBLIC:
        for pk in _inputs_of_published(model, moving):
            reasons.setdefault(
                pk, _("it is an input of a published result; withdraw the result first")
            )

    records = list(moving)
    if level == AccessLevel.PUBLIC:
        # The two-person rule, as a single save obeys it (ADR 0025).
        for pk, reason in reviewing.publication_refusals(model, records).items():
            reasons.setdefault(pk, reason)

    for record in records:
        if record.pk in reasons:
            plan.refused.append(Refusal(record.pk, str(record), reasons[record.pk]))
        else:
            plan.changing.append(record)
    return plan


def _inputs_of_published(model: Any, moving: QuerySet[Any]) -> set[int]:
    """Which of `moving` a public derived record (a published run) names as an input.

    Published results are few (each was published by hand), so their inputs are read here
    rather than indexed."""
    label = model._meta.label_lower
    named: set[int] = set()
    for derived in apps.get_models():
        if not issubclass(derived, DerivedRecord):
            continue
        for inputs in derived._default_manager.filter(access_level=AccessLevel.PUBLIC).values_list(
            "derived_from", flat=True
        ):
            named.update(entry["pk"] for entry in inputs or [] if entry.get("model") == label)
    if not named:
        return set()
    return set(moving.filter(pk__in=named).values_list("pk", flat=True))


class BulkRefused(Exception):
    """The change cannot be made as asked; the message says why."""


def require_reason(reason: str) -> None:
    """Every bulk change names its reason; a blank one refuses the whole change."""
    if not reason.strip():
        raise BulkRefused(_("Say why you make this change."))


def change_access_level(plan: Plan, reason: str) -> int:
    """Make the planned change: one transaction, a revision and an audit entry per record, the
    search entries of the records and of those that read their level. Returns how many."""
    require_reason(reason)
    model = plan.spec.model
    objects = plan.changing
    level = plan.value
    if not objects:
        return 0
    now = timezone.now()
    with transaction.atomic():
        pks = [obj.pk for obj in objects]
        if level == AccessLevel.PUBLIC:
            # Again on the rows as they are now, locked: an edit since the preview, or a confirm
            # posted without one, must not publish what no second person reviewed.
            stored = model._default_manager.select_for_update().filter(pk__in=pks)
            refused = reviewing.publication_refusals(model, stored)
            if refused:
                raise BulkRefused(
                    ngettext(
                        "%(count)d record may not be made public: someone other than its last "
                        "editor must review it first (the two-person rule).",
                        "%(count)d records may not be made public: someone other than their last "
                        "editor must review them first (the two-person rule).",
                        len(refused),
                    )
                    % {"count": len(refused)}
                )
        # One UPDATE per batch rather than a save per record: saves send signals that re-index
        # and audit one by one, ten thousand times.
        for start in range(0, len(pks), BATCH):
            model._default_manager.filter(pk__in=pks[start : start + BATCH]).update(
                access_level=level, updated_at=now
            )
        for obj in objects:
            obj.access_level = level
            obj.updated_at = now
        _revisions(model, objects, reason, now)
        detail = {"fields": ["access_level"], "bulk": len(objects)}
        record_many(Action.UPDATE, ((obj, detail) for obj in objects))
        indexing.index_many(model, pks)
    return len(objects)


def _revisions(model: Any, objects: list[Any], reason: str, now: Any, other: Any = ()) -> None:
    """One revision per record, in batches; `other` names parts kept outside its fields."""
    if not has_history(model):
        return
    why = current_why()
    model.history.bulk_history_create(
        objects,
        batch_size=BATCH,
        update=True,
        default_date=now,
        default_change_reason=reason.strip(),
        custom_historical_attrs={
            "actor": current_actor.get(),
            "justifying_source_id": why.source_id,
            "justifying_claim_id": why.claim_id,
            "other_changes": list(other),
        },
    )


def plan_tagging(spec: Kind, chosen: QuerySet[Any], tag: str) -> Plan:
    """Records that would gain the tag, and how many have it already. Nothing is refused: a tag
    is seen only with its record, by whoever may read the record."""
    tag = tag_text(tag)
    plan = Plan(spec, tag)
    tagged = Tag.objects.filter(
        content_type=ContentType.objects.get_for_model(spec.model),
        object_id__in=chosen.values("pk"),
        name=tag,
    ).values("object_id")
    plan.unchanged = chosen.filter(pk__in=tagged).count()
    plan.changing = list(chosen.exclude(pk__in=tagged).order_by("pk"))
    return plan


def add_tag(plan: Plan, reason: str) -> int:
    """Tag the planned records: one transaction, a revision (naming "tags") and an audit entry
    per record. The records' own fields, and so their `updated_at`, are left as they are: a tag
    is not an edit of what a record says."""
    require_reason(reason)
    model = plan.spec.model
    objects = plan.changing
    if not objects:
        return 0
    kind = ContentType.objects.get_for_model(model)
    with transaction.atomic():
        Tag.objects.bulk_create(
            (Tag(name=plan.value, content_type=kind, object_id=obj.pk) for obj in objects),
            batch_size=BATCH,
        )
        _revisions(model, objects, reason, timezone.now(), other=["tags"])
        detail = {"fields": ["tags"], "bulk": len(objects)}
        record_many(Action.UPDATE, ((obj, detail) for obj in objects))
    return len(objects)


# --- actions registered by apps above this one, and sending to review -------------------------


@dataclass(frozen=True)
class BulkAction:
    """A bulk action beyond the two built into the form (the access level and the tag).

    Apps above this one (teamwork: assignment) cannot be imported from here, so they register
    their action in their `AppConfig.ready`, as they register record-page panels. `field` names
    the form field holding the action's value ("" for none), made by `make_field` for a user;
    `plan` sorts the selection as `plan_access_change` does; `apply` makes the change in one
    transaction and says how many; `unchanged` and `done` are the preview's and the result's
    words for a count."""

    name: str
    label: Any
    plan: Callable[[Kind, User, QuerySet[Any], str], Plan]
    apply: Callable[[Plan, str, User], int]
    unchanged: Callable[[int], str]
    done: Callable[[int], str]
    field: str = ""
    make_field: Callable[[UserLike], Any] | None = None
    # What the chosen value reads as on the preview ("" for the value itself).
    describe: Callable[[str], str] | None = None


_ACTIONS: dict[str, BulkAction] = {}


def register(action: BulkAction) -> None:
    _ACTIONS[action.name] = action


def registered() -> list[BulkAction]:
    return list(_ACTIONS.values())


def registered_action(name: str) -> BulkAction | None:
    return _ACTIONS.get(name)


def plan_sending_to_review(spec: Kind, user: User, chosen: QuerySet[Any], value: str) -> Plan:
    """Records that would go to review. Refused: those in review already, and those reviewed
    with nothing edited since (a second review would vouch for the same thing); a record edited
    after its review goes again, as a single send does."""
    plan = Plan(spec, "")
    model = spec.model
    records = list(chosen.order_by("pk"))
    if not issubclass(model, Record):
        for record in records:
            plan.refused.append(Refusal(record.pk, str(record), _("it is not reviewed")))
        return plan
    reviewed = [r for r in records if r.review_state == ReviewState.REVIEWED]
    # The reviewed records whose review no longer holds: they were edited after it.
    stale = reviewing.publication_refusals(model, reviewed)
    for record in records:
        if record.review_state == ReviewState.IN_REVIEW:
            plan.refused.append(Refusal(record.pk, str(record), _("it is in review already")))
        elif record.review_state == ReviewState.REVIEWED and record.pk not in stale:
            plan.refused.append(
                Refusal(record.pk, str(record), _("it is reviewed, and unchanged since"))
            )
        else:
            plan.changing.append(record)
    return plan


def send_to_review(plan: Plan, reason: str, user: User) -> int:
    """Send the planned records to review: one transaction, the reason as a review comment on
    each (what the reviewer reads first), and an audit entry per record naming the state, as a
    single send does. No revision: a review step is not an edit (ADR 0025), and a revision would
    make the sender the records' last editor, barring them from reviewing."""
    require_reason(reason)
    model = plan.spec.model
    objects = plan.changing
    if not objects:
        return 0
    pks = [obj.pk for obj in objects]
    kind = ContentType.objects.get_for_model(model)
    with transaction.atomic():
        # The rows as they are now, locked: a record sent or reviewed since the plan was made is
        # not what the editor confirmed.
        states = dict(
            model._default_manager.select_for_update()
            .filter(pk__in=pks)
            .values_list("pk", "review_state")
        )
        if any(states.get(obj.pk) != obj.review_state for obj in objects):
            raise BulkRefused(_("The selection changed since the preview; check it again."))
        for start in range(0, len(pks), BATCH):
            model._default_manager.filter(pk__in=pks[start : start + BATCH]).update(
                review_state=ReviewState.IN_REVIEW, reviewed_by="", reviewed_at=None
            )
        ReviewComment.objects.bulk_create(
            (
                ReviewComment(
                    content_type=kind, object_id=pk, field_name="", text=reason.strip(), author=user
                )
                for pk in pks
            ),
            batch_size=BATCH,
        )
        for obj in objects:
            obj.review_state = ReviewState.IN_REVIEW
            obj.reviewed_by, obj.reviewed_at = "", None
        detail = {"review_state": ReviewState.IN_REVIEW.value, "bulk": len(objects)}
        record_many(Action.UPDATE, ((obj, detail) for obj in objects))
    return len(objects)


register(
    BulkAction(
        name="review",
        label=gettext_lazy("Send to review"),
        plan=plan_sending_to_review,
        apply=send_to_review,
        unchanged=lambda count: "",
        done=lambda count: (
            ngettext("Sent %(count)d record to review.", "Sent %(count)d records to review.", count)
            % {"count": count}
        ),
    )
)
