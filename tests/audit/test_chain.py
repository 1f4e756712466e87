import hashlib
import hmac
import json
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from tests import factories
from unseen.audit import anchors
from unseen.audit.log import record, record_many, verify
from unseen.audit.models import GENESIS_HASH, Action, AuditEntry


@pytest.fixture
def chain(db):
    return [
        record(Action.SEARCH, target_type="test", target_id=str(i), detail={"n": i})
        for i in range(5)
    ]


def raw(sql, params):
    # Tampering bypasses the model, as an attacker with database access would.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_verifies_an_untouched_chain(chain):
    report = verify()
    assert report.intact and report.checked == 5


def test_it_finds_an_edited_entry(chain):
    raw("UPDATE audit_auditentry SET actor = %s WHERE id = %s", ["mallory", chain[2].pk])
    report = verify()
    assert report.first_broken_id == chain[2].pk
    assert "content changed" in report.reason


def test_it_finds_a_deleted_entry(chain):
    raw("DELETE FROM audit_auditentry WHERE id = %s", [chain[1].pk])
    assert verify().first_broken_id == chain[2].pk


def test_it_finds_reordered_entries(chain):
    first, second = chain[1], chain[2]
    raw("UPDATE audit_auditentry SET id = %s WHERE id = %s", [10_000, first.pk])
    raw("UPDATE audit_auditentry SET id = %s WHERE id = %s", [first.pk, second.pk])
    raw("UPDATE audit_auditentry SET id = %s WHERE id = %s", [second.pk, 10_000])
    assert verify().first_broken_id == first.pk


def test_it_refuses_updates_and_deletes_through_the_orm(chain):
    entry = chain[0]
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(actor="x")


def test_it_logs_writes_by_field_name_never_by_value(db):
    source = factories.source("Secret title that must not be logged")
    source.title = "Another secret"
    source.save(update_fields=["title"])
    entries = list(AuditEntry.objects.filter(target_type="evidence.source"))
    assert [e.action for e in entries] == [Action.CREATE, Action.UPDATE]
    assert entries[1].detail == {"fields": ["title"]}
    assert all("secret" not in str(e.detail).lower() for e in entries)


def test_it_names_the_fields_a_plain_save_changed_never_their_values(db):
    # docs/architecture.md, "What is recorded": the names of the changed fields, no values.
    source = factories.source("Secret title that must not be logged")
    source.title = "Another secret"
    source.notes = "Secret notes"
    source.save()
    update = AuditEntry.objects.filter(target_type="evidence.source").last()
    assert update.action == Action.UPDATE and update.detail == {"fields": ["notes", "title"]}
    assert "secret" not in str(update.detail).lower()
    source.save()
    unchanged = AuditEntry.objects.filter(target_type="evidence.source").last()
    assert unchanged.detail == {"fields": []}


def test_it_logs_sign_ins_and_failures_without_the_username_tried(client, rita):
    client.post("/accounts/login/", {"username": "rita", "password": "nope"})
    client.post(
        "/accounts/login/", {"username": "rita", "password": "correct horse battery staple"}
    )
    actions = list(AuditEntry.objects.values_list("action", "actor"))
    assert (Action.LOGIN_FAILED, "anonymous") in actions
    assert (Action.LOGIN, "rita") in actions


def test_it_reports_a_broken_chain_from_the_command(chain, capsys):
    call_command("audit", "verify")
    assert "intact: 5 entries" in capsys.readouterr().out
    raw("UPDATE audit_auditentry SET detail = %s WHERE id = %s", ['{"n": 99}', chain[3].pk])
    with pytest.raises(CommandError, match=f"broken at entry {chain[3].pk}") as failed:
        call_command("audit", "verify")
    assert failed.value.returncode == 1


def test_entries_appended_in_bulk_continue_the_chain_in_order(chain):
    persons = [factories.site(name=f"Camp {i}") for i in range(7)]  # audited as created
    before = list(AuditEntry.objects.order_by("id"))
    written = record_many(
        Action.VAULT_READ,
        ((p, {"purpose": "linkage run 1", "n": i}) for i, p in enumerate(persons)),
        actor="andy",
        batch_size=3,  # several batches, each chained onto the one before
    )
    assert written == 7
    report = verify()
    assert report.intact and report.checked == len(before) + 7
    appended = list(AuditEntry.objects.filter(action=Action.VAULT_READ).order_by("id"))
    assert [e.target_id for e in appended] == [str(p.pk) for p in persons]
    assert [e.detail["n"] for e in appended] == list(range(7))
    assert appended[0].previous_hash == before[-1].entry_hash
    assert {e.actor for e in appended} == {"andy"}
    record(Action.SEARCH, target_type="test", target_id="after")
    assert verify().intact


# An attacker who holds the database file (#14): the code is public, so they can recompute any
# unkeyed hash; only the audit key (outside the database) and the anchors stand in their way.


