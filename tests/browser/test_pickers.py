"""Type-ahead pickers in a real browser: keyboard, "create new" dialog, no page left."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_researcher import sign_in
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Testimony
from unseen.evidence.models import Source, SourceKind
from unseen.registry.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_testimony_is_entered_with_an_existing_source_and_a_new_interviewee_without_leaving_the_page(
    page, live_server, rita
):
    recording = factories.source(
        "Interview T-21, Seoul, 2025-04 (recording)",
        kind=SourceKind.INTERVIEW,
        access_level=AccessLevel.INTERNAL,
    )
    factories.source("Ministry figures 2019", access_level=AccessLevel.INTERNAL)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/app/testimonies/new/")
    form_url = page.url

    page.check("input[name=source_choice][value=existing]")
    assert page.locator("#id_title").is_hidden()
    source_box = page.locator("#id_existing_source")
    assert source_box.get_attribute("role") == "combobox"
    source_box.press_sequentially("T-21")
    option = page.locator("[role=option]", has_text="Interview T-21, Seoul")
    # Focusing the box offers the newest sources; typing narrows them to the one searched.
    expect(page.locator("#id_existing_source-listbox [role=option]")).to_have_text(
        [re.compile("Interview T-21, Seoul"), "Create a new source…"]
    )
    assert source_box.get_attribute("aria-expanded") == "true"
    source_box.press("ArrowDown")
    assert source_box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    source_box.press("Enter")
    assert source_box.get_attribute("aria-expanded") == "false"
    assert source_box.input_value() == recording.title
    assert page.input_value("input[type=hidden][name=existing_source]") == str(recording.pk)

    person_box = page.locator("#id_interviewee")
    person_box.press_sequentially("new")
    page.locator("#id_interviewee-listbox .picker-create").click()
    dialog = page.locator("dialog#new-persons")
    assert dialog.is_visible()
    dialog.locator("[name=new-persons-nationality]").fill("")
    dialog.locator("button[type=submit]").click()
    errors = dialog.locator("[data-picker-errors]")
    errors.wait_for()
    assert "Nationality: This field is required." in errors.inner_text()
    assert Person.objects.count() == 0
    dialog.locator("[name=new-persons-nationality]").fill("KP")
    dialog.locator("[name=new-persons-birth_year]").fill("1988")
    dialog.locator("[name=new-persons-sex]").select_option("f")
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="hidden")
    person = Person.objects.get()
    assert person_box.input_value() == person.pseudonym
    assert page.input_value("input[type=hidden][name=interviewee]") == str(person.pk)
    assert (
        "born 1988"
        in page.locator("[data-picker]:has(#id_interviewee) .picker-chosen").inner_text()
    )
    assert page.url == form_url  # all of it on the testimony's page

    page.fill("#id_summary", "Logging camp near Tynda, 2016-2019.")
    page.click("main form.form button[type=submit] >> nth=0")
    page.wait_for_url("**/app/testimonies/*/")
    testimony = Testimony.objects.get()
    assert testimony.source == recording and testimony.interviewee == person
    assert Source.objects.count() == 2  # the recording and the ministry's: nothing copied


def test_the_picker_works_under_the_content_security_policy(strict_page, live_server, rita):
    factories.source("Amur logging report", access_level=AccessLevel.INTERNAL)
    violations: list[str] = []
    strict_page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(strict_page, live_server)
    strict_page.goto(f"{live_server.url}/app/testimonies/new/")
    strict_page.check("input[name=source_choice][value=existing]")
    strict_page.locator("#id_existing_source").press_sequentially("amur")
    strict_page.locator("[role=option]", has_text="Amur logging report").click()
    assert strict_page.input_value("input[name=existing_source]") != ""
    assert violations == []


def test_a_picker_and_its_dialog_work_by_touch_on_a_phone(browser, live_server, rita):
    factories.source("Amur logging report", access_level=AccessLevel.INTERNAL)
    context = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        sign_in(phone, live_server)
        phone.goto(f"{live_server.url}/app/testimonies/new/")
        phone.locator("input[name=source_choice][value=existing]").tap()
        phone.locator("#id_existing_source").tap()
        phone.locator("[role=option]", has_text="Amur logging report").tap()
        assert phone.input_value("#id_existing_source") == "Amur logging report"
        phone.locator("#id_interviewee").tap()
        phone.locator("#id_interviewee-listbox .picker-create").tap()
        dialog = phone.locator("dialog#new-persons")
        box = dialog.bounding_box()
        assert dialog.is_visible() and box is not None and box["x"] >= 0
        assert box["x"] + box["width"] <= 390
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_an_incident_gets_several_victims_from_one_picker(page, live_server, rita):
    first = Person.objects.create(birth_year=1980, access_level=AccessLevel.INTERNAL)
    second = Person.objects.create(birth_year=1991, access_level=AccessLevel.INTERNAL)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/app/incidents/new/")
    page.select_option("#id_act", "passport_confiscation")
    page.fill("#id_description", "Passports taken on arrival")
    page.fill("#id_country", "RU")
    victims = page.locator("#id_victims")
    for person in (first, second, first):  # the same person twice is one chip
        victims.press_sequentially(person.pseudonym)
        options = page.locator("#id_victims-listbox [role=option]")
        expect(options.first).to_contain_text(person.pseudonym)
        victims.press("ArrowDown")
        victims.press("Enter")
        expect(victims).to_have_value("")
    chips = page.locator(".picker-chip")
    expect(chips).to_have_count(2)
    page.get_by_role("button", name=f"Remove {first.pseudonym}").click()
    expect(chips).to_have_count(1)
    page.click("main form.form button[type=submit] >> nth=0")
    page.wait_for_url("**/app/incidents/*/")
    from unseen.documentation.models import Incident

    assert list(Incident.objects.get().victims.all()) == [second]
