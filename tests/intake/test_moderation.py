import datetime as dt
import json

import pytest
from freezegun import freeze_time

from tests import factories
from unseen.audit.log import verify
from unseen.audit.models import Action, AuditEntry
from unseen.documentation.models import Sighting
from unseen.evidence.models import Reliability, SourceKind
from unseen.intake.models import Kind, ReporterContact, Status, Submission, Upload
from unseen.intake.moderating import purge
from unseen.intake.promotion import coarsen
from unseen.intake.receiving import receive_comment, receive_sighting
from unseen.intake.vault import Contact, store_contact

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_it_lists_the_queue_newest_first_with_scores_and_filters(mona_client):
    with freeze_time("2026-01-10"):
        old = receive_sighting({"description": "older", "country": "RU"}).submission
    with freeze_time("2026-02-10"):
        new = receive_sighting(
            {"description": "casino bitcoin http://a http://b", "country": "MN"}
        ).submission
    body = mona_client.get("/api/v1/moderation/queue").json()
    assert [r["id"] for r in body["results"]] == [new.pk, old.pk]
    first = body["results"][0]
    assert {"id", "kind", "received_on", "spam_score", "description", "place", "country"} <= set(
        first
    )
    assert first["received_on"] == "2026-02-10" and first["spam_score"] > 0.5
    assert [
        r["id"] for r in mona_client.get("/api/v1/moderation/queue?min_score=0.5").json()["results"]
    ] == [new.pk]
    assert [
        r["id"] for r in mona_client.get("/api/v1/moderation/queue?country=RU").json()["results"]
    ] == [old.pk]
    page = mona_client.get("/app/moderation/?country=MN").content.decode()
    assert f'data-submission="{new.pk}"' in page and f'data-submission="{old.pk}"' not in page


@pytest.mark.parametrize("country", ["중국", "China", "CN", "cn"])
def test_the_queue_filters_by_a_country_named_in_either_language(mona_client, country):
    chinese = receive_sighting({"description": "in Dandong", "country": "CN"}).submission
    russian = receive_sighting({"description": "in Tynda", "country": "RU"}).submission
    response = mona_client.get("/app/moderation/", {"country": country})
    assert [s.pk for s in response.context["page"]] == [chinese.pk]
    page = response.content.decode()
    assert f'data-submission="{russian.pk}"' not in page and "data-filter-error" not in page
    # The filter is the country menu (a type-ahead over every country's name).
    assert 'list="id_country-countries"' in page and "<datalist" in page


