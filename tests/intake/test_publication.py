"""Issue #14 (3): what an approved report publishes is what a moderator wrote for the public.

The reporter's own words (the place as typed, the description) stay internal; the public sees a
coarse place label, a description edited by a moderator, dates at the precision chosen and the map
precision actually chosen.
"""

import re

import pytest
from django.urls import reverse
from freezegun import freeze_time

from tests.test_permission_matrix import MATRIX
from unseen.documentation.models import Sighting
from unseen.evidence.models import Source
from unseen.intake.models import Submission
from unseen.intake.receiving import receive_sighting

pytestmark = pytest.mark.django_db

CANARY = "17 Lenina St, Vladivostok, entrance B, 43.11522,131.88551"
NEIGHBOUR = "Pak Yong-chol"
REPORTED = (
    f"About 20 Korean workers at the new block. My neighbour {NEIGHBOUR} drives them every "
    "morning at 6."
)
PUBLIC_TEXT = "About 20 workers seen on a residential building site."

# Every page and answer anyone may open without signing in, from the permission matrix.
PUBLIC_GET_URLS = sorted(
    reverse(name)
    for name, (method, personas, args) in MATRIX.items()
    if method == "get" and "anonymous" in personas and not args
)


def reported(**fields):
    data = {
        "description": REPORTED,
        "place": CANARY,
        "country": "RU",
        "latitude": 43.11522,
        "longitude": 131.88551,
        "observed_from": "2026-11-14",
        "observed_to": "2026-11-16",
        "workers_low": 15,
        "workers_high": 25,
        "work_kind": "construction",
    }
    data.update(fields)
    with freeze_time("2026-11-20"):
        return receive_sighting(data).submission


def approval(**fields):
    data = {
        "public_place_label": "Vladivostok",
        "public_description": PUBLIC_TEXT,
        "work_kind": "construction",
        "observed_precision": "month",
        "grid_km": "10",
        "publish": "on",
    }
    data.update(fields)
    return data


def public_answers(client):
    return {url: client.get(url).content.decode() for url in PUBLIC_GET_URLS}


def test_it_keeps_the_reporters_words_off_every_public_page(client, mona_client):
    submission = reported()
    response = mona_client.post(f"/app/moderation/{submission.pk}/approve/", approval())
    assert response.status_code == 302
    sighting = Sighting.objects.get()
    assert "/map/data.json" in PUBLIC_GET_URLS and "/" in PUBLIC_GET_URLS
    for url, body in public_answers(client).items():
        for secret in (CANARY, "Lenina", "43.11522", "131.88551", NEIGHBOUR, "Yong-chol"):
            assert secret not in body, (url, secret)
    (drawn,) = client.get("/map/data.json").json()["sightings"]
    assert drawn["label"] == "Vladivostok"
    assert drawn["description"] == PUBLIC_TEXT
    source = Source.objects.get()
    assert source.access_level == "public"
    assert source.title == f"Public report received 2026-11, Russia (submission {submission.pk})"
    assert drawn["source_ids"] == [source.pk]
    # The reporter's words stay with the record, for staff only.
    assert sighting.place == CANARY and NEIGHBOUR in sighting.description
    assert sighting.public_place_label == "Vladivostok"
    assert sighting.public_description == PUBLIC_TEXT
    claim = sighting.evidence_trail().get()
    assert claim.statement == PUBLIC_TEXT


def test_it_offers_an_empty_public_text_unticked_publish_and_month_precision(mona_client):
    submission = reported()
    page = mona_client.get(f"/app/moderation/{submission.pk}/").content.decode()
    form = page[page.index('class="form approve-form"') :]
    form = form[: form.index("</form>")]
    publish = re.search(r"<input[^>]*name=\"publish\"[^>]*>", form).group(0)
    assert "checked" not in publish
    month = re.search(r"<input[^>]*name=\"observed_precision\"[^>]*value=\"month\"[^>]*>", form)
    assert month is not None and "checked" in month.group(0)
    description = re.search(
        r"<textarea[^>]*name=\"public_description\"[^>]*>(.*?)</textarea>", form, re.S
    )
    assert description is not None and description.group(1).strip() == ""
    label = re.search(r"<input[^>]*name=\"public_place_label\"[^>]*>", form).group(0)
    assert "Lenina" not in label and 'value="Russia"' in label
    # The reporter's text is shown to the moderator, above the form, to write from.
    assert "Lenina" in page and NEIGHBOUR in page


