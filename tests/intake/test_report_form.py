import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import jpeg_with_gps
from unseen.intake import attachments
from unseen.intake.forms import started_token
from unseen.intake.images import has_metadata
from unseen.intake.models import Kind, Submission, Upload

pytestmark = pytest.mark.django_db


def photo(data=None, name="holiday.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data if data is not None else jpeg_with_gps(), content_type)


def test_it_shows_the_form_with_a_link_to_the_privacy_notice(client):
    page = client.get("/report/").content.decode()
    assert 'name="description"' in page and 'name="photos"' in page
    assert "/report/privacy/" in page
    assert "csrfmiddlewaretoken" in page


def test_it_shows_the_privacy_notice_in_english_and_korean(client):
    assert "social-media" in client.get("/report/privacy/").content.decode()
    client.cookies["django_language"] = "ko"
    response = client.get("/report/privacy/")
    assert response.status_code == 200
    assert '<html lang="ko">' in response.content.decode()


def test_it_stores_a_sighting_with_its_photo_stripped_of_exif(client, mona):
    response = client.post(
        "/report/",
        {"description": "Crew at a logging road", "country": "Russia", "photos": [photo()]},
    )
    assert response.status_code == 303
    assert b"data-receipt" in client.get(response["Location"]).content
    upload = Upload.objects.get()
    stored = attachments.read(upload, user=mona)
    assert not has_metadata(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    assert "holiday" not in upload.file.name
    assert Submission.objects.get().country == "RU"


def test_it_keeps_what_was_typed_and_asks_for_photos_again(client):
    response = client.post(
        "/report/",
        {
            "description": "Forty men in grey",
            "place": "Near the river port",
            "workers_low": "50",
            "workers_high": "10",
            "photos": [photo()],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Forty men in grey" in page and "Near the river port" in page
    assert "The highest count is below the lowest." in page
    assert "Please choose your photos again" in page
    assert Submission.objects.count() == 0 and Upload.objects.count() == 0


def test_it_refuses_a_50_mb_upload_with_a_clear_message(client):
    big = b"\xff\xd8\xff\xe0" + b"\0" * (50 * 1024 * 1024)
    response = client.post("/report/", {"description": "seen", "photos": [photo(big, "big.jpg")]})
    page = response.content.decode()
    assert "Photo 1 is 50.0 MB; each photo may be at most 10 MB." in page
    assert Submission.objects.count() == 0


def test_it_refuses_a_renamed_executable_with_a_clear_message(client):
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\0" * 2000
    response = client.post(
        "/report/", {"description": "seen", "photos": [photo(elf, "photo.jpg", "image/jpeg")]}
    )
    page = response.content.decode()
    assert "only JPEG, PNG and WebP images are accepted" in page
    assert "content is checked, not its name" in page
    assert Upload.objects.count() == 0


def test_it_refuses_a_damaged_jpeg(client):
    response = client.post(
        "/report/", {"description": "seen", "photos": [photo(b"\xff\xd8\xff\xe0garbage")]}
    )
    assert "could not be read" in response.content.decode()


def test_it_scores_a_filled_honeypot_as_spam(client):
    client.post("/report/", {"description": "hello", "website": "http://spam.example"})
    assert Submission.objects.get().spam_score == 1.0


def test_it_scores_a_form_sent_back_too_fast(client):
    client.post("/report/", {"description": "hello there", "started": started_token()})
    assert "too_fast" in Submission.objects.get().spam_reasons


def test_it_adds_to_a_report_with_its_receipt(client):
    response = client.post(
        "/api/v1/sightings", {"description": "first"}, content_type="application/json"
    )
    receipt = response.json()["receipt"]
    page = client.post(
        "/report/add/",
        {
            "receipt": receipt.lower().replace("-", " "),
            "description": "and more",
            "photos": [photo()],
        },
        follow=True,
    )
    assert b"we added this" in page.content
    assert page.redirect_chain == [("/report/add/done/", 303)]
    addition = Submission.objects.get(kind=Kind.ADDITION)
    assert addition.parent.description == "first"
    assert addition.uploads.count() == 1
    wrong = client.post("/report/add/", {"receipt": "AAAA-BBBB-CCCC", "description": "x"})
    assert "No report has this receipt code" in wrong.content.decode()
    assert "first" not in wrong.content.decode()


def test_a_report_redirects_to_its_receipt_shown_once_so_a_reload_sends_nothing_twice(client):
    """#17 item 5: post, redirect (303), get; the receipt is in no URL and not in our database."""
    sent = client.post("/report/", {"description": "Crew at a logging road"})
    assert sent.status_code == 303 and sent["Location"] == "/report/received/"
    assert "?" not in sent["Location"]
    first = client.get("/report/received/")
    receipt = first.content.decode().split("data-receipt>")[1].split("<")[0]
    assert len(receipt) == 14 and first["Cache-Control"] == "no-store"
    reloaded = client.get("/report/received/").content.decode()
    assert receipt not in reloaded and "not sent a second time" in reloaded
    assert Submission.objects.count() == 1
    forged = client.cookies
    forged["unseen_receipt"] = '["AAAA-BBBB-CCCC", 0]'
    assert "AAAA-BBBB-CCCC" not in client.get("/report/received/").content.decode()


def test_a_comment_redirects_and_thanks_the_reader_where_they_land(client):
    sent = client.post("/report/comment/", {"page": "home", "body": "Good work"})
    assert sent.status_code == 303 and sent["Location"] == "/#comments"
    page = client.get("/").content.decode()
    comments = page[page.index('id="comments"') :]
    assert "Your comment will appear here" in comments
    assert "Your comment will appear here" not in client.get("/").content.decode()
