"""Key the receipt digests stored before #15 with the receipt key, once.

They were plain SHA-256 (hex) of the normalised code; they become HMAC-SHA256 under the receipt key
of those same SHA-256 bytes, which is what `models.receipt_digest` now computes, so every receipt
already given out still finds its report and no plain digest is left in the database. Going back
cannot undo the HMAC: receipts given out before then stop working on the old release.
"""

from typing import Any

from django.db import migrations

from unseen.intake import receipts

BATCH = 2000


def key_the_receipts(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("intake", "Submission")
    rows = model.objects.exclude(receipt_digest="").order_by("id")
    if not rows.exists():
        return
    key = receipts.receipt_key()
    last_id = 0
    while True:
        batch = list(rows.filter(id__gt=last_id)[:BATCH])
        if not batch:
            return
        for row in batch:
            row.receipt_digest = receipts.keyed_digest(bytes.fromhex(row.receipt_digest), key)
        model.objects.bulk_update(batch, ["receipt_digest"])
        last_id = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("intake", "0004_reports_published_as_moderated")]

    operations = [migrations.RunPython(key_the_receipts, migrations.RunPython.noop)]