def test_an_unknown_queue_country_lists_nothing_and_says_so(mona_client):
    receive_sighting({"description": "in Tynda", "country": "RU"})
    receive_sighting({"description": "no country given"})
    response = mona_client.get("/app/moderation/", {"country": "XX"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    page = response.content.decode()
    assert "data-filter-error" in page and "Choose a country from the list" in page
    page = mona_client.get(
        "/app/moderation/", {"country": "Narnia"}, HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "data-filter-error" in page and "Choose a country" not in page
    assert 'data-submission="' not in page


def test_the_queue_names_countries_in_the_readers_language(mona_client):
    receive_sighting({"description": "in Tynda", "country": "RU"})
    english = mona_client.get("/app/moderation/").content.decode()
    korean = mona_client.get("/app/moderation/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert '<span title="RU">Russia</span>' in english
    assert '<span title="RU">러시아</span>' in korean


def test_the_queue_and_its_filter_are_for_moderators_only(client, rita):
    receive_sighting({"description": "in Tynda", "country": "RU"})
    client.force_login(rita)
    response = client.get("/app/moderation/", {"country": "러시아"})
    assert response.status_code in (302, 403, 404)
    assert "in Tynda" not in response.content.decode()


def test_it_rejects_in_bulk_as_spam_and_audits_it(mona_client):
    spam = [receive_sighting({"description": f"buy viagra {i}"}).submission for i in range(3)]
    keep = receive_sighting({"description": "real"}).submission
    response = mona_client.post(
        "/app/moderation/bulk/", {"ids": [s.pk for s in spam], "action": "spam"}
    )
    assert response.status_code == 302
    assert set(Submission.objects.filter(status=Status.SPAM).values_list("pk", flat=True)) == {
        s.pk for s in spam
    }
    assert Submission.objects.get(pk=keep.pk).status == Status.PENDING
    entry = AuditEntry.objects.filter(actor="mona", action=Action.UPDATE).last()
    assert entry.detail["decision"] == "spam" and entry.detail["count"] == 3
    assert "viagra" not in json.dumps(entry.detail)


def test_it_promotes_an_approved_sighting_to_evidence_at_a_coarse_place(mona_client):
    submission = receive_sighting(
        {
            "description": "Crew of 30",
            "country": "MN",
            "latitude": 47.91234,
            "longitude": 106.91234,
            "workers_low": 20,
            "workers_high": 40,
            "contact": "secret-phone-555",
        }
    ).submission
    response = mona_client.post(
        f"/app/moderation/{submission.pk}/approve/",
        {
            "publish": "on",
            "grid_km": "10",
            "observed_precision": "month",
            "public_place_label": "Ulaanbaatar",
            "public_description": "A crew of about 30 workers.",
        },
    )
    assert response.status_code == 302
    sighting = Sighting.objects.get()
    assert sighting.access_level == "public" and sighting.workers_high == 40
    assert (sighting.latitude, sighting.longitude) == coarsen(47.91234, 106.91234, 10)
    assert (sighting.latitude, sighting.longitude) != (47.91234, 106.91234)
    assert sighting.coordinate_precision == "city"
    claim = sighting.evidence_trail().get()
    assert (
        claim.source.kind == SourceKind.PUBLIC_REPORT and claim.source.reliability == Reliability.F
    )
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED and submission.sighting == sighting
    for text in (sighting.description, claim.statement, claim.source.title, claim.source.notes):
        assert "secret-phone" not in text
    assert verify().intact


def test_it_lets_only_administrators_keep_an_exact_place_unpublished(client, mona, alice):
    submission = receive_sighting(
        {"description": "x", "latitude": 47.9, "longitude": 106.9}
    ).submission
    # Not published: the privacy notice promises a published place at least 10 km coarse.
    fields = {
        "grid_km": "0",
        "observed_precision": "month",
        "public_place_label": "Ulaanbaatar",
        "public_description": "Workers seen.",
    }
    client.force_login(mona)
    client.post(f"/app/moderation/{submission.pk}/approve/", fields)
    assert not Sighting.objects.exists()
    client.force_login(alice)
    client.post(f"/app/moderation/{submission.pk}/approve/", fields)
    assert Sighting.objects.get().latitude == 47.9


def test_it_coarsens_to_cells_at_least_10_km_wide():
    import math

    for latitude in (0.0, 47.9, 64.5, 71.0):
        a = coarsen(latitude, 100.0, 10)
        b = coarsen(latitude + 0.0001, 100.0001, 10)
        assert a == b
        km_per_lon = 111.32 * math.cos(math.radians(a[0]))
        # the point moves by less than a cell's diagonal
        assert abs(a[0] - latitude) * 111.32 <= 7.1
        assert abs(a[1] - 100.0) * km_per_lon <= 7.1


def test_it_hides_contacts_from_moderators_without_the_vault_permission(client, mona, alice):
    submission = receive_sighting({"description": "x", "contact": "wire-me-at-555"}).submission
    client.force_login(mona)
    page = client.get(f"/app/moderation/{submission.pk}/").content.decode()
    assert "wire-me-at-555" not in page and "Show contact details" not in page
    assert "wire-me-at-555" not in json.dumps(client.get("/api/v1/moderation/queue").json())
    assert (
        client.post(f"/app/moderation/{submission.pk}/contact/", {"purpose": "x"}).status_code
        == 403
    )
    client.force_login(alice)
    assert (
        "Show contact details" in client.get(f"/app/moderation/{submission.pk}/").content.decode()
    )
    shown = client.post(
        f"/app/moderation/{submission.pk}/contact/", {"purpose": "follow up on photos"}
    )
    assert "wire-me-at-555" in shown.content.decode()
    entry = AuditEntry.objects.filter(action=Action.VAULT_READ).get()
    assert entry.detail == {"purpose": "follow up on photos", "fields": ["contact"]}


def test_it_publishes_an_approved_comment_without_its_email(client, mona_client):
    page = client.get("/").content.decode()
    assert 'action="/report/comment/"' in page and "/report/privacy/" in page
    client.post(
        "/report/comment/",
        {"page": "estimates", "body": "Good work", "name": "Min", "email": "min@example.org"},
    )
    comment = Submission.objects.get(kind=Kind.COMMENT)
    assert "Good work" not in client.get("/estimates/").content.decode()
    mona_client.post(f"/app/moderation/{comment.pk}/approve/")
    shown = client.get("/estimates/").content.decode()
    assert "Good work" in shown and "Min" in shown and "min@example.org" not in shown
    stored = ReporterContact.objects.get().email  # sealed (#8): ciphertext only
    assert stored.startswith("v1:") and "min@" not in stored


def test_it_renders_an_xss_payload_inert_in_queue_public_page_and_export(
    client, mona_client, tmp_path, alice
):
    fields = {
        "description": XSS,
        "place": XSS,
        "work_kind": XSS,
        "country": "MN",
        "latitude": 47.0,
        "longitude": 106.0,
    }
    submission = receive_sighting(fields).submission
    comment = receive_comment("home", XSS, name=XSS, email="a@example.org")
    pages = [
        mona_client.get("/app/moderation/").content.decode(),
        mona_client.get(f"/app/moderation/{submission.pk}/").content.decode(),
        mona_client.get(f"/app/moderation/{comment.pk}/").content.decode(),
    ]
    mona_client.post(
        f"/app/moderation/{submission.pk}/approve/",
        {
            "publish": "on",
            "grid_km": "10",
            "observed_precision": "month",
            "public_place_label": "Ulaanbaatar",
            "public_description": XSS,  # a moderator's text is escaped like anyone's
            "work_kind": XSS,
        },
    )
    mona_client.post(f"/app/moderation/{comment.pk}/approve/")
    pages.append(client.get("/").content.decode())
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in pages[-1]
    # The map's JSON carries the text as data; the page's script escapes it (see map.js `esc`).
    data = client.get("/map/data.json").json()
    assert data["sightings"][0]["description"] == XSS
    api = mona_client.get("/api/v1/moderation/queue?status=all")
    # JSON is data: served as application/json with nosniff, a browser never renders it as a page.
    assert api["Content-Type"] == "application/json"
    assert api["X-Content-Type-Options"] == "nosniff"
    assert api.json()["results"][0]["description"] == XSS
    from unseen.publishing.exports import export
    from unseen.publishing.models import ExportApproval

    approval = ExportApproval.objects.create(approved_by=alice, recipient="test")
    export(tmp_path / "out", approval=approval)
    exported = (tmp_path / "out" / "sightings.csv").read_text()
    assert XSS.replace('"', '""') in exported  # data, quoted as CSV: no page renders it


def test_it_purges_rejected_and_spam_submissions_with_their_files(mona_client, settings):
    with freeze_time("2026-01-01"):
        old_spam = factories.submission("old spam")
        store_contact(old_spam, Contact(contact="x"))
        old_rejected = factories.submission("old rejected")
        kept_pending = factories.submission("pending")
        mona_client.post("/app/moderation/bulk/", {"ids": [old_spam.pk], "action": "spam"})
        mona_client.post("/app/moderation/bulk/", {"ids": [old_rejected.pk], "action": "reject"})
    with freeze_time("2026-01-25"):
        recent = factories.submission("recent")
        mona_client.post("/app/moderation/bulk/", {"ids": [recent.pk], "action": "reject"})
    paths = [u.file.path for u in Upload.objects.filter(submission__in=[old_spam, old_rejected])]
    with freeze_time("2026-01-31"):
        assert purge(days=30) == {"submissions": 0, "files": 0}
    with freeze_time("2026-02-01"):
        from django.core.management import call_command

        call_command("intake", "purge")
    left = set(Submission.objects.values_list("description", flat=True))
    assert left == {"pending", "recent"}
    assert not ReporterContact.objects.exists()
    import os

    assert not any(os.path.exists(p) for p in paths)
    assert kept_pending.uploads.count() == 1
    with freeze_time("2026-02-01"):
        assert purge(days=5)["submissions"] == 1  # configurable


def test_it_dates_stored_photos_to_the_day_only():
    import os

    with freeze_time("2026-03-04 15:47:12"):
        submission = factories.submission()
    path = submission.uploads.get().file.path
    assert dt.datetime.fromtimestamp(os.stat(path).st_mtime).time() == dt.time(0, 0)


def test_a_moderator_approves_a_comment_through_the_page_as_a_browser_posts_it(mona):
    """The detail page's own form, CSRF token and button value included (#17 item 6)."""
    import re

    from django.test import Client

    comment = receive_comment("home", "Seen them too, near the port", name="Ji-ho")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(mona)
    page = browser.get(f"/app/moderation/{comment.pk}/").content.decode()
    form = re.search(r'<form method="post" action="([^"]+/approve/)".*?</form>', page, re.S)
    assert form is not None
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)))
    assert "csrfmiddlewaretoken" in fields and "public_description" not in form.group(0)
    response = browser.post(form.group(1), fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    followed = browser.get(response["Location"]).content.decode()
    assert "Approved and published." in followed
    assert "Seen them too, near the port" in Client().get("/").content.decode()
