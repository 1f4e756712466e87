"""What the linkage pages show, built here so that views stay thin and templates plain.

Records appear as their pseudonym (persons) or name (sites and organisations, which are not
secret), with links to their pages. A person's identity reaches a page only when a user who holds
the vault permission asks for it on a review, with a stated purpose (read through the vault,
audited, never stored).
"""

from collections import defaultdict
from dataclasses import fields as dataclass_fields
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.core.linkage.verdicts import (
    Agreement,
    Change,
    Effect,
    compare_values,
    person_name_fold,
    place_name_fold,
    verdict_effects,
)
from unseen.documentation.browsing import shown_fields
from unseen.documentation.models import Deployment
from unseen.documentation.reading import readable as formatted
from unseen.evidence.models import Source, visible_related
from unseen.registry import vault
from unseen.registry.models import Person

from .histories import NoHistories, capture_histories
from .models import ClusterMember, Entity, LinkageRun, Merge, PairReview, ReviewStatus, RunStatus
from .reviewing import verdicts_between
from .running import HISTOGRAM_BINS

#: The job's stages as the progress page names them.
STAGES = {
    "queued": _("waiting to start"),
    "gathering": _("gathering records and reading the vault"),
    "preparing": _("preparing names, dates and places"),
    "training": _("training the model (no labels needed)"),
    "predicting": _("scoring candidate pairs"),
    "clustering": _("clustering"),
    "done": _("done"),
    "saving": _("saving clusters and the review queue"),
}


def label_of(record: Any) -> str:
    return record.pseudonym if isinstance(record, Person) else str(record)


def detail_url(run: LinkageRun, pk: int) -> str:
    return reverse("documentation:detail", args=[run.slug, pk])


def records_by_pk(run: LinkageRun, pks: list[int], user: UserLike) -> dict[int, Any]:
    """The records among `pks` the user may read, by primary key."""
    levels = visible_access_levels(user)
    return {r.pk: r for r in run.model._default_manager.filter(pk__in=pks, access_level__in=levels)}


def readable(merge: Merge, user: UserLike) -> bool:
    """Whether the user may read every record of a merge (else it is as if it did not exist)."""
    from .models import ENTITY_MODELS

    pks = [merge.survivor, *merge.absorbed]
    levels = visible_access_levels(user)
    model = ENTITY_MODELS[merge.entity]
    return model._default_manager.filter(pk__in=pks, access_level__in=levels).count() == len(pks)


def readable_reviews(run: LinkageRun, user: UserLike) -> Any:
    """The run's pair reviews whose two records the user may both read; the others are absent
    (their ids would say that records beyond the user's level exist and were compared)."""
    readable_pks = run.model._default_manager.filter(
        access_level__in=visible_access_levels(user)
    ).values("pk")
    return run.reviews.filter(record_a__in=readable_pks, record_b__in=readable_pks)


def source_rows(run: LinkageRun, user: UserLike) -> list[dict[str, Any]]:
    """The run's sources (its lists) as `user` may see them: one the user may not read (raised
    since the run was made) appears as "List N", without its title, reliability or link."""
    levels = visible_access_levels(user)
    on_lists = run.counts.get("on_lists", {})
    rows = []
    for n, source in enumerate(run.lists(), start=1):
        visible = source.access_level in levels
        rows.append(
            {
                "source": source if visible else None,
                "label": source.title if visible else _("List %(n)s") % {"n": n},
                "count": on_lists.get(f"S{source.pk}", 0) if run.status == RunStatus.DONE else None,
            }
        )
    return rows


def source_labels(run: LinkageRun, user: UserLike) -> dict[int, str]:
    """Source pk -> what a cluster row names it by, as in `source_rows`."""
    return {
        source.pk: str(row["label"])
        for source, row in zip(run.lists(), source_rows(run, user), strict=True)
    }


