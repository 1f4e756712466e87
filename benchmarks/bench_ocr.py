"""Benchmark: OCR of a 10-page synthetic Korean scan (issue 19's target: under 60 s).

1. ten A4 pages of a made-up Korean labour contract (a title and about 35 lines of 11 pt text,
   Korean with some English, drawn with PyMuPDF's built-in CJK font), each rendered to a 300 dpi
   greyscale picture, given scanner noise and a slight tilt, and put in a PDF as a picture only
   (no text layer), as a scanner writes it;
2. `unseen.core.media.text.ocr_pdf` on that PDF, timed by wall clock: it renders each page at
   300 dpi again and reads it with tesseract (kor+eng), pages in parallel.

The words found are compared with the words drawn (recall, as a multiset), so a fast run that
reads nothing fails: recall must be at least MIN_RECALL.

    .venv/bin/python benchmarks/bench_ocr.py [--pages 10] [--json OUT]
"""

import argparse
import io
import random
import sys
import time
from collections import Counter
from pathlib import Path

from harness import ROOT, Figure, Result

TARGET_SECONDS = 60.0
MIN_RECALL = 0.6
CONTRACT = (
    "근로계약서 벌목장 작업 조건 근로자는 하루 열두 시간 일하며 임금은 매월 지급한다 여권은 "
    "회사가 보관한다 외출은 허가가 필요하다 숙소는 현장에 있다 식비는 임금에서 공제한다 계약 "
    "기간은 삼년이다 휴일은 한 달에 하루이다 위반하면 귀국시킨다 contract passport wages hours "
    "Amur oblast Vladivostok"
)
WORDS = CONTRACT.split()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--json", type=Path, help="write the result here (default: print it)")
    return parser.parse_args()


def scanned_pdf(pages: int, seed: int) -> tuple[bytes, list[str]]:
    """A PDF of `pages` scanned pages and the words drawn on them."""
    import pymupdf
    from PIL import Image

    rng = random.Random(seed)
    font = pymupdf.Font("korea")
    drawn: list[str] = []
    scan = pymupdf.open()
    for number in range(pages):
        source = pymupdf.open()
        page = source.new_page(width=595, height=842)
        writer = pymupdf.TextWriter(page.rect)
        title = f"근로계약서 제 {number + 1}호"
        writer.append((60, 80), title, font=font, fontsize=18)
        drawn += title.split()
        y = 120.0
        while y < 790:
            line = " ".join(rng.choice(WORDS) for _ in range(7))
            writer.append((60, y), line, font=font, fontsize=11)
            drawn += line.split()
            y += 19
        writer.write_text(page)
        pixmap = page.get_pixmap(dpi=300, colorspace=pymupdf.csGRAY)
        picture = Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)
        picture = Image.blend(picture, Image.effect_noise(picture.size, 40), 0.1)  # grain
        picture = picture.rotate(rng.uniform(-0.6, 0.6), fillcolor=255, expand=False)
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=80)
        scanned = scan.new_page(width=595, height=842)
        scanned.insert_image(scanned.rect, stream=out.getvalue())
    return scan.tobytes(garbage=3, deflate=True), drawn


def recall(drawn: list[str], found: list[str]) -> float:
    wanted, got = Counter(drawn), Counter(found)
    return sum(min(count, got[word]) for word, count in wanted.items()) / sum(wanted.values())


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import tempfile

    from unseen.core.media import text

    result = Result("ocr")
    try:
        text.require_tesseract("kor+eng")
        data, drawn = scanned_pdf(args.pages, args.seed)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "scan.pdf"
            path.write_bytes(data)
            done: list[int] = []
            start = time.perf_counter()
            segments = text.ocr_pdf(path, progress=lambda finished, total: done.append(finished))
            seconds = time.perf_counter() - start
        found = [word for segment in segments for word in segment.text.split()]
        share = recall(drawn, found)
        if done != list(range(1, args.pages + 1)) or len(segments) != args.pages:
            raise SystemExit(f"bench_ocr: {len(segments)} pages read of {args.pages}")
        if share < MIN_RECALL:
            raise SystemExit(f"bench_ocr: only {share:.0%} of the words drawn were read")
        target = TARGET_SECONDS if args.pages == 10 else None
        result.add(Figure(f"OCR of a {args.pages}-page Korean scan (s)", seconds, "s", target))
        result.add(Figure("words read (recall)", share))
        result.details = {
            "pages": args.pages,
            "pdf_bytes": len(data),
            "words_drawn": len(drawn),
            "seconds_per_page": round(seconds / args.pages, 2),
            "languages": text.LANGUAGES,
            "dpi": text.OCR_DPI,
            "page_segmentation": text.PAGE_SEGMENTATION,
            "tesseract": text.tesseract_version(),
            "origins": sorted({segment.origin for segment in segments}),
            "found_벌목장": "벌목장" in found,
        }
    finally:
        result.write(args.json)


if __name__ == "__main__":
    main()
