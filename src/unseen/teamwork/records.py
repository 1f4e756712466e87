"""Which documented record a teamwork row is about, as a given reader may see it.

Every list of this app passes through here: a row whose record the reader may not read (deleted,
or at a level beyond them) is left out, as if it did not exist.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from unseen.accounts.models import User, UserLike
from unseen.accounts.roles import Capability
from unseen.documentation.browsing import KINDS, Kind, slug_for


def kind_for(content_type_id: int) -> Kind | None:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    slug = slug_for(model) if model is not None else None
    return KINDS[slug] if slug else None


def readable_records(user: UserLike, rows: Iterable[Any]) -> dict[tuple[int, int], Any]:
    """(content type id, object id) → record, for the rows' records `user` may read: one query
    per kind present, never one per row."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        wanted[row.content_type_id].add(row.object_id)
    found: dict[tuple[int, int], Any] = {}
    for type_id, ids in wanted.items():
        kind = kind_for(type_id)
        if kind is None:
            continue
        for pk, record in kind.visible(user).in_bulk(list(ids)).items():
            found[(type_id, pk)] = record
    return found


def may_read(user: User, kind: Kind, record: Any) -> bool:
    """Whether `user` may open the record's page (role and access level)."""
    if not user.is_active or not user.can(Capability.VIEW_RECORDS):
        return False
    return kind.visible(user).filter(pk=record.pk).exists()


def record_url(kind: Kind, pk: int) -> str:
    return reverse("documentation:detail", args=[kind.slug, pk])


def colleagues_who_may_read(kind: Kind, record: Any) -> list[User]:
    """Active members who may read the record: whom it may be assigned to."""
    candidates = User.objects.filter(is_active=True).exclude(role="").order_by("username")
    return [user for user in candidates if may_read(user, kind, record)]


def content_type_of(record: Any) -> ContentType:
    return ContentType.objects.get_for_model(type(record))
