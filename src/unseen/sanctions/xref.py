"""Cross-referencing our organisations, public figures and sites against one list version.

A run is a background job (`unseen.jobs`): the page queues it and `unseen worker` runs it, or
`unseen xref` runs it in its own process with a progress bar. The job is reader-independent: it
runs as the system and reads every record of the chosen kinds, whatever its level, so that one run
serves every reader; each page then shows only the candidates whose record its reader may open
(`presenting.readable_candidates`).

What is compared: a record's names (its name and aliases), countries and identifiers; a site's
name, country and city only. Merged records are compared through the record they were merged
into. Verdicts already given on a pair (`XrefDecision`, keyed by the list's code, so they hold for
every version) win over the score: a rejected pair is not proposed again, an accepted one is kept
as accepted whatever it scores now.

After a newer version of a list is loaded, the run also reports what changed for our matched
records since the version before (`changes`): new designations (entities new on the list that
match a record of ours), removed ones (an entity we accepted is gone), and changed aliases.
"""

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from unseen.accounts.models import User
from unseen.audit.context import current_actor
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.jobs.queue import Cancelled, Progress, claim, end, enqueue_after_commit, request_cancel
from unseen.linkage.models import ReviewStatus
from unseen.registry.models import (
    ExternalIdentifier,
    Organisation,
    OrganisationAlias,
    PublicFigure,
    PublicFigureAlias,
    Site,
)

from . import matching
from .models import (
    DEFAULT_THRESHOLD,
    ListedEntity,
    RecordKind,
    SanctionsList,
    XrefCandidate,
    XrefDecision,
    XrefRun,
    XrefStatus,
)

logger = logging.getLogger(__name__)

#: Where each part of the job sits on the progress bar.
GATHERED_AT = 0.1
MATCHED_AT = 0.85
#: At most this many candidates per record of ours: the best-scoring entities.
PER_RECORD = 3

STAGES = ("queued", "gathering", "matching", "saving", "done")


# --- starting, cancelling ------------------------------------------------------------------------


def start_run(
    sanctions_list: SanctionsList,
    *,
    user: User | None,
    threshold: float = DEFAULT_THRESHOLD,
    kinds: Sequence[str] = tuple(RecordKind.values),
    queue: bool = True,
) -> XrefRun:
    """Make a queued run; with `queue`, its job is enqueued once the run is committed."""
    with transaction.atomic():
        run = XrefRun.objects.create(
            sanctions_list=sanctions_list,
            threshold=threshold,
            kinds=list(kinds),
            started_by=user if getattr(user, "is_authenticated", False) else None,
            stage="queued",
        )
        record(
            Action.CREATE,
            run,
            detail={
                "list": sanctions_list.code,
                "version": sanctions_list.version,
                "threshold": threshold,
                "kinds": list(kinds),
            },
        )
        if queue:
            _enqueue(run.pk)
    return run


def _enqueue(run_id: int) -> None:
    from .tasks import run_xref

    def refused(error: Exception) -> None:
        _end(run_id, XrefStatus.FAILED, f"the job could not be queued: {type(error).__name__}")

    enqueue_after_commit(run_xref, run_id, refused=refused)


def cancel(run: XrefRun) -> bool:
    """Cancel a queued run now, or ask a running one to stop at its next stage."""
    status = request_cancel(XrefRun, run.pk)
    if status is None:
        return False
    run.refresh_from_db()
    record(Action.UPDATE, run, detail={"status": status, "cancel_requested": True})
    return True


def _end(run_id: int, status: XrefStatus, message: str = "") -> None:
    with transaction.atomic():
        end(XrefRun, run_id, status, message)
        record(Action.UPDATE, XrefRun.objects.get(pk=run_id), detail={"status": status})


# --- the job -------------------------------------------------------------------------------------


