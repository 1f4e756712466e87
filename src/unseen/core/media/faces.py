"""Faces proposed for redaction: OpenCV's Haar cascades, shipped inside the opencv wheel.

Nothing is downloaded at run time: the cascade files come with `opencv-python-headless` (below 5;
the 5.x wheels no longer bundle `cv2.data`). The detector only *proposes*: it finds frontal and
profile faces of a fair size and misses others (faces turned away, small, masked, in shadow,
drawn), so a person always confirms, adds or removes boxes before a redacted copy is made
(ADR 0030).

Coordinates (a `Box`):

- for an image, `page` is None and x, y, w, h are pixels of the image *as displayed*, after
  its EXIF orientation is applied (the way `redacting.redact_image` and the web previews read it),
  origin top left;
- for a PDF, `page` is the page number counted from 1 and x, y, w, h are PDF points (1/72 inch)
  of the page *as displayed*, after its /Rotate is applied, origin top left: the coordinates of
  the page rendered at 72 dpi. `pixels_to_points` / `points_to_pixels` convert from and to a page
  image rendered at another resolution (what the browser's box editor works on).
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    GrayImage = npt.NDArray[np.uint8]

DETECTOR = "opencv-haar-cascade"
FRONTAL = "haarcascade_frontalface_default.xml"
PROFILE = "haarcascade_profileface.xml"
DEFAULT_THRESHOLD = 5
DEFAULT_MIN_SIZE = 24
# Larger images are scaled down for detection (boxes are scaled back): a face smaller than
# 1/80 of the long side is beyond what a Haar cascade finds reliably anyway.
DETECTION_SIDE = 1600
# A face box from the cascade runs from the eyebrows to the mouth; widened to cover hair, ears
# and chin (fractions of the box's own width and height, per side).
GROW_SIDES = 0.2
GROW_TOP = 0.3
GROW_BOTTOM = 0.2
DEFAULT_PDF_DPI = 150
# A page rendered for detection is never larger than this on its long side (a poster-sized page
# at 150 dpi would otherwise need gigabytes).
MAX_PAGE_PIXELS_SIDE = 4000


class Box(NamedTuple):
    """A rectangle to redact: (page, x, y, w, h); see the module docstring for the units."""

    page: int | None
    x: float
    y: float
    w: float
    h: float

    def to_dict(self) -> dict[str, Any]:
        """The box as JSON-ready data: {"page", "x", "y", "w", "h"}."""
        return {"page": self.page, "x": self.x, "y": self.y, "w": self.w, "h": self.h}

    @property
    def right(self) -> float:
        """The x coordinate of the right edge."""
        return self.x + self.w

    @property
    def bottom(self) -> float:
        """The y coordinate of the bottom edge."""
        return self.y + self.h


@dataclass(frozen=True)
class Detection:
    """What the detector proposed, and which detector: recorded with the redaction."""

    boxes: list[Box]
    detector: str
    version: str
    threshold: int
    min_size: int = DEFAULT_MIN_SIZE
    pages: int | None = None
    parameters: dict[str, Any] = field(default_factory=dict)

    def proposed(self) -> list[dict[str, Any]]:
        """The boxes as the Redaction model stores them, each marked as the detector's."""
        return [{**box.to_dict(), "origin": "detector"} for box in self.boxes]


def detector_version() -> str:
    """OpenCV's version and the cascade files used, e.g. "4.12.0 haarcascade_frontalface_..."."""
    cv2 = library("cv2")

    return f"{cv2.__version__} {FRONTAL}+{PROFILE}"


def detect_faces(
    image: bytes | GrayImage | Any,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    min_size: int = DEFAULT_MIN_SIZE,
) -> Detection:
    """Propose face boxes in an image.

    Args:
        image: the encoded image (JPEG, PNG, WebP, TIFF... as Pillow reads it; its EXIF
            orientation is applied) or a decoded array: (H, W) grey or (H, W, 3|4) RGB(A), uint8.
        threshold: the cascade's minNeighbors: how many overlapping detections a face needs.
            Lower finds more faces and more false ones.
        min_size: the smallest face, in pixels of the image, to look for.

    Returns:
        The merged and enlarged boxes, in pixels of the image as displayed, with page None.

    Raises:
        ValueError: the bytes are not an image Pillow can read, or the array has no image shape.
    """
    gray = _gray(image)
    boxes = [Box(None, x, y, w, h) for x, y, w, h in _detect_gray(gray, threshold, min_size)]
    return Detection(
        boxes=boxes,
        detector=DETECTOR,
        version=detector_version(),
        threshold=threshold,
        min_size=min_size,
        parameters=_parameters(threshold, min_size),
    )


