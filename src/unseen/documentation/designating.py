"""Designations on the pages of the organisations and public figures they name.

A holder is "designated" for a reader while a designation of it that the reader may see is in
force (not delisted, or delisted only in the future). A designation beyond the reader's level is
as if it did not exist: no badge, no row, no count.
"""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from unseen.accounts.models import UserLike
from unseen.evidence.models import visible_related
from unseen.registry.models import Designation, Organisation, PublicFigure

# The designation's key to each kind of holder.
HOLDER_FIELDS: dict[type[Any], str] = {Organisation: "organisation", PublicFigure: "public_figure"}


def holds_designations(model: type[Any]) -> bool:
    return model in HOLDER_FIELDS


def in_force(designations: QuerySet[Designation], day: dt.date | None = None) -> QuerySet[Any]:
    """The designations not ended by `day` (today)."""
    day = day or timezone.localdate()
    return designations.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def of(holder: Any, user: UserLike) -> QuerySet[Designation]:
    """The designations of `holder` that `user` may read, latest listing first."""
    field = HOLDER_FIELDS[type(holder)]
    designations = Designation.objects.filter(**{field: holder.pk})
    return visible_related(designations, user).order_by("-listed_on", "-id")


def is_designated(holder: Any, user: UserLike) -> bool:
    return holds_designations(type(holder)) and in_force(of(holder, user)).exists()


def designated_among(model: type[Any], pks: list[int], user: UserLike) -> set[int]:
    """Which of these records (a list page's) `user` sees designated now: one query."""
    if not holds_designations(model) or not pks:
        return set()
    field = HOLDER_FIELDS[model]
    designations = visible_related(Designation.objects.filter(**{f"{field}__in": pks}), user)
    return set(in_force(designations).values_list(f"{field}_id", flat=True))