def execute(run_id: int, *, report: Callable[[str, float], None] | None = None) -> XrefRun:
    """Run a queued run to the end (done, failed or cancelled); what the task and CLI call.

    `report` also receives every (stage, fraction) the run writes to its row (the CLI's bar).
    """
    claimed = False
    stage = "gathering"
    token = None
    try:
        claimed = claim(XrefRun, run_id)
        run = XrefRun.objects.select_related("sanctions_list", "started_by").get(pk=run_id)
        if not claimed:
            return run
        user = run.started_by
        token = current_actor.set(user.get_username() if user is not None else "system")
        row_progress = Progress(XrefRun, run.pk)

        def progress(stage: str, fraction: float) -> None:
            row_progress(stage, fraction)
            if report is not None:
                report(stage, fraction)

        started = time.monotonic()
        progress("gathering", 0.0)
        records = gather_records(run.kinds)
        entities = gather_entities(run.sanctions_list)
        progress("gathering", GATHERED_AT)
        row_progress.check()
        stage = "matching"
        decided = verdicts(run.sanctions_list.code)
        found = match(
            records,
            entities,
            threshold=run.threshold,
            decided=decided,
            progress=lambda f: progress("matching", GATHERED_AT + (MATCHED_AT - GATHERED_AT) * f),
        )
        matched_at = time.monotonic()
        row_progress.check()
        stage = "saving"
        progress("saving", MATCHED_AT)
        _save(run, records, entities, found, decided, started, matched_at)
    except Cancelled:
        _end(run_id, XrefStatus.CANCELLED)
    except (KeyboardInterrupt, SystemExit):
        if claimed:
            _end(run_id, XrefStatus.FAILED, f"stopped while {stage}")
        raise
    except Exception as error:
        # The message may quote a record's name; the stage and the kind of error may not.
        logger.error("xref run %s failed while %s: %s", run_id, stage, type(error).__name__)
        if claimed:
            _end(run_id, XrefStatus.FAILED, f"failed while {stage}: {type(error).__name__}")
        else:
            raise
    finally:
        if token is not None:
            current_actor.reset(token)
    return XrefRun.objects.select_related("sanctions_list", "started_by").get(pk=run_id)


Key = tuple[str, int]


