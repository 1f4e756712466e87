"""`unseen keys`: status, and rotation on a populated vault (#8)."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from unseen.core import sealing
from unseen.intake.models import Submission
from unseen.intake.vault import Contact, read_contact, store_contact
from unseen.registry import keys
from unseen.registry.models import Person, VaultKey
from unseen.registry.vault import Identity, find_by_name, read_identity, store_identity


@pytest.fixture(autouse=True)
def own_master_key(settings, tmp_path):
    settings.UNSEEN_MASTER_KEY = ""
    settings.UNSEEN_MASTER_KEY_FILE = str(tmp_path / "keys" / "master.key")
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


def test_it_creates_the_master_key_file_0600_on_first_use(own_master_key, vault):
    assert own_master_key.stat().st_mode & 0o777 == 0o600
    assert own_master_key.parent.stat().st_mode & 0o777 == 0o700
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
    text = output("rotate")
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
    assert "retired 1" in output("retire")
    assert "other master key" not in output("status")
    read_back(*vault, alice)


def test_rotating_the_data_key_reseals_every_field(own_master_key, vault, alice):
    persons, _ = vault
    output("rotate", "--data-key")
    assert list(VaultKey.objects.values_list("version", flat=True)) == [2]
    keys.forget_cached_keys()
    read_back(*vault, alice)
    assert find_by_name("person number 3", user=alice) == [persons[3]]


def test_a_wrong_master_key_is_refused_by_name(settings, vault, alice):
    persons, _ = vault
    settings.UNSEEN_MASTER_KEY = sealing.encode_key(sealing.new_key())
    keys.forget_cached_keys()
    with pytest.raises(keys.KeyUnavailable, match="wrapped under master key"):
        read_identity(persons[0], user=alice, purpose="check")
    with pytest.raises(CommandError, match="unwraps no data key"):
        output("status")
