"""Finding what weakens the evidence: the evidence-gap queue (issue 18 item 8).

Each kind of gap is a `GapKind`: a query of the gaps `user` may see (countable and sliceable, so
the dashboard counts them and a page shows a slice) and a function that turns one slice into
items, each with the page that fixes it. Every query starts from what the reader may read and
judges only by that (the derived-access rule of `unseen.evidence.models`): a fact whose second
source is beyond the reader's level rests, for that reader, on one source, so that neither the
list nor its count tells them the hidden source exists.

Apps above this one add their own kinds with `register` (estimation: published estimates whose
inputs changed), so the queue is one page without this app importing theirs.

"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, Min, OuterRef, Q, QuerySet, Value
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.accounts.roles import Capability
from unseen.evidence.models import Claim, Record, Reliability, ReviewState, Source

from .browsing import KINDS, kind_of, slug_for
from .models import Deployment, IndicatorCoding, Testimony

#: Grades that make a source unreliable for this queue: E unreliable, F cannot be judged.
WEAK_GRADES = (Reliability.E, Reliability.F)
#: Items shown per kind on the queue page; the rest behind "and N more".
PREVIEW = 10


@dataclass(frozen=True)
class Gap:
    """One item of the queue: what is weak, and where it is fixed."""

    label: str
    detail: str
    record_url: str
    fix_url: str


@dataclass(frozen=True)
class GapKind:
    slug: str
    title: str | Promise
    why: str | Promise
    fix_label: str | Promise
    #: The gaps `user` may see: a queryset or list, counted and sliced by the pages.
    rows: Callable[[UserLike], Any]
    #: One slice of `rows` as items, fetched in bulk (a few queries per slice, never per item).
    present: Callable[[Sequence[Any], UserLike], list[Gap]]
    #: Who sees this kind at all: those who can open the page that fixes it.
    capability: str = Capability.VIEW_RECORDS
    order: int = 0

    def count(self, user: UserLike) -> int:
        rows = self.rows(user)
        return rows.count() if isinstance(rows, QuerySet) else len(rows)


_REGISTRY: dict[str, GapKind] = {}


def register(kind: GapKind) -> None:
    _REGISTRY[kind.slug] = kind


def kinds_for(user: UserLike) -> list[GapKind]:
    """The gap kinds `user` may see, in the queue's order."""
    can = getattr(user, "can", None)
    allowed = [k for k in _REGISTRY.values() if can is not None and can(k.capability)]
    return sorted(allowed, key=lambda k: k.order)


def kind_for(user: UserLike, slug: str) -> GapKind | None:
    return next((kind for kind in kinds_for(user) if kind.slug == slug), None)


def counts(user: UserLike) -> list[tuple[GapKind, int]]:
    """Every kind `user` may see with how many gaps of it they may see (the dashboard)."""
    return [(kind, kind.count(user)) for kind in kinds_for(user)]


@dataclass(frozen=True)
class Group:
    kind: GapKind
    count: int
    items: list[Gap]

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


def queue(user: UserLike, preview: int = PREVIEW) -> list[Group]:
    """The queue page: each kind with its count and its first `preview` items."""
    groups = []
    for kind in kinds_for(user):
        rows = kind.rows(user)
        count = rows.count() if isinstance(rows, QuerySet) else len(rows)
        groups.append(Group(kind, count, kind.present(list(rows[:preview]), user)))
    return groups


# --- helpers shared by the kinds ------------------------------------------------------------------


def _can_edit(user: UserLike) -> bool:
    can = getattr(user, "can", None)
    return bool(can is not None and can(Capability.EDIT_RECORDS))


def _detail_url(slug: str, pk: int) -> str:
    return reverse("documentation:detail", args=[slug, pk])


def _fix_or_detail(user: UserLike, name: str, slug: str, pk: int) -> str:
    """The fixing page for those who may edit; the record's page for the others (an analyst sees
    the gap but cannot fix it, and a link to a refused page helps nobody)."""
    if not _can_edit(user):
        return _detail_url(slug, pk)
    if name == "documentation:coding":
        return reverse(name, args=[pk])
    return reverse(name, args=[slug, pk])


def _linkable_types() -> dict[int, str]:
    """Content type id -> kind slug of every record kind with pages (what a claim may be about)."""
    types = ContentType.objects.get_for_models(*(kind.model for kind in KINDS.values()))
    return {ct.pk: slug_for(model) or "" for model, ct in types.items() if slug_for(model)}


