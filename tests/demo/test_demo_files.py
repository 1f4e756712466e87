"""The demo's evidence files: ours to ship, labelled, and the same bytes on every run."""

import hashlib
import io
import shutil
import subprocess
import sys

import pymupdf
import pytest
from PIL import Image

from unseen.core.media.faces import detect_faces
from unseen.demo import files

LICENCES = {"CC0-1.0", "CC-BY-4.0", "PDM", "all-rights-reserved", "unknown"}


def _digests_in_a_fresh_interpreter() -> list[str]:
    code = (
        "import hashlib\n"
        "from unseen.demo import files\n"
        "for content in (files.roster_pdf(), files.contract_scan_png(), files.astronaut_jpeg()[0]):\n"
        "    print(hashlib.sha256(content).hexdigest())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_the_files_are_the_same_bytes_on_every_run():
    here = [
        hashlib.sha256(content).hexdigest()
        for content in (files.roster_pdf(), files.contract_scan_png(), files.astronaut_jpeg()[0])
    ]
    assert _digests_in_a_fresh_interpreter() == here


def test_the_roster_is_two_labelled_pages_with_korean_text():
    document = pymupdf.open(stream=files.roster_pdf(), filetype="pdf")
    assert document.page_count == 2
    people = files.crew()
    for number, page in enumerate(document):
        text = page.get_text()
        assert files.SYNTHETIC_HEADING in text
        assert "작업반 명단" in text
        assert "no real person or company" in text
        first_on_page = people[number * 18]
        assert first_on_page["name_ko"] in text
        assert first_on_page["name_en"] in text
        assert first_on_page["trade_ko"] in text
    # Its font travels with it (embedded, subset): no machine needs a Korean font to show it.
    fonts = document[0].get_fonts()
    assert fonts
    assert all(font[1] == "ttf" and "+" in font[3] for font in fonts)
    assert document.metadata["creationDate"] == files.PDF_DATE
    assert "SYNTHETIC" in document.metadata["title"]


def test_the_roster_invents_distinct_people():
    people = files.crew()
    assert len(people) == files.CREW_SIZE
    assert len({person["name_ko"] for person in people}) == files.CREW_SIZE
    assert files.crew() == people


def test_the_contract_is_a_picture_with_no_text_in_it():
    content = files.contract_scan_png()
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    assert image.mode == "L"
    assert image.size == (round(595 / 72 * files.SCAN_DPI), round(842 / 72 * files.SCAN_DPI))
    assert not {"exif", "xmp", "icc_profile"} & set(image.info)
    assert not [key for key in image.info if key not in ("dpi",)]
    assert "근로계약서".encode() not in content
    assert b"LABOUR" not in content


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("tesseract"), reason="Debian's tesseract is not installed")
def test_the_contract_reads_back_by_ocr_in_korean_and_english():
    languages = subprocess.run(
        ["tesseract", "--list-langs"], capture_output=True, text=True, check=True
    ).stdout.split()
    if "kor" not in languages:
        pytest.skip("tesseract-ocr-kor is not installed")
    result = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", "kor+eng"],
        input=files.contract_scan_png(),
        capture_output=True,
        check=True,
    )
    text = result.stdout.decode()
    assert "근로계약서" in text
    assert "여권" in text
    assert "passport" in text


def test_the_astronaut_is_credited_to_nasa_and_has_a_face():
    content, credit, licence = files.astronaut_jpeg()
    assert content.startswith(b"\xff\xd8")
    assert credit == "NASA (via scikit-image sample data)"
    assert licence == "PDM"
    assert len(detect_faces(content).boxes) == 1


def test_every_file_says_what_it_is():
    made = files.demo_files()
    assert [item.name for item in made] == [
        "synthetic-crew-roster.pdf",
        "synthetic-contract-scan.png",
        "nasa-astronaut-eileen-collins.jpg",
    ]
    for item in made:
        assert item.licence in LICENCES
        assert item.title_en and item.title_ko and item.description_en and item.description_ko
        assert item.credit
        if item.synthetic:
            assert "SYNTHETIC" in item.title_en
            assert "합성" in item.title_ko
            assert item.creator == "Unseen demo generator"
            assert item.licence == "CC0-1.0"
        else:
            assert item.credit == "NASA (via scikit-image sample data)"
            assert item.licence == "PDM"
            assert "nothing to do with any case" in item.description_en
    assert made[0].content == files.roster_pdf()
    assert made[0].content_type == "application/pdf"
    assert made[1].content_type == "image/png"
    assert made[2].content_type == "image/jpeg"
