"""Redacted working copies of images and PDFs: what is under a box is gone, not covered.

Images (`redact_image`) are decoded, turned upright by their EXIF orientation, converted to sRGB
and re-encoded from their pixels alone: the copy carries no EXIF, XMP, IPTC, ICC profile or
comment of the original. Under a box, "blur" pixelates to about six blocks across the box's
shorter side and then smooths the blocks with a Gaussian blur (pixelation alone leaves edges
a model can work on; a light Gaussian blur alone can be partly undone); "fill" paints it black.

PDFs (`redact_pdf`) go through MuPDF's redaction, which rewrites the page content: characters
whose box touches a redaction box are deleted from the text layer (visible or not), image pixels
under it are blanked, vector drawings it touches are removed, links in it dropped. Annotations and
form fields are first baked into the page so that nothing drawn on the page escapes. "fill" then
shows a black box; "blur" shows a pixelated, blurred picture of what the region looked like
(made before the redaction, as an image without text). The document's metadata, XMP (of the
document, its pages and its images), EXIF inside embedded JPEG images, outline, attached files,
JavaScript and trailer ID are removed, and the file is rewritten whole (no earlier revision
survives an incremental update). `text_under` then reads the result back: if a single character
remains under a box, `redact_pdf` refuses with `RedactionFailed` instead of returning it.

Boxes are `faces.Box` (see there for coordinates: image pixels, or PDF points of the displayed
page, pages counted from 1). `parse_boxes` reads them from untrusted JSON (the browser's editor).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from unseen.core.media.faces import Box, library

Style = Literal["blur", "fill"]
STYLES: tuple[Style, ...] = ("blur", "fill")
# Blur: blocks across the shorter side of a box, then a Gaussian of radius one block.
BLOCKS_ACROSS = 6
MIN_BLOCK = 4
JPEG_QUALITY = 90
# Blur in a PDF: the region is rendered at this resolution before it is pixelated.
PDF_BLUR_DPI = 96
FLATTEN_DPI = 150
MAX_BOXES = 1000
# JPEG segments kept when embedded images are stripped: APP0 (JFIF) and APP14 (Adobe: colour
# transform, needed to read CMYK and YCCK right). EXIF/XMP (APP1), ICC (APP2), IPTC (APP13),
# the others and comments are dropped.
_JPEG_KEPT_APPS = {0xE0, 0xEE}


class RedactionFailed(RuntimeError):
    """The redacted copy still holds text under a box, or could not be made: never publish it."""


def parse_boxes(data: Any, *, pdf: bool, pages: int | None = None) -> list[Box]:
    """Boxes from JSON sent by a browser: a list of {page, x, y, w, h} (other keys ignored).

    Args:
        data: the decoded JSON (a list of objects), or a JSON string.
        pdf: True for a PDF (every box names its page, counted from 1); False for an image
            (page is null, or 1).
        pages: the PDF's number of pages, to refuse a box on a page that does not exist.

    Returns:
        The boxes, with page None for an image.

    Raises:
        ValueError: the data is not such a list, or a value is missing, not a finite number, a
            width or height is not positive, or a page is out of range.
    """
    import json

    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as error:
            raise ValueError(f"the boxes are not valid JSON: {error}") from error
    if not isinstance(data, list):
        raise ValueError("the boxes must be a list")
    if len(data) > MAX_BOXES:
        raise ValueError(f"at most {MAX_BOXES} boxes")
    boxes = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"box {number} is not an object")
        values = []
        for key in ("x", "y", "w", "h"):
            value = item.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"box {number}: {key} must be a number")
            if not math.isfinite(value):
                raise ValueError(f"box {number}: {key} must be finite")
            values.append(value)
        x, y, w, h = values
        if w <= 0 or h <= 0:
            raise ValueError(f"box {number}: width and height must be positive")
        page = item.get("page")
        if pdf:
            if isinstance(page, bool) or not isinstance(page, int) or page < 1:
                raise ValueError(f"box {number}: page must be a page number from 1")
            if pages is not None and page > pages:
                raise ValueError(f"box {number}: the document has {pages} pages, not {page}")
        else:
            if page not in (None, 1):
                raise ValueError(f"box {number}: an image has no page {page}")
            page = None
        boxes.append(Box(page, x, y, w, h))
    return boxes


def tool_versions() -> dict[str, str]:
    """The versions of the libraries a redaction depends on, to record with the working copy."""
    import PIL

    pymupdf = library("pymupdf")

    return {
        "pillow": PIL.__version__,
        "pymupdf": pymupdf.VersionBind,
        "mupdf": pymupdf.VersionFitz,
    }


def redact_image(
    image_bytes: bytes, boxes: Iterable[Box], style: Style = "blur"
) -> tuple[bytes, str, dict[str, Any]]:
    """A redacted working copy of an image, encoded afresh from its pixels.

    Args:
        image_bytes: the original image (any format Pillow reads; the first frame of an
            animation or a multi-page TIFF).
        boxes: rectangles in pixels of the image as displayed (EXIF orientation applied); parts
            outside the image are ignored. No boxes gives a copy stripped of metadata.
        style: "blur" (pixelated then blurred) or "fill" (solid black).

    Returns:
        The new image's bytes (JPEG when the original was a JPEG without transparency, PNG
        otherwise), its content type, and the parameters to record with the working copy.

    Raises:
        ValueError: unknown style, or bytes that are not a readable image.
    """
    from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

    if style not in STYLES:
        raise ValueError(f"style must be blur or fill, not {style!r}")
    boxes = list(boxes)
    try:
        with Image.open(io.BytesIO(image_bytes)) as opened:
            source_format = opened.format or ""
            opened.seek(0)
            upright = ImageOps.exif_transpose(opened)
            upright.load()
            icc = opened.info.get("icc_profile")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, EOFError) as error:
        raise ValueError(f"not an image that can be read: {error}") from error
    converted = _to_srgb(upright, icc)
    # A fresh image from the pixels alone: nothing in `info` (EXIF, XMP, ICC, comments) follows.
    image = Image.frombytes(converted.mode, converted.size, converted.tobytes())
    width, height = image.size
    applied: list[dict[str, Any]] = []
    draw = ImageDraw.Draw(image)
    for box in boxes:
        area = _pixel_area(box, width, height)
        if area is None:
            continue
        left, top, right, bottom = area
        if style == "fill":
            black = (
                (0, 0, 0, 255) if image.mode == "RGBA" else (0 if image.mode == "L" else (0, 0, 0))
            )
            draw.rectangle((left, top, right - 1, bottom - 1), fill=black)
            applied.append(_box_record(box, area, None))
        else:
            region = image.crop(area)
            blurred, block = blur_region(region)
            image.paste(blurred, (left, top))
            applied.append(_box_record(box, area, block))
    if source_format in ("JPEG", "MPO") and image.mode in ("RGB", "L"):
        out_format, content_type = "JPEG", "image/jpeg"
        options: dict[str, Any] = {"quality": JPEG_QUALITY}
    else:
        out_format, content_type = "PNG", "image/png"
        options = {}
    buffer = io.BytesIO()
    image.save(buffer, out_format, **options)
    versions = tool_versions()
    parameters = {
        "tool": "Pillow",
        "tool_version": versions["pillow"],
        "style": style,
        "boxes": applied,
        "blur": {"blocks_across": BLOCKS_ACROSS, "min_block": MIN_BLOCK, "gaussian_radius": "block"}
        if style == "blur"
        else None,
        "format": out_format,
        "quality": options.get("quality"),
        "from": source_format,
        "metadata": "none (pixels re-encoded; EXIF orientation applied, colour converted to sRGB)",
    }
    return buffer.getvalue(), content_type, parameters


def blur_region(region: Any) -> tuple[Any, int]:
    """A Pillow image pixelated to about six blocks across its shorter side, then blurred.

    Returns:
        The blurred image (same size and mode) and the block size in pixels.
    """
    from PIL import Image, ImageFilter

    width, height = region.size
    block = max(MIN_BLOCK, math.ceil(min(width, height) / BLOCKS_ACROSS))
    small = region.resize(
        (max(1, math.ceil(width / block)), max(1, math.ceil(height / block))), Image.Resampling.BOX
    )
    blocky = small.resize((width, height), Image.Resampling.NEAREST)
    return blocky.filter(ImageFilter.GaussianBlur(block)), block


def redact_pdf(
    pdf_bytes: bytes, boxes: Iterable[Box], style: Style = "fill", *, flatten: bool = False
) -> bytes:
    """A redacted working copy of a PDF: text, images and drawings under the boxes removed.

    Args:
        pdf_bytes: the original PDF.
        boxes: rectangles in PDF points of the displayed page, `page` counted from 1. No boxes
            gives a copy with its metadata stripped.
        style: "fill" (black boxes) or "blur" (a blurred picture of the region, without its
            text, images or drawings).
        flatten: also turn every page into a picture (at 150 dpi) of itself after redaction:
            no text layer, fonts or drawings are left at all. For documents where even the
            glyphs a font subset still carries, or the layout of the text, could tell too much.

    Returns:
        The new PDF's bytes, rewritten whole.

    Raises:
        ValueError: unknown style, unreadable or encrypted PDF, or a box on a page that does not
            exist (or with no page).
        RedactionFailed: text is still found under a box in the result.
    """
    pymupdf = library("pymupdf")

    if style not in STYLES:
        raise ValueError(f"style must be blur or fill, not {style!r}")
    boxes = list(boxes)
    document = _open_pdf(pdf_bytes)
    try:
        _check_pages(boxes, document.page_count)
        # Comments, stamps and filled-in fields become page content, so the boxes reach them
        # (an annotation's appearance would otherwise survive the redaction of the page).
        document.bake(annots=True, widgets=True)
        patches: dict[int, list[tuple[Any, bytes]]] = {}
        if style == "blur":
            for box in boxes:
                assert box.page is not None
                page = document[box.page - 1]
                shown = _shown_rect(box) & page.rect
                if shown.is_empty:
                    continue
                patches.setdefault(box.page, []).append((shown, _blurred_patch(page, shown)))
        for number in sorted({box.page for box in boxes if box.page is not None}):
            page = document[number - 1]
            for box in boxes:
                if box.page == number:
                    rect = _shown_rect(box) * page.derotation_matrix
                    fill = (0, 0, 0) if style == "fill" else False
                    page.add_redact_annot(rect, fill=fill, cross_out=False)
            page.apply_redactions(
                images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED,
                text=pymupdf.PDF_REDACT_TEXT_REMOVE,
            )
            for shown, png in patches.get(number, []):
                page.insert_image(shown * page.derotation_matrix, stream=png, keep_proportion=False)
        _strip_pdf(document)
        result: bytes = document.tobytes(garbage=4, deflate=True, clean=True, no_new_id=True)
    finally:
        document.close()
    if flatten:
        result = _flattened(result)
    remaining = text_under(result, boxes)
    if remaining.strip():
        versions = tool_versions()
        raise RedactionFailed(
            f"{len(remaining.strip())} characters are still under the boxes after redaction "
            f"(PyMuPDF {versions['pymupdf']}, MuPDF {versions['mupdf']}; 2.0 slides kept text "
            "under the boxes: ADR 0030)"
        )
    return result


def _flattened(pdf_bytes: bytes) -> bytes:
    """Every page replaced by a picture of itself: a PDF of images only."""
    pymupdf = library("pymupdf")

    source = _open_pdf(pdf_bytes)
    flat = pymupdf.open()
    try:
        for page in source:
            pixmap = page.get_pixmap(dpi=FLATTEN_DPI, alpha=False)
            shown = page.rect
            new_page = flat.new_page(width=shown.width, height=shown.height)
            new_page.insert_image(new_page.rect, pixmap=pixmap)
        flat.set_metadata({})
        flat.xref_set_key(-1, "Info", "null")
        result: bytes = flat.tobytes(garbage=4, deflate=True, no_new_id=True)
    finally:
        source.close()
        flat.close()
    return result


def pdf_parameters(boxes: Sequence[Box], style: Style, *, flatten: bool = False) -> dict[str, Any]:
    """What to record with a redacted PDF working copy: tool, version, style and boxes."""
    versions = tool_versions()
    return {
        "tool": "PyMuPDF",
        "tool_version": f"{versions['pymupdf']} (MuPDF {versions['mupdf']})",
        "style": style,
        "boxes": [box.to_dict() for box in boxes],
        "text": "removed under boxes (checked by extraction)",
        "images": "pixels under boxes blanked",
        "graphics": "drawings touching boxes removed",
        "blur_dpi": PDF_BLUR_DPI if style == "blur" else None,
        "flattened_dpi": FLATTEN_DPI if flatten else None,
        "metadata": "document info, XMP, embedded JPEG EXIF, outline, attachments, JavaScript, ID removed",
    }


def text_under(pdf_bytes: bytes, boxes: Iterable[Box]) -> str:
    """Every character of the PDF's text layer whose box touches one of the boxes.

    Characters are read as PyMuPDF extracts them (visible or not); the test is MuPDF's own for
    redaction: a character is under a box if its bounding box overlaps the box at all.

    Returns:
        The characters found, box by box, each box's on its own line; empty when none remain.

    Raises:
        ValueError: unreadable PDF or a box on a page that does not exist.
    """
    boxes = list(boxes)
    document = _open_pdf(pdf_bytes)
    try:
        _check_pages(boxes, document.page_count)
        found: list[str] = []
        characters: dict[int, list[tuple[str, tuple[float, float, float, float]]]] = {}
        for box in boxes:
            assert box.page is not None
            page = document[box.page - 1]
            if box.page not in characters:
                characters[box.page] = _characters(page)
            rect = _shown_rect(box) * page.derotation_matrix
            text = "".join(
                char
                for char, bbox in characters[box.page]
                if _touches(bbox, (rect.x0, rect.y0, rect.x1, rect.y1))
            )
            if text:
                found.append(text)
    finally:
        document.close()
    return "\n".join(found)


def _characters(page: Any) -> list[tuple[str, tuple[float, float, float, float]]]:
    pymupdf = library("pymupdf")

    flags = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_PRESERVE_LIGATURES
    chars = []
    for block in page.get_text("rawdict", flags=flags)["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                for char in span["chars"]:
                    chars.append((char["c"], tuple(char["bbox"])))
    return chars


def _touches(
    char: tuple[float, float, float, float], box: tuple[float, float, float, float]
) -> bool:
    cx0, cy0, cx1, cy1 = char
    bx0, by0, bx1, by1 = box
    if cx1 <= cx0 or cy1 <= cy0:
        # A character without area (MuPDF gives some a zero width): its corner decides.
        return bx0 <= cx0 <= bx1 and by0 <= cy0 <= by1
    return cx0 < bx1 and cx1 > bx0 and cy0 < by1 and cy1 > by0


def _open_pdf(pdf_bytes: bytes) -> Any:
    pymupdf = library("pymupdf")

    try:
        document = pymupdf.open(stream=pdf_bytes, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as error:
        raise ValueError(f"not a readable PDF: {error}") from error
    if document.needs_pass:
        document.close()
        raise ValueError("the PDF is encrypted: it cannot be redacted without its password")
    return document


def _check_pages(boxes: Sequence[Box], pages: int) -> None:
    for box in boxes:
        if box.page is None or not 1 <= box.page <= pages:
            raise ValueError(f"a box is on page {box.page}; the document has pages 1 to {pages}")


def _shown_rect(box: Box) -> Any:
    pymupdf = library("pymupdf")

    return pymupdf.Rect(box.x, box.y, box.x + box.w, box.y + box.h)


def _blurred_patch(page: Any, shown: Any) -> bytes:
    """The region as it looks, rendered, pixelated and blurred, as PNG bytes without text."""
    from PIL import Image

    pixmap = page.get_pixmap(dpi=PDF_BLUR_DPI, clip=shown, alpha=False)
    if pixmap.width < 1 or pixmap.height < 1:
        return _png(Image.new("RGB", (1, 1), (128, 128, 128)))
    mode = "RGB" if pixmap.n == 3 else "L"
    region = Image.frombytes(mode, (pixmap.width, pixmap.height), pixmap.samples)
    blurred, _ = blur_region(region)
    return _png(blurred)


def _png(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _strip_pdf(document: Any) -> None:
    """Metadata out: info, XMP anywhere, JPEG EXIF, outline, attachments, scripts, trailer ID."""
    document.scrub(
        attached_files=True,
        clean_pages=True,
        embedded_files=True,
        hidden_text=False,  # an OCR text layer outside the boxes is the document's text
        javascript=True,
        metadata=True,
        redactions=False,  # applied above, with our options
        remove_links=False,  # links under boxes went with the redaction; the others are content
        reset_fields=False,  # baked into the pages already
        reset_responses=True,
        thumbnails=True,
        xml_metadata=True,
    )
    document.set_toc([])
    document.set_metadata({})
    document.del_xml_metadata()
    for xref in range(1, document.xref_length()):
        for key in ("Metadata", "PieceInfo"):
            if document.xref_get_key(xref, key)[0] != "null":
                document.xref_set_key(xref, key, "null")
        if document.xref_is_stream(xref) and document.xref_get_key(xref, "Filter")[1] in (
            "/DCTDecode",
            "[/DCTDecode]",
        ):
            raw = document.xref_stream_raw(xref)
            stripped = strip_jpeg_segments(raw)
            if stripped != raw:
                _replace_raw_stream(document, xref, stripped)
    document.xref_set_key(-1, "ID", "null")
    document.xref_set_key(-1, "Info", "null")


def _replace_raw_stream(document: Any, xref: int, data: bytes) -> None:
    """Put already-encoded (DCT) bytes back into a stream, keeping its /Filter."""
    filter_value = document.xref_get_key(xref, "Filter")[1]
    document.update_stream(xref, data, compress=False)
    document.xref_set_key(xref, "Filter", filter_value)
    document.xref_set_key(xref, "Length", str(len(data)))


def strip_jpeg_segments(data: bytes) -> bytes:
    """A JPEG without its EXIF, XMP, ICC, IPTC and comment segments; the image data unchanged.

    Returns the input unchanged if it does not parse as a JPEG up to its first scan.
    """
    if not data.startswith(b"\xff\xd8"):
        return data
    out = bytearray(b"\xff\xd8")
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return data
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[position:]
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += data[position : position + 2]
            position += 2
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(data):
            return data
        keep = not ((0xE0 <= marker <= 0xEF and marker not in _JPEG_KEPT_APPS) or marker == 0xFE)
        if keep:
            out += data[position:end]
        position = end
    return data


def _pixel_area(box: Box, width: int, height: int) -> tuple[int, int, int, int] | None:
    left = max(0, math.floor(box.x))
    top = max(0, math.floor(box.y))
    right = min(width, math.ceil(box.x + box.w))
    bottom = min(height, math.ceil(box.y + box.h))
    if right <= left or bottom <= top:
        return None
    return left, top, right, bottom


def _box_record(box: Box, area: tuple[int, int, int, int], block: int | None) -> dict[str, Any]:
    left, top, right, bottom = area
    record: dict[str, Any] = {"x": left, "y": top, "w": right - left, "h": bottom - top}
    if block is not None:
        record["block"] = block
    return record


def _to_srgb(image: Any, icc: bytes | None) -> Any:
    """The image in a mode we write (RGB, RGBA or L), converted from its ICC profile to sRGB."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            from PIL import ImageCms

            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            target = ImageCms.createProfile("sRGB")
            output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
            converted = ImageCms.profileToProfile(image, source, target, outputMode=output_mode)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels as they are
    if has_alpha:
        return image.convert("RGBA")
    if image.mode in ("L", "1", "I;16", "I", "F"):
        return image.convert("L")
    return image.convert("RGB")
