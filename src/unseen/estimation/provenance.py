"""Where an estimate came from, and whether it still rests on the records as they are (ADR 0041).

A run made from a linkage run keeps the run (`EstimateRun.linkage_run`), the records each list
held (`list_records`: the run's cluster members, by list position) and `baseline_change`: the
audit entry that queued the linkage run, the newest change its job could have read. After that:

- an audited edit (`update`, a write to the identity vault), deletion or merge of a record on a
  list,
- a claim from one of the lists' sources about a record of the run's kind added, edited or
  deleted (a record is on a list because such a claim is about it; for persons also a testimony
  of that source naming its interviewee),
- an analyst's verdict given or withdrawn on two of the records (the clusters would differ),

means the lists a fresh linkage would give are not the ones estimated: the run is *stale*. It is
shown, never recomputed silently: the frozen table stays what was estimated, and re-running it
gives the same numbers; a new estimate needs a fresh linkage run.

Only what the reader may read now is counted (a record raised beyond their level must not show
them that something happened to it), and records deleted since, which were all readable to
whoever read the linkage run. Every query is one per kind of thing across all the runs asked
about (the run list asks about two hundred), never one per run or per record.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.audit.models import Action, AuditEntry
from unseen.documentation.models import Testimony
from unseen.evidence.models import Claim, Source, input_of
from unseen.linkage.models import (
    ENTITY_MODELS,
    ENTITY_SLUGS,
    ClusterMember,
    LinkageRun,
    LinkDecision,
    Merge,
    RunStatus,
)
from unseen.registry.models import Person

from .models import EstimateRun

#: Audited actions that change a record on a list. A create names a record restored after being
#: deleted (the records on a list existed when the linkage run read them).
RECORD_CHANGES = (Action.CREATE, Action.UPDATE, Action.DELETE, Action.VAULT_WRITE)


def linked_inputs(run: LinkageRun) -> list[dict[str, Any]]:
    """A linkage run's table rests on the run and on each source, which names a list."""
    sources = [
        {**input_of(source, label=f"S{source.pk}"), "list": position}
        for position, source in enumerate(run.lists())
    ]
    return [input_of(run, label=f"linkage run {run.pk}"), *sources]


def list_records_of(run: LinkageRun) -> dict[str, Any]:
    """`{"entity": ..., "lists": {"0": [record pks], ...}}`: the records each list held, in the
    order of the capture histories' columns (`LinkageRun.lists`)."""
    position = {source.pk: i for i, source in enumerate(run.lists())}
    lists: dict[str, list[int]] = {str(i): [] for i in position.values()}
    for record_id, on in run.members.order_by("record_id").values_list("record_id", "lists"):
        for source in on:
            if source in position:
                lists[str(position[source])].append(int(record_id))
    return {"entity": run.entity, "lists": lists}


