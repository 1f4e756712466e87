from django.test import override_settings

from unseen.accounts.models import AccessLevel, visible_access_levels
from unseen.accounts.roles import Capability, Role, capabilities_of


@override_settings(ROOT_URLCONF="tests.accounts.undeclared_urls")
def test_it_refuses_a_view_that_declares_no_permission(client, alice):
    client.force_login(alice)
    assert client.get("/forgotten/").status_code == 403


def test_it_gives_a_blank_role_nothing():
    assert capabilities_of("") == frozenset()
    assert capabilities_of("superhero") == frozenset()


def test_it_keeps_the_vault_from_analysts_and_moderators():
    assert Capability.READ_VAULT in capabilities_of(Role.RESEARCHER)
    assert Capability.READ_VAULT not in capabilities_of(Role.ANALYST)
    assert capabilities_of(Role.MODERATOR) == {Capability.MODERATE_INTAKE}


def test_it_shows_confidential_records_only_to_the_compartment(alice, rita, andy, mona):
    assert AccessLevel.CONFIDENTIAL in visible_access_levels(rita)
    assert AccessLevel.CONFIDENTIAL in visible_access_levels(alice)
    assert visible_access_levels(andy) == [AccessLevel.PUBLIC, AccessLevel.INTERNAL]
    assert visible_access_levels(mona) == [AccessLevel.PUBLIC]
    assert visible_access_levels(None) == [AccessLevel.PUBLIC]


def test_it_makes_only_administrators_staff(alice, rita):
    assert alice.is_staff and not rita.is_staff
    rita.role = Role.ADMINISTRATOR
    rita.save()
    assert rita.is_staff


def test_it_takes_everything_from_a_deactivated_user(alice):
    alice.is_active = False
    assert alice.capabilities == frozenset()
    assert not alice.has_perm("registry.view_person")


def test_it_signs_in_with_the_login_form(client, rita):
    response = client.post(
        "/accounts/login/", {"username": "rita", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302 and response.url == "/app/"
    assert client.get("/app/").status_code == 200


def test_it_re_renders_a_bad_login_with_a_message(client, rita):
    response = client.post("/accounts/login/", {"username": "rita", "password": "wrong"})
    assert response.status_code == 200
    assert b"errors" in response.content and b'value="rita"' in response.content