def _subjects(rows: Iterable[dict[str, Any]]) -> dict[tuple[int, int], Any]:
    """The records a slice of claim groups is about: one query per kind, not per row."""
    wanted: dict[int, set[int]] = {}
    for row in rows:
        wanted.setdefault(row["content_type"], set()).add(row["object_id"])
    found: dict[tuple[int, int], Any] = {}
    for type_id, pks in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for pk, record in model._default_manager.in_bulk(pks).items():
            found[type_id, pk] = record
    return found


def _field_label(model: Any, name: str) -> str:
    if not name:
        return str(_("the record as a whole"))
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field since renamed or removed: the stored name says which
        return name


# --- claims resting on a single source ------------------------------------------------------------


def single_source_rows(user: UserLike) -> QuerySet[Any]:
    """Facts (a record, or one field of it) whose claims, as `user` may read them, all cite one
    source."""
    return (
        Claim.objects.visible_to(user)
        .filter(content_type_id__in=list(_linkable_types()))
        .values("content_type", "object_id", "field")
        .annotate(sources=Count("source", distinct=True), source_id=Min("source"))
        .filter(sources=1)
        .order_by("content_type", "object_id", "field")
    )


def present_single_source(rows: Sequence[dict[str, Any]], user: UserLike) -> list[Gap]:
    subjects = _subjects(rows)
    slugs = _linkable_types()
    titles = dict(
        Source.objects.filter(pk__in={row["source_id"] for row in rows}).values_list("pk", "title")
    )
    items = []
    for row in rows:
        record = subjects.get((row["content_type"], row["object_id"]))
        if record is None:
            continue
        slug = slugs[row["content_type"]]
        items.append(
            Gap(
                label=str(record),
                detail=str(
                    _("%(field)s: only %(source)s")
                    % {
                        "field": _field_label(type(record), row["field"]),
                        "source": titles.get(row["source_id"], "")[:120],
                    }
                ),
                record_url=_detail_url(slug, record.pk),
                fix_url=_fix_or_detail(user, "documentation:claim_create", slug, record.pk),
            )
        )
    return items


# --- records whose only sources are graded E or F -------------------------------------------------


def weak_source_rows(user: UserLike) -> QuerySet[Any]:
    """Records with readable claims, none of whose readable sources is graded above E."""
    return (
        Claim.objects.visible_to(user)
        .filter(content_type_id__in=list(_linkable_types()))
        .values("content_type", "object_id")
        .annotate(
            sources=Count("source", distinct=True),
            strong=Count("pk", filter=~Q(source__reliability__in=WEAK_GRADES)),
        )
        .filter(strong=0)
        .order_by("content_type", "object_id")
    )


def present_weak_sources(rows: Sequence[dict[str, Any]], user: UserLike) -> list[Gap]:
    subjects = _subjects(rows)
    slugs = _linkable_types()
    items = []
    for row in rows:
        record = subjects.get((row["content_type"], row["object_id"]))
        if record is None:
            continue
        slug = slugs[row["content_type"]]
        items.append(
            Gap(
                label=str(record),
                detail=ngettext(
                    "%(count)s source, graded E or F",
                    "%(count)s sources, all graded E or F",
                    row["sources"],
                )
                % {"count": row["sources"]},
                record_url=_detail_url(slug, record.pk),
                fix_url=_fix_or_detail(user, "documentation:claim_create", slug, record.pk),
            )
        )
    return items


# --- deployments with no coded testimony behind them ----------------------------------------------


def untestified_rows(user: UserLike) -> QuerySet[Any]:
    """Deployments (head counts; proxies, being entries or plans, left out) that no readable claim
    ties to a readable testimony coded against the ILO indicators."""
    levels = visible_access_levels(user)
    coded = Testimony.objects.filter(
        Exists(IndicatorCoding.objects.filter(testimony=OuterRef("pk"))),
        access_level__in=levels,
    ).values("source_id")
    behind = Claim.objects.filter(
        content_type=ContentType.objects.get_for_model(Deployment),
        object_id=OuterRef("pk"),
        source__access_level__in=levels,
        source_id__in=coded,
    )
    return (
        kind_of("deployments")
        .visible(user)
        .filter(is_proxy=False)
        .filter(~Exists(behind))
        .order_by("-id")
    )


def present_records(slug: str, fix: str) -> Callable[[Sequence[Any], UserLike], list[Gap]]:
    def present(rows: Sequence[Any], user: UserLike) -> list[Gap]:
        return [
            Gap(
                label=str(record),
                detail="",
                record_url=_detail_url(slug, record.pk),
                fix_url=_fix_or_detail(user, fix, slug, record.pk),
            )
            for record in rows
        ]

    return present


# --- testimonies not yet coded ----------------------------------------------------------------------


def uncoded_rows(user: UserLike) -> QuerySet[Any]:
    return (
        kind_of("testimonies")
        .visible(user)
        .filter(~Exists(IndicatorCoding.objects.filter(testimony=OuterRef("pk"))))
        .order_by("-id")
    )


