"""Faces proposed for redaction by OpenCV's bundled Haar cascades."""

import io

import cv2
import numpy as np
import pymupdf
import pytest
from PIL import Image
from skimage import data as samples

from unseen.core.media.faces import (
    DETECTOR,
    Box,
    detect_faces,
    detect_in_pdf,
    pixels_to_points,
    points_to_pixels,
)

# Eileen Collins' face in skimage's astronaut photo (512 × 512): between the eyes and the mouth.
FACE_CENTRE = (222, 120)


def _encoded(array, fmt="JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, fmt, **options)
    return buffer.getvalue()


def _covers(box: Box, point: tuple[float, float]) -> bool:
    return box.x <= point[0] <= box.right and box.y <= point[1] <= box.bottom


def test_the_astronauts_face_is_found():
    detection = detect_faces(_encoded(samples.astronaut()))
    assert len(detection.boxes) == 1
    face = detection.boxes[0]
    assert face.page is None
    assert _covers(face, FACE_CENTRE)
    # Enlarged past the cascade's eyebrows-to-mouth square, to take in hair and chin,
    # but still a face, not the whole portrait.
    assert 100 < face.w < 250
    assert 100 < face.h < 250
    assert detection.detector == DETECTOR
    assert cv2.__version__ in detection.version
    assert "haarcascade_frontalface_default.xml" in detection.version
    assert "haarcascade_profileface.xml" in detection.version
    assert detection.threshold == 5
    assert detection.proposed() == [{**face.to_dict(), "origin": "detector"}]


def test_an_array_gives_the_same_boxes_as_its_encoding():
    array = samples.astronaut()
    assert detect_faces(array).boxes == detect_faces(_encoded(array, "PNG")).boxes
    assert detect_faces(array[:, :, 0]).boxes  # grey works too


def test_no_face_is_proposed_in_a_photo_without_one():
    assert detect_faces(samples.coffee()).boxes == []
    assert detect_faces(samples.page()).boxes == []


def test_a_stricter_threshold_proposes_no_more_boxes():
    array = samples.astronaut()
    loose = detect_faces(array, threshold=1).boxes
    strict = detect_faces(array, threshold=12).boxes
    assert len(strict) <= len(loose)
    assert detect_faces(array, threshold=12).threshold == 12


def test_a_face_smaller_than_min_size_is_not_looked_for():
    assert detect_faces(samples.astronaut(), min_size=300).boxes == []


def test_boxes_are_in_the_displayed_image_when_exif_turns_it():
    """A phone photo stored sideways with an Orientation tag: boxes are where it is shown."""
    array = samples.astronaut()
    stored = np.ascontiguousarray(np.rot90(array, k=1))  # stored turned 90° anticlockwise
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to show"
    detection = detect_faces(_encoded(stored, "JPEG", exif=exif.tobytes()))
    assert len(detection.boxes) == 1
    assert _covers(detection.boxes[0], FACE_CENTRE)


def test_a_large_photo_is_searched_scaled_down_and_boxes_scaled_back():
    big = cv2.resize(samples.astronaut(), (2048, 2048), interpolation=cv2.INTER_CUBIC)
    detection = detect_faces(big)
    # At this size the cascade also fires on a few patches of the suit: a person removes them.
    faces = [
        box for box in detection.boxes if _covers(box, (FACE_CENTRE[0] * 4, FACE_CENTRE[1] * 4))
    ]
    assert len(faces) == 1
    assert 400 < faces[0].w < 1000


def test_an_unreadable_image_is_refused():
    with pytest.raises(ValueError, match="image"):
        detect_faces(b"not an image")
    with pytest.raises(ValueError, match="array"):
        detect_faces(np.zeros((4, 4, 2), np.uint8))


def test_a_tiny_image_has_no_faces():
    assert detect_faces(np.zeros((10, 10), np.uint8)).boxes == []


def _pdf_with_photo(rotate: int = 0) -> tuple[bytes, pymupdf.Rect]:
    document = pymupdf.open()
    document.new_page().insert_text((72, 72), "Page one: no photo", fontname="helv")
    page = document.new_page()
    page.set_rotation(rotate)
    where = pymupdf.Rect(100, 200, 356, 456)  # 256 pt square: 2 px of the photo per point
    # Turned with the page, so that the photo is shown upright (a landscape page, say).
    page.insert_image(where, stream=_encoded(samples.astronaut()), rotate=rotate)
    return document.tobytes(), where * page.rotation_matrix


def test_faces_are_found_on_pdf_pages_in_points():
    content, where = _pdf_with_photo()
    detection = detect_in_pdf(content, dpi=150)
    assert detection.pages == 2
    assert len(detection.boxes) == 1
    face = detection.boxes[0]
    assert face.page == 2
    centre = (where.x0 + FACE_CENTRE[0] / 2, where.y0 + FACE_CENTRE[1] / 2)
    assert _covers(face, centre)
    assert face.w < 150  # points, not pixels of the 150 dpi rendering
    assert detection.parameters["dpi"] == 150


def test_a_pdf_is_read_from_a_path_too(tmp_path):
    content, _ = _pdf_with_photo()
    path = tmp_path / "photo.pdf"
    path.write_bytes(content)
    assert detect_in_pdf(path).boxes == detect_in_pdf(content).boxes


def test_pdf_boxes_are_in_the_displayed_page_when_it_is_rotated():
    content, where = _pdf_with_photo(rotate=90)
    detection = detect_in_pdf(content)
    assert len(detection.boxes) == 1
    # `where` is the photo's place on the page as shown (the page turned 90° clockwise).
    assert where.x0 > 300
    centre = (where.x0 + FACE_CENTRE[0] / 2, where.y0 + FACE_CENTRE[1] / 2)
    assert _covers(detection.boxes[0], centre)


def test_an_unreadable_pdf_is_refused():
    with pytest.raises(ValueError, match="PDF"):
        detect_in_pdf(b"%PDF-1.4 broken")


def test_points_and_pixels_convert_both_ways():
    box = Box(3, 72, 144, 36, 18)
    assert points_to_pixels(box, 150) == Box(3, 150, 300, 75, 37.5)
    assert pixels_to_points(points_to_pixels(box, 150), 150) == box
