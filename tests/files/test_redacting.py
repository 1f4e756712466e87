"""Redaction with a person in the loop: proposed, confirmed, recorded, and never of the original."""

import io

import numpy as np
import pymupdf
import pytest
from django.core.exceptions import PermissionDenied
from PIL import Image

from tests.files import samples
from unseen.audit.models import Action, AuditEntry
from unseen.files import custody, publishing, redacting, storing
from unseen.files.models import CopyKind, Redaction, RedactionState, WorkingCopy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_keys():
    from unseen.registry import keys

    keys.forget_cached_keys()


def upload(data: bytes, user, name: str = "photo.jpg"):
    return storing.receive([data], name=name, user=user).file


def stored_blobs(settings) -> set[str]:
    root = settings.UNSEEN_FILES_DIR
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


def reads(file) -> list[AuditEntry]:
    return [e.entry for e in custody.report(file) if e.entry.action == Action.FILE_VIEW]


def test_the_detector_proposes_the_astronauts_face_and_the_reading_is_a_view(rita):
    file = upload(samples.astronaut_jpeg(), rita)
    proposal = redacting.propose(file, rita)
    assert proposal.detector == "opencv-haar-cascade"
    assert proposal.version.startswith("4.") and "haarcascade" in proposal.version
    assert proposal.threshold == 5.0
    assert proposal.pages == [redacting.Page(None, 512, 512)]
    [box] = proposal.boxes
    x, y, w, h = samples.FACE
    # The proposal covers the face the eye sees.
    assert box["x"] <= x and box["y"] <= y
    assert box["x"] + box["w"] >= x + w - 10 and box["y"] + box["h"] >= y + h - 20
    assert box["origin"] == "detector" and box["page"] is None
    [view] = reads(file)
    assert view.actor == "rita" and view.detail["reason"] == "face detection for redaction"


def test_confirming_makes_a_redacted_copy_and_records_who_what_and_with_which_detector(rita):
    photo = samples.astronaut_jpeg()
    file = upload(photo, rita)
    proposal = redacting.propose(file, rita)
    added = {"page": None, "x": 10, "y": 400, "w": 60, "h": 60, "origin": "person"}
    redaction = redacting.confirm(
        file,
        rita,
        [*proposal.boxes, added],
        "blur",
        proposed=proposal.boxes,
        detector=proposal.detector,
        version=proposal.version,
        threshold=proposal.threshold,
    )
    file.refresh_from_db()
    assert file.redaction_state == RedactionState.REDACTED
    assert redaction.decision == "redacted" and redaction.confirmed_by == rita
    assert redaction.detector == "opencv-haar-cascade" and redaction.threshold == 5.0
    assert redaction.detector_version == proposal.version
    assert redaction.proposed == proposal.boxes
    assert [b["origin"] for b in redaction.boxes] == ["detector", "person"]
    assert {b["style"] for b in redaction.boxes} == {"blur"}
    copy = redaction.working_copy
    assert copy.kind == CopyKind.REDACTED and copy.made_by == rita
    assert copy.tool == "Pillow" and copy.parameters["style"] == "blur"
    assert copy.parameters["boxes"] == redaction.boxes
    redacted = storing.read_all(storing.open_working_copy(copy, user=rita))
    # The face is unrecognisable; the rest of the photo is as it was (give or take JPEG).
    before, after = pixels(photo), pixels(redacted)
    x, y, w, h = samples.FACE
    assert np.abs(before[y : y + h, x : x + w] - after[y : y + h, x : x + w]).mean() > 20
    assert np.abs(before[300:380, 300:500] - after[300:380, 300:500]).mean() < 4
    assert b"SecretCam" not in redacted and b"Exif" not in redacted[:4096]
    # The original is untouched.
    assert storing.read_all(storing.open_original(file, user=rita, reason="check")) == photo
    # The copy that may be published is the redacted one, with pictures made from it.
    assert publishing.publishable_copy(file) == copy
    [picture] = publishing.pictures(copy)
    assert picture.derived_from == copy and picture.kind == CopyKind.PREVIEW
    assert publishing.thumbnail(copy).derived_from == copy
    shown = storing.read_all(storing.open_working_copy(picture, user=rita))
    assert np.abs(pixels(shown)[y : y + h, x : x + w] - before[y : y + h, x : x + w]).mean() > 20
    derived = [e for e in custody.report(file) if e.entry.action == Action.FILE_DERIVE]
    # The first thumbnail was made of the original on arrival (for staff); then the decision's.
    assert [e.detail["kind"] for e in derived] == ["thumbnail", "redacted", "preview", "thumbnail"]
    assert all(e.entry.actor == "rita" for e in derived)


def test_a_redacted_pdf_has_no_text_under_its_boxes_nor_its_metadata(rita):
    document = samples.roster_pdf()
    file = upload(document, rita, "roster.pdf")
    proposal = redacting.propose(file, rita)
    assert [p.number for p in proposal.pages] == [1, 2, 3]
    assert proposal.pages[0].width == 595 and proposal.pages[0].height == 842
    assert {b["page"] for b in proposal.boxes} == {2}  # the photo is on page 2
    redaction = redacting.confirm(
        file, rita, [*proposal.boxes, {**samples.SECRET_BOX, "origin": "person"}], "fill"
    )
    copy = redaction.working_copy
    assert copy.content_type == "application/pdf" and copy.tool == "PyMuPDF"
    redacted = storing.read_all(storing.open_working_copy(copy, user=rita))
    with pymupdf.open(stream=redacted, filetype="pdf") as pdf:
        text = "".join(page.get_text() for page in pdf)
        assert pdf.metadata.get("author", "") == ""
    assert "836123456" not in text and "Chol-su" not in text
    assert "Shift: night" in text and "overseer" in text
    assert b"Overseer Pak" not in redacted
    # Each page can be shown, from the redacted copy.
    assert [p.page for p in publishing.pictures(copy)] == [1, 2, 3]
    original = storing.read_all(storing.open_original(file, user=rita, reason="check"))
    assert original == document and "836123456" in pymupdf.open(stream=original)[0].get_text()


