"""Public figures are not witnesses (#20 point 2, docs/decisions/0031-public-figures.md).

Each guarantee of the ADR, tried the way a mistake or an attacker would: give a figure a vault
identity, open one through a figure, reach the identity pages with a figure's id, turn a person
into a figure through the person's form, compare a figure with persons in record linkage, merge
one into a person.
"""

import pytest
from django.urls import NoReverseMatch, reverse

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.documentation.browsing import KINDS
from unseen.documentation.forms import record_form
from unseen.evidence.models import Credibility
from unseen.linkage.gathering import gather
from unseen.linkage.models import ENTITY_MODELS, Entity, LinkageRun
from unseen.registry import vault
from unseen.registry.models import Person, PersonIdentity, PublicFigure
from unseen.registry.vault import IDENTITY_FIELDS, Identity

pytestmark = pytest.mark.django_db

INTERNAL = AccessLevel.INTERNAL


@pytest.fixture
def figure():
    return factories.public_figure()


@pytest.fixture
def twin(figure):
    """A witness whose id is the figure's: whatever mixes the two tables would open them."""
    witness = Person(pk=figure.pk, access_level=INTERNAL)
    witness.save()
    vault.store_identity(witness, Identity(full_name="Ri Chol Su", birth_date="1984-03-02"))
    return witness


def test_a_figure_cannot_be_given_a_vault_identity(figure):
    with pytest.raises(ValueError):
        PersonIdentity(person=figure)
    with pytest.raises(TypeError):
        vault.store_identity(figure, Identity(full_name="Jong Song Hwa"))
    with pytest.raises(TypeError):
        vault.store_identities([(figure, Identity(full_name="Jong Song Hwa"))])
    assert not PersonIdentity.objects.exists()


def test_the_vault_opens_nothing_through_a_figure_even_one_sharing_a_witnesss_id(
    rita, figure, twin
):
    for attempt in (
        lambda: vault.read_identity(figure, user=rita, purpose="check"),
        lambda: vault.read_identity_history(figure, user=rita, purpose="check"),
        lambda: vault.write_identity(figure, Identity(full_name="x"), user=rita),
        lambda: vault.identities_for_linkage([figure], user=rita, purpose="check"),
        lambda: vault.has_identity(figure),
    ):
        with pytest.raises(TypeError):
            attempt()
    assert not AuditEntry.objects.filter(action=Action.VAULT_READ).exists()
    # The witness's identity is untouched, and still theirs alone.
    assert vault.read_identity(twin, user=rita, purpose="check").full_name == "Ri Chol Su"


def test_no_identity_route_takes_a_figure(client, rita, figure):
    client.force_login(rita)
    # The identity pages live under persons only: a figure's id names no person here.
    for name in ("identity", "identity_edit", "identity_history"):
        assert client.post(reverse(f"documentation:{name}", args=[figure.pk])).status_code == 404
    for path in ("identity/", "identity/edit/", "identity/history/"):
        response = client.get(f"/app/public-figures/{figure.pk}/{path}")
        assert response.status_code == 404, path
    with pytest.raises(NoReverseMatch):
        reverse("documentation:identity", args=["public-figures", figure.pk])
    # A figure's page offers no identity, and opening it reads nothing from the vault.
    page = client.get(f"/app/public-figures/{figure.pk}/")
    assert page.status_code == 200 and not page.context["can_open_identity"]
    assert "data-identity-link" not in page.content.decode()
    assert not AuditEntry.objects.filter(action=Action.VAULT_READ).exists()


def test_the_figure_form_has_no_vault_field_and_writes_nothing_sealed(client, rita):
    form = record_form(KINDS["public-figures"])(user=rita)
    sealed_only = set(IDENTITY_FIELDS) - {"name_hangul"}  # a figure's Hangul name is public
    assert not sealed_only & set(form.fields)
    client.force_login(rita)
    response = client.post(
        "/app/public-figures/new/",
        {
            "name": "Kim Su Gwang",
            "name_hangul": "김수광",
            "nationality": "KP",
            "access_level": INTERNAL,
            "full_name": "Ri Chol Su",  # not a field of the form: ignored
            "phone": "+850 2 381",
        },
    )
    assert response.status_code == 302
    assert not PersonIdentity.objects.exists() and not Person.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.VAULT_WRITE).exists()


def test_no_person_form_turns_a_person_into_a_figure(client, rita):
    person_form = record_form(KINDS["persons"])(user=rita)
    assert not {"name", "name_hangul", "position", "kind"} & set(person_form.fields)
    client.force_login(rita)
    worker = Person.objects.create(access_level=INTERNAL)
    token = client.get(f"/app/persons/{worker.pk}/edit/").context["edit_token"]
    response = client.post(
        f"/app/persons/{worker.pk}/edit/",
        {
            "edit_token": token,
            "sex": "m",
            "nationality": "KP",
            "access_level": INTERNAL,
            "name": "Jong Song Hwa",
            "position": "CEO",
            "kind": "public_figure",
            "revision-reason": "tried to publish a witness",
        },
    )
    assert response.status_code == 302
    assert not PublicFigure.objects.exists()
    # Nor a picker's dialog: figures are not made on the spot, from any form.
    response = client.post(
        reverse("documentation:quick_create", args=["public-figures"]), {"name": "Ri Chol Su"}
    )
    assert response.status_code == 404 and not PublicFigure.objects.exists()


def test_record_linkage_never_gathers_a_figure_with_persons(andy, figure):
    list_source = factories.source("Leaked roster", access_level=INTERNAL)
    for name in ("Jong Song Hwa", "Chong Song-hwa"):
        witness = Person.objects.create(access_level=INTERNAL)
        vault.store_identity(witness, Identity(full_name=name))
        witness.add_claim(list_source, Credibility.POSSIBLY_TRUE, "listed")
    # The same source speaks about the figure, under the same name.
    figure.add_claim(list_source, Credibility.POSSIBLY_TRUE, "listed")
    assert PublicFigure not in ENTITY_MODELS.values()
    for entity in Entity.values:
        run = LinkageRun.objects.create(
            entity=entity, threshold=0.5, review_low=0.1, review_high=0.9, started_by=andy
        )
        run.sources.set([list_source])
        if entity != Entity.PERSON:
            continue
        gathered = gather(run, andy, purpose="linkage test")
        assert set(gathered.frame["record_id"]) == {str(p.pk) for p in Person.objects.all()}


def test_a_figure_merges_only_into_a_figure(figure):
    witness = Person.objects.create(access_level=INTERNAL)
    with pytest.raises(ValueError):
        figure.merged_into = witness
    with pytest.raises(ValueError):
        witness.merged_into = figure
