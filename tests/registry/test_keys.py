"""`unseen keys`: init, status, and rotation on a populated vault (#8, #15)."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from unseen.core import sealing
from unseen.intake.models import Submission
from unseen.intake.vault import Contact, read_contact, store_contact
from unseen.registry import keys
from unseen.registry.models import Person, VaultKey
from unseen.registry.vault import (
    Identity,
    find_by_name,
    read_identity,
    read_identity_history,
    store_identity,
    write_identity,
)


@pytest.fixture(autouse=True)
def own_master_key(settings, tmp_path):
    settings.UNSEEN_MASTER_KEY = ""
    return Path(settings.UNSEEN_MASTER_KEY_FILE)


@pytest.fixture
def vault(db):
    """Twenty identities and a reporter's contact."""
    persons = []
    for n in range(20):
        person = Person.objects.create()
        store_identity(
            person,
            Identity(
                full_name=f"Person Number {n}", name_hangul=f"사람{n}", birth_date=f"19{60 + n}"
            ),
        )
        persons.append(person)
    submission = Submission.objects.create(description="seen")
    store_contact(submission, Contact(contact="signal +976 0101", email="r@example.org"))
    return persons, submission


def read_back(persons, submission, user):
    for n, person in enumerate(persons):
        assert read_identity(person, user=user, purpose="check").full_name == f"Person Number {n}"
    assert read_contact(submission, user=user, purpose="check").email == "r@example.org"


