"""Bad input is refused with a clear message and leaves nothing behind (#19 item 9).

Every refusal here is of a real file made for the purpose (tests/core/media/samples.py): a
damaged JPEG, a PDF cut short, a PNG that unpacks to 144 million pixels, an XLSX whose member
unpacks a thousand times over, a Windows executable named .pdf. Each must leave no blob, no
`.part` file, no clear copy and no row; the message says what was wrong.
"""

import io
import zipfile

import pytest
from PIL import Image

from tests import factories
from tests.core.media import samples
from unseen.audit.models import Action, AuditEntry
from unseen.files import storing
from unseen.files.models import CopyKind, EvidenceFile, WorkingCopy
from unseen.registry import keys

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_keys():
    keys.forget_cached_keys()


def on_disk(settings) -> list[str]:
    """Every file under UNSEEN_FILES_DIR, hidden folders (the clear copies) included."""
    root = settings.UNSEEN_FILES_DIR
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def pieces(data: bytes, size: int = 65536):
    for start in range(0, len(data), size):
        yield data[start : start + size]


def refused(settings, user, data: bytes, name: str) -> storing.Refused:
    """Receive `data`; it must be refused, and nothing of it kept anywhere."""
    with pytest.raises(storing.Refused) as caught:
        storing.receive(pieces(data), name=name, user=user)
    assert on_disk(settings) == []
    assert not EvidenceFile.objects.exists()
    assert not WorkingCopy.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.FILE_UPLOAD).exists()
    return caught.value


