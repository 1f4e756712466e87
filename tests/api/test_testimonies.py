"""A testimony's coding and journey over the API: read with it, written as their pages write them."""

import datetime as dt

import pytest

from tests import factories
from tests.api.test_records import bearer
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.documentation.models import Finding, Indicator, IndicatorCoding, Testimony
from unseen.evidence.models import Source, SourceKind
from unseen.journeys.models import JourneyEvent, JourneyIndicator

pytestmark = pytest.mark.django_db

JSON = "application/json"


def make_testimony(access_level=AccessLevel.INTERNAL) -> Testimony:
    source = Source.objects.create(
        title="Interview (synthetic)", kind=SourceKind.INTERVIEW, access_level=access_level
    )
    return Testimony.objects.create(
        source=source,
        summary="synthetic testimony",
        consent_to_use=True,
        access_level=access_level,
        is_synthetic=True,
    )


def url(testimony, part=""):
    return f"/api/v1/testimonies/{testimony.pk}/" + (f"{part}/" if part else "")


def coding(**findings):
    """A whole coding body: every indicator unknown but those named."""
    return {
        indicator: {"finding": findings.get(indicator, "unknown"), "note": ""}
        for indicator in Indicator.values
    }


def events(testimony):
    return list(JourneyEvent.objects.filter(testimony=testimony).order_by("position"))


def journey_revisions(testimony):
    return JourneyEvent.history.filter(testimony_id=testimony.pk).count()


def put(client, address, body, etag, auth):
    extra = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.put(address, body, content_type=JSON, **extra, **auth)


def test_the_detail_shows_the_coding_and_the_journey_in_order(client, andy):
    testimony = make_testimony()
    testimony.code(Indicator.DEBT_BONDAGE, Finding.PRESENT, "p. 4")
    hidden_site = factories.site(access_level=AccessLevel.CONFIDENTIAL)
    later = JourneyEvent.objects.create(
        testimony=testimony, position=1, stage="deployment", sector="F", site=hidden_site
    )
    JourneyEvent.objects.create(
        testimony=testimony,
        position=0,
        stage="recruitment",
        channel="state_assignment",
        country="KP",
        date_start=dt.date(2014, 1, 1),
        date_start_precision="year",
    )
    JourneyIndicator.objects.create(event=later, indicator="isolation", passage="p. 7")
    answer = client.get(url(testimony), **bearer(andy))
    assert answer.status_code == 200
    shown = answer.json()
    assert shown["coding"]["debt_bondage"] == {"finding": "present", "note": "p. 4"}
    assert shown["coding"]["deception"] == {"finding": "unknown", "note": ""}
    assert len(shown["coding"]) == 11
    first, second = shown["journey"]
    assert first["stage"] == "recruitment" and first["channel"] == "state_assignment"
    assert first["date_start"] == "2014-01-01" and first["date_start_precision"] == "year"
    assert "health_check" not in first  # not a field of its stage
    assert second["id"] == later.pk and second["sector"] == "F"
    assert second["site"] is None  # beyond andy's level: as if unset
    assert second["indicators"] == [{"indicator": "isolation", "passage": "p. 7"}]
    # Opening a witness's testimony is audited, as its page is.
    assert AuditEntry.objects.filter(
        action=Action.VIEW, target_type="documentation.testimony", target_id=str(testimony.pk)
    ).exists()


def test_the_etag_changes_with_the_coding_and_the_journey(client, andy):
    testimony = make_testimony()
    auth = bearer(andy)
    first = client.get(url(testimony), **auth)["ETag"]
    testimony.code(Indicator.DECEPTION, Finding.ABSENT)
    second = client.get(url(testimony), **auth)["ETag"]
    assert second != first
    JourneyEvent.objects.create(testimony=testimony, stage="exploitation")
    assert client.get(url(testimony), **auth)["ETag"] != second


def test_put_coding_needs_the_current_etag_and_a_reason(client, rita):
    testimony = make_testimony()
    auth = bearer(rita, "read", "write")
    etag = client.get(url(testimony), **auth)["ETag"]
    address = url(testimony, "coding")
    body = {"coding": coding(debt_bondage="present"), "revision": {"reason": "p. 4 of the notes"}}
    assert put(client, address, body, None, auth).status_code == 428
    assert put(client, address, body, '"stale"', auth).status_code == 412
    unreasoned = put(client, address, {**body, "revision": {"reason": " "}}, etag, auth)
    assert unreasoned.status_code == 400
    assert "revision.reason" in unreasoned.json()["errors"]
    incomplete = {"coding": {"debt_bondage": {"finding": "present"}}, "revision": body["revision"]}
    assert put(client, address, incomplete, etag, auth).status_code == 400
    assert not IndicatorCoding.objects.filter(testimony=testimony).exists()

    done = put(client, address, body, etag, auth)
    assert done.status_code == 200, done.json()
    assert done.json()["coding"]["debt_bondage"]["finding"] == "present"
    assert testimony.indicator_profile()["debt_bondage"] == "present"
    saved = IndicatorCoding.objects.get(testimony=testimony, indicator="debt_bondage")
    assert saved.history.first().history_change_reason == "p. 4 of the notes"
    assert AuditEntry.objects.filter(target_type="documentation.indicatorcoding").exists()
    # The answer's ETag is the new version; the one read before is stale now.
    assert done["ETag"] != etag
    assert client.get(url(testimony), **auth)["ETag"] == done["ETag"]
    again = put(client, address, {**body, "coding": coding()}, etag, auth)
    assert again.status_code == 412
    assert testimony.indicator_profile()["debt_bondage"] == "present"


