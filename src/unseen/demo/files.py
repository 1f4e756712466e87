"""The demo's evidence files: made here, or shipped by a package under a public-domain mark.

- `roster_pdf`: a SYNTHETIC two-page roster of an invented construction crew in Korean and
  English, with a text layer (to extract and search);
- `contract_scan_png`: a SYNTHETIC labour contract, rendered, turned slightly and speckled like a
  scan: a picture only, with no text layer, so its words are found only after OCR;
- `astronaut_jpeg`: the photograph of NASA astronaut Eileen Collins that scikit-image ships as
  sample data (public domain), to show face detection and redaction. It has nothing to do with
  any case: its metadata says so.

Every file is the same bytes on every run (fixed seeds, dates and document ids; fonts from
PyMuPDF's own CJK font, not the system's, so `make demo` needs nothing installed). Nothing here
names a real person or company: names are random pairs of common syllables, marked synthetic on
every page. `demo_files()` returns each file with the metadata to record (titles in both
languages, creator, credit, licence).

Plain functions, no database: the demo loader stores what they return through `unseen.files`.
"""

import io
import random
from dataclasses import dataclass
from typing import Any

SEED = 19  # the issue that brought evidence files
SYNTHETIC_HEADING = "SYNTHETIC DEMO DOCUMENT — 합성 예시 문서"
CREATOR = "Unseen demo generator"
SYNTHETIC_CREDIT = "Unseen demo (synthetic document)"
SYNTHETIC_LICENCE = "CC0-1.0"
ASTRONAUT_CREDIT = "NASA (via scikit-image sample data)"
ASTRONAUT_LICENCE = "PDM"
# Fixed dates and ids, so that the PDF's bytes do not change from run to run.
PDF_DATE = "D:20240301090000Z"
SCAN_DPI = 200
SCAN_ANGLE = 0.8  # degrees: a page fed slightly askew

FAMILY = [
    ("Kim", "김"),
    ("Ri", "리"),
    ("Pak", "박"),
    ("Choe", "최"),
    ("Jong", "정"),
    ("Kang", "강"),
]
FAMILY += [("Jo", "조"), ("Han", "한"), ("O", "오"), ("Son", "손"), ("Hwang", "황"), ("Mun", "문")]
GIVEN = [("Chol", "철"), ("Su", "수"), ("Yong", "영"), ("Ho", "호"), ("Nam", "남"), ("Il", "일")]
GIVEN += [("Myong", "명"), ("Song", "성"), ("Hyok", "혁"), ("Gwang", "광"), ("Jin", "진")]
GIVEN += [("Hun", "훈"), ("Sok", "석"), ("Bom", "범")]
TRADES = [
    ("Plasterer", "미장공"),
    ("Rebar worker", "철근공"),
    ("Carpenter", "목수"),
    ("Welder", "용접공"),
    ("Tiler", "타일공"),
    ("Labourer", "잡부"),
    ("Painter", "도장공"),
]
CREW_SIZE = 36  # two pages of 18


@dataclass(frozen=True)
class DemoFile:
    """One demo evidence file and what to record about it."""

    name: str
    content: bytes
    content_type: str
    title_en: str
    title_ko: str
    description_en: str
    description_ko: str
    creator: str
    credit: str
    licence: str
    synthetic: bool


def demo_files() -> list[DemoFile]:
    """The three demo files, each with its metadata; the same bytes on every run."""
    photo, credit, licence = astronaut_jpeg()
    return [
        DemoFile(
            name="synthetic-crew-roster.pdf",
            content=roster_pdf(),
            content_type="application/pdf",
            title_en="SYNTHETIC crew roster of an invented construction crew",
            title_ko="합성 예시: 가상의 건설 작업반 명단",
            description_en=(
                "A synthetic two-page roster made by the Unseen demo (Korean and English, with a "
                "text layer). The crew, its company and every name are invented."
            ),
            description_ko=(
                "Unseen 데모가 만든 두 쪽짜리 합성 명단입니다(한국어·영어, 텍스트 층 포함). "
                "작업반, 회사, 모든 이름은 지어낸 것입니다."
            ),
            creator=CREATOR,
            credit=SYNTHETIC_CREDIT,
            licence=SYNTHETIC_LICENCE,
            synthetic=True,
        ),
        DemoFile(
            name="synthetic-contract-scan.png",
            content=contract_scan_png(),
            content_type="image/png",
            title_en="SYNTHETIC scanned labour contract",
            title_ko="합성 예시: 스캔한 근로계약서",
            description_en=(
                "A synthetic labour contract made by the Unseen demo and rendered like a slightly "
                "crooked scan: an image with no text layer, to be read by OCR. Invented parties."
            ),
            description_ko=(
                "Unseen 데모가 만든 합성 근로계약서를 약간 기울어진 스캔처럼 만든 이미지입니다. "
                "텍스트 층이 없어 OCR로 읽어야 합니다. 당사자는 지어낸 것입니다."
            ),
            creator=CREATOR,
            credit=SYNTHETIC_CREDIT,
            licence=SYNTHETIC_LICENCE,
            synthetic=True,
        ),
        DemoFile(
            name="nasa-astronaut-eileen-collins.jpg",
            content=photo,
            content_type="image/jpeg",
            title_en="NASA astronaut Eileen Collins (sample photo for face redaction)",
            title_ko="NASA 우주비행사 아일린 콜린스 (얼굴 가림 처리 예시 사진)",
            description_en=(
                "Public-domain NASA photograph of astronaut Eileen Collins, shipped with "
                "scikit-image as sample data (from the NASA Great Images database). Used only to "
                "show face detection and redaction; it has nothing to do with any case."
            ),
            description_ko=(
                "우주비행사 아일린 콜린스의 NASA 사진(퍼블릭 도메인)으로, scikit-image가 예시 "
                "데이터로 함께 배포합니다(NASA Great Images 데이터베이스). 얼굴 감지와 가림 "
                "처리를 보여 주려고만 쓰며, 어떤 사건과도 관계가 없습니다."
            ),
            creator="NASA",
            credit=credit,
            licence=licence,
            synthetic=False,
        ),
    ]


