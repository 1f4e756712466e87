import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests import factories
from unseen.audit.log import record, record_many, verify
from unseen.audit.models import Action, AuditEntry


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