def detect_in_pdf(
    pdf: str | Path | bytes,
    dpi: int = DEFAULT_PDF_DPI,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    min_size: int = DEFAULT_MIN_SIZE,
) -> Detection:
    """Propose face boxes on every page of a PDF, rendered at `dpi`.

    Args:
        pdf: a path to the PDF, or its bytes.
        dpi: the resolution pages are rendered at for detection (lowered for a page so large that
            its image would exceed 4000 pixels on a side).
        threshold: as for `detect_faces`.
        min_size: the smallest face, in pixels of the rendered page.

    Returns:
        Boxes in PDF points of the displayed page, `page` counted from 1.

    Raises:
        ValueError: the file is not a PDF PyMuPDF can open, or it is encrypted.
    """
    import numpy as np

    pymupdf = library("pymupdf")

    document = _open_pdf(pdf)
    boxes: list[Box] = []
    try:
        for number, page in enumerate(document, start=1):
            page_dpi = _page_dpi(page.rect, dpi)
            pixmap = page.get_pixmap(dpi=page_dpi, colorspace=pymupdf.csGRAY, alpha=False)
            gray = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(
                pixmap.height, pixmap.width
            )
            scale = 72.0 / page_dpi
            for x, y, w, h in _detect_gray(gray, threshold, min_size):
                boxes.append(
                    Box(
                        number,
                        round(x * scale, 2),
                        round(y * scale, 2),
                        round(w * scale, 2),
                        round(h * scale, 2),
                    )
                )
        pages = document.page_count
    finally:
        document.close()
    return Detection(
        boxes=boxes,
        detector=DETECTOR,
        version=detector_version(),
        threshold=threshold,
        min_size=min_size,
        pages=pages,
        parameters={**_parameters(threshold, min_size), "dpi": dpi},
    )


def pixels_to_points(box: Box, dpi: float) -> Box:
    """A box drawn on a page image rendered at `dpi`, in PDF points of that page."""
    scale = 72.0 / dpi
    return Box(box.page, box.x * scale, box.y * scale, box.w * scale, box.h * scale)


def points_to_pixels(box: Box, dpi: float) -> Box:
    """A box in PDF points, on the page image rendered at `dpi`."""
    scale = dpi / 72.0
    return Box(box.page, box.x * scale, box.y * scale, box.w * scale, box.h * scale)


def library(name: str) -> Any:
    """A library that ships without type annotations (PyMuPDF, OpenCV), imported when needed."""
    return importlib.import_module(name)


def _parameters(threshold: int, min_size: int) -> dict[str, Any]:
    return {
        "cascades": [FRONTAL, PROFILE, f"{PROFILE} (mirrored)"],
        "scale_factor": 1.1,
        "min_neighbors": threshold,
        "min_size": min_size,
        "detection_side": DETECTION_SIDE,
        "grow": {"sides": GROW_SIDES, "top": GROW_TOP, "bottom": GROW_BOTTOM},
    }