def party_id(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def record_key(party: str) -> Key:
    kind, pk = party.split(":")
    return kind, int(pk)


def gather_records(kinds: Sequence[str]) -> dict[Key, Any]:
    """Every record of these kinds not merged into another, as the scorer's parties, by key."""
    parties: dict[Key, Any] = {}
    if RecordKind.ORGANISATION in kinds:
        names = _names(OrganisationAlias.objects.values_list("organisation_id", "name"))
        ids = _identifiers("organisation")
        for pk, name, country in Organisation.objects.filter(merged_into__isnull=True).values_list(
            "pk", "name", "country"
        ):
            parties[RecordKind.ORGANISATION, pk] = matching.party(
                id=party_id(RecordKind.ORGANISATION, pk),
                kind=RecordKind.ORGANISATION,
                names=(name, *names.get(pk, ())),
                countries=(country,) if country else (),
                identifiers=tuple(ids.get(pk, ())),
            )
    if RecordKind.PUBLIC_FIGURE in kinds:
        names = _names(PublicFigureAlias.objects.values_list("figure_id", "name"))
        ids = _identifiers("public_figure")
        figures = PublicFigure.objects.filter(merged_into__isnull=True).values_list(
            "pk", "name", "name_hangul", "nationality"
        )
        for pk, name, hangul, nationality in figures:
            parties[RecordKind.PUBLIC_FIGURE, pk] = matching.party(
                id=party_id(RecordKind.PUBLIC_FIGURE, pk),
                kind=RecordKind.PUBLIC_FIGURE,
                names=tuple(n for n in (name, hangul, *names.get(pk, ())) if n),
                countries=(nationality,) if nationality else (),
                identifiers=tuple(ids.get(pk, ())),
            )
    if RecordKind.SITE in kinds:
        sites = Site.objects.filter(merged_into__isnull=True).values_list(
            "pk", "name", "country", "city"
        )
        for pk, name, country, city in sites:
            parties[RecordKind.SITE, pk] = matching.party(
                id=party_id(RecordKind.SITE, pk),
                kind=RecordKind.SITE,
                names=(name,),
                countries=(country,) if country else (),
                addresses=(city,) if city else (),
            )
    return parties


def _names(pairs: Any) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for pk, name in pairs:
        found[pk].append(name)
    return found


def _identifiers(holder: str) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = ExternalIdentifier.objects.filter(**{f"{holder}__isnull": False})
    for pk, scheme, value in rows.values_list(f"{holder}_id", "scheme", "value"):
        found[pk].append((scheme, value))
    return found


def gather_entities(sanctions_list: SanctionsList) -> dict[str, Any]:
    """The list's entities as the scorer's parties, by entity id."""
    rows = sanctions_list.entities.values_list(
        "entity_id", "schema", "names", "countries", "addresses", "identifiers"
    )
    return {
        entity_id: matching.party(
            id=entity_id,
            kind=schema,
            names=tuple(names),
            countries=tuple(countries),
            addresses=tuple(addresses),
            identifiers=tuple((prop, value) for prop, value in identifiers),
        )
        for entity_id, schema, names, countries, addresses, identifiers in rows
    }


def verdicts(list_code: str) -> dict[tuple[str, int, str], bool]:
    """Verdicts in force on this list's entities: (record kind, record id, entity id) -> same."""
    found = XrefDecision.objects.active().filter(list_code=list_code)
    return {
        (kind, record_id, entity_id): is_match
        for kind, record_id, entity_id, is_match in found.values_list(
            "record_kind", "record_id", "entity_id", "is_match"
        )
    }


def match(
    records: dict[Key, Any],
    entities: dict[str, Any],
    *,
    threshold: float,
    decided: dict[tuple[str, int, str], bool],
    progress: Callable[[float], None] | None = None,
) -> list[matching.Found]:
    """The candidates: pairs at or above the threshold, rejected pairs left out, accepted ones
    kept whatever they score now (while the entity is still on the list)."""
    found = matching.cross_reference(
        list(records.values()), list(entities.values()), threshold=threshold, progress=progress
    )
    by_record: dict[Key, list[matching.Found]] = defaultdict(list)
    for pair in found:
        kind, pk = record_key(pair.record)
        if decided.get((kind, pk, pair.entity)) is False:
            continue
        by_record[kind, pk].append(pair)
    kept = []
    for key, pairs in by_record.items():
        pairs.sort(key=lambda p: (-p.score, p.entity))
        accepted = [p for p in pairs if decided.get((key[0], key[1], p.entity))]
        best = [p for p in pairs[:PER_RECORD] if p not in accepted]
        kept += accepted + best
    have = {(record_key(p.record), p.entity) for p in kept}
    # Accepted before, scored below the threshold now: it stays accepted all the same.
    missing = [
        (records[kind, pk], entities[entity_id])
        for (kind, pk, entity_id), same in sorted(decided.items())
        if same
        and (kind, pk) in records
        and entity_id in entities
        and ((kind, pk), entity_id) not in have
    ]
    kept += matching.rescore(missing, list(entities.values()))
    return kept


def _save(
    run: XrefRun,
    records: dict[Key, Any],
    entities: dict[str, Any],
    found: list[matching.Found],
    decided: dict[tuple[str, int, str], bool],
    started: float,
    matched_at: float,
) -> None:
    listed = dict(run.sanctions_list.entities.values_list("entity_id", "pk"))
    candidates = []
    for pair in found:
        kind, pk = record_key(pair.record)
        accepted = decided.get((kind, pk, pair.entity)) is True
        candidates.append(
            XrefCandidate(
                run=run,
                record_kind=kind,
                record_id=pk,
                listed_entity_id=listed[pair.entity],
                entity_id=pair.entity,
                score=min(max(round(pair.score, 4), 0.0), 1.0),
                explanation=pair.explanation,
                status=ReviewStatus.ACCEPTED if accepted else ReviewStatus.PENDING,
            )
        )
    # The best first: the queue is worked through in the order of ids.
    candidates.sort(key=lambda c: (-c.score, c.record_kind, c.record_id, c.entity_id))
    previous = run.sanctions_list.previous_version()
    changes = change_report(run.sanctions_list, previous, found, decided) if previous else {}
    per_kind: dict[str, int] = defaultdict(int)
    for kind, _pk in records:
        per_kind[kind] += 1
    counts: dict[str, Any] = {
        "records": dict(per_kind),
        "entities": len(entities),
        "candidates": len(candidates),
        "pending": sum(c.status == ReviewStatus.PENDING for c in candidates),
        "accepted_before": sum(c.status == ReviewStatus.ACCEPTED for c in candidates),
        "rejected_before": sum(1 for (_k, _p, e), same in decided.items() if not same),
        "seconds": {
            "matching": round(matched_at - started, 2),
        },
    }
    with transaction.atomic():
        XrefCandidate.objects.bulk_create(candidates, batch_size=2000)
        counts["seconds"]["total"] = round(time.monotonic() - started, 2)
        XrefRun.objects.filter(pk=run.pk).update(
            status=XrefStatus.DONE,
            stage="done",
            fraction=1.0,
            counts=counts,
            changes=changes,
            previous_list=previous,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        record(
            Action.UPDATE,
            run,
            detail={
                "status": XrefStatus.DONE,
                "candidates": counts["candidates"],
                "pending": counts["pending"],
                "changes": {k: len(v) for k, v in changes.items() if isinstance(v, list)},
            },
        )


# --- what changed since the version before --------------------------------------------------------


def change_report(
    current: SanctionsList,
    previous: SanctionsList,
    found: list[matching.Found],
    decided: dict[tuple[str, int, str], bool],
) -> dict[str, Any]:
    """For our records: designations new in `current`, accepted ones gone from it, and accepted
    ones whose names changed. Rows name records by kind and id; pages show each to whoever may
    open it."""
    before = _entities_by_id(previous)
    now = _entities_by_id(current)
    new = [
        {
            "record_kind": record_key(pair.record)[0],
            "record_id": record_key(pair.record)[1],
            "entity_id": pair.entity,
            "caption": now[pair.entity]["caption"],
            "score": round(pair.score, 4),
        }
        for pair in found
        if pair.entity not in before and pair.entity in now
    ]
    removed, aliases, designation = [], [], []
    for (kind, pk, entity_id), same in sorted(decided.items()):
        if not same or entity_id not in before:
            continue
        if entity_id not in now:
            removed.append(
                {
                    "record_kind": kind,
                    "record_id": pk,
                    "entity_id": entity_id,
                    "caption": before[entity_id]["caption"],
                }
            )
            continue
        changed = [
            {
                "field": name,
                "before": str(before[entity_id][name]),
                "now": str(now[entity_id][name]),
            }
            for name in DESIGNATION_FIELDS
            if before[entity_id][name] != now[entity_id][name]
        ]
        if changed:
            designation.append(
                {
                    "record_kind": kind,
                    "record_id": pk,
                    "entity_id": entity_id,
                    "caption": now[entity_id]["caption"],
                    "fields": changed,
                }
            )
        old, fresh = set(before[entity_id]["names"]), set(now[entity_id]["names"])
        if old != fresh:
            aliases.append(
                {
                    "record_kind": kind,
                    "record_id": pk,
                    "entity_id": entity_id,
                    "caption": now[entity_id]["caption"],
                    "added": sorted(fresh - old),
                    "removed": sorted(old - fresh),
                }
            )
    return {
        "previous_version": previous.version,
        "previous_list": previous.pk,
        "new": sorted(new, key=lambda r: (r["record_kind"], r["record_id"], r["entity_id"])),
        "removed": removed,
        "aliases": aliases,
        "designation": designation,
    }


#: What of a designation the change report compares between versions.
DESIGNATION_FIELDS = ("programme", "listed_on", "reference", "authority")


def _entities_by_id(sanctions_list: SanctionsList) -> dict[str, dict[str, Any]]:
    rows = ListedEntity.objects.filter(sanctions_list=sanctions_list).values(
        "entity_id", "caption", "names", *DESIGNATION_FIELDS
    )
    return {row["entity_id"]: row for row in rows}


# --- which list version a run is for -------------------------------------------------------------


def newest_versions(code: str | None = None) -> list[SanctionsList]:
    """The newest version of each list (or of the one named by `code`)."""
    lists = SanctionsList.objects.order_by("code", "-pk")
    if code:
        lists = lists.filter(code=code)
    newest: dict[str, SanctionsList] = {}
    for sanctions_list in lists:
        newest.setdefault(sanctions_list.code, sanctions_list)
    return list(newest.values())