def plain_sha256(row):
    """The pre-#14 entry hash: SHA-256 of the canonical JSON, which anyone can recompute."""
    payload = json.dumps(
        {
            "at": row.at.isoformat(),
            "actor": row.actor,
            "action": row.action,
            "target_type": row.target_type,
            "target_id": row.target_id,
            "detail": row.detail,
            "previous_hash": row.previous_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def rehash_from(first_id, digest):
    """Rewrite every entry from `first_id` on so that each link holds again under `digest`."""
    rows = list(AuditEntry.objects.order_by("id"))
    previous = GENESIS_HASH
    for row in rows:
        if row.pk >= first_id:
            row.previous_hash = previous
            new_hash = digest(row)
            raw(
                "UPDATE audit_auditentry SET previous_hash = %s, entry_hash = %s WHERE id = %s",
                [previous, new_hash, row.pk],
            )
            row.entry_hash = new_hash
        previous = row.entry_hash


def test_it_finds_an_edited_entry_re_hashed_with_plain_sha256(chain):
    raw("UPDATE audit_auditentry SET actor = %s WHERE id = %s", ["mallory", chain[2].pk])
    rehash_from(chain[2].pk, plain_sha256)
    report = verify()
    assert report.first_broken_id == chain[2].pk
    assert "plain SHA-256" in report.reason
    with pytest.raises(CommandError, match=f"broken at entry {chain[2].pk}") as failed:
        call_command("audit", "verify")
    assert failed.value.returncode == 1


def test_it_finds_a_chain_re_hashed_under_another_key(chain):
    other_key = os.urandom(32)
    rehash_from(
        chain[0].pk,
        lambda row: hmac.new(other_key, plain_sha256(row).encode(), hashlib.sha256).hexdigest(),
    )
    report = verify()
    assert report.first_broken_id == chain[0].pk
    assert "audit key" in report.reason


@pytest.fixture
def anchored(db, settings, django_capture_on_commit_callbacks):
    # Anchors are written once the entries are committed; every entry gets one here.
    settings.UNSEEN_AUDIT_ANCHOR_EVERY = 1
    with django_capture_on_commit_callbacks(execute=True):
        return [
            record(Action.SEARCH, target_type="test", target_id=str(i), detail={"n": i})
            for i in range(5)
        ]


def test_it_reports_the_anchor_it_matched(anchored, capsys):
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "intact: 5 entries checked" in out
    assert f"anchor matched: entry {anchored[-1].pk}" in out


def test_it_finds_the_newest_entries_deleted_after_an_anchor(anchored):
    raw("DELETE FROM audit_auditentry WHERE id >= %s", [anchored[3].pk])
    assert verify().intact is False
    with pytest.raises(CommandError, match=f"entry {anchored[-1].pk}.*missing") as failed:
        call_command("audit", "verify")
    assert failed.value.returncode == 1


def test_it_finds_the_whole_log_deleted(anchored):
    raw("DELETE FROM audit_auditentry WHERE id > %s", [0])
    assert AuditEntry.objects.count() == 0
    with pytest.raises(CommandError, match="log is empty") as failed:
        call_command("audit", "verify")
    assert failed.value.returncode == 1


def test_it_keeps_the_audit_key_in_a_private_file(db, settings):
    record(Action.SEARCH, target_type="test", target_id="1")
    path = Path(settings.UNSEEN_AUDIT_KEY_FILE)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_it_finds_a_forged_anchor(anchored, settings):
    path = anchors.anchor_path()
    forged = json.loads(path.read_text().splitlines()[-1]) | {"id": 1, "hash": "f" * 64}
    with path.open("a") as handle:
        handle.write(json.dumps(forged) + "\n")
    with pytest.raises(CommandError, match="not signed with the audit key") as failed:
        call_command("audit", "verify")
    assert failed.value.returncode == 1


def test_it_anchors_on_commit_every_so_many_entries(
    db, settings, django_capture_on_commit_callbacks
):
    settings.UNSEEN_AUDIT_ANCHOR_EVERY = 3
    written = []
    for i in range(7):  # seven commits
        with django_capture_on_commit_callbacks(execute=True):
            written.append(record(Action.SEARCH, target_type="test", target_id=str(i)))
    # The first entry is anchored at once, then every third one.
    assert [anchor.id for _, anchor in anchors.read()] == [written[i].pk for i in (0, 3, 6)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        record(Action.SEARCH, target_type="test", target_id="rolled back")
        transaction.set_rollback(True)
    assert callbacks == []  # nothing anchored for an entry that was never committed


def test_an_anchor_from_cron_prints_its_line_and_a_copy_can_be_checked(chain, capsys, tmp_path):
    call_command("audit", "anchor")
    printed = capsys.readouterr().out.strip()
    assert json.loads(printed)["id"] == chain[-1].pk
    shipped = tmp_path / "offsite.anchors"
    shipped.write_text(printed + "\n")
    anchors.anchor_path().unlink()  # the local file is gone: the shipped copy still tells
    raw("DELETE FROM audit_auditentry WHERE id = %s", [chain[-1].pk])
    call_command("audit", "verify")  # nothing local to check against
    with pytest.raises(CommandError, match="missing"):
        call_command("audit", "verify", anchor_file=str(shipped))
