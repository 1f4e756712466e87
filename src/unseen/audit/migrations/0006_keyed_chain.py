"""Re-chain an existing audit log under the audit key, once (#14).

Before #14 each entry's hash was plain SHA-256, which anyone who can write the database can
recompute. This migration checks that old chain (refusing to go on if it is already broken, since
re-keying would launder the break), then recomputes every link as HMAC-SHA256 under the audit key
and appends an anchor. It vouches for the log only as it stood at the upgrade: edits made before
then by someone holding the database cannot be told apart. A fresh install has no entries here
and is keyed from its first entry. Going back re-chains with plain SHA-256 for the old release.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import migrations, transaction

from unseen.audit import anchors, keys
from unseen.audit.models import GENESIS_HASH, canonical_payload, keyed_hash

BATCH = 2000

Digest = Callable[[Any], str]


def _plain(entry: Any) -> str:
    return hashlib.sha256(canonical_payload(entry)).hexdigest()


def rechain(model: Any, old: Digest, new: Digest) -> tuple[int, str, int]:
    """Check the chain under `old`, rewrite it under `new`; (newest id, its new hash, count)."""
    old_previous = new_previous = GENESIS_HASH
    last_id = count = 0
    while True:
        batch = list(model.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            return last_id, new_previous, count
        for entry in batch:
            if entry.previous_hash != old_previous or old(entry) != entry.entry_hash:
                raise RuntimeError(
                    f"the audit log is broken at entry {entry.pk}, so it cannot be re-chained: "
                    "run `unseen audit verify` with the previous release and investigate"
                )
            old_previous = entry.entry_hash
            entry.previous_hash = new_previous
            entry.entry_hash = new(entry)
            new_previous = entry.entry_hash
        model.objects.bulk_update(batch, ["previous_hash", "entry_hash"])
        last_id = batch[-1].pk
        count += len(batch)


def key_the_chain(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("audit", "AuditEntry")
    if not model.objects.exists():
        return
    key = keys.chain_key()
    newest_id, newest_hash, count = rechain(model, _plain, lambda e: keyed_hash(key, e))
    # After the commit, so a failed migration leaves no anchor naming hashes that were undone.
    transaction.on_commit(lambda: anchors.append("rekey", newest_id, newest_hash, count))


def unkey_the_chain(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("audit", "AuditEntry")
    key = keys.chain_key()
    rechain(model, lambda e: keyed_hash(key, e), _plain)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_record_view_and_vault_write_actions"),
    ]

    operations = [
        migrations.RunPython(key_the_chain, unkey_the_chain, elidable=False),
    ]
