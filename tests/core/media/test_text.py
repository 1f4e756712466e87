"""Text from files: PDF text layers, OCR in Korean and English, and transcripts with time codes."""

import io
import os
from pathlib import Path

import pytest

from tests.core.media import samples
from unseen.core.media import MediaUnavailable, text, types
from unseen.core.media.text import Segment, TranscriptError

needs_tesseract = pytest.mark.skipif(
    not text.tesseract_available("kor+eng"), reason="needs Debian's tesseract with kor and eng"
)


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_it_reads_the_text_layer_of_each_page(tmp_path):
    path = write(tmp_path, "r.pdf", samples.pdf(["근로계약서 벌목장", "", "contract\n둘째 줄"]))
    segments = text.pdf_text(path)
    assert [segment.page for segment in segments] == [0, 2]  # the empty page has no segment
    assert segments[0] == Segment("근로계약서 벌목장", "pdf_text", page=0)
    assert segments[1].text == "contract\n둘째 줄"
    assert text.pages_needing_ocr(path) == []


# Transcripts ---------------------------------------------------------------------------------


def test_a_plain_text_transcript_is_one_segment():
    data = "질문: 몇 시간 일했습니까?\r\n답: 열두 시간.\r\n\r\n\r\n\r\n끝\n".encode()
    assert text.transcript(data, types.TEXT) == [
        Segment("질문: 몇 시간 일했습니까?\n답: 열두 시간.\n\n끝", "transcript")
    ]


def test_webvtt_cues_keep_their_times_and_speakers_and_lose_their_tags():
    data = (
        "WEBVTT\n\nNOTE recorded in Vladivostok\n\n"
        "intro\n00:00:01.250 --> 00:00:04.000\n<v 인터뷰어>하루에 몇 시간 <b>일했습니까</b>?\n\n"
        "01:02:03.500 --> 01:02:05.000 align:start\nTwelve hours.\n"
    ).encode()
    assert text.transcript(data, types.VTT) == [
        Segment("인터뷰어: 하루에 몇 시간 일했습니까?", "transcript", start=1.25, end=4.0),
        Segment("Twelve hours.", "transcript", start=3723.5, end=3725.0),
    ]


def test_srt_subtitles_keep_their_times():
    data = (
        "\ufeff1\r\n00:00:01,250 --> 00:00:04,000\r\n여권은 회사가 <i>보관했다</i>\r\n\r\n"
        "2\r\n00:01:00,000 --> 00:01:02,500\r\nThey kept the passports.\r\n"
    ).encode()
    assert text.transcript(data, types.SRT) == [
        Segment("여권은 회사가 보관했다", "transcript", start=1.25, end=4.0),
        Segment("They kept the passports.", "transcript", start=60.0, end=62.5),
    ]


@pytest.mark.parametrize(
    ("data", "file_type", "reason"),
    [
        ("안녕".encode("cp949"), types.TEXT, "not_utf8"),
        (b"WEBVTT\n\n00:05.000 --> 00:01.000\nbackwards\n", types.VTT, "bad_transcript"),
        (b"not a vtt file", types.VTT, "bad_transcript"),
        (b"1\n00:00:05,000 --> 00:00:01,000\nbackwards\n", types.SRT, "bad_transcript"),
    ],
    ids=["cp949", "vtt-backwards", "vtt-header", "srt-backwards"],
)
def test_a_transcript_that_does_not_read_is_refused_with_a_reason(data, file_type, reason):
    with pytest.raises(TranscriptError) as refused:
        text.transcript(data, file_type)
    assert refused.value.reason == reason


def test_only_transcripts_are_read_as_transcripts():
    with pytest.raises(ValueError, match="not a transcript"):
        text.transcript(b"a,b\n", types.CSV)


# OCR: missing pieces -------------------------------------------------------------------------


def test_without_tesseract_ocr_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert not text.tesseract_available()
    with pytest.raises(MediaUnavailable, match="apt-get install tesseract-ocr") as missing:
        text.ocr_image(samples.image_bytes("PNG"))
    assert missing.value.reason == "no_tesseract"


@needs_tesseract
def test_without_korean_data_ocr_names_the_package(tmp_path, monkeypatch):
    # A tessdata folder with English only, as a server without tesseract-ocr-kor has.
    installed = Path(
        next(
            folder
            for folder in (
                "/usr/share/tesseract-ocr/5/tessdata",
                "/usr/share/tesseract-ocr/4.00/tessdata",
            )
            if os.path.exists(f"{folder}/eng.traineddata")
        )
    )
    english_only = tmp_path / "tessdata"
    english_only.mkdir()
    (english_only / "eng.traineddata").symlink_to(installed / "eng.traineddata")
    monkeypatch.setenv("TESSDATA_PREFIX", str(english_only))
    assert text.tesseract_available("eng")
    assert not text.tesseract_available("kor+eng")
    with pytest.raises(MediaUnavailable, match="tesseract-ocr-kor") as missing:
        text.ocr_pdf(write(tmp_path, "r.pdf", samples.pdf()))
    assert missing.value.reason == "no_language"
    assert "Korean" in str(missing.value)


# OCR: reading --------------------------------------------------------------------------------


@needs_tesseract
def test_it_reads_korean_and_english_from_a_photo_of_a_page():
    image = samples.text_image(["벌목장 근로계약서", "contract of employment"])
    out = io.BytesIO()
    image.save(out, "PNG")
    segments = text.ocr_image(out.getvalue())
    assert len(segments) == 1
    assert segments[0].origin == "ocr" and segments[0].page is None
    assert segments[0].language == "kor+eng"
    assert "벌목장" in segments[0].text
    assert "contract" in segments[0].text


@needs_tesseract
def test_it_reads_each_page_of_a_multipage_tiff(tmp_path):
    pages = [
        samples.text_image(["벌목장 작업 조건", "page one"]),
        samples.text_image(["contract of employment", "둘째 쪽"]),
    ]
    path = tmp_path / "scan.tif"
    pages[0].save(path, "TIFF", save_all=True, append_images=pages[1:])
    progress = []
    segments = text.ocr_image(path, progress=lambda done, total: progress.append((done, total)))
    assert [segment.page for segment in segments] == [0, 1]
    assert "벌목장" in segments[0].text and "contract" in segments[1].text
    assert progress == [(1, 2), (2, 2)]


@needs_tesseract
def test_it_reads_scanned_pages_and_keeps_the_text_layer_of_the_others(tmp_path):
    scans = [
        samples.text_image(["벌목장 작업 조건", "passport kept by the company"]),
        samples.text_image(["unused: this page has a text layer"]),
        samples.text_image(["임금은 매월 지급한다", "contract"]),
    ]
    path = write(
        tmp_path,
        "scan.pdf",
        samples.scanned_pdf(scans, text_pages={1: "텍스트 층이 있는 쪽, with a text layer"}),
    )
    assert text.pages_needing_ocr(path) == [0, 2]
    progress = []
    segments = text.ocr_pdf(path, progress=lambda done, total: progress.append((done, total)))
    assert [(segment.page, segment.origin) for segment in segments] == [
        (0, "ocr"),
        (1, "pdf_text"),
        (2, "ocr"),
    ]
    assert "벌목장" in segments[0].text and "passport" in segments[0].text
    assert segments[1].text == "텍스트 층이 있는 쪽, with a text layer"
    assert segments[1].language == ""
    assert "임금" in segments[2].text and "contract" in segments[2].text
    assert progress == [(1, 3), (2, 3), (3, 3)]
