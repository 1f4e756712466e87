import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from unseen.audit.models import Action, AuditEntry
from unseen.registry.models import Person
from unseen.registry.vault import Identity, has_identity, read_identity, store_identity

SRC = Path(__file__).resolve().parents[2] / "src" / "unseen"


@pytest.fixture
def person(db):
    person = Person.objects.create()
    store_identity(
        person, Identity(full_name="Ri Chol Su", name_hangul="리철수", birth_date="1984-03")
    )
    return person


def test_it_gives_each_person_a_pseudonym(db):
    first, second = Person.objects.create(), Person.objects.create()
    assert re.fullmatch(r"P-\d{5}", first.pseudonym)
    assert first.pseudonym != second.pseudonym
    assert Person.objects.get(pk=first.pk).pseudonym == first.pseudonym


def test_it_reads_an_identity_for_a_researcher_with_a_purpose_and_audits_it(person, rita):
    identity = read_identity(person, user=rita, purpose="check a duplicate")
    assert identity.full_name == "Ri Chol Su"
    entry = AuditEntry.objects.get(action=Action.VAULT_READ)
    assert (entry.actor, entry.target_id) == ("rita", str(person.pk))
    assert entry.detail == {
        "purpose": "check a duplicate",
        "fields": ["full_name", "name_hangul", "birth_date"],
    }
    assert "Ri Chol Su" not in str(entry.detail)


@pytest.mark.parametrize("who", ["andy", "mona", "nora"])
def test_it_refuses_identities_to_roles_without_the_vault(person, personas, who):
    with pytest.raises(PermissionDenied):
        read_identity(person, user=personas[who], purpose="curious")
    assert not AuditEntry.objects.filter(action=Action.VAULT_READ).exists()


def test_it_refuses_a_read_without_a_purpose(person, rita):
    with pytest.raises(ValueError, match="purpose"):
        read_identity(person, user=rita, purpose="  ")


def test_it_stores_nothing_for_an_empty_identity(db):
    person = Person.objects.create()
    store_identity(person, Identity())
    assert not has_identity(person)


def test_it_reaches_identities_only_through_the_vault_module():
    # Encryption will change one module; that only holds while no other code touches the model.
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "PersonIdentity" in path.read_text(encoding="utf-8")
        and path.relative_to(SRC).as_posix() not in {"registry/models.py", "registry/vault.py"}
        and "migrations" not in path.parts
    ]
    assert offenders == []
