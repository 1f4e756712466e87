"""The relation form in a real browser (#20): made from a party's page, one picker per end, the
kinds of party the kind of relation takes, the share only for ownership; screenshots at a
laptop's and a phone's width (var/screenshots/, or UNSEEN_SCREENSHOTS)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_researcher import sign_in
from tests.browser.test_screenshots import FOLDER, SIZES
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Relation
from unseen.registry.models import Organisation, OrganisationKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def organisation(name: str, country: str) -> Organisation:
    return Organisation.objects.create(
        name=name,
        kind=OrganisationKind.TRADING_COMPANY,
        country=country,
        access_level=AccessLevel.INTERNAL,
    )


def test_a_relation_is_made_from_an_organisations_page_with_a_picker_at_each_end(
    browser, live_server, rita
):
    rungrado = organisation("Korea Rungrado General Trading Corporation", "KP")
    organisation("Armex Sp. z o.o.", "PL")
    FOLDER.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="en-GB", bypass_csp=True, viewport=SIZES["desktop"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/app/organisations/{rungrado.pk}/")
    page.click("[data-add-relation-from]")
    # The page's organisation is the subject, chosen by name; only its picker shows.
    subject = page.locator("#id_subject_organisation")
    expect(subject).to_have_value(rungrado.name)
    expect(page.locator("[data-relation-field=subject_figure]")).to_be_hidden()
    expect(page.locator("[data-relation-field=object_site]")).to_be_hidden()
    expect(page.locator("[data-relation-field=share_percent]")).to_be_hidden()

    # A directorship starts at a person or public figure: an organisation is not offered.
    page.select_option("#id_kind", "director_of")
    expect(page.locator("#id_subject_type option[value=organisation]")).to_be_disabled()
    expect(page.locator("#id_subject_type")).to_have_value("public_figure")
    expect(page.locator("[data-relation-field=subject_figure]")).to_be_visible()
    # Ownership takes a share.
    page.select_option("#id_kind", "owns")
    page.select_option("#id_subject_type", "organisation")
    expect(page.locator("[data-relation-field=share_percent]")).to_be_visible()

    page.select_option("#id_kind", "dispatches_workers_to")
    expect(page.locator("[data-relation-field=share_percent]")).to_be_hidden()
    expect(page.locator("#id_subject_organisation")).to_have_value(rungrado.name)
    page.locator("#id_object_organisation").press_sequentially("Armex")
    page.locator("#id_object_organisation-listbox [role=option]", has_text="Armex").click()
    page.fill("#id_start", "2012")
    page.fill("#id_role", "Polish intermediary")
    page.screenshot(path=str(FOLDER / "relation-form-desktop.png"), full_page=True)
    page.set_viewport_size(SIZES["phone"])
    page.screenshot(path=str(FOLDER / "relation-form-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES["phone"]["width"], f"the form is {width} px wide on a phone"
    page.set_viewport_size(SIZES["desktop"])
    page.click("form[data-relation-form] button[type=submit]")
    page.wait_for_selector("[data-relation-line]")
    relation = Relation.objects.get()
    assert relation.subject == rungrado and relation.object.name == "Armex Sp. z o.o."
    assert "dispatches workers to" in page.inner_text("[data-relation-line]")
    context.close()