def corrupt_jpeg() -> bytes:
    data = samples.image_bytes("JPEG", quality=95)
    return data[: len(data) // 2]


def pixel_bomb_png() -> bytes:
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def windows_executable() -> bytes:
    """The start of a PE file: an MZ header pointing at a PE signature, then code-like bytes."""
    header = bytearray(b"MZ" + b"\x90\x00" * 29)
    header += b"\x00" * (0x3C - len(header)) + (0x80).to_bytes(4, "little")
    header += b"\x00" * (0x80 - len(header)) + b"PE\x00\x00\x4c\x01"
    return bytes(header) + bytes(range(256)) * 300


def test_a_corrupt_jpeg_is_refused_and_nothing_is_kept(settings, rita):
    error = refused(settings, rita, corrupt_jpeg(), "photo.jpg")
    assert error.reason == "corrupt_image"
    assert "could not be read to the end" in str(error)


def test_a_truncated_pdf_is_refused_and_nothing_is_kept(settings, rita):
    whole = samples.pdf(["근로계약서 page one", "page two"])
    error = refused(settings, rita, whole[: len(whole) // 3], "contract.pdf")
    assert error.reason == "corrupt_pdf"
    assert "PDF is cut short" in str(error)


def test_a_pixel_bomb_png_is_refused_and_nothing_is_kept(settings, rita):
    data = pixel_bomb_png()
    assert len(data) < 1_000_000
    error = refused(settings, rita, data, "map.png")
    assert error.reason == "bomb"
    assert "144 million pixels" in str(error)


def test_a_zip_bomb_xlsx_is_refused_and_nothing_is_kept(settings, rita):
    data = samples.with_zero_member(samples.xlsx(), 200 * 1024 * 1024)
    assert len(data) < 1_000_000
    error = refused(settings, rita, data, "roster.xlsx")
    assert error.reason == "bomb"
    assert "decompression bomb" in str(error)


def test_an_executable_named_pdf_is_refused_from_its_content(settings, rita):
    error = refused(settings, rita, windows_executable(), "invoice.pdf")
    assert error.reason == "unsupported"
    assert "content was checked, not its name" in str(error)
    assert "We take PDF documents" in str(error)


def test_a_large_file_of_a_type_we_do_not_take_is_stopped_at_its_head(settings, rita):
    """An unsupported type is refused when its first 64 KB are in, not after its last byte."""
    sent = []

    def stream():
        for _ in range(1000):  # 64 MB if it were read to the end
            sent.append(1)
            yield windows_executable()[:65536].ljust(65536, b"\x00")

    with pytest.raises(storing.Refused):
        storing.receive(stream(), name="setup.pdf", user=rita)
    assert len(sent) == 1
    assert on_disk(settings) == []


def test_any_other_zip_is_refused(settings, rita):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.txt", "hello")
    assert refused(settings, rita, out.getvalue(), "sheet.xlsx").reason == "unsupported"


def test_an_empty_file_is_refused(settings, rita):
    error = refused(settings, rita, b"", "empty.pdf")
    assert "empty" in str(error)


def test_a_name_with_dot_dots_and_nul_is_shown_never_used_as_a_path(settings, rita):
    data = samples.pdf(["roster"])
    name = "../../../etc/cron.d/x\x00.pdf\x00../evil"
    file = storing.receive(pieces(data), name=name, user=rita).file
    assert file.name == "evil"
    assert "\x00" not in file.name and "/" not in file.name
    stored = on_disk(settings)
    assert f"{file.blob[:2]}/{file.blob}" in stored
    assert all("evil" not in path and "cron" not in path for path in stored)
    assert not (settings.UNSEEN_FILES_DIR.parent / "etc").exists()
    back = storing.read_all(storing.open_original(file, user=rita, reason="check"))
    assert back == data


def test_a_name_that_is_only_a_nul_or_dots_is_kept_blank(rita):
    data = samples.pdf(["other"])
    assert storing.receive([data], name="\x00", user=rita).file.name == ""
    assert storing.receive([data + b"\n"], name="..", user=rita).file.name == ".."


def test_a_sound_file_keeps_its_embedded_metadata_and_gets_a_thumbnail(rita):
    photo = factories.jpeg_with_gps()
    file = storing.receive(pieces(photo, 1000), name="site.jpg", user=rita).file
    claims = file.embedded_metadata
    assert claims["type"] == "jpeg"
    assert "PhoneMaker" in str(claims) and "47.9" in str(claims)
    thumbnail = file.working_copies.get()
    assert thumbnail.kind == CopyKind.THUMBNAIL and thumbnail.content_type == "image/jpeg"
    assert thumbnail.tool == "Pillow" and thumbnail.parameters["operation"] == "thumbnail"
    data = storing.read_all(storing.open_working_copy(thumbnail, user=rita))
    assert b"Exif" not in data and b"PhoneMaker" not in data
    derive = AuditEntry.objects.get(action=Action.FILE_DERIVE)
    assert derive.detail["kind"] == "thumbnail" and derive.detail["sha256"] == file.sha256


def test_a_pdf_gets_its_info_read_and_a_thumbnail_of_its_first_page(rita):
    data = samples.pdf(["근로계약서"], author="Kim Secret")
    file = storing.receive([data], name="contract.pdf", user=rita).file
    assert file.content_type == "application/pdf"
    assert file.embedded_metadata["pdf"]["pages"] == 1
    assert "Kim Secret" in str(file.embedded_metadata)
    assert file.working_copies.get().kind == CopyKind.THUMBNAIL


def test_a_transcript_is_kept_without_a_thumbnail(rita):
    data = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n저는 벌목장에서 일했습니다.\n".encode()
    file = storing.receive([data], name="interview.vtt", user=rita).file
    assert file.content_type == "text/vtt"
    assert not file.working_copies.exists()


def test_a_duplicate_is_not_checked_or_copied_again(settings, rita):
    photo = factories.jpeg_with_gps()
    first = storing.receive([photo], name="a.jpg", user=rita)
    again = storing.receive([photo], name="b.jpg", user=rita)
    assert again.duplicate and again.file == first.file
    assert WorkingCopy.objects.count() == 1
    assert len(on_disk(settings)) == 2  # the original and its thumbnail


# Through the upload page ---------------------------------------------------------------------


def upload_url(record):
    return f"/app/files/upload/sources/{record.pk}/"


def upload_form(*files):
    return {
        "files": list(files),
        "upload-access_level": "internal",
        "upload-licence": "unknown",
        "upload-credit": "",
    }


def test_the_upload_page_names_each_refused_file_and_keeps_the_sound_one(client, rita, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    source = factories.source("Leaked roster")
    client.force_login(rita)
    sound = samples.pdf(["명단"])
    response = client.post(
        upload_url(source),
        upload_form(
            SimpleUploadedFile("invoice.pdf", windows_executable()),
            SimpleUploadedFile("photo.jpg", corrupt_jpeg()),
            SimpleUploadedFile("map.png", pixel_bomb_png()),
            SimpleUploadedFile("roster.pdf", sound),
        ),
    )
    page = client.get(response.url).content.decode()
    assert "invoice.pdf: This file looks like" in page
    assert "photo.jpg: The image could not be read to the end" in page
    assert "map.png: The image is too large to open safely" in page
    (kept,) = EvidenceFile.objects.all()
    assert kept.name == "roster.pdf"
    original, thumbnail = kept.blob, kept.working_copies.get().blob
    assert on_disk(settings) == sorted(f"{blob[:2]}/{blob}" for blob in (original, thumbnail))


def test_a_body_shorter_than_its_content_length_leaves_nothing(client, rita, settings):
    """The client went away: Django's parser sees the body end inside a file
    (`upload_interrupted`), and the part sealed so far is deleted."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    source = factories.source("Leaked roster")
    client.force_login(rita)
    body = encode_multipart(
        BOUNDARY, upload_form(SimpleUploadedFile("big.pdf", samples.pdf(["a"] * 3) * 3))
    )
    assert len(body) > 1_000_000
    sent = io.BytesIO(body[: len(body) - 300_000])
    response = client.generic(
        "POST",
        upload_url(source),
        body,
        content_type=MULTIPART_CONTENT,
        **{"wsgi.input": sent, "CONTENT_LENGTH": str(len(body))},
    )
    assert response.status_code == 400
    assert "interrupted" in response.content.decode()
    assert on_disk(settings) == []
    assert not EvidenceFile.objects.exists() and not WorkingCopy.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.FILE_UPLOAD).exists()
    assert client.get(f"/app/sources/{source.pk}/").status_code == 200


def test_an_abandoned_receiver_leaves_no_part_file(settings):
    receiver = storing.Receiver(name="half.pdf")
    receiver.write(samples.pdf(["x"])[:1000])
    assert [path.endswith(".part") for path in on_disk(settings)] == [True]
    receiver.discard()
    assert on_disk(settings) == []


def test_a_clear_copy_left_by_a_killed_check_is_named_by_verify_and_then_removed(settings, rita):
    import os
    import time

    folder = storing.private_files.private_folder(
        settings.UNSEEN_FILES_DIR / storing.CHECKING_FOLDER
    )
    left = folder / ("a" * 32)
    left.write_bytes(b"clear bytes of a file whose check was killed")
    fresh = folder / ("b" * 32)
    fresh.write_bytes(b"a check under way")
    old = time.time() - storing.STALE_PART_SECONDS - 60
    os.utime(left, (old, old))
    assert [p.what for p in storing.verify_all()] == [f".checking/{left.name}"]
    storing.receive([factories.jpeg_with_gps()], name="a.jpg", user=rita)  # the next check
    assert not left.exists() and fresh.exists()
