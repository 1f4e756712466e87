"""Every refusal of `checks.check`, each met with a real file made to deserve it."""

import io
import os
import zipfile

import pymupdf
import pytest
from PIL import Image

from tests.core.media import samples
from unseen.core.media import MediaRefused, checks, types
from unseen.core.media.checks import Limits


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(path, file_type, **limits):
    with pytest.raises(MediaRefused) as caught:
        checks.check(path, file_type, limits=Limits(**limits) if limits else checks.DEFAULT_LIMITS)
    return caught.value


SOUND = {
    "jpeg": lambda: samples.jpeg(),
    "png": lambda: samples.image_bytes("PNG"),
    "webp": lambda: samples.image_bytes("WEBP"),
    "tiff": lambda: samples.frames("TIFF", 3),
    "gif": lambda: samples.frames("GIF", 3),
    "pdf": lambda: samples.pdf(),
    "xlsx": samples.xlsx,
    "docx": samples.docx,
    "odt": samples.odt,
    "vtt": lambda: b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n",
    "srt": lambda: b"1\n00:00:00,000 --> 00:00:01,000\nhello\n",
    "csv": lambda: "a,b\n1,벌목장\n".encode(),
}


@pytest.mark.parametrize("key", list(SOUND))
def test_sound_files_pass(tmp_path, key):
    data = SOUND[key]()
    file_type = types.detect(data, name=f"x.{key}")
    assert file_type.key == key
    checks.check(write(tmp_path, f"x.{key}", data), file_type)


# Images --------------------------------------------------------------------------------------


