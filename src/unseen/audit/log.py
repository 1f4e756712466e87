"""Writing to and checking the hash chain."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from . import anchors, keys
from .context import current_actor
from .models import GENESIS_HASH, Action, AuditEntry

# Any constant works; it only has to be the same for every writer of the chain.
_POSTGRES_CHAIN_LOCK = 727_100_042


def record(
    action: Action,
    target: models.Model | None = None,
    *,
    target_type: str = "",
    target_id: str = "",
    detail: dict[str, Any] | None = None,
    actor: str | None = None,
) -> AuditEntry:
    """Append one entry. `detail` must hold no identifying content: field names, counts, purposes."""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    with transaction.atomic():
        entry = _chained(
            keys.chain_key(),
            _lock_chain(),
            actor or current_actor.get(),
            action,
            target_type,
            target_id,
            detail,
        )
        entry.save()
        _anchor_on_commit(entry.pk)
    return entry


def record_many(
    action: Action,
    entries: Iterable[tuple[models.Model, dict[str, Any]]],
    *,
    actor: str | None = None,
    batch_size: int = 1000,
) -> int:
    """Append one entry per (target, detail), chained in order, in one transaction.

    What `record` does for each, without a query per entry: a linkage run that compares a
    hundred thousand names audits every read (one by one that took about 3 ms each).
    """
    who = actor or current_actor.get()
    count = 0
    key = keys.chain_key()
    with transaction.atomic():
        previous = _lock_chain()
        batch: list[AuditEntry] = []
        for target, detail in entries:
            entry = _chained(
                key, previous, who, action, target._meta.label_lower, str(target.pk), detail
            )
            previous = entry.entry_hash
            batch.append(entry)
            if len(batch) >= batch_size:
                count += len(AuditEntry.objects.bulk_create(batch))
                batch = []
        count += len(AuditEntry.objects.bulk_create(batch))
        if count:
            _anchor_on_commit(None)
    return count


def _anchor_on_commit(newest_id: int | None) -> None:
    # After the commit: an anchor naming an entry that was then rolled back would make `verify`
    # report entries deleted that never existed.
    transaction.on_commit(lambda: anchors.after_commit(newest_id))


def _chained(
    key: bytes,
    previous: str,
    actor: str,
    action: Action,
    target_type: str,
    target_id: str,
    detail: dict[str, Any] | None,
) -> AuditEntry:
    """A new entry, not yet saved, chained onto the entry whose hash is `previous`."""
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail or {},
        previous_hash=previous,
    )
    entry.entry_hash = entry.compute_hash(key)
    return entry


def _lock_chain() -> str:
    """The hash to chain onto, with the chain locked until the transaction ends."""
    if connection.vendor == "postgresql":
        # Two writers must not both chain onto the same previous entry.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_CHAIN_LOCK])
    last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
    return last or GENESIS_HASH


CHANGES = (Action.CREATE, Action.UPDATE, Action.DELETE, Action.IMPORT)
# Changes that name the model they changed (`target_type` is its label, "documentation.deployment").
# An import names its table kind or "ftm" or "backup" instead, so it counts as a change to everything.
RECORD_CHANGES = (Action.CREATE, Action.UPDATE, Action.DELETE)


def last_change_id(target_types: Iterable[str] | None = None) -> int:
    """Id of the newest entry that changed records: a version number for everything derived.

    Every write (signals) and every import is logged, so anything computed from records is
    still fresh while this number stays the same. With `target_types` (model labels such as
    "documentation.deployment"), only changes to those models count, and every import: a figure
    built from deployments need not be rebuilt when a testimony is edited. One query of index
    seeks on (target_type, action, id) whatever the size of the log.
    """
    if target_types is None:
        newest = [
            AuditEntry.objects.filter(action=action)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
            for action in CHANGES
        ]
        return max((pk for pk in newest if pk is not None), default=0)
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    # Only the quoted table name is formatted in; every value is a parameter.
    seek = (
        f"(SELECT id FROM {table} WHERE target_type = %s AND action = %s "  # noqa: S608
        "ORDER BY id DESC LIMIT 1)"
    )
    imports = f"(SELECT id FROM {table} WHERE action = %s ORDER BY id DESC LIMIT 1)"  # noqa: S608
    pairs = [
        (label, action.value) for label in sorted(set(target_types)) for action in RECORD_CHANGES
    ]
    # One row of scalar subqueries, each an index seek (MAX over an IN list would scan every
    # change of those models instead).
    sql = "SELECT " + ", ".join([imports] + [seek] * len(pairs))
    params: list[str] = [Action.IMPORT.value]
    for pair in pairs:
        params.extend(pair)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return max((pk for pk in row if pk is not None), default=0)


@dataclass(frozen=True)
class ChainReport:
    """What `verify` found. `reason` is empty when the chain and its anchors hold."""

    checked: int
    first_broken_id: int | None
    reason: str = ""
    anchor: anchors.Anchor | None = None  # the newest anchor the chain matched
    anchors_checked: int = 0

    @property
    def intact(self) -> bool:
        return not self.reason


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("id").iterator(chunk_size=2000)


def _hash_problem(entry: AuditEntry) -> str:
    if entry.entry_hash == entry.plain_hash():
        return (
            "its hash is plain SHA-256, not keyed with the audit key: it was rewritten by "
            "someone without the key"
        )
    return (
        "content changed after it was written, or it was hashed under another audit key "
        f"(configured: audit key {keys.key_id()} from {keys.key_source()})"
    )


def bound_anchors(anchor_file: Path | None = None) -> list[tuple[int, anchors.Anchor]]:
    """The anchors `verify` checks by default: the anchor file's, from the last restore on."""
    return anchors.since_last_restore(anchors.read(anchor_file))


