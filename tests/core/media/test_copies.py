"""Working copies: small, upright, and without the metadata of their original."""

import io

import pymupdf
import pytest
from PIL import Image

from tests.core.media import samples
from unseen.core.media import MediaRefused, MediaUnavailable, copies, embedded, types


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def opened(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_thumbnail_is_a_small_jpeg_without_metadata(tmp_path):
    path = write(tmp_path, "p.jpg", samples.jpeg(xmp=True))
    made = copies.thumbnail(path, types.JPEG, size=64)
    image = opened(made.data)
    assert (image.format, image.size) == ("JPEG", (64, 32))
    assert (made.width, made.height) == (64, 32)
    assert made.content_type == "image/jpeg"
    assert len(image.getexif()) == 0
    assert b"SecretCam" not in made.data and b"Kim Photographer" not in made.data
    assert made.tool == "Pillow" and made.tool_version == Image.__version__
    assert made.parameters == {
        "operation": "thumbnail",
        "max_size": 64,
        "format": "JPEG",
        "quality": 85,
    }


def test_a_thumbnail_is_turned_upright_as_the_camera_said(tmp_path):
    # Orientation 6: the camera was turned; the 200 × 100 sensor image is shown 100 × 200.
    path = write(tmp_path, "p.jpg", samples.jpeg(orientation=6))
    assert opened(copies.thumbnail(path, types.JPEG).data).size == (100, 200)


def test_a_preview_never_enlarges_an_image(tmp_path):
    path = write(tmp_path, "p.png", samples.image_bytes("PNG"))
    made = copies.preview(path, types.PNG, width=1600)
    assert opened(made.data).size == (200, 100)


def test_a_preview_of_a_pdf_is_the_page_asked_for_rendered_to_the_width(tmp_path):
    pages = [
        "first page",
        "둘째 쪽\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n아래",
    ]
    path = write(tmp_path, "r.pdf", samples.pdf(pages))
    made = copies.preview(path, types.PDF, page=1, width=800)
    image = opened(made.data)
    assert image.width == 800
    assert image.height == pytest.approx(842 * 800 / 595, abs=1)
    assert made.tool == "PyMuPDF"
    assert made.parameters["page"] == 1
    assert made.parameters["dpi"] == pytest.approx(72 * 800 / 595, abs=0.1)
    first = opened(copies.preview(path, types.PDF, page=0, width=800).data)
    assert image.tobytes() != first.tobytes()
    with pytest.raises(MediaUnavailable) as missing:
        copies.preview(path, types.PDF, page=2)
    assert missing.value.reason == "no_page"
    assert "page 3" in str(missing.value)


def test_copies_are_made_from_bytes_as_from_a_file(tmp_path):
    # A decrypted original never has to be written to disk in clear to be previewed.
    document = samples.pdf(["first page", "second page"])
    from_file = copies.preview(write(tmp_path, "r.pdf", document), types.PDF, page=1, width=400)
    from_bytes = copies.preview(document, types.PDF, page=1, width=400)
    assert opened(from_bytes.data).tobytes() == opened(from_file.data).tobytes()
    photo = samples.jpeg(orientation=6)
    assert opened(copies.thumbnail(photo, types.JPEG).data).size == (100, 200)
    with pytest.raises(MediaUnavailable):
        copies.preview(b"\x00\x00\x00\x18ftypmp42", types.from_content_type("video/mp4"))


def test_a_pdf_thumbnail_fits_the_square(tmp_path):
    made = copies.thumbnail(write(tmp_path, "r.pdf", samples.pdf()), types.PDF, size=320)
    assert max(opened(made.data).size) == 320


def test_each_page_of_a_tiff_can_be_shown(tmp_path):
    path = write(tmp_path, "scan.tif", samples.frames("TIFF", 3))
    shown = [copies.preview(path, types.TIFF, page=page) for page in range(3)]
    assert [made.parameters["page"] for made in shown] == [0, 1, 2]
    assert len({made.data for made in shown}) == 3
    with pytest.raises(MediaUnavailable):
        copies.preview(path, types.TIFF, page=3)


@pytest.mark.skipif(samples.needs_ffmpeg, reason="needs Debian's ffmpeg")
def test_a_video_is_shown_by_its_first_frame(tmp_path):
    path = samples.video(tmp_path, "v.mp4")
    made = copies.thumbnail(path, types.MP4, size=80)
    assert opened(made.data).size == (80, 60)
    assert made.tool == "ffmpeg"
    assert made.tool_version == copies.ffmpeg_version() != ""


def test_without_ffmpeg_a_video_has_no_picture_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(MediaUnavailable, match="apt-get install ffmpeg") as missing:
        copies.thumbnail(write(tmp_path, "v.mp4", b"\x00" * 100), types.MP4)
    assert missing.value.reason == "no_ffmpeg"


@pytest.mark.parametrize("file_type", [types.MP3, types.XLSX, types.VTT, types.HEIC])
def test_sound_tables_and_text_have_no_picture(tmp_path, file_type):
    with pytest.raises(MediaUnavailable) as missing:
        copies.thumbnail(write(tmp_path, "x", b"anything"), file_type)
    assert missing.value.reason == "no_preview"


# Stripping images ----------------------------------------------------------------------------


def test_stripping_a_photo_removes_exif_gps_and_xmp(tmp_path):
    original = samples.jpeg(xmp=True)
    before = embedded.read(write(tmp_path, "before.jpg", original), types.JPEG)
    assert before["gps"] and before["exif"]["model"] == "SecretCam 5D" and before["xmp"]
    made = copies.strip_image(original)
    after = embedded.read(write(tmp_path, "after.jpg", made.data), types.JPEG)
    assert set(after) == {"type", "image"}, after
    assert b"SecretCam" not in made.data and b"Kim Photographer" not in made.data
    assert not copies.has_metadata(made.data)
    assert made.content_type == "image/jpeg"
    assert made.parameters == {
        "operation": "strip_metadata",
        "format": "JPEG",
        "quality": 95,
        "optimize": True,
    }
    # The same picture: a red box on blue, within JPEG's error.
    assert opened(made.data).getpixel((20, 20)) == pytest.approx((220, 20, 20), abs=12)


def test_stripping_a_png_removes_its_text_chunks_and_keeps_every_pixel():
    original = samples.png_with_text()
    assert copies.has_metadata(original)
    made = copies.strip_image(original)
    assert b"Kim Secret" not in made.data and b"camp gate" not in made.data
    assert not copies.has_metadata(made.data)
    assert made.content_type == "image/png"
    assert opened(made.data).tobytes() == opened(original).convert("RGB").tobytes()


def test_stripping_turns_the_photo_upright_before_dropping_the_orientation():
    made = copies.strip_image(samples.jpeg(orientation=6))
    assert opened(made.data).size == (100, 200)


def test_only_images_are_stripped_as_images():
    with pytest.raises(MediaRefused) as caught:
        copies.strip_image(samples.pdf())
    assert caught.value.reason == "not_strippable"


# Stripping PDFs ------------------------------------------------------------------------------


def pdf_with_everything() -> bytes:
    """A PDF with an author, XMP, a photo carrying EXIF, a note signed by a person, an attached file."""
    document = pymupdf.open(stream=samples.pdf(["근로계약서 벌목장 contract"]), filetype="pdf")
    page = document[0]
    page.insert_image(pymupdf.Rect(60, 200, 260, 300), stream=samples.jpeg())
    note = page.add_text_annot((400, 100), "check the wage line")
    note.set_info(title="Lee Reviewer")
    note.update()
    document.embfile_add("notes.txt", b"source: Kim Secret, phone 010-1234-5678")
    return document.tobytes()


def test_stripping_a_pdf_removes_its_author_xmp_attachments_and_the_exif_of_its_photos(tmp_path):
    original = pdf_with_everything()
    for secret in (b"Kim Secret", b"SecretCam", b"Lee Reviewer", b"Secret Producer"):
        assert secret in original or secret in pymupdf.open(stream=original).embfile_get(0)
    made = copies.strip_pdf(original)
    for secret in (
        b"Kim Secret",
        b"SecretCam",
        b"Lee Reviewer",
        b"Roster Maker",
        b"Secret Producer",
        b"Kim Photographer",
        b"010-1234",
    ):
        assert secret not in made.data, secret
    after = embedded.read(write(tmp_path, "after.pdf", made.data), types.PDF)
    assert set(after["pdf"]) == {"format", "pages", "encrypted", "page_size_points"}
    assert "xmp" not in after
    stripped = pymupdf.open(stream=made.data, filetype="pdf")
    assert stripped.embfile_count() == 0
    assert made.parameters["jpeg_images_stripped"] == 1
    assert made.tool == "PyMuPDF" and made.tool_version.startswith(pymupdf.VersionBind)


def test_a_stripped_pdf_shows_and_says_the_same(tmp_path):
    original = pdf_with_everything()
    made = copies.strip_pdf(original)
    before, after = pymupdf.open(stream=original), pymupdf.open(stream=made.data)
    assert after[0].get_text() == before[0].get_text()
    assert "벌목장" in after[0].get_text()
    # The photo inside still decodes, to the same pixels: only its APP segments were dropped.
    pixels_before = before[0].get_pixmap(dpi=50, annots=False).samples
    pixels_after = after[0].get_pixmap(dpi=50, annots=False).samples
    assert pixels_before == pixels_after


def test_a_locked_pdf_is_not_stripped():
    locked = pymupdf.open(stream=samples.pdf()).tobytes(
        encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="o"
    )
    with pytest.raises(MediaRefused) as caught:
        copies.strip_pdf(locked)
    assert caught.value.reason == "locked_pdf"


def test_jpeg_segments_are_dropped_and_the_coded_pixels_kept_byte_for_byte():
    original = samples.jpeg(xmp=True)
    stripped = copies.strip_jpeg_segments(original)
    assert stripped is not None
    assert b"Exif" not in stripped and b"xmpmeta" not in stripped
    scan = original.index(b"\xff\xda")
    assert stripped.endswith(original[scan:])
    assert opened(stripped).tobytes() == opened(original).tobytes()
    assert copies.strip_jpeg_segments(b"not a jpeg") is None
