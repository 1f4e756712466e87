"""Assigning many records at once: the bulk action "Assign to" of the lists (ADR 0027).

Registered with documentation's bulk actions (this app sits above it). The rule is that of a
single assignment: a record is assigned only to a colleague who may read it; the others are
refused in the preview, record by record. Reassigning keeps a record's due date: the work is
the same, only whose it is changes.
"""

from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from unseen.accounts.models import User, UserLike
from unseen.accounts.roles import Capability
from unseen.audit.log import record_many
from unseen.audit.models import Action
from unseen.documentation.browsing import Kind
from unseen.documentation.bulk_editing import (
    BATCH,
    BulkAction,
    BulkRefused,
    Plan,
    Refusal,
    require_reason,
)

from .models import Assignment, Comment, Reason
from .notifying import notify_many

FIELD = "assignee"


def colleagues() -> list[User]:
    """Active members who may read records at all: whom records may be assigned to."""
    candidates = User.objects.filter(is_active=True).exclude(role="").order_by("username")
    return [user for user in candidates if user.can(Capability.VIEW_RECORDS)]


def assignee_field(user: UserLike) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=gettext_lazy("Assign to"),
        choices=[("", "—"), *((str(c.pk), c.get_username()) for c in colleagues())],
        required=False,
    )


def _assignee(value: str) -> User | None:
    if not value.isdigit():
        return None
    return next((c for c in colleagues() if c.pk == int(value)), None)


def plan_assigning(spec: Kind, user: User, chosen: QuerySet[Any], value: str) -> Plan:
    """Records that would be assigned to the colleague, those assigned to them already, and
    those refused because the colleague may not read them: three queries whatever their number.
    The reason names no level: the editor chose the colleague, not the record's compartment."""
    plan = Plan(spec, value)
    assignee = _assignee(value)
    records = list(chosen.order_by("pk"))
    readable: set[int] = set()
    if assignee is not None:
        readable = set(
            spec.visible(assignee).filter(pk__in=chosen.values("pk")).values_list("pk", flat=True)
        )
        theirs = set(
            Assignment.objects.filter(
                content_type=ContentType.objects.get_for_model(spec.model),
                object_id__in=[r.pk for r in records],
                assignee=assignee,
            ).values_list("object_id", flat=True)
        )
    else:
        theirs = set()
    for record in records:
        if record.pk not in readable:
            plan.refused.append(
                Refusal(
                    record.pk,
                    str(record),
                    _("this colleague may not read it, so it cannot be theirs"),
                )
            )
        elif record.pk in theirs:
            plan.unchanged += 1
        else:
            plan.changing.append(record)
    return plan


def assign_many(plan: Plan, reason: str, by: User) -> int:
    """Assign the planned records: one transaction; an assignment made or changed per record,
    each audited as a single assignment is; the reason as a comment on each record (what the
    assignee reads on the record's page); a notification per record for the assignee and for
    the record's watchers, as a single assignment tells them."""
    require_reason(reason)
    assignee = _assignee(plan.value)
    if assignee is None:
        raise BulkRefused(_("Choose a colleague from the list."))
    objects = plan.changing
    if not objects:
        return 0
    kind = ContentType.objects.get_for_model(plan.spec.model)
    pks = [obj.pk for obj in objects]
    now = timezone.now()
    with transaction.atomic():
        # Again, inside the transaction: a colleague's access may have changed since the preview.
        readable = set(plan.spec.visible(assignee).filter(pk__in=pks).values_list("pk", flat=True))
        if len(readable) != len(pks):
            raise BulkRefused(_("The selection changed since the preview; check it again."))
        existing: dict[int, Assignment] = {}
        for start in range(0, len(pks), BATCH):
            for assignment in Assignment.objects.select_for_update().filter(
                content_type=kind, object_id__in=pks[start : start + BATCH]
            ):
                existing[assignment.object_id] = assignment
        changed = []
        for assignment in existing.values():
            assignment.assignee, assignment.assigned_by, assignment.updated_at = assignee, by, now
            changed.append(assignment)
        Assignment.objects.bulk_update(
            changed, ["assignee", "assigned_by", "updated_at"], batch_size=BATCH
        )
        made = Assignment.objects.bulk_create(
            (
                Assignment(content_type=kind, object_id=pk, assignee=assignee, assigned_by=by)
                for pk in pks
                if pk not in existing
            ),
            batch_size=BATCH,
        )
        Comment.objects.bulk_create(
            (
                Comment(content_type=kind, object_id=pk, author=by, text=reason.strip())
                for pk in pks
            ),
            batch_size=BATCH,
        )
        count = len(objects)
        # As the audit app's save receivers name them for a single assignment: field names only.
        record_many(Action.CREATE, ((a, {"bulk": count}) for a in made))
        record_many(
            Action.UPDATE,
            ((a, {"fields": ["assigned_by", "assignee"], "bulk": count}) for a in changed),
        )
        told = notify_many(plan.spec, objects, [assignee], Reason.ASSIGNED, actor=by)
        notify_many(plan.spec, objects, None, Reason.ACTIVITY, actor=by, besides=told)
    return count


def describe(value: str) -> str:
    assignee = _assignee(value)
    return assignee.get_username() if assignee is not None else ""


ACTION = BulkAction(
    name="assign",
    label=gettext_lazy("Assign to a colleague"),
    plan=plan_assigning,
    apply=assign_many,
    unchanged=lambda count: (
        ngettext(
            "%(count)d is assigned to them already.",
            "%(count)d are assigned to them already.",
            count,
        )
        % {"count": count}
    ),
    done=lambda count: (
        ngettext("Assigned %(count)d record.", "Assigned %(count)d records.", count)
        % {"count": count}
    ),
    field=FIELD,
    make_field=assignee_field,
    describe=describe,
)