def _open_pdf(pdf: str | Path | bytes) -> Any:
    pymupdf = library("pymupdf")

    try:
        if isinstance(pdf, bytes):
            document = pymupdf.open(stream=pdf, filetype="pdf")
        else:
            document = pymupdf.open(Path(pdf), filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as error:
        raise ValueError(f"not a readable PDF: {error}") from error
    if document.needs_pass:
        document.close()
        raise ValueError("the PDF is encrypted: it cannot be read without its password")
    return document


def _page_dpi(rect: Any, dpi: int) -> int:
    side = max(rect.width, rect.height) / 72.0
    if side * dpi > MAX_PAGE_PIXELS_SIDE:
        return max(18, int(MAX_PAGE_PIXELS_SIDE / side))
    return dpi


def _gray(image: bytes | Any) -> GrayImage:
    import numpy as np

    if isinstance(image, bytes | bytearray | memoryview):
        from PIL import Image, ImageOps, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(bytes(image))) as opened:
                opened.seek(0)
                upright = ImageOps.exif_transpose(opened)
                return np.asarray(upright.convert("L"), dtype=np.uint8)
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as error:
            raise ValueError(f"not an image that can be read: {error}") from error
    array = np.asarray(image)
    if array.ndim == 2:
        return array.astype(np.uint8, copy=False)
    if array.ndim == 3 and array.shape[2] in (3, 4):
        cv2 = library("cv2")

        code = cv2.COLOR_RGB2GRAY if array.shape[2] == 3 else cv2.COLOR_RGBA2GRAY
        gray: GrayImage = cv2.cvtColor(array.astype(np.uint8, copy=False), code)
        return gray
    raise ValueError(f"an image array is (H, W) or (H, W, 3|4), not {array.shape}")


def _cascade(name: str) -> Any:
    cv2 = library("cv2")

    cascade = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / name))
    if cascade.empty():
        raise RuntimeError(
            f"OpenCV's {name} is missing: install opencv-python-headless below 5 "
            "(the 5.x wheels do not ship the Haar cascades)"
        )
    return cascade


def _detect_gray(gray: GrayImage, threshold: int, min_size: int) -> list[tuple[int, int, int, int]]:
    """Frontal and profile (both ways) detections, merged and enlarged, in pixels of `gray`."""
    cv2 = library("cv2")

    height, width = gray.shape[:2]
    if height < min_size or width < min_size:
        return []
    scale = min(1.0, DETECTION_SIDE / max(height, width))
    small: Any = gray
    if scale < 1.0:
        small = cv2.resize(
            gray, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
        )
    # Local contrast (CLAHE), not a global histogram: a rendered page is mostly white paper,
    # and equalising it globally flattens the photo on it.
    small = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(small)
    smallest = max(12, round(min_size * scale))
    found: list[tuple[float, float, float, float]] = []
    settings = {"scaleFactor": 1.1, "minNeighbors": threshold, "minSize": (smallest, smallest)}
    for x, y, w, h in _cascade(FRONTAL).detectMultiScale(small, **settings):
        found.append((x, y, w, h))
    profile = _cascade(PROFILE)
    for x, y, w, h in profile.detectMultiScale(small, **settings):
        found.append((x, y, w, h))
    mirrored = cv2.flip(small, 1)
    small_width = small.shape[1]
    for x, y, w, h in profile.detectMultiScale(mirrored, **settings):
        found.append((small_width - x - w, y, w, h))
    grown = [_grow(box, 1.0 / scale, width, height) for box in found]
    return sorted(_merge(grown), key=lambda box: (box[1], box[0]))


def _grow(
    box: tuple[float, float, float, float], scale: float, width: int, height: int
) -> tuple[int, int, int, int]:
    x, y, w, h = (float(value) * scale for value in box)
    left = max(0.0, x - w * GROW_SIDES)
    top = max(0.0, y - h * GROW_TOP)
    right = min(float(width), x + w * (1 + GROW_SIDES))
    bottom = min(float(height), y + h * (1 + GROW_BOTTOM))
    return (int(left), int(top), round(right - int(left)), round(bottom - int(top)))


def _merge(boxes: Iterable[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Boxes that overlap much (one face seen by two cascades) become their union."""
    merged: list[tuple[int, int, int, int]] = list(boxes)
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                if _overlapping(merged[i], merged[j]):
                    merged[i] = _union(merged[i], merged[j])
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return merged


def _overlapping(a: Sequence[int], b: Sequence[int]) -> bool:
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return False
    smaller = min(a[2] * a[3], b[2] * b[3])
    return width * height >= 0.4 * smaller


def _union(a: Sequence[int], b: Sequence[int]) -> tuple[int, int, int, int]:
    left, top = min(a[0], b[0]), min(a[1], b[1])
    right, bottom = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (left, top, right - left, bottom - top)
