"""The vault's door: open an identity with a stated purpose, edit it, create a person with one.

Identity values appear in nothing but POST bodies and responses marked `no-store`: never in a
URL, the audit log or a cache.
"""

import json

import pytest
from django.urls import reverse

from tests.conftest import make_user
from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.audit.models import Action, AuditEntry
from unseen.registry import keys
from unseen.registry.models import Person
from unseen.registry.vault import Identity, read_identity, store_identity

NAME = "Ri Myong Chol"
HANGUL = "리명철"
PHONE = "+7 924 555 0199"


@pytest.fixture
def witness(db):
    person = Person.objects.create(access_level=AccessLevel.INTERNAL)
    store_identity(
        person, Identity(full_name=NAME, name_hangul=HANGUL, birth_date="1984-03", phone=PHONE)
    )
    return person


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def identity_url(person):
    return reverse("documentation:identity", args=[person.pk])


def edit_url(person):
    return reverse("documentation:identity_edit", args=[person.pk])


def history_url(person):
    return reverse("documentation:identity_history", args=[person.pk])


CREATE_URL = "/app/persons/new/identity/"


def vault_entries(action=Action.VAULT_READ):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_it_serves_the_identity_pages_at_these_paths(witness):
    assert identity_url(witness) == f"/app/persons/{witness.pk}/identity/"
    assert edit_url(witness) == f"/app/persons/{witness.pk}/identity/edit/"
    assert reverse("documentation:identity_create") == CREATE_URL


def test_it_asks_for_a_purpose_before_showing_anything(rita_client, witness):
    asked = rita_client.get(identity_url(witness))
    assert asked.status_code == 200
    assert 'name="purpose"' in asked.content.decode()
    assert NAME not in asked.content.decode()

    refused = rita_client.post(identity_url(witness), {"purpose": "   "})
    assert refused.status_code == 200
    assert NAME not in refused.content.decode()
    assert "This field is required." in refused.content.decode()
    assert vault_entries() == []


def test_it_shows_the_identity_for_a_stated_purpose_and_audits_the_read(rita_client, witness):
    response = rita_client.post(identity_url(witness), {"purpose": "check against passport list"})
    page = response.content.decode()
    assert NAME in page and HANGUL in page and "1984-03" in page and PHONE in page
    [entry] = vault_entries()
    assert (entry.actor, entry.target_type, entry.target_id) == (
        "rita",
        "registry.person",
        str(witness.pk),
    )
    assert entry.detail["purpose"] == "check against passport list"
    assert sorted(entry.detail["fields"]) == ["birth_date", "full_name", "name_hangul", "phone"]


def test_it_links_the_identity_only_for_holders_of_the_vault(client, rita, andy, witness):
    person_page = reverse("documentation:detail", args=["persons", witness.pk])
    client.force_login(rita)
    assert identity_url(witness) in client.get(person_page).content.decode()
    assert CREATE_URL in client.get("/app/persons/").content.decode()
    client.force_login(andy)
    assert identity_url(witness) not in client.get(person_page).content.decode()
    assert CREATE_URL not in client.get("/app/persons/").content.decode()
    assert client.get(identity_url(witness)).status_code == 403
    assert client.post(identity_url(witness), {"purpose": "curious"}).status_code == 403
    assert client.post(edit_url(witness), {"purpose": "curious"}).status_code == 403
    assert client.get(CREATE_URL).status_code == 403
    assert vault_entries() == []


def test_it_hides_a_person_beyond_the_users_level_as_not_found(client, witness):
    witness.access_level = AccessLevel.CONFIDENTIAL
    witness.save()
    # A researcher holds the vault but not, here, the confidential compartment.
    client.force_login(make_user("rosa", Role.RESEARCHER))
    assert client.get(identity_url(witness)).status_code == 404
    assert client.post(identity_url(witness), {"purpose": "check"}).status_code == 404
    assert client.post(edit_url(witness), {"purpose": "check"}).status_code == 404
    assert vault_entries() == []


def test_it_opens_the_edit_form_with_a_purpose_and_audits_the_write(rita_client, rita, witness):
    opened = rita_client.post(edit_url(witness), {"purpose": "correct the phone number"})
    assert opened.status_code == 200
    assert PHONE in opened.content.decode()  # the form is filled from the vault: an audited read
    assert [e.detail["purpose"] for e in vault_entries()] == ["correct the phone number"]

    saved = rita_client.post(
        edit_url(witness),
        {
            "purpose": "correct the phone number",
            "save": "1",
            "full_name": NAME,
            "name_hangul": HANGUL,
            "birth_date": "1984-03",
            "phone": "+7 924 555 0100",
        },
    )
    assert saved.status_code == 302
    assert saved.url == f"/app/persons/{witness.pk}/"
    [write] = vault_entries(Action.VAULT_WRITE)
    assert (write.actor, write.target_type, write.target_id) == (
        "rita",
        "registry.person",
        str(witness.pk),
    )
    assert write.detail == {"fields": ["phone"], "purpose": "correct the phone number"}
    assert read_identity(witness, user=rita, purpose="test").phone == "+7 924 555 0100"