@pytest.mark.parametrize(
    ("boxes", "style", "message"),
    [
        ([], "blur", "at least one box"),
        ([{"page": None, "x": 1, "y": 1, "w": 10, "h": 10}], "pink", "blur or solid fill"),
        ([{"page": None, "x": 1, "y": 1, "w": -10, "h": 10}], "fill", "could not be read"),
        ("not json", "fill", "could not be read"),
    ],
)
def test_a_redaction_that_cannot_be_made_is_refused_and_nothing_is_kept(
    rita, settings, boxes, style, message
):
    file = upload(samples.astronaut_jpeg(), rita)
    blobs = stored_blobs(settings)
    with pytest.raises(redacting.RedactionRefused, match=message):
        redacting.confirm(file, rita, boxes, style)
    file.refresh_from_db()
    assert file.redaction_state == RedactionState.PENDING
    assert list(WorkingCopy.objects.filter(file=file).values_list("kind", flat=True)) == [
        CopyKind.THUMBNAIL  # made on arrival
    ]
    assert not Redaction.objects.exists()
    assert stored_blobs(settings) == blobs


def test_a_box_on_a_page_the_pdf_does_not_have_is_refused(rita):
    file = upload(samples.roster_pdf(), rita, "roster.pdf")
    with pytest.raises(redacting.RedactionRefused, match="3 pages, not 9"):
        redacting.confirm(file, rita, [{**samples.SECRET_BOX, "page": 9}], "fill")


def test_a_decision_that_fails_to_commit_leaves_no_copy_on_disk(rita, settings):
    file = upload(samples.astronaut_jpeg(), rita)
    blobs = stored_blobs(settings)
    # The redacted copy and its pictures are stored, then the Redaction row cannot be written
    # (what the detector proposed is not JSON): the whole decision goes, blobs included.
    with pytest.raises(TypeError):
        redacting.confirm(
            file, rita, [{"page": None, "x": 1, "y": 1, "w": 50, "h": 50}], "fill", proposed={1j}
        )
    assert stored_blobs(settings) == blobs
    assert WorkingCopy.objects.filter(file=file).count() == 1  # its thumbnail, made on arrival
    assert storing.verify_all() == []
    file.refresh_from_db()
    assert file.redaction_state == RedactionState.PENDING


def test_no_redaction_needed_says_why_and_publishes_only_a_copy_without_metadata(rita, settings):
    photo = samples.astronaut_jpeg()
    file = upload(photo, rita)
    with pytest.raises(redacting.RedactionRefused, match="Say why"):
        redacting.mark_not_needed(file, rita, "  ")
    redaction = redacting.mark_not_needed(file, rita, "A public portrait from NASA")
    file.refresh_from_db()
    assert file.redaction_state == RedactionState.NOT_NEEDED
    assert redaction.reason == "A public portrait from NASA" and redaction.boxes == []
    copy = publishing.publishable_copy(file)
    assert copy == redaction.working_copy and copy.kind == CopyKind.STRIPPED
    stripped = storing.read_all(storing.open_working_copy(copy, user=rita))
    assert stripped != photo
    assert b"SecretCam" not in stripped and b"Exif" not in stripped[:4096]
    assert np.abs(pixels(stripped) - pixels(photo)).mean() < 3
    assert len(publishing.pictures(copy)) == 1 and publishing.thumbnail(copy) is not None


def test_a_pdf_needing_no_redaction_is_published_without_its_metadata(rita):
    file = upload(samples.roster_pdf(), rita, "roster.pdf")
    copy = redacting.mark_not_needed(file, rita, "Synthetic roster").working_copy
    stripped = storing.read_all(storing.open_working_copy(copy, user=rita))
    assert b"Overseer Pak" not in stripped
    assert copy.content_type == "application/pdf"
    assert [p.page for p in publishing.pictures(copy)] == [1, 2, 3]


def test_only_editors_who_may_read_the_file_redact_it(rita, andy, nora):
    file = upload(samples.astronaut_jpeg(), rita)
    for user in (andy, nora, None):
        with pytest.raises(PermissionDenied):
            redacting.propose(file, user)
        with pytest.raises(PermissionDenied):
            redacting.mark_not_needed(file, user, "no faces")
    assert reads(file) == []


def test_text_and_recordings_have_no_boxes_to_draw(rita):
    file = upload("이름,여권\n김철수,836123456\n".encode(), rita, "roster.csv")
    assert not redacting.can_redact(file)
    with pytest.raises(redacting.RedactionRefused, match="images and PDFs"):
        redacting.propose(file, rita)
    # Marked as needing none, it has no picture to publish: the gate opens, nothing is shown.
    redaction = redacting.mark_not_needed(file, rita, "Names are pseudonyms")
    assert redaction.working_copy is None
    assert publishing.publishable_copy(file) is None