def run_summary(run: LinkageRun, user: UserLike) -> dict[str, Any]:
    counts = run.counts
    histogram = counts.get("histogram", [])
    tallest = max(histogram, default=0) or 1
    bars = [
        {
            "low": i / HISTOGRAM_BINS,
            "high": (i + 1) / HISTOGRAM_BINS,
            "pairs": n,
            "width": round(100 * n / tallest, 1),
            "linked": (i + 1) / HISTOGRAM_BINS > run.threshold,
        }
        for i, n in enumerate(histogram)
    ]
    reviews = dict(
        readable_reviews(run, user)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    try:
        histories = capture_histories(run, user)
    except NoHistories:
        histories = None
    rows = []
    if histories is not None:
        rows = [
            ([int(v) for v in pattern], int(count))
            for pattern, count in zip(histories.patterns, histories.counts, strict=True)
        ]
    merges = list(run.merges.select_related("merged_by", "undone_by").order_by("-merged_at"))
    return {
        "bars": bars,
        "review_counts": [
            (status, label, reviews.get(status, 0)) for status, label in ReviewStatus.choices
        ],
        "pending": reviews.get(ReviewStatus.PENDING, 0),
        "histories": histories,
        "history_rows": rows,
        # A merge that involves a record beyond the user's level is absent, as its records are.
        "merges": [(m, _merge_labels(run, m)) for m in merges if readable(m, user)],
        "model_json": run.parameters.get("model"),
        "estimates": estimates_from(run, user),
    }


def estimates_from(run: LinkageRun, user: UserLike) -> list[Any]:
    """The estimates made from this run's clusters that `user` may read, newest first (ADR 0041).

    Through the reverse relation: the estimation app sits above this one and is not imported."""
    return list(
        run.estimate_runs.filter(access_level__in=visible_access_levels(user))
        .select_related("created_by")
        .order_by("-created_at", "-id")
        .only("pk", "title", "created_at", "created_by", "published", "access_level")[:50]
    )


def _merge_labels(run: LinkageRun, merge: Merge) -> dict[str, Any]:
    pks = [merge.survivor, *merge.absorbed]
    names = {pk: label_of(r) for pk, r in run.model._default_manager.in_bulk(pks).items()}
    return {
        "survivor": (
            names.get(merge.survivor, f"#{merge.survivor}"),
            detail_url(run, merge.survivor),
        ),
        "absorbed": [(names.get(pk, f"#{pk}"), detail_url(run, pk)) for pk in merge.absorbed],
    }


def cluster_page(run: LinkageRun, user: UserLike, number: Any, per_page: int) -> Page:
    """One page of the run's clusters of two or more records, each with its members."""
    linked = (
        ClusterMember.objects.filter(run=run)
        .values("cluster")
        .annotate(size=Count("id"))
        .filter(size__gt=1)
        .order_by("cluster")
    )
    page = Paginator(linked, per_page).get_page(number)
    numbers = [row["cluster"] for row in page.object_list]
    members = ClusterMember.objects.filter(run=run, cluster__in=numbers).order_by("record_id")
    by_cluster: dict[int, list[ClusterMember]] = defaultdict(list)
    for member in members:
        by_cluster[member.cluster].append(member)
    records = records_by_pk(run, [m.record_id for m in members], user)
    titles = source_labels(run, user)
    clusters = []
    for cluster in numbers:
        if any(member.record_id not in records for member in by_cluster[cluster]):
            # A cluster with a record beyond the user's level is left out whole: one with a
            # member missing would still say that someone else is on these lists.
            continue
        rows = []
        roots = set()
        for member in by_cluster[cluster]:
            record = records[member.record_id]
            roots.add(record.merged_into_id or record.pk)
            rows.append(
                {
                    "pk": member.record_id,
                    "label": label_of(record),
                    "url": detail_url(run, member.record_id),
                    "merged_into": visible_related(record.merged_into, user),
                    "lists": [titles.get(s, f"S{s}") for s in member.lists],
                }
            )
        clusters.append({"number": cluster, "members": rows, "merged": len(roots) == 1})
    page.object_list = clusters  # type: ignore[assignment]  # rows built for the template
    return page


def record_side(run: LinkageRun, pk: int, user: UserLike, levels: list[str]) -> dict[str, Any]:
    """One record of a pair under review: what it is, which lists it is on, its evidence."""
    record: Any = run.model._default_manager.filter(pk=pk, access_level__in=levels).first()
    if record is None:
        return {"visible": False, "pk": pk}
    member = ClusterMember.objects.filter(run=run, record_id=pk).first()
    lists = visible_related(
        Source.objects.filter(pk__in=member.lists if member else []).order_by("pk"), user
    )
    side: dict[str, Any] = {
        "visible": True,
        "pk": pk,
        "record": record,
        "label": label_of(record),
        "url": detail_url(run, pk),
        "fields": shown_fields(record, user, hidden=HIDDEN_FIELDS),
        "lists": lists,
        "trail": record.evidence_trail(user),
        "cluster": member.cluster if member else None,
        "deployments": None,
    }
    if run.entity == Entity.PERSON:
        side["deployments"] = list(
            Deployment.objects.filter(person=record, access_level__in=levels)
            .select_related("site", "employer")
            .order_by("period_start", "id")[:20]
        )
    return side


# What a review leaves out of a record's fields (a person has no identifying ones: those are in
# the vault); `shown_fields` leaves out related records the user may not read.
HIDDEN_FIELDS = frozenset({"id", "created_at", "updated_at", "notes", "is_synthetic"})


def identity_part(identity: Any) -> dict[str, Any]:
    """A revealed identity for one side of a review: its filled fields with their labels."""
    if identity is None:
        return {"identity": None, "identity_fields": []}
    labels = vault.identity_labels()
    filled = [
        (labels.get(f.name, f.name), getattr(identity, f.name))
        for f in dataclass_fields(identity)
        if getattr(identity, f.name)
    ]
    return {"identity": identity, "identity_fields": filled}


# --- a pair in context: the clusters both records are in, what each verdict would change -------

#: The fields a cluster's member is listed with, after its label (pseudonym or name).
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    Entity.PERSON: ("sex", "birth_year", "nationality", "home_province"),
    Entity.SITE: ("kind", "country", "city"),
    Entity.ORGANISATION: ("kind", "country"),
}


