"""The per-person access report: who saw anything about witness P-00042, when and why."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from unseen.audit.log import record
from unseen.audit.models import Action, AuditEntry
from unseen.audit.reports import person_access
from unseen.registry.models import Person
from unseen.registry.vault import Identity, read_identity, store_identity


@pytest.fixture
def witness(db):
    person = Person.objects.create()
    store_identity(person, Identity(full_name="Kim Chol Ung", phone="+82 10 5555 0142"))
    return person


@pytest.fixture
def someone_else(db):
    return Person.objects.create()


def test_it_lists_vault_reads_with_their_purpose(witness, someone_else, rita):
    read_identity(witness, user=rita, purpose="call back about the Amur camp interview")
    read_identity(someone_else, user=rita, purpose="unrelated")
    from unseen.audit.reports import person_access

    lines = person_access(witness.pseudonym)
    reads = [line for line in lines if line.entry.action == Action.VAULT_READ]
    assert [(line.entry.actor, line.purpose) for line in reads] == [
        ("rita", "call back about the Amur camp interview")
    ]


def test_it_shows_the_report_to_an_administrator(client, alice, rita, witness):
    read_identity(witness, user=rita, purpose="verify the testimony date")
    client.force_login(alice)
    response = client.get(reverse("audit:person_report", args=[witness.pseudonym]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "verify the testimony date" in page
    assert "rita" in page
    assert "Kim Chol Ung" not in page  # the report names who looked, never what they saw
    # Looking at the report is itself recorded.
    assert AuditEntry.objects.filter(
        action=Action.SEARCH, actor="alice", target_id=str(witness.pk)
    ).exists()


def test_it_lists_writes_to_the_person_and_to_rows_pointing_at_them(witness, someone_else):
    witness.notes = "re-interviewed"
    witness.save()
    from unseen.audit.reports import person_access

    about = {line.about for line in person_access(witness.pseudonym)}
    assert "person" in about
    assert len(about - {"person", "export"}) >= 1  # the identity row stored in the vault


def test_it_lists_entries_naming_the_pseudonym_and_every_export(witness):
    record(
        Action.UPDATE,
        target_type="intake.note",
        target_id="9",
        detail={"person": witness.pseudonym},
    )
    record(Action.EXPORT, target_type="all", detail={"level": "full", "format": "csv"})
    from unseen.audit.reports import person_access

    about = [line.about for line in person_access(witness.pseudonym)]
    assert "mentioned" in about
    assert "export" in about


def test_it_finds_the_report_by_query(client, alice, witness):
    client.force_login(alice)
    response = client.get(
        reverse("audit:person_report_lookup"), {"pseudonym": witness.pseudonym.lower()}
    )
    assert response.status_code == 302
    assert response.url == reverse("audit:person_report", args=[witness.pseudonym])


def test_it_answers_404_for_an_unknown_pseudonym(client, alice):
    client.force_login(alice)
    assert client.get(reverse("audit:person_report", args=["P-99999"])).status_code == 404


def test_it_refuses_the_report_to_everyone_but_administrators(client, rita, witness):
    client.force_login(rita)
    assert client.get(reverse("audit:person_report", args=[witness.pseudonym])).status_code == 403


def test_it_prints_the_report_from_the_command(capsys, witness, rita):
    read_identity(witness, user=rita, purpose="check the birth year")
    call_command("audit", "report", witness.pseudonym)
    out = capsys.readouterr().out
    assert f"about {witness.pseudonym}" in out
    assert "rita\tvault_read" in out
    assert 'purpose: "check the birth year"' in out
    assert "Kim Chol Ung" not in out


def test_it_refuses_the_command_without_a_known_person(db):
    with pytest.raises(CommandError):
        call_command("audit", "report", "P-99999")
    with pytest.raises(CommandError):
        call_command("audit", "report")


def test_it_lists_who_opened_the_witness_testimony_and_person_page(
    client, rita, andy, witness, someone_else
):
    from tests import factories
    from unseen.documentation.models import Testimony
    from unseen.evidence.models import SourceKind

    testimony = Testimony.objects.create(
        source=factories.source(kind=SourceKind.INTERVIEW),
        interviewee=witness,
        summary="kept at the Amur camp for three winters",
        consent_to_use=True,
        access_level="internal",
    )
    unrelated = Testimony.objects.create(
        source=factories.source(kind=SourceKind.INTERVIEW),
        interviewee=someone_else,
        consent_to_use=True,
        access_level="internal",
    )
    client.force_login(andy)
    assert client.get(f"/app/testimonies/{testimony.pk}/").status_code == 200
    assert client.get(f"/app/testimonies/{unrelated.pk}/").status_code == 200
    client.force_login(rita)
    assert client.get(f"/app/persons/{witness.pk}/").status_code == 200
    assert client.get(f"/app/testimonies/{testimony.pk}/coding/").status_code == 200

    opened = [
        (line.entry.actor, line.about, line.entry.detail)
        for line in person_access(witness.pseudonym)
        if line.entry.action == Action.VIEW
    ]
    assert opened == [
        ("andy", "documentation.testimony", {"page": "detail"}),
        ("rita", "person", {"page": "detail"}),
        ("rita", "documentation.testimony", {"page": "coding"}),
    ]
    entry = AuditEntry.objects.filter(action=Action.VIEW).first()
    assert (entry.target_type, entry.target_id) == ("documentation.testimony", str(testimony.pk))


def test_it_prints_who_opened_the_testimony_from_the_command(capsys, client, andy, witness):
    from tests import factories
    from unseen.documentation.models import Testimony
    from unseen.evidence.models import SourceKind

    testimony = Testimony.objects.create(
        source=factories.source(kind=SourceKind.INTERVIEW),
        interviewee=witness,
        consent_to_use=True,
        access_level="internal",
    )
    client.force_login(andy)
    client.get(f"/app/testimonies/{testimony.pk}/")
    call_command("audit", "report", witness.pseudonym)
    assert "andy\tview\tdocumentation.testimony" in capsys.readouterr().out
