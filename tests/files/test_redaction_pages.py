"""The redaction page and the public pages of evidence files, through the test client."""

import io
import json

import numpy as np
import pytest
from django.contrib.auth.models import AnonymousUser
from PIL import Image

from tests import factories
from tests.conftest import PASSWORD
from tests.files import samples
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action
from unseen.evidence import reviewing
from unseen.files import custody, publishing, redaction_views, storing
from unseen.files.models import Licence, Redaction, RedactionState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_keys():
    from unseen.registry import keys

    keys.forget_cached_keys()


def signed_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def upload(data, user, name="photo.jpg", record=None):
    file = storing.receive([data], name=name, user=user).file
    if record is not None:
        storing.attach(file, record, user)
    return file


def proposal_of(response):
    form = response.context
    return form["token"], json.loads(form["boxes"])


def publish(file, reviewer, **fields):
    """Credit, licence, a colleague's review, then public: as the file page would."""
    for name, value in fields.items():
        setattr(file, name, value)
    file.save()
    reviewing.send_to_review(file, reviewer)
    file.refresh_from_db()
    reviewing.approve(file, reviewer)
    file.refresh_from_db()
    file.access_level = AccessLevel.PUBLIC
    file.full_clean()
    file.save()
    return file


def test_the_redaction_page_shows_the_original_with_the_proposed_box(client, rita):
    file = upload(samples.astronaut_jpeg(), rita)
    response = signed_in(client, rita).get(f"/app/files/{file.pk}/redact/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-redact-form" in html and 'name="style" value="blur"' in html
    _, boxes = proposal_of(response)
    assert len(boxes) == 1 and boxes[0]["origin"] == "detector" and boxes[0]["page"] is None
    [stage] = response.context["stages"]
    assert (stage["width"], stage["height"]) == (512, 512)
    picture = client.get(f"/app/files/{file.pk}/copies/{stage['picture'].pk}/")
    assert (
        picture["Content-Type"] == "image/jpeg" and picture["Cache-Control"] == "private, no-store"
    )
    assert Image.open(io.BytesIO(b"".join(picture.streaming_content))).size == (512, 512)


def test_confirming_on_the_page_makes_the_redacted_copy(client, rita):
    file = upload(samples.astronaut_jpeg(), rita)
    signed_in(client, rita)
    token, boxes = proposal_of(client.get(f"/app/files/{file.pk}/redact/"))
    response = client.post(
        f"/app/files/{file.pk}/redact/",
        {"decision": "confirm", "proposal": token, "boxes": json.dumps(boxes), "style": "fill"},
    )
    assert response.status_code == 302 and response["Location"] == f"/app/files/{file.pk}/"
    redaction = Redaction.objects.get(file=file)
    assert redaction.boxes[0]["style"] == "fill" and redaction.proposed == [
        {k: v for k, v in box.items()} for box in boxes
    ]
    assert redaction.detector == "opencv-haar-cascade" and redaction.threshold == 5.0
    file.refresh_from_db()
    assert file.redaction_state == RedactionState.REDACTED


def test_a_forged_proposal_is_refused(client, rita):
    file = upload(samples.astronaut_jpeg(), rita)
    signed_in(client, rita)
    boxes = [{"page": None, "x": 1, "y": 1, "w": 20, "h": 20, "origin": "detector"}]
    response = client.post(
        f"/app/files/{file.pk}/redact/",
        {"decision": "confirm", "proposal": "forged", "boxes": json.dumps(boxes), "style": "fill"},
    )
    assert response.status_code == 400 and b"data-refusal" in response.content
    assert not Redaction.objects.exists()


def test_pdf_boxes_are_drawn_in_page_pixels_and_kept_in_points(client, rita):
    file = upload(samples.roster_pdf(), rita, "roster.pdf")
    signed_in(client, rita)
    response = client.get(f"/app/files/{file.pk}/redact/")
    token, boxes = proposal_of(response)
    scale = redaction_views.EDITOR_DPI / 72
    assert [s["page"] for s in response.context["stages"]] == [1, 2, 3]
    assert response.context["stages"][0]["width"] == round(595 * scale)
    secret = {k: round(v * scale) if k in "xywh" else v for k, v in samples.SECRET_BOX.items()}
    posted = [*boxes, {**secret, "origin": "person"}]
    response = client.post(
        f"/app/files/{file.pk}/redact/",
        {"decision": "confirm", "proposal": token, "boxes": json.dumps(posted), "style": "fill"},
    )
    assert response.status_code == 302
    kept = Redaction.objects.get(file=file).boxes[-1]
    assert kept["page"] == 1 and kept["x"] == pytest.approx(66, abs=0.5)
    assert kept["w"] == pytest.approx(300, abs=0.5)


def test_no_redaction_needed_needs_a_reason(client, rita):
    file = upload(samples.astronaut_jpeg(), rita)
    signed_in(client, rita)
    response = client.post(f"/app/files/{file.pk}/redact/", {"decision": "not_needed"})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    response = client.post(
        f"/app/files/{file.pk}/redact/", {"decision": "not_needed", "reason": "NASA portrait"}
    )
    assert response.status_code == 302
    assert Redaction.objects.get(file=file).reason == "NASA portrait"


@pytest.mark.parametrize("persona", ["andy", "nora", "anonymous"])
def test_only_editors_reach_the_redaction_page(client, rita, andy, nora, persona):
    file = upload(samples.astronaut_jpeg(), rita)
    user = {"andy": andy, "nora": nora}.get(persona)
    if user is not None:
        signed_in(client, user)
    response = client.get(f"/app/files/{file.pk}/redact/")
    assert response.status_code in (302, 403, 404)
    assert not [e for e in custody.report(file) if e.entry.action == Action.FILE_VIEW]


def test_a_file_beyond_the_editors_level_is_not_found(client, ruth, rita):
    file = upload(samples.astronaut_jpeg(), rita)
    file.access_level = AccessLevel.CONFIDENTIAL
    file.save()
    assert signed_in(client, ruth).get(f"/app/files/{file.pk}/redact/").status_code == 404


def test_the_public_page_shows_the_redacted_copy_with_its_credit_and_licence(client, rita, ruth):
    photo = samples.astronaut_jpeg()
    source = factories.source("A published report", access_level=AccessLevel.PUBLIC)
    file = upload(photo, rita, record=source)
    assert client.get(f"/evidence/{file.pk}/").status_code == 404
    assert client.get(f"/evidence/{file.pk}/image").status_code == 404
    from unseen.files import redacting

    redacting.confirm(file, rita, [{"page": None, "x": 150, "y": 30, "w": 150, "h": 160}], "fill")
    file.refresh_from_db()
    assert client.get(f"/evidence/{file.pk}/").status_code == 404  # not public yet
    publish(
        file, ruth, credit="NASA", licence=Licence.PDM, title_en="An astronaut", title_ko="우주인"
    )
    page = client.get(f"/evidence/{file.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "An astronaut" in html
    assert "Photo: NASA" in html
    assert 'href="https://creativecommons.org/publicdomain/mark/1.0/"' in html
    assert "A published report" in html
    assert (
        client.get(f"/evidence/{file.pk}/", HTTP_ACCEPT_LANGUAGE="ko")
        .content.decode()
        .count("우주인")
    )
    image = client.get(f"/evidence/{file.pk}/image")
    served = b"".join(image.streaming_content)
    assert image["Content-Type"] == "image/jpeg"
    assert image["Cache-Control"] == "public, no-cache"
    assert image["Content-Disposition"].startswith("inline")
    assert image["X-Content-Type-Options"] == "nosniff"
    assert served != photo and b"SecretCam" not in served
    face = np.asarray(Image.open(io.BytesIO(served)).convert("L"))[60:190, 180:290]
    assert face.max() < 30  # filled black
    # A cache asking again gets a 304, and no read is written.
    reads = len(custody.report(file))
    again = client.get(f"/evidence/{file.pk}/image", HTTP_IF_NONE_MATCH=image["ETag"])
    assert again.status_code == 304 and len(custody.report(file)) == reads
    gallery = client.get("/evidence/").content.decode()
    assert f'href="/evidence/{file.pk}/"' in gallery and "Photo: NASA" in gallery
    thumb = client.get(f"/evidence/{file.pk}/thumbnail")
    assert max(Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size) <= 320
    # The original is nowhere on the public side.
    assert file.sha256 not in html
    assert publishing.public_file(file.pk).copy.sha256 in html


def test_the_public_side_has_no_page_for_pages_that_do_not_exist(client, rita, ruth):
    file = upload(samples.roster_pdf(), rita, "roster.pdf")
    from unseen.files import redacting

    redacting.mark_not_needed(file, rita, "synthetic")
    file.refresh_from_db()
    publish(file, ruth, credit="Unseen demo", licence=Licence.CC_BY)
    assert client.get(f"/evidence/{file.pk}/image?page=2").status_code == 200
    assert client.get(f"/evidence/{file.pk}/image?page=9").status_code == 404
    html = client.get(f"/evidence/{file.pk}/").content.decode()
    assert html.count("data-picture") == 3 and "Document: Unseen demo" in html


def test_the_gallery_is_in_the_public_navigation(client):
    html = client.get("/").content.decode()
    assert 'href="/evidence/"' in html
    assert AnonymousUser().is_authenticated is False


def test_a_published_source_cites_its_published_files_with_their_credit(rita, ruth):
    from django.template.loader import render_to_string

    from unseen.files import redacting
    from unseen.publishing import scope

    source = factories.source("Site report", access_level=AccessLevel.PUBLIC)
    shown = upload(samples.astronaut_jpeg(), rita, record=source)
    hidden = upload(samples.roster_pdf(), rita, "roster.pdf", record=source)  # never published
    redacting.mark_not_needed(shown, rita, "NASA portrait")
    shown.refresh_from_db()
    publish(shown, ruth, credit="NASA", licence=Licence.PDM, title_en="An astronaut")
    [cited] = scope.source_table(scope.PUBLIC, [source.pk]).values()
    assert [f["id"] for f in cited["files"]] == [shown.pk]
    assert hidden.pk not in [f["id"] for f in cited["files"]]
    assert cited["files"][0]["credit"]["by"] == "NASA"
    html = render_to_string("publishing/_sources.html", {"citations": [cited]})
    assert f'href="/evidence/{shown.pk}/"' in html and "Photo: NASA" in html
    assert 'rel="license noopener noreferrer"' in html