def test_it_refuses_an_approval_without_a_public_place_and_description(mona_client):
    submission = reported()
    response = mona_client.post(
        f"/app/moderation/{submission.pk}/approve/", {"publish": "on", "grid_km": "10"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Write the place as the public will see it" in body
    assert "Write the description the public will read" in body
    assert not Sighting.objects.exists() and not Source.objects.exists()
    assert Submission.objects.get().status == "pending"


def test_it_refuses_a_public_place_with_a_street_number_or_coordinates(mona_client):
    submission = reported()
    response = mona_client.post(
        f"/app/moderation/{submission.pk}/approve/", approval(public_place_label=CANARY)
    )
    assert response.status_code == 400
    assert "a settlement or a region" in response.content.decode()
    assert not Sighting.objects.exists()


def test_it_keeps_an_approved_report_unpublished_unless_the_box_is_ticked(client, mona_client):
    submission = reported()
    fields = approval()
    del fields["publish"]
    mona_client.post(f"/app/moderation/{submission.pk}/approve/", fields)
    assert Sighting.objects.get().access_level == "internal"
    assert client.get("/map/data.json").json()["sightings"] == []


@pytest.mark.parametrize(
    ("precision", "shown_from", "shown_to"),
    [
        ("month", "2026-11-01", "2026-11-01"),
        ("year", "2026-01-01", "2026-01-01"),
        ("day", "2026-11-14", "2026-11-16"),
    ],
)
def test_it_publishes_observed_dates_at_the_chosen_precision(
    client, mona_client, precision, shown_from, shown_to
):
    submission = reported()
    mona_client.post(
        f"/app/moderation/{submission.pk}/approve/", approval(observed_precision=precision)
    )
    (drawn,) = client.get("/map/data.json").json()["sightings"]
    assert (drawn["observed_from"], drawn["observed_to"]) == (shown_from, shown_to)
    assert drawn["observed_precision"] == precision
    sighting = Sighting.objects.get()
    # Stored at that precision too, so no reader of the record can find the reported day.
    assert sighting.observed_from.isoformat() == shown_from
    assert sighting.observed_precision == precision


@pytest.mark.parametrize("grid_km", [10, 25, 100])
def test_it_shows_the_map_precision_the_moderator_chose(client, mona_client, grid_km):
    submission = reported()
    mona_client.post(f"/app/moderation/{submission.pk}/approve/", approval(grid_km=str(grid_km)))
    (drawn,) = client.get("/map/data.json").json()["sightings"]
    assert drawn["grid_km"] == grid_km
    assert drawn["radius_m"] == grid_km * 1000


def test_it_never_publishes_a_place_finer_than_the_privacy_notice_promises(client, alice):
    submission = reported()
    client.force_login(alice)
    response = client.post(f"/app/moderation/{submission.pk}/approve/", approval(grid_km="0"))
    assert response.status_code == 400
    assert not Sighting.objects.exists()
    # Unpublished, an administrator may keep the pin as reported for the team.
    fields = approval(grid_km="0")
    del fields["publish"]
    client.post(f"/app/moderation/{submission.pk}/approve/", fields)
    assert Sighting.objects.get(access_level="internal").latitude == 43.11522


def test_it_states_in_the_privacy_notice_what_approval_does(client):
    notice = client.get("/report/privacy/").content.decode()
    assert "never your exact location" not in notice or "at least 10 km" in notice
    for promise in (
        "at least 10 km",
        "town or region",
        "to the month",
        "never published",
        "only if a moderator ticks",
    ):
        assert promise in notice, promise


def test_it_keeps_an_additions_words_off_the_public_claim(client, mona_client):
    from unseen.intake.receiving import receive_addition

    submission = reported(description="Workers on a site", place="Vladivostok")
    mona_client.post(f"/app/moderation/{submission.pk}/approve/", approval())
    addition = receive_addition(submission, f"They moved to {CANARY}, ask {NEIGHBOUR}")
    response = mona_client.post(
        f"/app/moderation/{addition.pk}/approve/",
        {"public_description": "The crew later moved within the city.", "publish": "on"},
    )
    assert response.status_code == 302
    sighting = Sighting.objects.get()
    statements = [claim.statement for claim in sighting.evidence_trail()]
    assert "The crew later moved within the city." in statements
    assert not any(NEIGHBOUR in s or "Lenina" in s for s in statements)
    assert all("Lenina" not in s.title for s in Source.objects.all())
    for url, body in public_answers(client).items():
        assert "Lenina" not in body and NEIGHBOUR not in body, url


@pytest.mark.parametrize("fmt", ["csv", "ftm", "geojson"])
def test_it_exports_the_moderators_words_not_the_reporters(mona_client, tmp_path, fmt, export_key):
    from django.core.management import call_command

    submission = reported()
    mona_client.post(f"/app/moderation/{submission.pk}/approve/", approval())
    for level in ("public", "pseudonymised"):
        out = tmp_path / f"{fmt}-{level}"
        recipient = ["--recipient", "partner"] if level == "pseudonymised" else []
        call_command("export", "--format", fmt, "--level", level, "--out", str(out), *recipient)
        text = "".join(p.read_text() for p in out.iterdir())
        for secret in (CANARY, "Lenina", "43.11522", NEIGHBOUR, "Yong-chol"):
            assert secret not in text, (fmt, level, secret)
        if fmt != "geojson":
            assert PUBLIC_TEXT in text, (fmt, level)