# --- sightings linked to no site ------------------------------------------------------------------


def unsited_rows(user: UserLike) -> QuerySet[Any]:
    """Sightings at no site the reader may read: one linked to a site beyond their level is, for
    them, linked to none (listing it otherwise would tell them a hidden site exists)."""
    levels = visible_access_levels(user)
    return (
        kind_of("sightings")
        .visible(user)
        .filter(Q(site__isnull=True) | ~Q(site__access_level__in=levels))
        .order_by("-id")
    )


# --- records never reviewed ----------------------------------------------------------------------

#: States of a record no one has approved yet (ADR 0025); "in review" is someone's work already.
UNREVIEWED_STATES = (ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED)


def _reviewed_kinds() -> list[str]:
    """Kinds that go through review: records with a review state (claims are signed off)."""
    return [slug for slug, spec in KINDS.items() if issubclass(spec.model, Record)]


def unreviewed_rows(user: UserLike) -> QuerySet[Any]:
    """(kind, pk) of every record `user` may read that no one has approved: in draft or sent
    back with changes requested, never reviewed. One query over every kind (a union), so the
    dashboard counts it and a page slices it like any other kind."""
    parts = [
        KINDS[slug]
        .visible(user)
        .select_related(None)
        .filter(review_state__in=UNREVIEWED_STATES, reviewed_at__isnull=True)
        .annotate(gap_kind=Value(slug, output_field=CharField()))
        .values_list("gap_kind", "pk")
        .order_by()
        for slug in _reviewed_kinds()
    ]
    return parts[0].union(*parts[1:], all=True).order_by("gap_kind", "-pk")


def present_unreviewed(rows: Sequence[Any], user: UserLike) -> list[Gap]:
    """Each record with its state; the fix is the review page for reviewers, else the record's
    page, whose "Send to review" button is the fix for an editor (sending is a POST, not a
    link). One query per kind in the slice."""
    wanted: dict[str, list[int]] = {}
    for slug, pk in rows:
        wanted.setdefault(slug, []).append(pk)
    found: dict[tuple[str, int], Any] = {
        (slug, pk): record
        for slug, pks in wanted.items()
        for pk, record in KINDS[slug].model._default_manager.in_bulk(pks).items()
    }
    can = getattr(user, "can", None)
    reviewer = bool(can is not None and can(Capability.REVIEW_RECORDS))
    items = []
    for slug, pk in rows:
        record = found.get((slug, pk))
        if record is None:
            continue
        items.append(
            Gap(
                label=str(record),
                detail=str(
                    _("%(kind)s, %(state)s")
                    % {
                        "kind": record._meta.verbose_name,
                        "state": record.get_review_state_display(),
                    }
                ),
                record_url=_detail_url(slug, pk),
                fix_url=reverse("documentation:review", args=[slug, pk])
                if reviewer
                else _detail_url(slug, pk),
            )
        )
    return items


register(
    GapKind(
        "single-source",
        _("Facts resting on a single source"),
        _("Every claim for the fact cites the same source: add one from a second source."),
        _("Add a second source"),
        single_source_rows,
        present_single_source,
        order=10,
    )
)
register(
    GapKind(
        "unreliable-sources",
        _("Records resting only on unreliable sources"),
        _("Every source behind the record is graded E (unreliable) or F (cannot be judged)."),
        _("Add a better source"),
        weak_source_rows,
        present_weak_sources,
        order=20,
    )
)
register(
    GapKind(
        "no-coded-testimony",
        _("Deployments without a coded testimony"),
        _("No claim about the deployment cites a testimony coded against the ILO indicators."),
        _("Cite a coded testimony"),
        untestified_rows,
        present_records("deployments", "documentation:claim_create"),
        order=30,
    )
)
register(
    GapKind(
        "uncoded-testimonies",
        _("Testimonies not yet coded"),
        _("Code each against the 11 ILO indicators of forced labour."),
        _("Code it"),
        uncoded_rows,
        present_records("testimonies", "documentation:coding"),
        order=40,
    )
)
register(
    GapKind(
        "unsited-sightings",
        _("Sightings linked to no site"),
        _("Link each to the site where the workers were seen."),
        _("Link a site"),
        unsited_rows,
        present_records("sightings", "documentation:edit"),
        order=50,
    )
)
register(
    GapKind(
        "never-reviewed",
        _("Records never reviewed"),
        _(
            "No one other than their editors has reviewed them: they cannot be published until "
            "someone does (the two-person rule)."
        ),
        _("Review it, or send it to review"),
        unreviewed_rows,
        present_unreviewed,
        order=55,
    )
)
