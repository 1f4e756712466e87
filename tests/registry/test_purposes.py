"""A stated purpose is written for good (audit log, backups): bounded, and not a name (#15 item 6)."""

import pytest

from tests.documentation.test_identity_pages import (  # noqa: F401 - fixtures
    edit_url,
    identity_url,
    rita_client,
    vault_entries,
    witness,
)
from unseen.audit.models import Action, AuditEntry
from unseen.core.purposes import looks_like_a_name
from unseen.intake.forms import PurposeForm as ContactPurposeForm
from unseen.intake.receiving import receive_sighting
from unseen.registry.forms import PurposeForm
from unseen.registry.vault import read_identity

NAMES = [
    "check Kim Chol Su",
    "Ri Chol Su",
    "Anna Petrova",
    "Review Kim Chol",
    "passport of Pak Song-il",
    "kim chol-su",
    "Moon Jae-in",
    "KIM CHOL SU",
    "ri chol su",
    "김철수",
    "김철수를 확인",
    "이영희 씨",
]
PURPOSES = [
    "Linkage review for run 12",
    "linkage review",
    "Check the name against the 2019 passport list",
    "North Korean workers in Vladivostok",
    "Follow-up on Shenyang restaurant report",
    "Court request from the Seoul office",
    "Ask Human Rights Watch",
    "Duplicate check before merging P-00042",
    "re-check consent for testimony T-12",
    "in Vladivostok since 2019",
    "son of a worker",
    "audit of the 2024 UN list",
    "Moon landing",
    "연결 검토 12번",
    "신원 확인",
    "중복 여부 확인",
]


@pytest.mark.parametrize("text", NAMES)
def test_it_takes_these_for_names(text):
    assert looks_like_a_name(text)


@pytest.mark.parametrize("text", PURPOSES)
def test_it_takes_these_for_ordinary_purposes(text):
    assert not looks_like_a_name(text)


@pytest.mark.parametrize("form_class", [PurposeForm, ContactPurposeForm])
def test_the_purpose_forms_bound_it_and_refuse_a_name_until_confirmed(form_class):
    assert not form_class({"purpose": "x" * 201}).is_valid()
    assert form_class({"purpose": "Linkage review for run 12"}).is_valid()

    refused = form_class({"purpose": "check Kim Chol Su"})
    assert not refused.is_valid()
    assert "person's name" in refused.errors["purpose"][0]
    assert refused.refused_as_a_name and 'type="checkbox"' in str(refused["not_a_name"])

    confirmed = form_class({"purpose": "Check Saint Petersburg", "not_a_name": "on"})
    assert confirmed.is_valid(), confirmed.errors
    assert not form_class().refused_as_a_name


@pytest.mark.django_db
def test_an_identity_page_writes_no_name_to_the_log_unless_confirmed(rita_client, witness):  # noqa: F811
    refused = rita_client.post(identity_url(witness), {"purpose": "asked by Kim Chol Su"})
    page = refused.content.decode()
    assert "person&#x27;s name" in page or "person's name" in page
    assert 'name="not_a_name"' in page
    assert vault_entries() == []
    assert not AuditEntry.objects.filter(detail__icontains="Chol Su").exists()

    opened = rita_client.post(
        identity_url(witness), {"purpose": "Check Saint Petersburg list", "not_a_name": "on"}
    )
    assert "data-identity" in opened.content.decode()
    assert 'name="not_a_name" value="on"' in opened.content.decode()  # carried to the edit form
    edited = rita_client.post(
        edit_url(witness), {"purpose": "Check Saint Petersburg list", "not_a_name": "on"}
    )
    assert edited.status_code == 200
    assert 'name="not_a_name" value="on"' in edited.content.decode()  # and to its save
    assert [e.detail["purpose"] for e in vault_entries()] == ["Check Saint Petersburg list"] * 2


@pytest.mark.django_db
def test_a_moderator_asking_for_contact_details_is_sent_back_to_confirm(client, alice):
    submission = receive_sighting({"description": "x", "contact": "wire-me-at-555"}).submission
    client.force_login(alice)
    url = f"/app/moderation/{submission.pk}/contact/"
    refused = client.post(url, {"purpose": "call Ri Chol Su back"})
    assert refused.status_code == 302 and "confirm_purpose=1" in refused.url
    page = client.get(refused.url).content.decode()
    assert "person" in page and 'type="checkbox" name="not_a_name"' in page
    assert not AuditEntry.objects.filter(action=Action.VAULT_READ).exists()
    shown = client.post(url, {"purpose": "call back about Saint Petersburg", "not_a_name": "on"})
    assert "wire-me-at-555" in shown.content.decode()


@pytest.mark.django_db
def test_the_vault_bounds_a_purpose_however_it_is_called(witness, rita):  # noqa: F811
    read_identity(witness, user=rita, purpose="p" * 5000)
    [entry] = vault_entries()
    assert entry.detail["purpose"] == "p" * 200