def pair_clusters(run: LinkageRun, review: PairReview, user: UserLike) -> dict[str, Any]:
    """The clusters the pair's two records are in (as the run left them) and, for each verdict,
    a sentence saying what it would change. Members the user may not read are counted, not shown:
    the sizes say how many records a verdict moves, never which."""
    a, b = review.record_a, review.record_b
    numbers = dict(
        ClusterMember.objects.filter(run=run, record_id__in=[a, b]).values_list(
            "record_id", "cluster"
        )
    )
    in_clusters = ClusterMember.objects.filter(run=run, cluster__in=set(numbers.values()))
    by_cluster: dict[int, set[int]] = defaultdict(set)
    for record_id, cluster in in_clusters.values_list("record_id", "cluster"):
        by_cluster[cluster].add(record_id)
    # A record the run has no row for (it cannot happen to a finished run) is a cluster of one.
    members_a = frozenset(by_cluster[numbers[a]] if a in numbers else {a})
    members_b = frozenset(by_cluster[numbers[b]] if b in numbers else {b})
    everyone = sorted(members_a | members_b)
    apart = [pair for pair, same in verdicts_between(run.entity, everyone).items() if not same]
    effects = verdict_effects(members_a, members_b, apart)
    records = records_by_pk(run, everyone, user)
    titles = source_labels(run, user)
    lists = dict(
        ClusterMember.objects.filter(run=run, record_id__in=everyone).values_list(
            "record_id", "lists"
        )
    )
    names = {"a": _cluster_name(numbers.get(a), a), "b": _cluster_name(numbers.get(b), b)}
    clusters = [
        _cluster_rows(run, names["a"], members_a, records, titles, lists, user, (a, b)),
    ]
    if not effects.together:
        clusters.append(
            _cluster_rows(run, names["b"], members_b, records, titles, lists, user, (a, b))
        )
    sizes = {"a": effects.size_a, "b": effects.size_b}
    return {
        "together": effects.together,
        "clusters": clusters,
        "effects": {
            "same": _same_sentence(effects.same, names, sizes),
            "different": _different_sentence(effects.different, names, sizes),
            "unsure": _("Unsure, skip: changes nothing; the pair goes to the back of your queue."),
        },
    }


def _cluster_name(number: int | None, pk: int) -> str:
    if number is None:
        return str(_("record #%(pk)s on its own") % {"pk": pk})
    return str(_("cluster %(number)s") % {"number": number})