def baseline_of(run: LinkageRun) -> int:
    """The newest audit entry the linkage run's job can have read: the one that queued it.

    A change after it, even before the estimate is made, is a change the clusters do not know.
    A run queued before it was audited falls back to the newest entry now."""
    queued = (
        AuditEntry.objects.filter(
            target_type=LinkageRun._meta.label_lower,
            action=Action.CREATE,
            target_id=str(run.pk),
        )
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if queued is not None:
        return int(queued)
    newest = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    return int(newest or 0)


def record_provenance(run: EstimateRun, linkage_run: LinkageRun) -> None:
    """Set what a run made from `linkage_run` remembers (not saved: the caller saves the run)."""
    run.linkage_run = linkage_run
    run.list_records = list_records_of(linkage_run)
    run.baseline_change = baseline_of(linkage_run)


def ensure_linkage_inputs(
    inputs: Sequence[dict[str, Any]] | None, linkage_run: LinkageRun
) -> list[dict[str, Any]]:
    """The inputs of a run made from `linkage_run`: those given, with the linkage run and its
    sources added when missing, so that the run is never more open than what made its lists."""
    given = list(inputs or [])
    named = {(e.get("model"), e.get("pk")) for e in given}
    return given + [e for e in linked_inputs(linkage_run) if (e["model"], e["pk"]) not in named]


# --- staleness -----------------------------------------------------------------------------------


@dataclass
class Staleness:
    """What changed since a run's baseline, as one reader may know it."""

    edited: list[int] = field(default_factory=list)  # readable records on the lists, edited
    merged: list[int] = field(default_factory=list)  # readable records merged into another
    deleted: int = 0  # records on the lists deleted since
    list_entries: int = 0  # claims (testimonies) making the lists, added, edited or deleted
    verdicts: int = 0  # verdicts given or withdrawn on two of the records
    first_change_id: int | None = None  # the earliest counted record change (single-run asks)

    @property
    def records(self) -> int:
        """How many records on the lists changed (edited, merged or deleted)."""
        return len(self.edited) + len(self.merged) + self.deleted

    @property
    def changed_pks(self) -> set[int]:
        return {*self.edited, *self.merged}

    def __bool__(self) -> bool:
        return bool(self.records or self.list_entries or self.verdicts)


def _record_sets(run: EstimateRun) -> dict[int, set[int]]:
    """List position -> the records it held."""
    lists = (run.list_records or {}).get("lists", {})
    return {int(i): set(pks) for i, pks in lists.items()}


def _all_records(run: EstimateRun) -> set[int]:
    return set().union(*_record_sets(run).values()) if run.list_records else set()


def _sources(run: EstimateRun) -> set[int]:
    return set(run.list_sources().values())


def staleness(
    runs: Iterable[EstimateRun],
    user: UserLike | None = None,
    *,
    baselines: dict[int, int] | None = None,
) -> dict[int, Staleness]:
    """Run id -> what changed since its baseline (or since `baselines[run id]`), for runs made
    from a linkage run; others are left out. `user` None counts everything (commands)."""
    runs = [r for r in runs if r.list_records and r.list_records.get("entity") in ENTITY_MODELS]
    since: dict[int, int] = {}
    for r in runs:
        baseline = (baselines or {}).get(r.pk, r.baseline_change)
        if baseline is not None:
            since[r.pk] = int(baseline)
    runs = [r for r in runs if r.pk in since]
    if not runs:
        return {}
    # Runs made from one linkage run with one baseline hold the same records from the same
    # sources since the same moment: judged once, the answer shared.
    twins: dict[int, list[int]] = defaultdict(list)
    judged: dict[tuple[int, int], EstimateRun] = {}
    for r in runs:
        if r.linkage_run_id is None:
            continue
        model_run = judged.setdefault((r.linkage_run_id, since[r.pk]), r)
        if model_run is not r:
            twins[model_run.pk].append(r.pk)
    copies = {pk for pks in twins.values() for pk in pks}
    runs = [r for r in runs if r.pk not in copies]
    levels = None if user is None else set(visible_access_levels(user))
    result = {r.pk: Staleness() for r in runs}
    # Runs made from one linkage run hold the same records (its clusters are frozen): one set.
    shared: dict[int, set[int]] = {}
    members = {}
    for r in runs:
        if r.linkage_run_id is None:
            members[r.pk] = _all_records(r)
        else:
            if r.linkage_run_id not in shared:
                shared[r.linkage_run_id] = _all_records(r)
            members[r.pk] = shared[r.linkage_run_id]
    by_entity: dict[str, list[EstimateRun]] = defaultdict(list)
    for run in runs:
        by_entity[run.list_records["entity"]].append(run)
    moments = dict(AuditEntry.objects.filter(pk__in=set(since.values())).values_list("id", "at"))
    for entity, group in by_entity.items():
        _count_records(entity, group, since, members, levels, result)
        _count_list_entries(entity, group, since, moments, members, levels, result)
        _count_verdicts(entity, group, since, moments, members, levels, result)
    for judged_pk, pks in twins.items():
        for pk in pks:
            result[pk] = result[judged_pk]
    return result


def _readable_pks(model: Any, pks: Iterable[int], levels: set[str] | None) -> set[int]:
    wanted = list(pks)
    if not wanted:
        return set()
    found = model._default_manager.filter(pk__in=wanted)
    if levels is not None:
        found = found.filter(access_level__in=levels)
    return set(found.values_list("pk", flat=True))


def _clusters(linkage_ids: Iterable[int], records: Iterable[int]) -> dict[tuple[int, int], int]:
    """(linkage run, record) -> the record's cluster in that run, for these records only."""
    wanted = list(set(records))
    runs = list(set(linkage_ids))
    if not wanted or not runs:
        return {}
    found = ClusterMember.objects.filter(run_id__in=runs, record_id__in=wanted)
    return {
        (run, record): cluster
        for run, record, cluster in found.values_list("run_id", "record_id", "cluster")
    }


def _neutral_merges(group: list[EstimateRun], merge_pks: set[int]) -> dict[int, set[int]]:
    """Linkage run -> the merges (of `merge_pks`) that joined records of one of its clusters.

    Merging a cluster the run found (or undoing that merge) confirms its lists: the capture
    histories, made from clusters, stay as they are. Any other merge changes who is one person."""
    linkage_ids = {r.linkage_run_id for r in group if r.linkage_run_id is not None}
    if not merge_pks or not linkage_ids:
        return {}
    merges = list(Merge.objects.filter(pk__in=merge_pks).values_list("pk", "survivor", "absorbed"))
    records = {pk for _m, survivor, absorbed in merges for pk in [survivor, *absorbed]}
    cluster = _clusters(linkage_ids, records)
    neutral: dict[int, set[int]] = defaultdict(set)
    for linkage in linkage_ids:
        for merge, survivor, absorbed in merges:
            found = {cluster.get((linkage, pk)) for pk in [survivor, *absorbed]}
            if len(found) == 1 and None not in found:
                neutral[linkage].add(merge)
    return neutral


def _count_records(
    entity: str,
    group: list[EstimateRun],
    since: dict[int, int],
    members: dict[int, set[int]],
    levels: set[str] | None,
    result: dict[int, Staleness],
) -> None:
    model = ENTITY_MODELS[entity]
    # One index range per action on (target_type, action, id) after the oldest baseline among
    # these runs: each change to a record of this kind, with the merge it was part of, if any.
    changes: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for target, pk, merge in AuditEntry.objects.filter(
        target_type=model._meta.label_lower,
        action__in=RECORD_CHANGES,
        id__gt=min(since[r.pk] for r in group),
    ).values_list("target_id", "id", "detail__merge"):
        if str(target).isdigit():
            changes[int(target)].append((pk, merge if isinstance(merge, int) else None))
    # Runs from one linkage run share one set: each distinct set is read once.
    distinct = {id(members[r.pk]): members[r.pk] for r in group}
    wanted = set(changes) & set().union(*distinct.values())
    if not wanted:
        return
    neutral = _neutral_merges(
        group, {m for pk in wanted for _id, m in changes[pk] if m is not None}
    )
    manager: Any = model._default_manager
    now: dict[int, int | None] = {
        pk: parent
        for pk, parent in manager.filter(pk__in=list(wanted)).values_list("pk", "merged_into_id")
    }
    readable = _readable_pks(model, now, levels)
    for run in group:
        stale = result[run.pk]
        confirmed = neutral.get(run.linkage_run_id or 0, set())
        for pk in members[run.pk] & wanted:
            counted = [
                (entry, merge)
                for entry, merge in changes[pk]
                if entry > since[run.pk] and (merge is None or merge not in confirmed)
            ]
            if not counted:
                continue
            if pk not in now:
                stale.deleted += 1
            elif pk not in readable:
                continue
            elif any(merge is not None for _entry, merge in counted):
                stale.merged.append(pk)
            else:
                stale.edited.append(pk)
            first = min(entry for entry, _merge in counted)
            if stale.first_change_id is None or first < stale.first_change_id:
                stale.first_change_id = first
        stale.edited.sort()
        stale.merged.sort()


def _count_list_entries(
    entity: str,
    group: list[EstimateRun],
    since: dict[int, int],
    moments: dict[int, datetime],
    members: dict[int, set[int]],
    levels: set[str] | None,
    result: dict[int, Staleness],
) -> None:
    """Revisions of claims (and, for persons, testimonies) from the lists' sources since each
    baseline: who is on which list may have changed. Read from the revision history, indexed on
    its date, so that a deleted claim still counts."""
    model = ENTITY_MODELS[entity]
    times = [moments[since[r.pk]] for r in group if since[r.pk] in moments]
    sources = set().union(*(_sources(r) for r in group))
    if not times or not sources:
        return
    readable_sources = set(sources)
    if levels is not None:
        readable_sources = set(
            Source.objects.filter(pk__in=sources, access_level__in=levels).values_list(
                "pk", flat=True
            )
        )
    subject_type = ContentType.objects.get_for_model(model).pk
    # (kind, id, source, subject, when, whether it counts even for a record already on the list)
    revisions: list[tuple[str, int, int, int | None, datetime, bool]] = [
        ("claim", *row, True)
        for row in Claim.history.filter(
            history_date__gt=min(times),
            source_id__in=readable_sources,
            content_type_id=subject_type,
        ).values_list("id", "source_id", "object_id", "history_date")
    ]
    if model is Person:
        # A testimony puts its interviewee on its source's list: one made or deleted, or one that
        # names someone not on the lists, changes them. Its coding edits do not.
        for pk, source, interviewee, when, kind in Testimony.history.filter(
            history_date__gt=min(times), source_id__in=readable_sources
        ).values_list("id", "source_id", "interviewee_id", "history_date", "history_type"):
            if interviewee is not None:
                revisions.append(("testimony", pk, source, interviewee, when, kind in "+-"))
    if not revisions:
        return
    # A claim about a record the reader may not read is not theirs to count.
    readable = _readable_pks(model, {r[3] for r in revisions if r[3] is not None}, levels)
    for run in group:
        moment = moments.get(since[run.pk])
        if moment is None:
            continue
        run_sources = _sources(run)
        changed = {
            (kind, pk)
            for kind, pk, source, subject, when, always in revisions
            if when > moment
            and source in run_sources
            and subject in readable
            and (always or subject not in members[run.pk])
        }
        result[run.pk].list_entries = len(changed)


def _count_verdicts(
    entity: str,
    group: list[EstimateRun],
    since: dict[int, int],
    moments: dict[int, datetime],
    members: dict[int, set[int]],
    levels: set[str] | None,
    result: dict[int, Staleness],
) -> None:
    """Verdicts on two records of a run's lists that the next linkage run would cluster
    otherwise: given after the run's baseline (its linkage run queued, or its publication) and
    at odds with its clusters ("the same" across two clusters, "not the same" within one), or
    withdrawn since after being given before."""
    times = {r.pk: moments[since[r.pk]] for r in group if since[r.pk] in moments}
    if not times:
        return
    start = min(times.values())
    decisions = list(
        LinkDecision.objects.filter(entity=entity)
        .filter(Q(decided_at__gt=start) | Q(withdrawn_at__gt=start))
        .values_list("record_a", "record_b", "is_match", "decided_at", "withdrawn_at")
    )
    if not decisions:
        return
    model = ENTITY_MODELS[entity]
    records = {p for d in decisions for p in d[:2]}
    readable = _readable_pks(model, records, levels)
    cluster = _clusters((r.linkage_run_id for r in group if r.linkage_run_id), records)
    for run in group:
        moment = times.get(run.pk)
        if moment is None:
            continue
        on = members[run.pk] & readable
        linkage = run.linkage_run_id or 0
        count = 0
        for a, b, same, decided, withdrawn in decisions:
            if a not in on or b not in on:
                continue
            together = cluster.get((linkage, a)) == cluster.get((linkage, b)) is not None
            if decided > moment:
                count += same != together
            elif withdrawn is not None and withdrawn > moment:
                count += 1
        result[run.pk].verdicts = count


def stale_changes(run: EstimateRun, user: UserLike | None = None) -> Staleness:
    """What changed since `run` was made, as `user` may know it (an empty one: nothing)."""
    return staleness([run], user).get(run.pk, Staleness())


# --- what pages show -----------------------------------------------------------------------------


def newer_linkage_run(run: EstimateRun, user: UserLike) -> LinkageRun | None:
    """The newest finished linkage run of the same kind over the same sources, newer than the
    one `run` was made from, that `user` may read: the one to estimate from again."""
    if run.linkage_run is None:
        return None
    wanted = {s.pk for s in run.linkage_run.lists()}
    candidates = (
        LinkageRun.objects.visible_to(user)
        .filter(entity=run.linkage_run.entity, status=RunStatus.DONE, pk__gt=run.linkage_run.pk)
        .order_by("-pk")
        .prefetch_related("sources")[:20]
    )
    for candidate in candidates:
        if {s.pk for s in candidate.sources.all()} == wanted:
            return candidate
    return None


def publication_baseline(run: EstimateRun) -> int | None:
    """The audit entry that published `run` (its newest publication)."""
    found = (
        AuditEntry.objects.filter(
            target_type=EstimateRun._meta.label_lower,
            action=Action.UPDATE,
            target_id=str(run.pk),
            detail__published=True,
        )
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return None if found is None else int(found)


def changed_since_publication(run: EstimateRun) -> dict[str, Any] | None:
    """For the public trail: whether the public records behind a published run's lists changed
    since it was published, and when first. Nothing that names or counts a record."""
    baseline = publication_baseline(run)
    if baseline is None or not run.list_records:
        return None
    from django.contrib.auth.models import AnonymousUser

    found = staleness([run], AnonymousUser(), baselines={run.pk: baseline}).get(run.pk)
    if not found:
        return None
    first = None
    if found.first_change_id is not None:
        first = (
            AuditEntry.objects.filter(pk=found.first_change_id).values_list("at", flat=True).first()
        )
    return {"first": first}


def list_rows(run: EstimateRun, user: UserLike, changed: set[int]) -> dict[str, Any]:
    """The records each list held, as `user` may see them: readable ones named and linked, the
    others counted only."""
    entity = (run.list_records or {}).get("entity")
    if entity not in ENTITY_MODELS:
        return {"rows": [], "hidden": 0, "total": 0}
    model = ENTITY_MODELS[entity]
    sets = _record_sets(run)
    everyone = set().union(*sets.values()) if sets else set()
    readable = {
        r.pk: r
        for r in model._default_manager.filter(
            pk__in=list(everyone), access_level__in=visible_access_levels(user)
        )
    }
    positions = sorted(sets)
    rows = [
        {
            "pk": pk,
            "label": record.pseudonym if isinstance(record, Person) else str(record),
            "slug": ENTITY_SLUGS[entity],
            "on": [pk in sets[i] for i in positions],
            "changed": pk in changed,
        }
        for pk, record in sorted(readable.items())
    ]
    return {"rows": rows, "hidden": len(everyone) - len(readable), "total": len(everyone)}


def panel(run: EstimateRun, user: UserLike) -> dict[str, Any] | None:
    """What `_provenance.html` shows of a run made from a linkage run (None for other runs)."""
    if not run.list_records:
        return None
    linkage_pk = run.linkage_run_id
    if linkage_pk is None:  # deleted since: its id is still among the inputs
        named = [e for e in run.derived_from if e.get("model") == "linkage.linkagerun"]
        linkage_pk = named[0]["pk"] if named else None
    sets = _record_sets(run)
    changes = stale_changes(run, user)
    return {
        "linkage_pk": linkage_pk,
        "linkage_exists": run.linkage_run_id is not None,
        "records": len(set().union(*sets.values())) if sets else 0,
        "changes": changes,
        "newer": newer_linkage_run(run, user),
    }