def crew(seed: int = SEED) -> list[dict[str, str]]:
    """The invented crew: number, names in both scripts, birth year, trade, arrival, remarks."""
    rng = random.Random(seed)
    people: list[dict[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    while len(people) < CREW_SIZE:
        family = rng.choice(FAMILY)
        first, second = rng.sample(GIVEN, 2)
        key = (family[1], first[1], second[1])
        if key in seen:
            continue
        seen.add(key)
        trade = rng.choice(TRADES)
        number = len(people) + 1
        people.append(
            {
                "number": f"{number:02d}",
                "name_ko": family[1] + first[1] + second[1],
                "name_en": f"{family[0]} {first[0]} {second[0].lower()}",
                "born": str(rng.randint(1968, 2001)),
                "trade_en": trade[0],
                "trade_ko": trade[1],
                "arrived": f"2023-{rng.randint(1, 12):02d}",
                "remark": rng.choice(["", "", "", "여권 회사 보관", "송금 대기", "야간조"]),
            }
        )
    return people


def roster_pdf() -> bytes:
    """A SYNTHETIC two-page crew roster in Korean and English, with a text layer."""
    pymupdf = _pymupdf()
    font = pymupdf.Font("korea")
    document = pymupdf.open()
    people = crew()
    per_page = CREW_SIZE // 2
    for page_number in range(2):
        page = document.new_page(width=595, height=842)  # A4
        _synthetic_band(page, font)
        writer = pymupdf.TextWriter(page.rect)
        writer.append((50, 95), "작업반 명단 — Crew roster", font=font, fontsize=18)
        writer.append(
            (50, 118),
            "가상의 ○○건설 제7작업반 · Invented 'Example Construction', crew no. 7",
            font=font,
            fontsize=10,
        )
        writer.append(
            (50, 134),
            "현장: 가상 현장 A · Site: invented site A · 작성 2024-03-01",
            font=font,
            fontsize=10,
        )
        columns = [50, 78, 200, 250, 345, 410]
        headings = ["번호", "이름 / Name", "생년", "직종 / Trade", "입국", "비고 / Remarks"]
        y = 170
        for x, heading in zip(columns, headings, strict=True):
            writer.append((x, y), heading, font=font, fontsize=9.5)
        page.draw_line((50, y + 6), (545, y + 6), color=(0, 0, 0), width=0.8)
        y += 24
        for person in people[page_number * per_page : (page_number + 1) * per_page]:
            writer.append((columns[0], y), person["number"], font=font, fontsize=9.5)
            writer.append((columns[1], y), person["name_ko"], font=font, fontsize=10)
            writer.append((columns[1], y + 11), person["name_en"], font=font, fontsize=7.5)
            writer.append((columns[2], y), person["born"], font=font, fontsize=9.5)
            writer.append((columns[3], y), person["trade_ko"], font=font, fontsize=9.5)
            writer.append((columns[3], y + 11), person["trade_en"], font=font, fontsize=7.5)
            writer.append((columns[4], y), person["arrived"], font=font, fontsize=9.5)
            writer.append((columns[5], y), person["remark"], font=font, fontsize=9.5)
            page.draw_line((50, y + 16), (545, y + 16), color=(0.75, 0.75, 0.75), width=0.4)
            y += 32
        writer.append(
            (50, 790),
            "Generated by the Unseen demo: every name is a random pair of common syllables; "
            "no real person or company.",
            font=font,
            fontsize=7.5,
        )
        writer.append(
            (50, 802),
            "Unseen 데모가 만든 문서입니다. 모든 이름은 흔한 음절을 무작위로 조합한 것으로 "
            "실제 인물이나 회사가 아닙니다. CC0-1.0",
            font=font,
            fontsize=7.5,
        )
        writer.append((500, 820), f"{page_number + 1} / 2", font=font, fontsize=8)
        writer.write_text(page)
    document.subset_fonts()
    document.set_metadata(
        {
            "title": "SYNTHETIC crew roster / 합성 예시 작업반 명단",
            "author": CREATOR,
            "subject": SYNTHETIC_HEADING,
            "keywords": "synthetic, demo, Unseen",
            "creator": CREATOR,
            "producer": CREATOR,
            "creationDate": PDF_DATE,
            "modDate": PDF_DATE,
        }
    )
    content: bytes = document.tobytes(garbage=4, deflate=True, no_new_id=True)
    document.close()
    return content


CONTRACT_LINES = [
    ("근로계약서", 22),
    ("LABOUR CONTRACT", 14),
    ("", 8),
    ("갑 (사용자): 가상의 ○○건설    Employer: invented 'Example Construction'", 10),
    ("을 (근로자): 리철수 (합성 인물)    Worker: Ri Chol su (synthetic person)", 10),
    ("", 8),
    ("제1조 근로기간: 3년. 기간 중 귀국할 수 없다.", 12),
    ("Art. 1 Term: three years. The worker may not return home during the term.", 10),
    ("제2조 임금: 월 임금은 회사 계좌로 지급하며 귀국할 때 정산한다.", 12),
    ("Art. 2 Wages: monthly wages are paid into the company's account, settled on return.", 10),
    ("제3조 여권: 을의 여권은 갑이 보관한다.", 12),
    ("Art. 3 Passport: the Employer keeps the Worker's passport.", 10),
    ("제4조 근로시간: 하루 12시간, 휴일은 월 1일로 한다.", 12),
    ("Art. 4 Hours: twelve hours a day, one rest day a month.", 10),
    ("제5조 숙소: 숙소 밖 외출은 반장의 허가를 받는다.", 12),
    ("Art. 5 Lodging: leaving the lodging needs the crew leader's permission.", 10),
    ("", 8),
    ("2024년 3월 1일    1 March 2024", 11),
    ("갑: (인)          을: (인)", 12),
]


def contract_scan_png() -> bytes:
    """A SYNTHETIC labour contract as a slightly crooked, speckled scan: a picture, no text."""
    import numpy as np
    from PIL import Image

    pymupdf = _pymupdf()
    font = pymupdf.Font("korea")
    document = pymupdf.open()
    page = document.new_page(width=595, height=842)
    _synthetic_band(page, font)
    writer = pymupdf.TextWriter(page.rect)
    y = 110.0
    for text, size in CONTRACT_LINES:
        if text:
            writer.append((60, y), text, font=font, fontsize=size)
        y += size * 1.9
    writer.append(
        (60, 800),
        "Generated by the Unseen demo · Unseen 데모가 만든 합성 문서 · CC0-1.0",
        font=font,
        fontsize=8,
    )
    writer.write_text(page, color=(0.12, 0.12, 0.15))
    # A seal beside the signatures, as Korean contracts carry.
    page.draw_circle((170, y - 4), 16, color=(0.55, 0.1, 0.1), width=1.5)
    pixmap = page.get_pixmap(dpi=SCAN_DPI, colorspace=pymupdf.csGRAY, alpha=False)
    document.close()
    image = Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)
    image = image.rotate(SCAN_ANGLE, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    pixels = np.asarray(image, dtype=np.int16)
    rng = np.random.default_rng(SEED)
    # Paper grain (a little grey noise everywhere) and a few dark specks, as a scanner leaves.
    grain = rng.integers(-6, 7, size=pixels.shape, dtype=np.int16)
    specks = rng.random(pixels.shape) < 0.0006
    pixels = pixels + grain
    pixels[specks] = rng.integers(0, 90, size=int(specks.sum()), dtype=np.int16)
    scanned = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    buffer = io.BytesIO()
    scanned.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()


def astronaut_jpeg() -> tuple[bytes, str, str]:
    """scikit-image's photograph of Eileen Collins (NASA, public domain), as a JPEG.

    Returns:
        The JPEG's bytes, its credit line and its licence (PDM: public domain mark).
    """
    from PIL import Image
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, "JPEG", quality=90)
    return buffer.getvalue(), ASTRONAUT_CREDIT, ASTRONAUT_LICENCE


def _synthetic_band(page: Any, font: Any) -> None:
    """The red band across the top of every synthetic page that says what the page is."""
    pymupdf = _pymupdf()
    page.draw_rect(pymupdf.Rect(0, 0, page.rect.width, 48), color=None, fill=(0.75, 0.1, 0.1))
    writer = pymupdf.TextWriter(page.rect)
    writer.append((50, 30), SYNTHETIC_HEADING, font=font, fontsize=16)
    writer.write_text(page, color=(1, 1, 1))


def _pymupdf() -> Any:
    import pymupdf

    return pymupdf
