"""Anchors: the newest entry's id and hash, written outside the database, signed with the audit key.

The keyed chain shows that no entry was edited, inserted or removed in the middle, but not that
the newest entries (or all of them) were cut off the end: a shorter chain is still a valid chain.
An anchor remembers how far the chain reached, somewhere the database's holder cannot reach (the
anchor file, and wherever the operator copies it). `verify` then needs every anchored entry to
still be there with the same hash.

The anchor file (UNSEEN_AUDIT_ANCHOR_FILE, default `var/anchors/audit.anchors`, 0600 in a 0700
folder) gets one JSON line per anchor, appended, never rewritten:

    {"v": 1, "id": 4242, "hash": "…", "count": 4242, "at": "…", "reason": "interval",
     "key": "<audit key id>", "mac": "<HMAC-SHA256 of the other fields under the anchor key>"}

Anchors are written after a commit that brought UNSEEN_AUDIT_ANCHOR_EVERY entries (default 1000)
or when the last anchor is older than UNSEEN_AUDIT_ANCHOR_MINUTES (default 10), on every
`unseen backup` (the manifest carries it too), by `unseen audit anchor` (for cron) and after a
restore. A restore rewinds the log to the backup on purpose, so anchors written before the newest
"restore" anchor are not checked any more.
"""

import datetime as dt
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from unseen import private_files

from . import keys

FORMAT = 1
RESTORE = "restore"

log = logging.getLogger(__name__)


class AnchorError(Exception):
    """The anchor file holds a line that is not an anchor."""


@dataclass(frozen=True)
class Anchor:
    id: int  # the newest entry's id; 0 for an empty log
    hash: str
    count: int
    at: str
    reason: str
    key: str
    mac: str
    v: int = FORMAT

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        return f"the anchor of {self.at} ({self.reason})"

    def signed_by(self, anchor_key: bytes) -> bool:
        return hmac.compare_digest(self.mac, _mac(anchor_key, self.as_dict()))


def anchor_path() -> Path:
    configured = getattr(settings, "UNSEEN_AUDIT_ANCHOR_FILE", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "anchors" / "audit.anchors"


def _mac(anchor_key: bytes, fields: dict[str, Any]) -> str:
    signed = {name: value for name, value in fields.items() if name != "mac"}
    text = json.dumps(signed, sort_keys=True, separators=(",", ":"))
    return hmac.new(anchor_key, text.encode(), "sha256").hexdigest()


def append(reason: str, newest_id: int, newest_hash: str, count: int) -> Anchor:
    """Sign an anchor and append it to the anchor file (created 0600 in a 0700 folder)."""
    fields: dict[str, Any] = {
        "v": FORMAT,
        "id": newest_id,
        "hash": newest_hash,
        "count": count,
        "at": timezone.now().isoformat(),
        "reason": reason,
        "key": keys.key_id(),
    }
    anchor = Anchor(**fields, mac=_mac(keys.anchor_key(), fields))
    path = anchor_path()
    # One short write per anchor, so anchors from several processes never interleave.
    private_files.append(path, line(anchor) + "\n")
    return anchor


def line(anchor: Anchor) -> str:
    return json.dumps(anchor.as_dict(), sort_keys=True, separators=(",", ":"))


def write(reason: str) -> Anchor:
    """Anchor the chain as it stands now (newest committed entry)."""
    from .models import GENESIS_HASH, AuditEntry

    newest = AuditEntry.objects.order_by("-id").values_list("id", "entry_hash").first()
    newest_id, newest_hash = newest or (0, GENESIS_HASH)
    count = AuditEntry.objects.filter(id__lte=newest_id).count()
    return append(reason, newest_id, newest_hash, count)


def parse(text: str) -> Anchor:
    try:
        fields = json.loads(text)
        return Anchor(**fields)
    except (ValueError, TypeError) as error:
        raise AnchorError(f"not an anchor ({error})") from None


def read(path: Path | None = None) -> list[tuple[int, Anchor]]:
    """Every anchor in the file with its line number; none if there is no file."""
    path = path or anchor_path()
    if not path.exists():
        return []
    anchors = []
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        if not text.strip():
            continue
        try:
            anchors.append((number, parse(text)))
        except AnchorError as error:
            raise AnchorError(f"line {number} of {path}: {error}") from None
    return anchors


def since_last_restore(anchors: list[tuple[int, Anchor]]) -> list[tuple[int, Anchor]]:
    """The anchors that still bind the log: a restore rewinds it, superseding older anchors."""
    restores = [i for i, (_, anchor) in enumerate(anchors) if anchor.reason == RESTORE]
    return anchors[restores[-1] :] if restores else anchors


def _last(path: Path) -> Anchor | None:
    """The newest anchor, reading only the end of the file (this runs after every commit)."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, handle.seek(0, os.SEEK_END) - 2048))
            tail = handle.read().decode("utf-8", "replace").strip().splitlines()
    except FileNotFoundError:
        return None
    try:
        return parse(tail[-1]) if tail else None
    except AnchorError:
        return None


def due(newest_id: int) -> bool:
    last = _last(anchor_path())
    if last is None:
        return True
    if newest_id - last.id >= settings.UNSEEN_AUDIT_ANCHOR_EVERY:
        return True
    try:
        age = timezone.now() - dt.datetime.fromisoformat(last.at)
    except ValueError:
        return True
    return age.total_seconds() >= settings.UNSEEN_AUDIT_ANCHOR_MINUTES * 60


def after_commit(newest_id: int | None) -> None:
    """Write an interval anchor if one is due; `record` and `record_many` call it on commit."""
    from .models import AuditEntry

    try:
        if newest_id is None:  # bulk_create does not give ids back on every database
            newest_id = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        if due(newest_id or 0):
            write("interval")
    except (OSError, keys.AuditKeyError) as error:
        # The entries are committed; failing the request now would not undo them. The gap shows
        # as a stale anchor, and `unseen audit anchor` (cron) fails loudly on the same problem.
        log.error("could not write an audit anchor: %s", error)