def output(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


def test_a_missing_master_key_stops_with_a_message_and_creates_nothing(own_master_key, db):
    own_master_key.unlink()
    for attempt in (
        lambda: output("status"),
        lambda: output("rotate"),
        lambda: store_identity(Person.objects.create(), Identity(full_name="Kim Il")),
    ):
        with pytest.raises((CommandError, keys.KeyUnavailable)) as stopped:
            attempt()
        message = str(stopped.value)
        assert str(own_master_key) in message and "UNSEEN_MASTER_KEY_FILE" in message
        assert "unseen keys init" in message
        assert not own_master_key.exists()
    assert not VaultKey.objects.exists()


def test_a_missing_audit_key_stops_with_a_message_and_creates_nothing(settings, db):
    from unseen.audit.keys import AuditKeyError
    from unseen.audit.log import record
    from unseen.audit.models import Action

    path = Path(settings.UNSEEN_AUDIT_KEY_FILE)
    path.unlink()
    with pytest.raises(AuditKeyError, match=r"UNSEEN_AUDIT_KEY_FILE.*unseen keys init"):
        record(Action.SEARCH, target_type="test")
    assert not path.exists()


def test_init_creates_every_missing_key_0600_and_replaces_none(settings, own_master_key, db):
    audit = Path(settings.UNSEEN_AUDIT_KEY_FILE)
    kept = own_master_key.read_text()
    audit.unlink()
    text = output("init")
    assert f"{own_master_key} exists, left as it is" in text
    assert f"created the audit key in {audit}" in text
    assert own_master_key.read_text() == kept
    assert audit.stat().st_mode & 0o777 == 0o600
    own_master_key.unlink()
    assert f"created the master key in {own_master_key}" in output("init")
    assert own_master_key.stat().st_mode & 0o777 == 0o600
    assert own_master_key.parent.stat().st_mode & 0o777 == 0o700
    again = output("init")
    assert "created" not in again and "left as it is" in again


def test_init_will_not_make_a_new_master_key_for_an_existing_vault(own_master_key, vault):
    own_master_key.unlink()
    with pytest.raises(CommandError, match="a new key would not open it"):
        output("init")
    assert not own_master_key.exists()


def test_a_key_file_others_can_read_is_refused(settings, own_master_key, vault, alice):
    from unseen.audit.keys import AuditKeyError
    from unseen.audit.log import record
    from unseen.audit.models import Action

    persons, _ = vault
    own_master_key.chmod(0o644)
    with pytest.raises(keys.KeyUnavailable, match=r"mode 0644.*chmod 600"):
        read_identity(persons[0], user=alice, purpose="check")
    with pytest.raises(CommandError, match="mode 0644"):
        output("init")
    own_master_key.chmod(0o600)
    audit = Path(settings.UNSEEN_AUDIT_KEY_FILE)
    audit.chmod(0o604)
    with pytest.raises(AuditKeyError, match="mode 0604"):
        record(Action.SEARCH, target_type="test")


def test_status_names_the_keys_never_their_material(own_master_key, vault):
    status = output("status")
    assert sealing.key_id(keys.master_key()) in status
    assert "version 1" in status
    assert own_master_key.read_text().strip() not in status
    assert bytes(VaultKey.objects.get().wrapped) != keys.active_data_key()[1]


def test_rotate_rewraps_under_a_new_master_key_and_the_old_one_stops_working(
    own_master_key, vault, alice
):
    old = keys.master_key()
    old_id = sealing.key_id(old)
    text = output("rotate", "--keep-data-key")
    assert "still opens the current vault" in text
    new = keys.master_key()
    assert new != old
    assert f"{old_id} -> {sealing.key_id(new)}" in text
    assert own_master_key.stat().st_mode & 0o777 == 0o600
    keys.forget_cached_keys()
    read_back(*vault, alice)
    rows = list(VaultKey.objects.all())
    assert [row.master_key_id for row in rows] == [sealing.key_id(new)]
    for row in rows:
        with pytest.raises(sealing.SealingError):
            sealing.unwrap_key(old, bytes(row.wrapped), f"unseen/vault-data-key/v{row.version}")
    assert Path(f"{own_master_key}.{old_id}.retired").exists()


def test_a_two_stage_rotation_keeps_both_keys_working_until_retired(
    settings, tmp_path, vault, alice
):
    settings.UNSEEN_MASTER_KEY = sealing.encode_key(keys.master_key())
    with pytest.raises(CommandError, match="new-key-file"):
        output("rotate")
    new_file = tmp_path / "next" / "master.key"
    output("rotate", "--new-key-file", str(new_file))
    keys.forget_cached_keys()
    read_back(*vault, alice)  # the old key still works
    settings.UNSEEN_MASTER_KEY = ""
    settings.UNSEEN_MASTER_KEY_FILE = str(new_file)
    keys.forget_cached_keys()
    read_back(*vault, alice)  # ... and so does the new one
    text = output("retire")
    assert "data key replaced: v1 -> v2" in text and "opens nothing sealed from now on" in text
    assert "other master key" not in output("status")
    keys.forget_cached_keys()
    read_back(*vault, alice)


def test_rotating_replaces_the_data_key_and_reseals_every_field(own_master_key, vault, alice):
    persons, _ = vault
    output("rotate")
    assert list(VaultKey.objects.values_list("version", flat=True)) == [2]
    keys.forget_cached_keys()
    read_back(*vault, alice)
    assert find_by_name("person number 3", user=alice) == [persons[3]]


def test_rotating_reseals_the_identity_revisions_so_an_old_one_still_opens(
    own_master_key, vault, alice
):
    from unseen.registry.models import PersonIdentity

    persons, _ = vault
    write_identity(persons[3], Identity(full_name="Renamed Number 3"), user=alice)
    historical = PersonIdentity.history.model
    before = {row.history_id: row.full_name for row in historical.objects.all()}
    text = output("rotate")
    assert "identities and their revisions" in text
    after = {row.history_id: row.full_name for row in historical.objects.all()}
    # Every revision re-sealed under the new key (version 2), none left under the deleted one.
    assert after.keys() == before.keys() and len(after) == 21
    assert all(after[n] != before[n] and sealing.sealed_version(after[n]) == 2 for n in after)
    keys.forget_cached_keys()
    [renamed, original] = read_identity_history(persons[3], user=alice, purpose="check")
    assert (renamed.identity.full_name, original.identity.full_name) == (
        "Renamed Number 3",
        "Person Number 3",
    )
    assert original.changed == ["full_name", "name_hangul", "birth_date"]


def test_a_wrong_master_key_is_refused_by_name(settings, vault, alice):
    persons, _ = vault
    settings.UNSEEN_MASTER_KEY = sealing.encode_key(sealing.new_key())
    keys.forget_cached_keys()
    with pytest.raises(keys.KeyUnavailable, match="wrapped under master key"):
        read_identity(persons[0], user=alice, purpose="check")
    with pytest.raises(CommandError, match="unwraps no data key"):
        output("status")


def old_copies() -> list[tuple[int, bytes]]:
    """What an old backup, WAL segment or free page keeps of the key table."""
    return [(row.version, bytes(row.wrapped)) for row in VaultKey.objects.all()]


def test_after_rotation_the_retired_key_with_an_old_key_table_opens_nothing_current(
    own_master_key, vault, alice
):
    from unseen.intake.models import ReporterContact
    from unseen.registry.models import PersonIdentity

    persons, submission = vault
    retired, copy = keys.master_key(), old_copies()
    text = output("rotate")
    # What the thief gets: every data key in the old copy, unwrapped with the retired key.
    stolen = [
        sealing.unwrap_key(retired, wrapped, f"unseen/vault-data-key/v{version}")
        for version, wrapped in copy
    ]
    sealed = [
        (getattr(row, name), f"unseen/registry.personidentity/{name}/person={row.person_id}")
        for row in PersonIdentity.objects.all()
        for name in ("full_name", "name_hangul", "birth_date")
    ] + [
        (row.email, f"unseen/intake.reportercontact/email/submission={row.pk}")
        for row in ReporterContact.objects.all()
    ]
    assert len(sealed) == 61
    for key in stolen:
        for value, context in sealed:
            with pytest.raises(sealing.SealingError):
                sealing.open_sealed(key, value, context)
        # Nor can the thief test a guessed name against today's blind index.
        guess = sealing.blind_index(
            sealing.derive_key(key, keys.NAME_INDEX_LABEL), "person number 3"
        )
        assert not PersonIdentity.objects.filter(name_index=guess).exists()
    keys.forget_cached_keys()
    read_back(persons, submission, alice)
    assert "opens nothing sealed from now on" in text


def test_the_blind_indexes_of_name_and_birth_date_use_keys_of_their_own(vault):
    from unseen.registry.models import PersonIdentity

    person = Person.objects.create()
    store_identity(person, Identity(full_name="1975", birth_date="1975"))
    stored = PersonIdentity.objects.get(person=person)
    assert stored.name_index and stored.birth_date_index
    assert stored.name_index != stored.birth_date_index
