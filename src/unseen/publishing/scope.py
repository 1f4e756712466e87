"""Who a map or chart is built for: the access levels it may read and whether it links into the app.

Public pages read public records and public sources only and link to source citations; staff pages
read what `visible_to(user)` allows and link to the record pages under /app/.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from unseen.accounts.models import AccessLevel, UserLike, visible_access_levels
from unseen.evidence.models import Claim, Source
from unseen.files.publishing import published_behind

# The record pages of the researcher app, by model name.
APP_KINDS = {
    "source": "sources",
    "claim": "claims",
    "testimony": "testimonies",
    "person": "persons",
    "organisation": "organisations",
    "site": "sites",
    "deployment": "deployments",
    "incident": "incidents",
    "sighting": "sightings",
}


# The public pages of records, by model name: only these kinds have one (never persons).
PUBLIC_PAGES = {"organisation": "organisation", "site": "site"}


@dataclass(frozen=True)
class Scope:
    levels: tuple[str, ...]
    links_to_app: bool

    @property
    def name(self) -> str:
        return "staff" if self.links_to_app else "public"

    def records(self, model: type[models.Model]) -> Any:
        """The model's records this scope may read."""
        return model.objects.filter(access_level__in=self.levels)  # type: ignore[attr-defined]

    def url(self, record: models.Model | type[models.Model], pk: int) -> str | None:
        """The record's page in the app (staff); for the public, the public page of an
        organisation or site (`publishing:organisation`, `publishing:site`), else None (public
        pages never link into /app/)."""
        if not self.links_to_app:
            name = PUBLIC_PAGES.get(record._meta.model_name or "")
            return reverse(f"publishing:{name}", args=[pk]) if name else None
        return f"/app/{APP_KINDS[record._meta.model_name or '']}/{pk}/"


PUBLIC = Scope(levels=(AccessLevel.PUBLIC,), links_to_app=False)


def scope_for(user: UserLike | None = None, *, published_only: bool = False) -> Scope:
    """Published records only, or what `user` may read (anonymous users: published only)."""
    if published_only or user is None or not getattr(user, "is_authenticated", False):
        return PUBLIC
    return Scope(levels=tuple(visible_access_levels(user)), links_to_app=True)


def sources_of(scope: Scope, model: type[models.Model], record_ids: Any) -> dict[int, list[int]]:
    """Ids of the readable sources behind each record (record id -> source ids, strongest first).

    `record_ids` may be a list or a values("id") queryset (kept in the database as a subquery).
    """
    claims = (
        Claim.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=record_ids,
            source__access_level__in=scope.levels,
        )
        .order_by("credibility", "source__reliability", "source_id")
        .values_list("object_id", "source_id")
    )
    found: dict[int, list[int]] = {}
    for object_id, source_id in claims:
        ids = found.setdefault(object_id, [])
        if source_id not in ids:
            ids.append(source_id)
    return found


def source_table(scope: Scope, source_ids: Iterable[int]) -> dict[str, dict[str, Any]]:
    """The citation of each source (keyed by id as text, as JSON keys are), readable ones only."""
    ids = set(source_ids)
    if not ids:
        return {}
    table = {}
    sources = Source.objects.filter(pk__in=ids, access_level__in=scope.levels).only(
        "id", "title", "url", "kind", "reliability", "date"
    )
    # The published evidence files each source rests on, with their credit lines.
    files = published_behind(Source, ids)
    for source in sources.order_by("title", "id"):
        table[str(source.pk)] = {
            "id": source.pk,
            "title": source.title,
            "url": source.url,
            "kind": source.get_kind_display(),
            "reliability": source.reliability,
            "date": source.date.isoformat() if source.date else None,
            "app_url": scope.url(Source, source.pk),
            "files": files.get(source.pk, []),
        }
    return table


def merged(*id_lists: Iterable[int]) -> list[int]:
    """Source ids in first-seen order without repeats."""
    seen: dict[int, None] = {}
    for ids in id_lists:
        for source_id in ids:
            seen.setdefault(source_id, None)
    return list(seen)
