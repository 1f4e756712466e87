"""The journey editor (#23 item 1): who may use it, and what each of its forms does."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import AuditEntry
from unseen.documentation.models import Finding, Indicator, Testimony
from unseen.evidence.models import Source, SourceKind
from unseen.journeys.models import JourneyEvent, JourneyIndicator

pytestmark = pytest.mark.django_db


def make_testimony(access_level=AccessLevel.INTERNAL) -> Testimony:
    source = Source.objects.create(
        title="Interview (synthetic)", kind=SourceKind.INTERVIEW, access_level=access_level
    )
    return Testimony.objects.create(
        source=source, summary="synthetic testimony", consent_to_use=True, access_level=access_level
    )


def url(testimony: Testimony) -> str:
    return reverse("journeys:edit", args=[testimony.pk])


def signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def rita_client(client, rita):
    return signed_in(client, rita)


def add(client, testimony, stage, **fields):
    data = {"action": "add", "stage": stage}
    if stage == "vetting":  # the page's menus send "unknown" unless changed
        fields = {
            "health_check": "unknown",
            "loyalty_check": "unknown",
            "bribe_paid": "unknown",
        } | fields
    data.update({f"new-{name}": value for name, value in fields.items()})
    return client.post(url(testimony), data)


def events(testimony):
    return list(JourneyEvent.objects.filter(testimony=testimony).order_by("position"))


def test_a_reader_may_not_edit_a_journey(client, andy):
    testimony = make_testimony()
    signed_in(client, andy)
    assert client.get(url(testimony)).status_code == 403
    assert add(client, testimony, "recruitment").status_code == 403
    assert not events(testimony)


def test_a_confidential_testimony_is_not_found_by_an_editor_without_access(client, ruth, rita):
    secret = make_testimony(AccessLevel.CONFIDENTIAL)
    signed_in(client, ruth)
    assert client.get(url(secret)).status_code == 404
    assert add(client, secret, "recruitment", channel="state_assignment").status_code == 404
    assert not events(secret)
    signed_in(client, rita)  # cleared for confidential records
    assert client.get(url(secret)).status_code == 200


def test_it_adds_events_in_order_and_shows_them(rita_client):
    testimony = make_testimony()
    response = add(
        rita_client,
        testimony,
        "recruitment",
        channel="state_assignment",
        date_start="2014",
        date_start_precision="year",
        country="KP",
        place="Pyongyang",
    )
    assert response.status_code == 302
    add(rita_client, testimony, "deployment", sector="F", country="RU", place="Vladivostok")
    add(rita_client, testimony, "exit", exit_kind="escape", date_start="2018-06")
    recorded = events(testimony)
    assert [e.stage for e in recorded] == ["recruitment", "deployment", "exit"]
    assert [e.position for e in recorded] == [0, 1, 2]
    assert recorded[0].date_start == dt.date(2014, 1, 1)
    assert recorded[0].date_start_precision == "year"
    assert recorded[2].date_start == dt.date(2018, 6, 1)
    assert recorded[2].date_start_precision == "month"
    page = rita_client.get(url(testimony)).content.decode()
    assert "Vladivostok" in page and "Escaped" in page
    # Each change is audited (field names only) and has a revision with a reason.
    assert AuditEntry.objects.filter(target_type="journeys.journeyevent").count() >= 3
    assert recorded[0].history.first().history_change_reason


def test_it_moves_and_deletes_events(rita_client):
    testimony = make_testimony()
    for stage in ("recruitment", "vetting", "transit"):
        add(rita_client, testimony, stage)
    first, second, third = events(testimony)
    rita_client.post(url(testimony), {"action": "down", "event": first.pk})
    assert [e.pk for e in events(testimony)] == [second.pk, first.pk, third.pk]
    rita_client.post(url(testimony), {"action": "up", "event": third.pk})
    assert [e.pk for e in events(testimony)] == [second.pk, third.pk, first.pk]
    # Deleting asks why; without a reason, nothing is deleted.
    refused = rita_client.post(url(testimony), {"action": "delete", "event": third.pk})
    assert refused.status_code == 200 and len(events(testimony)) == 3
    response = rita_client.post(
        url(testimony),
        {"action": "delete", "event": third.pk, f"why-delete-{third.pk}-reason": "duplicate"},
    )
    assert response.status_code == 302
    assert [(e.pk, e.position) for e in events(testimony)] == [(second.pk, 0), (first.pk, 1)]


def test_it_edits_an_event_with_a_reason(rita_client):
    testimony = make_testimony()
    add(rita_client, testimony, "vetting", months_waited="3")
    (event,) = events(testimony)
    data = {
        "action": "save",
        "event": event.pk,
        f"event-{event.pk}-months_waited": "8",
        f"event-{event.pk}-health_check": "present",
        f"event-{event.pk}-loyalty_check": "unknown",
        f"event-{event.pk}-bribe_paid": "unknown",
    }
    refused = rita_client.post(url(testimony), data)
    assert refused.status_code == 200
    assert "Say why" in refused.content.decode() or refused.context["events"][0]["why"].errors
    event.refresh_from_db()
    assert event.months_waited == 3
    data[f"why-{event.pk}-reason"] = "p. 3 says eight months"
    assert rita_client.post(url(testimony), data).status_code == 302
    event.refresh_from_db()
    assert event.months_waited == 8 and event.health_check == "present"
    assert event.history.first().history_change_reason == "p. 3 says eight months"


def test_a_field_outside_its_stage_is_refused(rita_client):
    testimony = make_testimony()
    response = add(rita_client, testimony, "recruitment", exit_kind="escape", place="Hamhung")
    assert response.status_code == 200
    assert not events(testimony)
    page = response.content.decode()
    assert "is not part of the stage" in page
    # Nothing typed is lost: the place is still in the form.
    assert 'value="Hamhung"' in page


def test_form_errors_re_render_with_what_was_typed(rita_client):
    testimony = make_testimony()
    response = add(
        rita_client, testimony, "transit", date_start="2019-13-45", route="Sinuiju to Dandong"
    )
    assert response.status_code == 200
    assert not events(testimony)
    page = response.content.decode()
    assert "Sinuiju to Dandong" in page and 'class="errors"' in page
    assert response.context["add_form"].errors


def test_an_indicator_needs_its_passage_and_codes_the_testimony(rita_client):
    testimony = make_testimony()
    add(rita_client, testimony, "deployment", country="RU")
    (event,) = events(testimony)
    prefix = f"indicator-{event.pk}"
    refused = rita_client.post(
        url(testimony),
        {
            "action": "add_indicator",
            "event": event.pk,
            f"{prefix}-indicator": Indicator.RETENTION_OF_DOCUMENTS,
            f"{prefix}-passage": "  ",
        },
    )
    assert refused.status_code == 200 and not JourneyIndicator.objects.exists()
    assert "Cite the passage" in refused.content.decode()
    done = rita_client.post(
        url(testimony),
        {
            "action": "add_indicator",
            "event": event.pk,
            f"{prefix}-indicator": Indicator.RETENTION_OF_DOCUMENTS,
            f"{prefix}-passage": "p. 4: the manager kept our passports",
        },
    )
    assert done.status_code == 302
    found = JourneyIndicator.objects.get()
    assert found.passage == "p. 4: the manager kept our passports"
    # Unknown at the testimony's level becomes present; an "absent" a coder chose is kept.
    assert testimony.indicator_profile()[Indicator.RETENTION_OF_DOCUMENTS] == Finding.PRESENT
    testimony.code(Indicator.ISOLATION, Finding.ABSENT)
    rita_client.post(
        url(testimony),
        {
            "action": "add_indicator",
            "event": event.pk,
            f"{prefix}-indicator": Indicator.ISOLATION,
            f"{prefix}-passage": "p. 5: we never left the site",
        },
    )
    assert testimony.indicator_profile()[Indicator.ISOLATION] == Finding.ABSENT
    # Removing asks why.
    rita_client.post(
        url(testimony),
        {
            "action": "remove_indicator",
            "indicator": found.pk,
            f"why-indicator-{found.pk}-reason": "cited at the wrong stage",
        },
    )
    assert not JourneyIndicator.objects.filter(pk=found.pk).exists()


def test_the_testimony_page_shows_the_timeline_and_the_link(rita_client, client, andy):
    testimony = make_testimony()
    site = factories.site("Logging camp (synthetic)", country="RU")
    add(rita_client, testimony, "deployment", country="RU", place="Tynda", site=str(site.pk))
    page = rita_client.get(f"/app/testimonies/{testimony.pk}/").content.decode()
    assert "data-journey" in page and "Tynda" in page and "Logging camp (synthetic)" in page
    assert url(testimony) in page
    signed_in(client, andy)  # a reader sees the journey, not the link to edit it
    page = client.get(f"/app/testimonies/{testimony.pk}/").content.decode()
    assert "Tynda" in page and url(testimony) not in page


def test_an_event_of_another_testimony_is_not_found(rita_client):
    mine, other = make_testimony(), make_testimony()
    add(rita_client, other, "transit")
    (event,) = events(other)
    response = rita_client.post(url(mine), {"action": "up", "event": event.pk})
    assert response.status_code == 404


def test_the_testimony_list_filters_by_how_the_journey_ended(rita_client):
    escaped, returned, untold = make_testimony(), make_testimony(), make_testimony()
    add(rita_client, escaped, "exit", exit_kind="escape")
    add(rita_client, returned, "exit", exit_kind="contract_end")
    listed = rita_client.get("/app/testimonies/", {"exit": "escape"})
    rows = [row[2] for row in listed.context["rows"]]
    assert rows == [escaped]
    # By its label in either language, as every list filter.
    rows = [
        row[2] for row in rita_client.get("/app/testimonies/", {"exit": "탈출"}).context["rows"]
    ]
    assert rows == [escaped]
    everything = [row[2] for row in rita_client.get("/app/testimonies/").context["rows"]]
    assert set(everything) == {escaped, returned, untold}