def _cluster_rows(
    run: LinkageRun,
    name: str,
    members: frozenset[int],
    records: dict[int, Any],
    titles: dict[int, str],
    lists: dict[int, list[int]],
    user: UserLike,
    pair: tuple[int, int],
) -> dict[str, Any]:
    model_fields = {f.name: f for f in run.model._meta.concrete_fields}
    rows = []
    for pk in sorted(members):
        record = records.get(pk)
        if record is None:
            continue
        rows.append(
            {
                "pk": pk,
                "label": label_of(record),
                "url": detail_url(run, pk),
                "in_pair": pk in pair,
                "fields": [
                    (str(model_fields[f].verbose_name), formatted(record, model_fields[f]))
                    for f in KEY_FIELDS[run.entity]
                ],
                "lists": [titles.get(s, f"S{s}") for s in lists.get(pk, [])],
                "merged_into": visible_related(record.merged_into, user),
            }
        )
    return {"name": name, "size": len(members), "members": rows, "hidden": len(members) - len(rows)}


def _records(n: int) -> str:
    return ngettext("%(n)s record", "%(n)s records", n) % {"n": n}


def _same_sentence(effect: Effect, names: dict[str, str], sizes: dict[str, int]) -> str:
    parts = {
        "a": names["a"],
        "b": names["b"],
        "size_a": _records(sizes["a"]),
        "size_b": _records(sizes["b"]),
        "total": effect.size,
    }
    if effect.change == Change.MERGE:
        return str(
            _(
                "The same: merges %(a)s (%(size_a)s) and %(b)s (%(size_b)s) into one of "
                "%(total)s on the next run."
            )
            % parts
        )
    if effect.change == Change.BLOCKED:
        return str(
            _(
                "The same: would merge %(a)s (%(size_a)s) and %(b)s (%(size_b)s), but a "
                "“not the same” verdict in force between their members keeps them apart."
            )
            % parts
        )
    return str(_("The same: they are already in one cluster, so this changes nothing."))


def _different_sentence(effect: Effect, names: dict[str, str], sizes: dict[str, int]) -> str:
    if effect.change == Change.SPLIT:
        if effect.size == 2:
            return str(
                _("Not the same: splits %(a)s into two records on their own on the next run.")
                % {"a": names["a"]}
            )
        return str(
            _(
                "Not the same: splits %(a)s (%(size)s) so that these two are apart on the next "
                "run; the others follow the record they are closer to."
            )
            % {"a": names["a"], "size": _records(effect.size)}
        )
    return str(_("Not the same: keeps them apart, as they are now."))


# --- the two records' fields side by side, differences marked ----------------------------------

#: Fields compared by a romanisation-folded key: spellings of one name count as equal.
PLACE_FOLDED = frozenset({"name", "city", "home_province", "birth_place"})
PERSON_NAME_FOLDED = frozenset({"full_name", "family_name", "given_name", "name_hangul"})
#: A pseudonym is the platform's own label, different for every record: comparing it says nothing.
NOT_COMPARED = HIDDEN_FIELDS | {"pseudonym"}


def field_comparison(run: LinkageRun, sides: list[dict[str, Any]], user: UserLike) -> list[Any]:
    """Rows (label, value A, value B, agreement) of the two records' fields; empty unless the
    user may read both. Agreement is `Agreement`: equal, folded (the same name romanised
    differently), different or missing."""
    if not all(side["visible"] for side in sides):
        return []
    first, second = (side["record"] for side in sides)
    names = {
        str(f.verbose_name): f.name for f in run.model._meta.concrete_fields
    }  # shown_fields labels fields by their verbose name
    pairs = zip(
        shown_fields(first, user, hidden=NOT_COMPARED),
        shown_fields(second, user, hidden=NOT_COMPARED),
        strict=True,
    )
    return [_row(label, left, right, names.get(label, "")) for (label, left), (_l, right) in pairs]


def identity_comparison(identities: list[Any]) -> list[Any]:
    """Rows as `field_comparison`'s for two identities read from the vault (names folded)."""
    if not all(identities):
        return []
    labels = vault.identity_labels()
    return [
        _row(
            labels.get(f.name, f.name),
            getattr(identities[0], f.name),
            getattr(identities[1], f.name),
            f.name,
        )
        for f in dataclass_fields(identities[0])
        if getattr(identities[0], f.name) or getattr(identities[1], f.name)
    ]


def _row(label: Any, left: Any, right: Any, name: str) -> dict[str, Any]:
    fold = None
    if name in PERSON_NAME_FOLDED:
        fold = person_name_fold(name)
    elif name in PLACE_FOLDED:
        fold = place_name_fold
    agreement = compare_values(left, right, fold)
    return {
        "label": label,
        "values": (left, right),
        "agreement": str(agreement),
        "differs": agreement == Agreement.DIFFERENT,
    }