def test_put_journey_records_events_in_order_with_their_indicators(client, rita):
    testimony = make_testimony()
    auth = bearer(rita)
    etag = client.get(url(testimony), **auth)["ETag"]
    body = {
        "events": [
            {"stage": "recruitment", "channel": "state_assignment", "date_start": "2014"},
            {"stage": "vetting", "months_waited": 6},
            {
                "stage": "deployment",
                "country": "RU",
                "place": "Vladivostok",
                "sector": "F",
                "indicators": [{"indicator": "retention_of_documents", "passage": "p. 9"}],
            },
        ],
        "revision": {"reason": "From the interview notes"},
    }
    done = put(client, url(testimony, "journey"), body, etag, auth)
    assert done.status_code == 200, done.json()
    recorded = events(testimony)
    assert [(e.stage, e.position) for e in recorded] == [
        ("recruitment", 0),
        ("vetting", 1),
        ("deployment", 2),
    ]
    assert recorded[0].date_start == dt.date(2014, 1, 1)
    assert recorded[0].date_start_precision == "year"
    assert recorded[1].health_check == "unknown"
    assert recorded[2].indicators.get().passage == "p. 9"
    # An indicator found at a stage codes the testimony, as the editor's does.
    assert testimony.indicator_profile()["retention_of_documents"] == "present"
    assert recorded[0].history.first().history_change_reason == "From the interview notes"
    assert AuditEntry.objects.filter(target_type="journeys.journeyevent").count() >= 3
    assert done.json()["journey"][2]["indicators"][0]["indicator"] == "retention_of_documents"

    # What was read, put back unchanged, changes nothing and writes no revision.
    shown = client.get(url(testimony), **auth)
    revisions = journey_revisions(testimony)
    same = put(
        client,
        url(testimony, "journey"),
        {"events": shown.json()["journey"], "revision": {"reason": "No change"}},
        shown["ETag"],
        auth,
    )
    assert same.status_code == 200, same.json()
    assert journey_revisions(testimony) == revisions
    assert same["ETag"] == shown["ETag"]

    # Reordered, one changed, one left out (deleted), one new.
    journey = same.json()["journey"]
    recruitment, vetting, deployment = journey
    vetting["months_waited"] = 9
    deployment["indicators"] = []
    changed = put(
        client,
        url(testimony, "journey"),
        {
            "events": [vetting, recruitment, {"stage": "exit", "exit_kind": "escape"}],
            "revision": {"reason": "Second interview"},
        },
        same["ETag"],
        auth,
    )
    assert changed.status_code == 200, changed.json()
    recorded = events(testimony)
    assert [(e.pk, e.stage) for e in recorded[:2]] == [
        (vetting["id"], "vetting"),
        (recruitment["id"], "recruitment"),
    ]
    assert recorded[0].months_waited == 9
    assert recorded[2].stage == "exit" and recorded[2].exit_kind == "escape"
    assert not JourneyEvent.objects.filter(pk=deployment["id"]).exists()
    assert not JourneyIndicator.objects.filter(event__testimony=testimony).exists()
    # Removing the indicator at a stage leaves the testimony's coding as it was.
    assert testimony.indicator_profile()["retention_of_documents"] == "present"


def test_put_journey_is_checked_as_the_editor_checks_it_and_all_or_nothing(client, rita):
    testimony = make_testimony()
    kept = JourneyEvent.objects.create(testimony=testimony, stage="recruitment", channel="applied")
    other = JourneyEvent.objects.create(testimony=make_testimony(), stage="exit")
    auth = bearer(rita)
    etag = client.get(url(testimony), **auth)["ETag"]
    revisions = journey_revisions(testimony)
    # Every use of a token is audited; nothing else may be.
    audited = AuditEntry.objects.exclude(action=Action.API_TOKEN_USED).count()

    def refused(events_):
        answer = put(
            client,
            url(testimony, "journey"),
            {"events": events_, "revision": {"reason": "try"}},
            etag,
            auth,
        )
        assert answer.status_code == 400, answer.content
        return answer.json()["errors"]

    # A field outside the event's stage is refused, naming it (JourneyEvent.clean, the form).
    errors = refused([{"stage": "exploitation"}, {"stage": "recruitment", "sector": "F"}])
    assert list(errors) == ["events.1.__all__"]
    assert "Sector" in errors["events.1.__all__"][0]
    errors = refused([{"stage": "deployment", "latitude": 43.1}])
    assert "events.0.longitude" in errors
    errors = refused(
        [
            {
                "stage": "exit",
                "indicators": [
                    {"indicator": "isolation", "passage": "p. 1"},
                    {"indicator": "isolation", "passage": "p. 2"},
                ],
            }
        ]
    )
    assert "events.0.indicators.1.indicator" in errors
    assert "events.0.indicators.0.passage" in refused(
        [{"stage": "exit", "indicators": [{"indicator": "isolation", "passage": "  "}]}]
    )
    # An event keeps its stage; an id must be one of this journey's events.
    assert "events.0.stage" in refused([{"id": kept.pk, "stage": "vetting"}])
    assert "events.0.id" in refused([{"id": other.pk, "stage": "exit"}])
    assert "events.0.wage" in refused([{"stage": "exit", "wage": 5}])  # unknown, by name
    # Nothing of any of these was written.
    assert [(e.pk, e.channel) for e in events(testimony)] == [(kept.pk, "applied")]
    assert journey_revisions(testimony) == revisions
    assert not JourneyIndicator.objects.exists()
    assert AuditEntry.objects.exclude(action=Action.API_TOKEN_USED).count() == audited
    assert client.get(url(testimony), **auth)["ETag"] == etag


