"""What files claim about themselves is read, and always fits in a JSON field."""

import json

import pytest

from tests.core.media import samples
from unseen.core.media import embedded, types


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_it_reads_the_camera_the_time_and_the_place_a_photo_claims(tmp_path):
    found = embedded.read(write(tmp_path, "p.jpg", samples.jpeg()), types.JPEG)
    assert found["exif"]["make"] == "Canon"
    assert found["exif"]["model"] == "SecretCam 5D"
    assert found["exif"]["taken"] == "2024:03:15 10:22:01"
    assert found["exif"]["taken_offset"] == "+09:00"
    # 37°33'59" S, 126°58'40" W: south and west are negative.
    assert found["gps"]["latitude"] == pytest.approx(-37.566389, abs=1e-6)
    assert found["gps"]["longitude"] == pytest.approx(-126.977778, abs=1e-6)
    assert found["image"] == {
        "format": "JPEG",
        "width": 200,
        "height": 100,
        "mode": "RGB",
        "frames": 1,
    }
    json.dumps(found)


def test_it_reads_who_the_xmp_of_a_photo_names(tmp_path):
    found = embedded.read(write(tmp_path, "p.jpg", samples.jpeg(xmp=True)), types.JPEG)
    assert found["xmp"] == {
        "present": True,
        "creator": ["Kim Photographer"],
        "creator_tool": "PhotoTool 3",
    }


def test_a_photo_without_metadata_claims_nothing(tmp_path):
    found = embedded.read(write(tmp_path, "p.png", samples.image_bytes("PNG")), types.PNG)
    assert set(found) == {"type", "image"}


def test_it_reads_the_info_and_the_xmp_of_a_pdf(tmp_path):
    found = embedded.read(write(tmp_path, "r.pdf", samples.pdf(["하나", "둘"])), types.PDF)
    pdf = found["pdf"]
    assert pdf["author"] == "Kim Secret"
    assert pdf["creator"] == "Roster Maker 2"
    assert pdf["producer"] == "Secret Producer 1.0"
    assert pdf["created"] == "2024-03-15T10:22:01+09:00"
    assert pdf["modified"] == "2024-03-16T00:00:00Z"
    assert pdf["pages"] == 2
    assert pdf["encrypted"] is False
    assert found["xmp"]["creator"] == ["Kim Photographer"]
    json.dumps(found)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("D:2024", "2024"),
        ("D:202403", "2024-03"),
        ("D:20240315", "2024-03-15"),
        ("D:20240315102201-05'30'", "2024-03-15T10:22:01-05:30"),
        ("yesterday", "yesterday"),
    ],
)
def test_pdf_dates_become_iso_text(text, iso):
    assert embedded.pdf_date(text) == iso


def test_it_reads_the_author_of_office_files(tmp_path):
    found = embedded.read(write(tmp_path, "l.docx", samples.docx()), types.DOCX)
    assert found["office"] == {
        "creator": "Kim Secret",
        "last_modified_by": "Lee Editor",
        "created": "2024-03-15T10:22:01Z",
    }
    found = embedded.read(write(tmp_path, "l.odt", samples.odt()), types.ODT)
    assert found["office"] == {"creator": "Park Writer", "application": "LibreOffice/7.4"}
    found = embedded.read(write(tmp_path, "r.xlsx", samples.xlsx()), types.XLSX)
    assert found["office"]["creator"] == "Kim Secret"


def test_it_counts_the_cues_of_a_transcript(tmp_path):
    data = b"WEBVTT\n\n00:00.000 --> 00:01.000\none\n\n00:01.000 --> 01:02.500\ntwo\n"
    found = embedded.read(write(tmp_path, "t.vtt", data), types.VTT)
    assert found["transcript"] == {"cues": 2, "ends_at_seconds": 62.5}


@pytest.mark.skipif(samples.needs_ffmpeg, reason="needs Debian's ffmpeg")
def test_it_reads_the_duration_and_codecs_of_a_recording(tmp_path):
    path = samples.ffmpeg(
        tmp_path,
        "v.mp4",
        *("-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=10"),
        *("-f", "lavfi", "-i", "sine=duration=2", "-pix_fmt", "yuv420p", "-shortest"),
        *("-metadata", "location=+37.5665+126.9780/", "-movflags", "+use_metadata_tags"),
    )
    found = embedded.read(path, types.MP4)
    assert found["media"]["duration"] == pytest.approx(2.0, abs=0.1)
    codecs = {stream["codec_type"]: stream["codec_name"] for stream in found["streams"]}
    assert codecs == {"video": "h264", "audio": "aac"}
    video = next(stream for stream in found["streams"] if stream["codec_type"] == "video")
    assert (video["width"], video["height"]) == (160, 120)
    assert found["gps"] == {"latitude": 37.5665, "longitude": 126.978}
    json.dumps(found)


def test_without_ffprobe_it_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    found = embedded.read(write(tmp_path, "a.flac", b"fLaC" + bytes(100)), types.FLAC)
    assert found == {"type": "flac", "ffprobe": "not installed"}


def test_what_is_read_is_json_safe_whatever_the_file_holds(tmp_path):
    from PIL import Image

    tags = samples.exif(make="Can\x00on", model="x" * 5000)
    tags[0x9286] = b"\xff\xfe binary comment"  # UserComment, bytes
    out = tmp_path / "odd.jpg"
    samples.picture().save(out, "JPEG", exif=tags)
    found = embedded.read(out, types.JPEG)
    assert found["exif"]["make"] == "Canon"
    assert len(found["exif"]["model"]) == embedded.MAX_TEXT
    assert json.loads(json.dumps(found)) == found
    assert Image.open(out).getexif()[0x010F] == "Can\x00on"  # the file itself is untouched


def test_a_damaged_file_gives_an_error_entry_not_an_exception(tmp_path):
    found = embedded.read(write(tmp_path, "x.pdf", b"%PDF-1.7 nothing"), types.PDF)
    assert found["type"] == "pdf"
    assert found["error"].startswith("could not be read")
