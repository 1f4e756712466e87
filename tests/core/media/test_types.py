"""File types are told from content, never from the name; what we do not take is refused by name."""

import subprocess
import sys

import pytest

from tests.core.media import samples
from unseen.core.media import Unsupported, types

IMAGES = {
    types.JPEG: lambda: samples.jpeg(),
    types.PNG: lambda: samples.image_bytes("PNG"),
    types.WEBP: lambda: samples.image_bytes("WEBP"),
    types.TIFF: lambda: samples.image_bytes("TIFF"),
    types.GIF: lambda: samples.image_bytes("GIF"),
    types.PDF: lambda: samples.pdf(),
    types.XLSX: samples.xlsx,
    types.DOCX: samples.docx,
    types.ODT: samples.odt,
}


@pytest.mark.parametrize("expected", list(IMAGES), ids=lambda t: t.key)
def test_it_tells_documents_and_images_from_their_bytes_whatever_the_name(expected):
    data = IMAGES[expected]()
    assert types.detect(data[: types.HEAD_BYTES], name="holiday.mp3") == expected
    assert types.detect(data, name="") == expected


RECORDINGS = {
    types.MP3: ("a.mp3", samples.tone, ()),
    types.M4A: ("a.m4a", samples.tone, ()),
    types.WAV: ("a.wav", samples.tone, ()),
    types.OGG: ("a.opus", samples.tone, ("-c:a", "libopus")),
    types.FLAC: ("a.flac", samples.tone, ()),
    types.MP4: ("v.mp4", samples.video, ()),
    types.MOV: ("v.mov", samples.video, ()),
    types.WEBM: ("v.webm", samples.video, ("-c:v", "libvpx-vp9")),
    types.MKV: ("v.mkv", samples.video, ()),
}


@pytest.mark.skipif(samples.needs_ffmpeg, reason="ffmpeg makes the recordings")
@pytest.mark.parametrize("expected", list(RECORDINGS), ids=lambda t: t.key)
def test_it_tells_recordings_from_their_bytes(tmp_path, expected):
    name, make, codec = RECORDINGS[expected]
    data = make(tmp_path, name, *codec).read_bytes()
    found = types.detect(data[: types.HEAD_BYTES], name="notes.txt")
    assert found == expected
    assert found.kind == expected.kind


def test_it_tells_heic_from_the_brand_of_its_ftyp_box():
    head = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    assert types.detect(head) == types.HEIC


TEXTS = [
    ("WEBVTT\n\n00:00.000 --> 00:01.500\n안녕하세요\n", "", types.VTT),
    ("\ufeffWEBVTT - interview 3\n\n00:00:01.000 --> 00:00:02.000\nyes\n", "", types.VTT),
    (
        "1\n00:00:00,000 --> 00:00:01,000\n안녕하세요\n\n2\n00:00:01,000 --> 00:00:02,000\nhi\n",
        "",
        types.SRT,
    ),
    ('name,site,year\nWorker 1,벌목장,2017\nWorker 2,"Amur, oblast",2018\n', "", types.CSV),
    ("name;site\nWorker 1;벌목장\n", "roster.csv", types.CSV),
    ("name;site\nWorker 1;벌목장\n", "roster.txt", types.TEXT),
    (
        "인터뷰 녹취록\n\n질문: 하루에 몇 시간 일했습니까?\n답: 열두 시간, 가끔 더.\n",
        "",
        types.TEXT,
    ),
]


@pytest.mark.parametrize(("text", "name", "expected"), TEXTS)
def test_it_reads_utf8_text_as_a_transcript_a_table_or_plain_text(text, name, expected):
    assert types.detect(text.encode(), name=name) == expected


def test_a_character_cut_by_the_end_of_the_head_is_still_text():
    data = ("벌목장 " * 30000).encode()
    assert types.detect(data[: types.HEAD_BYTES - 1]) == types.TEXT


def test_the_name_never_makes_a_file_acceptable():
    with pytest.raises(Unsupported):
        types.detect(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200), name="contract.pdf")


def test_it_names_what_it_found_and_what_we_take():
    with pytest.raises(Unsupported) as refused:
        types.detect(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200), name="contract.pdf")
    message = str(refused.value)
    assert "Windows" in message
    assert "We take PDF documents; JPEG, PNG" in message
    assert refused.value.reason == "unsupported"


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\x03garbage" * 10,
        "caf\xe9 au lait, chez Fran\xe7oise\n".encode("latin-1"),  # text, but not UTF-8
        b"\x1f\x8b\x08\x00" + bytes(100),  # gzip
        b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00avifmif1" + bytes(64),  # AVIF: not taken
    ],
    ids=["binary", "latin-1", "gzip", "avif"],
)
def test_it_refuses_what_is_not_on_the_list(data):
    with pytest.raises(Unsupported, match=r"not .*a type we take"):
        types.detect(data)


def test_a_zip_that_is_not_an_office_file_is_refused():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", b"MZ" + bytes(100))
    with pytest.raises(Unsupported):
        types.detect(out.getvalue(), name="roster.xlsx")


def test_an_office_package_that_does_not_say_which_is_decided_by_its_name_or_refused():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
    data = out.getvalue()[:100]  # the head ends before any part says workbook or document
    assert types.detect(data, name="Roster.XLSX") == types.XLSX
    assert types.detect(data, name="letter.docx") == types.DOCX
    with pytest.raises(Unsupported):
        types.detect(data, name="letter.pdf")


def test_an_empty_file_is_refused_as_empty():
    with pytest.raises(Unsupported, match="empty") as refused:
        types.detect(b"")
    assert refused.value.reason == "empty"


def test_a_stored_content_type_gives_its_type_back():
    for file_type in types.ALLOWED:
        assert types.from_content_type(file_type.content_type) == file_type
    with pytest.raises(Unsupported):
        types.from_content_type("application/x-msdownload")


def test_messages_translate_with_their_parameters():
    catalogue = {
        types.UNSUPPORTED_NAMED: "%(found)s 파일은 받지 않습니다. %(accepted)s",
        types.ACCEPTED: "받는 형식: PDF 등.",
    }
    with pytest.raises(Unsupported) as refused:
        types.detect(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200))
    korean = refused.value.translated(lambda message: catalogue.get(message, message))
    assert korean.endswith("파일은 받지 않습니다. 받는 형식: PDF 등.")


def test_importing_the_types_loads_no_heavy_library():
    # `unseen` starts fast: Pillow, PyMuPDF and puremagic load when a file is read, not before.
    code = (
        "import sys, unseen.core.media.types, unseen.core.media.checks, unseen.core.media.copies, "
        "unseen.core.media.text, unseen.core.media.embedded\n"
        "print(sorted(m for m in ('PIL', 'pymupdf', 'puremagic', 'pytesseract', 'webvtt', 'srt')"
        " if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