def test_a_jpeg_cut_short_is_refused(tmp_path):
    data = samples.image_bytes("JPEG", quality=95)
    path = write(tmp_path, "cut.jpg", data[: len(data) // 2])
    assert refused(path, types.JPEG).reason == "corrupt_image"


def test_a_png_with_a_damaged_byte_is_refused(tmp_path):
    data = bytearray(samples.image_bytes("PNG"))
    at = data.find(b"IDAT") + 20
    data[at] ^= 0xFF  # the chunk's checksum no longer matches
    path = write(tmp_path, "damaged.png", bytes(data))
    error = refused(path, types.PNG)
    assert error.reason == "corrupt_image"
    assert "damaged" in str(error)


def test_a_png_decompression_bomb_is_refused_before_it_is_decoded(tmp_path):
    # 12,000 × 12,000 one-bit pixels: 144 million, packed into a file of a few hundred KB.
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG", optimize=True)
    assert len(out.getvalue()) < 1_000_000
    path = write(tmp_path, "bomb.png", out.getvalue())
    error = refused(path, types.PNG)
    assert error.reason == "bomb"
    assert "144 million pixels" in str(error)


def test_a_gif_whose_frames_together_are_too_many_pixels_is_refused(tmp_path):
    path = write(tmp_path, "many.gif", samples.frames("GIF", 8, size=(100, 100)))
    checks.check(path, types.GIF, limits=Limits(max_total_pixels=80_000))
    error = refused(path, types.GIF, max_total_pixels=79_999)
    assert error.reason == "bomb"
    assert "8 frames" in str(error)


def test_a_tiff_with_one_page_too_large_is_refused(tmp_path):
    path = write(tmp_path, "pages.tif", samples.frames("TIFF", 3, size=(300, 200)))
    assert refused(path, types.TIFF, max_pixels=59_999).reason == "bomb"


def test_a_file_that_is_not_the_image_it_was_taken_for_is_refused(tmp_path):
    path = write(tmp_path, "fake.jpg", b"\xff\xd8\xff\xe0" + os.urandom(2000))
    assert refused(path, types.JPEG).reason == "corrupt_image"


# Zip-based files -----------------------------------------------------------------------------


def test_a_zip_declaring_an_absurd_unpacked_size_is_refused(tmp_path):
    path = write(tmp_path, "huge.xlsx", samples.declaring_size(samples.xlsx(), 0xFFFF_FFF0))
    error = refused(path, types.XLSX)
    assert error.reason == "bomb"
    assert "decompression bomb" in str(error)


def test_a_zip_member_packed_a_thousand_times_is_refused(tmp_path):
    data = samples.with_zero_member(samples.xlsx(), 20 * 1024 * 1024)
    assert len(data) < 100_000
    error = refused(write(tmp_path, "zeros.xlsx", data), types.XLSX)
    assert error.reason == "bomb"
    assert "times its packed size" in str(error)


def test_a_zip_with_too_many_members_is_refused(tmp_path):
    path = write(tmp_path, "x.xlsx", samples.xlsx())
    count = len(zipfile.ZipFile(path).infolist())
    checks.check(path, types.XLSX, limits=Limits(max_members=count))
    assert refused(path, types.XLSX, max_members=count - 1).reason == "bomb"


def test_a_zip_cut_short_is_refused(tmp_path):
    data = samples.xlsx()
    error = refused(write(tmp_path, "cut.xlsx", data[: len(data) - 200]), types.XLSX)
    assert error.reason == "corrupt_zip"


def test_a_zip_whose_member_fails_its_checksum_is_refused(tmp_path):
    data = bytearray(samples.docx())
    at = data.find(b"word/document.xml") + len("word/document.xml") + 3
    data[at] ^= 0x55  # inside the member's packed bytes
    error = refused(write(tmp_path, "bad.docx", bytes(data)), types.DOCX)
    assert error.reason == "corrupt_zip"


def test_a_zip_without_the_part_its_type_needs_is_refused(tmp_path):
    path = write(tmp_path, "letter.docx", samples.docx(with_document=False))
    error = refused(path, types.DOCX)
    assert error.reason == "wrong_type"
    assert "word/document.xml" in str(error)


# PDFs ----------------------------------------------------------------------------------------


def test_a_pdf_that_cannot_be_opened_is_refused(tmp_path):
    path = write(tmp_path, "broken.pdf", b"%PDF-1.7\n" + os.urandom(3000))
    assert refused(path, types.PDF).reason == "corrupt_pdf"


def test_a_pdf_locked_with_a_password_is_refused(tmp_path):
    document = pymupdf.open(stream=samples.pdf(), filetype="pdf")
    data = document.tobytes(
        encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner"
    )
    error = refused(write(tmp_path, "locked.pdf", data), types.PDF)
    assert error.reason == "locked_pdf"
    assert "password" in str(error)


def test_a_pdf_with_only_an_owner_password_opens_and_is_taken(tmp_path):
    # Permissions-only encryption (no password to open) is common in published reports.
    document = pymupdf.open(stream=samples.pdf(), filetype="pdf")
    data = document.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner")
    checks.check(write(tmp_path, "report.pdf", data), types.PDF)


def test_a_pdf_with_too_many_pages_is_refused(tmp_path):
    path = write(tmp_path, "long.pdf", samples.pdf(["a", "b", "c", "d"]))
    checks.check(path, types.PDF, limits=Limits(max_pdf_pages=4))
    error = refused(path, types.PDF, max_pdf_pages=3)
    assert error.reason == "bomb"
    assert "4 pages" in str(error)


@pytest.mark.slow
def test_a_pdf_with_ten_thousand_and_one_pages_is_refused_by_default(tmp_path):
    document = pymupdf.open()
    for _ in range(10_001):
        document.new_page(width=100, height=100)
    path = write(tmp_path, "endless.pdf", document.tobytes(garbage=1))
    assert refused(path, types.PDF).reason == "bomb"


# Audio and video -----------------------------------------------------------------------------

needs_ffmpeg = pytest.mark.skipif(samples.needs_ffmpeg, reason="needs Debian's ffmpeg")


@needs_ffmpeg
@pytest.mark.parametrize(
    ("name", "make", "codec"),
    [
        ("a.mp3", samples.tone, ()),
        ("a.m4a", samples.tone, ()),
        ("a.wav", samples.tone, ()),
        ("a.opus", samples.tone, ("-c:a", "libopus")),
        ("a.flac", samples.tone, ()),
        ("v.mp4", samples.video, ()),
        ("v.webm", samples.video, ("-c:v", "libvpx-vp9")),
    ],
)
def test_sound_recordings_pass(tmp_path, name, make, codec):
    path = make(tmp_path, name, *codec)
    checks.check(path, types.detect(path.read_bytes()[: types.HEAD_BYTES]))


@needs_ffmpeg
def test_a_video_cut_short_is_refused(tmp_path):
    path = samples.video(tmp_path, "v.mp4")
    data = path.read_bytes()
    cut = write(tmp_path, "cut.mp4", data[: len(data) // 3])
    file_type = types.detect(cut.read_bytes())
    assert file_type == types.MP4
    error = refused(cut, file_type)
    assert error.reason == "corrupt_media"
    assert "MP4 video" in str(error)


@needs_ffmpeg
def test_a_video_file_with_no_picture_is_refused(tmp_path):
    path = samples.tone(tmp_path, "sound-only.mp4")
    file_type = types.detect(path.read_bytes())
    assert file_type == types.MP4  # an MP4 container, brand isom
    error = refused(path, file_type)
    assert error.reason == "no_stream"
    assert "holds no video" in str(error)


@needs_ffmpeg
def test_garbage_behind_an_audio_signature_is_refused(tmp_path):
    path = write(tmp_path, "fake.flac", b"fLaC" + os.urandom(4000))
    assert refused(path, types.FLAC).reason == "corrupt_media"


def test_without_ffprobe_recordings_are_kept_unchecked(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert not checks.ffprobe_available()
    checks.check(write(tmp_path, "fake.flac", b"fLaC" + os.urandom(4000)), types.FLAC)


# Text ----------------------------------------------------------------------------------------


def test_a_table_that_is_not_utf8_is_refused(tmp_path):
    path = write(tmp_path, "t.csv", "name,site\nKim,벌목장\n".encode("cp949"))
    error = refused(path, types.CSV)
    assert error.reason == "not_utf8"
    assert "UTF-8" in str(error)


def test_a_webvtt_file_with_a_broken_cue_is_refused(tmp_path):
    data = b"WEBVTT\n\n00:00.000 --> 00:01.000\nfine\n\n00:0x.000 --> 00:02.000\nbroken\n"
    error = refused(write(tmp_path, "t.vtt", data), types.VTT)
    assert error.reason == "bad_transcript"
    assert "1 of its 2 cues" in str(error)


def test_an_srt_file_that_does_not_parse_is_refused(tmp_path):
    data = b"1\n00:00:00,000 --> 00:00:01,000\nfine\n\n2\n00:00:0x,000 --> 00:00:02,000\nbroken\n"
    error = refused(write(tmp_path, "t.srt", data), types.SRT)
    assert error.reason == "bad_transcript"
    assert "line 5" in str(error)