def test_a_link_the_editor_may_not_read_is_kept(client, ruth):
    testimony = make_testimony()
    hidden = factories.site(access_level=AccessLevel.CONFIDENTIAL)
    event = JourneyEvent.objects.create(testimony=testimony, stage="deployment", site=hidden)
    auth = bearer(ruth)
    shown = client.get(url(testimony), **auth)
    (read,) = shown.json()["journey"]
    assert read["site"] is None
    read["place"] = "Tomsk"
    done = put(
        client,
        url(testimony, "journey"),
        {"events": [read], "revision": {"reason": "Place named"}},
        shown["ETag"],
        auth,
    )
    assert done.status_code == 200, done.json()
    event.refresh_from_db()
    assert event.place == "Tomsk" and event.site_id == hidden.pk


def test_who_may_write(client, andy, ruth, rita):
    testimony = make_testimony()
    secret = make_testimony(AccessLevel.CONFIDENTIAL)
    body = {"coding": coding(), "revision": {"reason": "r"}}
    journey = {"events": [], "revision": {"reason": "r"}}
    # An analyst reads but may not code.
    andy_auth = bearer(andy)
    etag = client.get(url(testimony), **andy_auth)["ETag"]
    assert put(client, url(testimony, "coding"), body, etag, andy_auth).status_code == 403
    assert put(client, url(testimony, "journey"), journey, etag, andy_auth).status_code == 403
    # A read-only token of an editor: scope_required, before the body is read.
    read_only = bearer(rita, "read")
    answer = put(client, url(testimony, "coding"), {}, etag, read_only)
    assert answer.status_code == 403 and answer.json()["error"] == "scope_required"
    # Beyond the caller's level: 404, before any question of If-Match.
    ruth_auth = bearer(ruth)
    assert put(client, url(secret, "coding"), body, None, ruth_auth).status_code == 404
    assert put(client, url(secret, "journey"), journey, '"x"', ruth_auth).status_code == 404
    assert client.get(url(secret), **ruth_auth).status_code == 404
    # Anonymous: 401.
    assert client.put(url(testimony, "coding"), body, content_type=JSON).status_code == 401
    assert not IndicatorCoding.objects.exists()


def test_a_record_put_on_a_testimony_uses_the_same_etag(client, rita):
    testimony = make_testimony()
    auth = bearer(rita)
    etag = client.get(url(testimony), **auth)["ETag"]
    testimony.code(Indicator.ISOLATION, Finding.PRESENT)  # someone codes it meanwhile
    stale = client.patch(
        url(testimony),
        {"summary": "changed", "revision": {"reason": "r"}},
        content_type=JSON,
        HTTP_IF_MATCH=etag,
        **auth,
    )
    assert stale.status_code == 412
    fresh = client.get(url(testimony), **auth)["ETag"]
    done = client.patch(
        url(testimony),
        {"summary": "changed", "revision": {"reason": "r"}},
        content_type=JSON,
        HTTP_IF_MATCH=fresh,
        **auth,
    )
    assert done.status_code == 200, done.json()
    assert done["ETag"] == client.get(url(testimony), **auth)["ETag"]


def test_the_document_declares_both_writes_and_the_detail_with_coding_and_journey():
    from unseen.api import urls  # noqa: F401 (registers the operations)
    from unseen.api.service import DECLARED
    from unseen.config.api import document

    for name in ("testimonies_coding_update", "testimonies_journey_update"):
        assert DECLARED[name].permission == "edit_records"
        assert DECLARED[name].scope == "write"
    spec = document()
    paths = spec["paths"]
    assert "put" in paths["/api/v1/testimonies/{id}/coding/"]
    assert {412, 428, 404} <= set(paths["/api/v1/testimonies/{id}/journey/"]["put"]["responses"])
    detail = spec["components"]["schemas"]["TestimoniesDetail"]["properties"]
    assert {"coding", "journey"} <= set(detail)
