"""A researcher creates a person with an identity, opens it with a purpose and edits it."""

import pytest

from tests.browser.test_researcher import sign_in
from unseen.audit.models import Action, AuditEntry
from unseen.registry.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", sorted(SIZES))
def test_it_lets_a_researcher_create_open_and_edit_an_identity(
    page, live_server, rita, size, tmp_path
):
    page.set_viewport_size(SIZES[size])
    sign_in(page, live_server)

    page.goto(f"{live_server.url}/app/persons/")
    page.click("[data-identity-create]")
    page.select_option("#id_person-sex", "f")
    page.fill("#id_person-birth_year", "1988")
    page.fill("#id_person-home_province", "South Hamgyong")
    page.fill("#id_identity-full_name", "Jo Un Hui")
    page.fill("#id_identity-name_hangul", "조은희")
    page.fill("#id_identity-birth_date", "1988-07")
    page.fill("#id_identity-phone", "+7 914 555 0123")
    # The viewport, not the full page: on a phone, Chromium's full-page capture leaves the layout
    # shifted for a moment, and the next click lands on the form beside the button.
    page.screenshot(path=tmp_path / f"identity-create-{size}.png")
    page.click("main button[name=save]")
    page.wait_for_url("**/app/persons/*/")
    person = Person.objects.get()
    assert person.pseudonym in page.locator("h1").inner_text()
    assert "Jo Un Hui" not in page.content()  # the person's page stays pseudonymous

    page.click("[data-identity-link]")
    page.wait_for_url(f"**/app/persons/{person.pk}/identity/")
    assert "Jo Un Hui" not in page.content()
    page.fill("#id_purpose", "check the name against the 2019 passport list")
    page.click("main button[type=submit]")
    shown = page.locator("[data-identity]").inner_text()
    assert "Jo Un Hui" in shown and "조은희" in shown and "1988-07" in shown
    page.screenshot(path=tmp_path / f"identity-shown-{size}.png", full_page=True)

    page.click("text=Edit the identity")
    assert page.input_value("#id_phone") == "+7 914 555 0123"
    page.fill("#id_phone", "+7 914 555 0124")
    page.click("main button[name=save]")
    page.wait_for_url(f"**/app/persons/{person.pk}/")
    assert "Identity saved." in page.locator("main").inner_text()

    page.click("[data-identity-link]")
    page.fill("#id_purpose", "confirm the new number")
    page.click("main button[type=submit]")
    assert "+7 914 555 0124" in page.locator("[data-identity]").inner_text()

    purposes = list(
        AuditEntry.objects.filter(action=Action.VAULT_READ, target_id=str(person.pk))
        .order_by("id")
        .values_list("detail__purpose", flat=True)
    )
    assert purposes == [
        "check the name against the 2019 passport list",
        "check the name against the 2019 passport list",  # the edit form was filled from the vault
        "confirm the new number",
    ]
    assert (
        AuditEntry.objects.filter(action=Action.VAULT_WRITE, target_id=str(person.pk)).count() == 2
    )