def test_it_refuses_to_open_the_edit_form_without_a_purpose(rita_client, witness):
    response = rita_client.post(edit_url(witness), {})
    assert response.status_code == 302
    assert response.url == identity_url(witness)
    assert rita_client.get(edit_url(witness)).status_code == 405  # never a GET: no purpose
    assert vault_entries() == []


def test_it_re_renders_a_bad_edit_and_writes_nothing(rita_client, rita, witness):
    response = rita_client.post(
        edit_url(witness),
        {"purpose": "fix", "save": "1", "full_name": "Ri M. Chol", "birth_date": "1984-13"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This date does not exist (check the day and the month)." in page
    assert 'value="Ri M. Chol"' in page  # what was typed is kept
    assert vault_entries(Action.VAULT_WRITE) == []
    assert read_identity(witness, user=rita, purpose="test").full_name == NAME


PERSON = {
    "person-sex": "m",
    "person-birth_year": "1984",
    "person-home_province": "North Hamgyong",
    "person-nationality": "KP",
    "person-notes": "",
    "person-access_level": AccessLevel.INTERNAL,
}


def test_it_creates_a_person_with_an_identity_in_one_go(rita_client, rita, db):
    response = rita_client.post(
        CREATE_URL,
        {**PERSON, "save": "1", "identity-full_name": NAME, "identity-name_hangul": HANGUL},
    )
    person = Person.objects.get()
    assert response.status_code == 302
    assert response.url == f"/app/persons/{person.pk}/"
    assert person.pseudonym.startswith("P-") and person.home_province == "North Hamgyong"
    identity = read_identity(person, user=rita, purpose="test")
    assert (identity.full_name, identity.name_hangul) == (NAME, HANGUL)
    [write] = vault_entries(Action.VAULT_WRITE)
    assert write.target_id == str(person.pk)
    assert write.detail == {"fields": ["full_name", "name_hangul"]}


@pytest.mark.parametrize(
    "identity",
    [
        {"identity-full_name": NAME, "identity-email": "not an address"},
        {"identity-full_name": NAME, "identity-birth_date": "sometime in 1984"},
        {},  # a new person with identity needs at least one identifying field
    ],
)
def test_it_creates_no_person_when_the_identity_is_invalid(rita_client, db, identity):
    response = rita_client.post(CREATE_URL, {**PERSON, "save": "1", **identity})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Person.objects.exists()
    assert vault_entries(Action.VAULT_WRITE) == []


def test_it_creates_no_person_when_the_vault_cannot_seal_the_identity(
    rita_client, witness, settings, tmp_path
):
    # Another master key than the one that wrapped the vault's data key: sealing fails after the
    # person row was inserted, and the transaction must take that row back.
    other = tmp_path / "other.key"
    keys.write_key_file(other, b"\x01" * 32)
    settings.UNSEEN_MASTER_KEY = ""
    settings.UNSEEN_MASTER_KEY_FILE = str(other)
    keys.forget_cached_keys()
    with pytest.raises(keys.KeyUnavailable):
        rita_client.post(CREATE_URL, {**PERSON, "save": "1", "identity-full_name": "Pak Song"})
    assert list(Person.objects.all()) == [witness]


def test_it_tells_browsers_and_proxies_to_store_no_identity_page(rita_client, witness):
    responses = [
        rita_client.get(identity_url(witness)),
        rita_client.post(identity_url(witness), {"purpose": "check"}),
        rita_client.post(edit_url(witness), {"purpose": "check"}),
        rita_client.post(edit_url(witness), {"purpose": "check", "save": "1", "birth_date": "x"}),
        rita_client.get(CREATE_URL),
        rita_client.post(CREATE_URL, {**PERSON, "save": "1", "identity-email": "x"}),
        rita_client.post(history_url(witness), {"purpose": "check"}),
        rita_client.post(history_url(witness), {"purpose": ""}),
    ]
    for response in responses:
        assert response["Cache-Control"] == "no-store", response.request
        assert response["Pragma"] == "no-cache", response.request


def test_it_keeps_identity_values_out_of_the_audit_log_and_every_url(rita_client, db):
    values = {
        "identity-full_name": "Han Kyong Suk",
        "identity-name_hangul": "한경숙",
        "identity-birth_date": "1979-11-02",
        "identity-phone": "+82 10 5555 0177",
        "identity-email": "hks@example.org",
        "identity-identifier": "PD-836152",
    }
    urls = []
    created = rita_client.post(CREATE_URL, {**PERSON, "save": "1", **values})
    urls.append(created.url)
    person = Person.objects.get()
    read = rita_client.post(identity_url(person), {"purpose": "call back"}, follow=True)
    opened = rita_client.post(edit_url(person), {"purpose": "call back"})
    edited = rita_client.post(
        edit_url(person),
        {
            "purpose": "call back",
            "save": "1",
            **{key.removeprefix("identity-"): value for key, value in values.items()},
            "phone": "+82 10 5555 0178",
        },
        follow=True,
    )
    urls += [url for url, _status in read.redirect_chain + edited.redirect_chain]
    urls += [
        r.request["PATH_INFO"] + "?" + r.request.get("QUERY_STRING", "") for r in (read, opened)
    ]
    assert "Han Kyong Suk" in read.content.decode()  # the read did show the identity
    logged = json.dumps(
        list(AuditEntry.objects.values("target_type", "target_id", "detail")), ensure_ascii=False
    )
    for value in [*values.values(), "+82 10 5555 0178"]:
        assert value not in logged
        assert all(value not in url for url in urls), (value, urls)
    assert {"vault_read", "vault_write"} <= set(AuditEntry.objects.values_list("action", flat=True))


# Identity history (#18 item 1): the revisions' values are as sealed as the identity, and open
# behind the same purpose step.


def edit_phone(client, person, phone):
    return client.post(
        edit_url(person),
        {
            "purpose": "correct the phone number",
            "save": "1",
            "full_name": NAME,
            "name_hangul": HANGUL,
            "birth_date": "1984-03",
            "phone": phone,
        },
    )


def test_it_serves_the_identity_history_at_this_path_and_post_only(rita_client, witness):
    assert history_url(witness) == f"/app/persons/{witness.pk}/identity/history/"
    # A GET could be a link or a prefetch, with no purpose stated.
    assert rita_client.get(history_url(witness)).status_code == 405


def test_the_identity_page_offers_its_history_only_once_a_purpose_is_stated(rita_client, witness):
    asked = rita_client.get(identity_url(witness)).content.decode()
    assert history_url(witness) not in asked
    opened = rita_client.post(identity_url(witness), {"purpose": "check"}).content.decode()
    assert history_url(witness) in opened and "data-identity-history" in opened


def test_the_history_needs_a_purpose_and_opens_nothing_without_one(rita_client, witness):
    refused = rita_client.post(history_url(witness), {"purpose": "  ", "revision": "1"})
    assert refused.status_code == 302 and refused.url == identity_url(witness)
    assert vault_entries() == []


def test_it_lists_the_revisions_and_shows_a_chosen_ones_old_values_each_opening_audited(
    rita_client, witness
):
    assert edit_phone(rita_client, witness, "+7 924 555 0100").status_code == 302
    before = len(vault_entries())
    listed = rita_client.post(history_url(witness), {"purpose": "trace the phone change"})
    page = listed.content.decode()
    timeline = listed.context["revisions"]
    assert [(r.kind, changed) for r, changed in timeline] == [
        ("~", ["Phone"]),
        ("+", ["Full name", "Name in Hangul", "Birth date", "Phone"]),
    ]
    assert timeline[0][0].actor == "rita"
    # Listed by who, when and which fields: no value until a revision is chosen.
    assert PHONE not in page and "+7 924 555 0100" not in page and NAME not in page

    first = timeline[1][0].number
    shown = rita_client.post(
        history_url(witness), {"purpose": "trace the phone change", "revision": str(first)}
    )
    shown_page = shown.content.decode()
    assert PHONE in shown_page and NAME in shown_page and "+7 924 555 0100" not in shown_page

    entries = vault_entries()[before:]
    assert [(e.actor, e.target_id, e.detail["purpose"], e.detail["read"]) for e in entries] == [
        ("rita", str(witness.pk), "trace the phone change", "history"),
    ] * 2
    assert entries[0].detail["fields"] == ["full_name", "name_hangul", "birth_date", "phone"]
    assert PHONE not in json.dumps([e.detail for e in entries])


def test_an_unknown_revision_is_refused_with_a_message_and_shows_no_values(rita_client, witness):
    for asked in ("999999", "not a number"):
        response = rita_client.post(history_url(witness), {"purpose": "check", "revision": asked})
        page = response.content.decode()
        assert response.status_code == 200
        assert "This identity has no such revision." in page
        assert PHONE not in page


def test_a_removed_identity_shows_as_deleted_and_empty(rita_client, rita, witness):
    store_identity(witness, Identity())
    listed = rita_client.post(history_url(witness), {"purpose": "check"})
    [(removed, changed), _created] = listed.context["revisions"]
    assert removed.kind == "-" and removed.identity.is_empty()
    assert changed == ["Full name", "Name in Hangul", "Birth date", "Phone"]


def test_the_history_is_refused_without_the_vault_and_hidden_beyond_the_level(
    client, andy, witness
):
    client.force_login(andy)
    assert client.post(history_url(witness), {"purpose": "check"}).status_code == 403
    client.force_login(make_user("ivy", Role.RESEARCHER))  # vault, internal level only
    witness.access_level = AccessLevel.CONFIDENTIAL
    witness.save()
    assert client.post(history_url(witness), {"purpose": "check"}).status_code == 404
    assert vault_entries() == []


def test_the_persons_general_history_says_only_that_the_identity_changed(rita_client, witness):
    edit_phone(rita_client, witness, "+7 924 555 0100")
    page = rita_client.get(
        reverse("documentation:history", args=["persons", witness.pk])
    ).content.decode()
    assert "Identity (values in the vault)" in page
    assert PHONE not in page and "+7 924 555 0100" not in page and NAME not in page
    assert history_url(witness) not in page