def verify(
    against: Sequence[tuple[int, anchors.Anchor]] | None = None,
    *,
    anchor_file: Path | None = None,
) -> ChainReport:
    """Walk the chain in id order under the audit key, and hold it against the anchors.

    Reports the first entry whose link or keyed hash does not hold, or the first anchor that is
    not signed with the audit key or whose entry is missing or different (entries cut off the
    end, or the whole log deleted). `against` is a list of (line, anchor); by default the anchor
    file's (`anchor_file`, else the configured one), from the last restore on.
    """
    where = anchor_file or anchors.anchor_path()
    try:
        to_check = list(against) if against is not None else bound_anchors(anchor_file)
    except anchors.AnchorError as error:
        return ChainReport(0, None, str(error))
    anchor_key = keys.anchor_key()
    for line, anchor in to_check:
        if not anchor.signed_by(anchor_key):
            return ChainReport(
                0,
                None,
                f"{anchor.describe()} (line {line} of {where}) is not signed with the audit key "
                f"(configured: {keys.key_id()}; the anchor names {anchor.key}): forged, or "
                "written under another audit key",
            )
    pending: dict[int, list[anchors.Anchor]] = {}
    for _, anchor in to_check:
        if anchor.id:
            pending.setdefault(anchor.id, []).append(anchor)
    key = keys.chain_key()
    expected_previous = GENESIS_HASH
    checked = 0
    for entry in _entries():
        checked += 1
        if entry.previous_hash != expected_previous:
            return ChainReport(
                checked, entry.pk, "does not follow the entry before it (removed or reordered)"
            )
        if entry.compute_hash(key) != entry.entry_hash:
            return ChainReport(checked, entry.pk, _hash_problem(entry))
        for anchor in pending.pop(entry.pk, []):
            if anchor.hash != entry.entry_hash:
                return ChainReport(
                    checked, entry.pk, f"it differs from {anchor.describe()}: it was replaced"
                )
        expected_previous = entry.entry_hash
    if pending:
        missing = min(pending)
        anchor = pending[missing][0]
        if not checked:
            reason = (
                f"the log is empty, but {anchor.describe()} names entry {missing}: "
                "every entry was deleted"
            )
        else:
            reason = (
                f"{anchor.describe()} names entry {missing}, which is missing: "
                "the newest entries were deleted"
            )
        return ChainReport(checked, missing, reason)
    newest = max((anchor for _, anchor in to_check), key=lambda a: a.id, default=None)
    return ChainReport(checked, None, anchor=newest, anchors_checked=len(to_check))
