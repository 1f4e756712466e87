"""Working copies: thumbnails, web previews and metadata-stripped copies of an original.

Every function returns a `Derived`: the bytes, their content type, and the tool, its version and
the parameters that made them, for the working copy's record. What comes out carries no
metadata: images are fresh encodings of the pixels alone (EXIF, GPS, XMP, ICC, comments and PNG
text are left behind); PDFs lose their info dictionary, XMP (the document's, every page's and
every image's), attached and embedded files, JavaScript, thumbnails, annotation authors, and the
EXIF inside their JPEG images (whose streams are rewritten without their APP segments, the
pixels untouched).

- `thumbnail(path, file_type, size=320)`: a JPEG at most size × size (images, PDF pages, the first
  frame of a video when ffmpeg is installed); an image's or a PDF's bytes may be given instead of
  a path (so that a decrypted original never has to touch the disk);
- `preview(path, file_type, page=0, width=1600)`: a JPEG at most `width` wide, never enlarged;
- `strip_image(data)` and `strip_pdf(data)`: the same image or PDF without its metadata.

Audio, spreadsheets and text have no picture: `MediaUnavailable` (reason "no_preview").
"""

import io
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unseen.core.media import types
from unseen.core.media.checks import DEFAULT_LIMITS, Limits
from unseen.core.media.errors import MediaRefused, MediaUnavailable, gettext_noop
from unseen.core.media.types import FileType, Kind

if TYPE_CHECKING:
    from PIL.Image import Image

THUMBNAIL_SIZE = 320
PREVIEW_WIDTH = 1600
JPEG_QUALITY = 85
STRIP_JPEG_QUALITY = 95
FFMPEG_SECONDS = 120
NO_ENCRYPTION = 1  # PyMuPDF's PDF_ENCRYPT_NONE: the copy is written unencrypted

NO_PREVIEW = gettext_noop("This file (%(type)s) has no picture to show.")
NO_FFMPEG = gettext_noop(
    "A picture of a video needs ffmpeg, which is not installed on this server. An administrator "
    "can install it with: apt-get install ffmpeg"
)
NO_FRAME = gettext_noop("No picture could be taken from this video.")
NO_PAGE = gettext_noop("The file has no page %(page)s.")
NOT_STRIPPABLE = gettext_noop("Only JPEG, PNG, WebP, TIFF and GIF images can be stripped here.")
STILL_METADATA = gettext_noop("The file's metadata could not be removed, so no copy was made.")
BAD_IMAGE = gettext_noop("The image could not be read; it may be damaged.")


@dataclass(frozen=True)
class Derived:
    """A working copy's bytes and how they were made.

    `tool`, `tool_version` and `parameters` go into the WorkingCopy record as they are.
    """

    data: bytes
    content_type: str
    tool: str
    tool_version: str
    parameters: dict[str, Any] = field(default_factory=dict)
    width: int | None = None
    height: int | None = None

    def __bytes__(self) -> bytes:
        return self.data


def _pillow_version() -> str:
    import PIL

    return str(PIL.__version__)


def _pymupdf_version() -> str:
    import pymupdf

    return f"{pymupdf.VersionBind} (MuPDF {pymupdf.VersionFitz})"


def _open_image(source: Path | bytes, limits: Limits) -> "Image":
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
            if image.width * image.height > limits.max_pixels:
                image.close()
                raise MediaRefused(BAD_IMAGE, reason="bomb")
    except MediaRefused:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise MediaRefused(BAD_IMAGE, reason="corrupt_image") from error
    return image


def _upright_rgb(image: "Image") -> "Image":
    """The frame upright (EXIF orientation applied), flattened on white, as RGB."""
    from PIL import Image, ImageOps

    upright = ImageOps.exif_transpose(image) or image
    if upright.mode in ("RGBA", "LA", "PA", "P"):
        upright = upright.convert("RGBA")
        white = Image.new("RGBA", upright.size, "white")
        upright = Image.alpha_composite(white, upright)
    return upright.convert("RGB")


def _bare(image: "Image") -> "Image":
    """A new image holding the pixels only: no info, no EXIF, nothing else carried over."""
    from PIL import Image

    bare = Image.new(image.mode, image.size)
    bare.paste(image)
    return bare


def _jpeg(image: "Image", quality: int) -> bytes:
    out = io.BytesIO()
    _bare(image).save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _fit(image: "Image", width: int, height: int) -> "Image":
    """Scaled down (never up) to fit width × height, keeping its proportions."""
    from PIL import Image

    scale = min(width / image.width, height / image.height, 1.0)
    if scale >= 1.0:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _picture(
    path: Path | bytes, file_type: FileType, page: int, width: int, height: int, limits: Limits
) -> tuple["Image", str, str, dict[str, Any]]:
    """The page or frame as an RGB image fitting width × height, with its tool and parameters.

    `path` may be the bytes themselves for an image or a PDF (a video needs a file on disk).
    """
    if file_type in types.PILLOW_TYPES:
        with _open_image(path, limits) as image:
            frames = getattr(image, "n_frames", 1)
            if not 0 <= page < frames:
                raise MediaUnavailable(NO_PAGE, reason="no_page", page=page + 1)
            image.seek(page)
            try:
                picture = _fit(_upright_rgb(image), width, height)
            except (OSError, ValueError) as error:
                raise MediaRefused(BAD_IMAGE, reason="corrupt_image") from error
        return picture, "Pillow", _pillow_version(), {"page": page} if frames > 1 else {}
    if file_type == types.PDF:
        return _pdf_page(path, page, width, height)
    if file_type.kind == Kind.VIDEO:
        if isinstance(path, bytes):
            raise MediaUnavailable(NO_FRAME, reason="no_frame")
        return _video_frame(path, width, height, limits)
    raise MediaUnavailable(NO_PREVIEW, reason="no_preview", type=file_type.label)


def _pdf_page(
    path: Path | bytes, page: int, width: int, height: int
) -> tuple["Image", str, str, dict[str, Any]]:
    import pymupdf
    from PIL import Image

    opened = (
        pymupdf.open(stream=path, filetype="pdf")
        if isinstance(path, bytes)
        else pymupdf.open(path, filetype="pdf")
    )
    with opened as document:
        if not 0 <= page < document.page_count:
            raise MediaUnavailable(NO_PAGE, reason="no_page", page=page + 1)
        shown = document[page]
        rect = shown.rect
        zoom = min(width / rect.width, height / rect.height)
        pixmap = shown.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        picture = Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples)
    parameters = {"page": page, "zoom": round(zoom, 4), "dpi": round(72 * zoom, 1)}
    return picture, "PyMuPDF", _pymupdf_version(), parameters


def ffmpeg_version() -> str:
    """The first line of `ffmpeg -version` ("ffmpeg version 5.1.6-0+deb12u1 ..."), or ""."""
    command = shutil.which("ffmpeg")
    if command is None:
        return ""
    result = subprocess.run(  # noqa: S603  (a fixed program, no shell)
        [command, "-version"], capture_output=True, text=True, timeout=30, check=False
    )
    words = result.stdout.split()
    return words[2] if len(words) > 2 and words[:2] == ["ffmpeg", "version"] else ""


def _video_frame(
    path: Path, width: int, height: int, limits: Limits
) -> tuple["Image", str, str, dict[str, Any]]:
    command = shutil.which("ffmpeg")
    if command is None:
        raise MediaUnavailable(NO_FFMPEG, reason="no_ffmpeg")
    arguments = ["-v", "error", "-i", str(path), "-frames:v", "1", "-f", "image2pipe"]
    try:
        result = subprocess.run(  # noqa: S603  (a fixed program, our own arguments, no shell)
            [command, "-nostdin", *arguments, "-c:v", "png", "-"],
            capture_output=True,
            timeout=FFMPEG_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise MediaUnavailable(NO_FRAME, reason="no_frame") from error
    if result.returncode != 0 or not result.stdout:
        raise MediaUnavailable(NO_FRAME, reason="no_frame")
    with _open_image(result.stdout, limits) as frame:
        picture = _fit(_upright_rgb(frame), width, height)
    return picture, "ffmpeg", ffmpeg_version(), {"frame": 0}


def thumbnail(
    path: Path | str | bytes,
    file_type: FileType,
    size: int = THUMBNAIL_SIZE,
    *,
    page: int = 0,
    limits: Limits = DEFAULT_LIMITS,
) -> Derived:
    """A JPEG of the image, PDF page or first video frame, at most size × size pixels.

    Raises:
        MediaUnavailable: the type has no picture, ffmpeg is missing, or there is no such page.
        MediaRefused: the image could not be read.
    """
    source = path if isinstance(path, bytes) else Path(path)
    picture, tool, version, parameters = _picture(source, file_type, page, size, size, limits)
    data = _jpeg(picture, JPEG_QUALITY)
    parameters = {
        "operation": "thumbnail",
        "max_size": size,
        "format": "JPEG",
        "quality": JPEG_QUALITY,
        **parameters,
    }
    return Derived(data, "image/jpeg", tool, version, parameters, picture.width, picture.height)


def preview(
    path: Path | str | bytes,
    file_type: FileType,
    page: int = 0,
    width: int = PREVIEW_WIDTH,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Derived:
    """A JPEG of the image, PDF page (counted from 0) or first video frame, at most `width` wide.

    Images are never enlarged; a PDF page is rendered to exactly `width` (or to fit three
    times that in height, for a page much taller than wide).

    Raises:
        MediaUnavailable: the type has no picture, ffmpeg is missing, or there is no such page.
        MediaRefused: the image could not be read.
    """
    source = path if isinstance(path, bytes) else Path(path)
    picture, tool, version, parameters = _picture(source, file_type, page, width, 3 * width, limits)
    data = _jpeg(picture, JPEG_QUALITY)
    parameters = {
        "operation": "preview",
        "max_width": width,
        "format": "JPEG",
        "quality": JPEG_QUALITY,
        **parameters,
    }
    return Derived(data, "image/jpeg", tool, version, parameters, picture.width, picture.height)


# Stripping -----------------------------------------------------------------------------------

_STRIP_FORMATS = {types.JPEG: "JPEG", types.PNG: "PNG", types.WEBP: "WEBP"}


def has_metadata(data: bytes) -> bool:
    """Whether an encoded image carries EXIF, XMP, ICC, comments or text chunks."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if len(image.getexif()) > 0:
            return True
        keys = {str(key).lower() for key in image.info}
        if keys & {"exif", "xmp", "xml:com.adobe.xmp", "comment", "icc_profile", "photoshop"}:
            return True
        if getattr(image, "text", None):
            return True
    return b"Exif\x00\x00" in data[:65536] or b"http://ns.adobe.com/xap" in data[:65536]


def strip_image(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Derived:
    """The same picture without metadata: the pixels re-encoded, upright, nothing else kept.

    JPEG, PNG and WebP stay in their format (JPEG at quality 95); TIFF and GIF become a PNG of
    their first frame.

    Raises:
        MediaRefused: not an image we strip, unreadable, or (never expected) metadata survived.
    """
    file_type = types.detect(data[: types.HEAD_BYTES])
    if file_type not in types.PILLOW_TYPES:
        raise MediaRefused(NOT_STRIPPABLE, reason="not_strippable")
    image_format = _STRIP_FORMATS.get(file_type, "PNG")
    with _open_image(data, limits) as image:
        try:
            from PIL import ImageOps

            upright = ImageOps.exif_transpose(image) or image
            if image_format == "JPEG":
                pixels = upright.convert("RGB")
            elif upright.mode in ("RGBA", "LA", "PA", "P") or "transparency" in upright.info:
                pixels = upright.convert("RGBA")
            else:
                pixels = upright.convert("RGB" if upright.mode not in ("L", "I;16") else "L")
        except (OSError, ValueError) as error:
            raise MediaRefused(BAD_IMAGE, reason="corrupt_image") from error
    out = io.BytesIO()
    options: dict[str, Any] = {}
    if image_format == "JPEG":
        options = {"quality": STRIP_JPEG_QUALITY, "optimize": True}
    elif image_format == "WEBP":
        options = {"quality": STRIP_JPEG_QUALITY}
    bare = _bare(pixels)
    bare.save(out, image_format, **options)
    stripped = out.getvalue()
    if has_metadata(stripped):
        raise MediaRefused(STILL_METADATA, reason="metadata_kept")
    content_type = {"JPEG": "image/jpeg", "WEBP": "image/webp"}.get(image_format, "image/png")
    parameters = {"operation": "strip_metadata", "format": image_format, **options}
    return Derived(
        stripped, content_type, "Pillow", _pillow_version(), parameters, bare.width, bare.height
    )


def strip_jpeg_segments(data: bytes) -> bytes | None:
    """A JPEG stream without its APP1-APP15 and COM segments (EXIF, XMP, ICC, comments).

    The coded pixels are kept byte for byte. None if the stream is not a JPEG we can walk.
    """
    if data[:2] != b"\xff\xd8":
        return None
    out = bytearray(data[:2])
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is the image
            out += data[at:]
            return bytes(out)
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if length < 2:
            return None
        if not (0xE1 <= marker <= 0xEF or marker == 0xFE):
            out += data[at : at + 2 + length]
        at += 2 + length
    return None


_SCRUB = {
    "attached_files": True,
    "embedded_files": True,
    "javascript": True,
    "metadata": True,
    "xml_metadata": True,
    "thumbnails": True,
    "reset_responses": True,
    # What changes what a page shows is left to the redaction step, which records it.
    "clean_pages": False,
    "hidden_text": False,
    "redactions": False,
    "remove_links": False,
    "reset_fields": False,
}
_DROPPED_KEYS = ("Metadata", "PieceInfo")


def strip_pdf(data: bytes) -> Derived:
    """The same PDF without its metadata, saved anew with unused objects collected.

    Removed: the info dictionary and XMP (the document's and every object's /Metadata and
    /PieceInfo), attached and embedded files, JavaScript, page thumbnails, annotation authors
    and replies, and APP segments (EXIF, XMP, ICC) of the JPEG images inside; the file is
    written without encryption. What the pages show is not changed.

    Raises:
        MediaRefused: the PDF cannot be opened, needs a password, or (never expected) its
            metadata survived.
    """
    import pymupdf

    from unseen.core.media.checks import CORRUPT_PDF, LOCKED_PDF

    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except (RuntimeError, ValueError) as error:
        raise MediaRefused(CORRUPT_PDF, reason="corrupt_pdf") from error
    with document:
        if document.needs_pass:
            raise MediaRefused(LOCKED_PDF, reason="locked_pdf")
        document.scrub(**_SCRUB)
        for number in range(document.page_count):
            for annotation in document[number].annots() or []:
                document.xref_set_key(annotation.xref, "T", "null")  # the author's name
        images = 0
        for xref in range(1, document.xref_length()):
            for key in _DROPPED_KEYS:
                if document.xref_get_key(xref, key)[0] != "null":
                    document.xref_set_key(xref, key, "null")
            if (
                document.xref_get_key(xref, "Subtype")[1] == "/Image"
                and document.xref_get_key(xref, "Filter")[1] == "/DCTDecode"
            ):
                stripped = strip_jpeg_segments(document.xref_stream_raw(xref))
                if stripped is not None:
                    # update_stream drops /Filter; the stream is still DCT-coded, so say so.
                    document.update_stream(xref, stripped, compress=False)
                    document.xref_set_key(xref, "Filter", "/DCTDecode")
                    images += 1
        document.set_metadata({})
        document.del_xml_metadata()
        cleaned = document.tobytes(garbage=4, deflate=True, clean=True, encryption=NO_ENCRYPTION)
    with pymupdf.open(stream=cleaned, filetype="pdf") as check:
        info = {key: value for key, value in check.metadata.items() if key != "format"}
        if any(info.values()) or check.get_xml_metadata().strip():
            raise MediaRefused(STILL_METADATA, reason="metadata_kept")
    parameters = {
        "operation": "strip_metadata",
        "scrub": sorted(name for name, on in _SCRUB.items() if on),
        "dropped_keys": list(_DROPPED_KEYS),
        "jpeg_images_stripped": images,
        "garbage": 4,
        "deflate": True,
    }
    return Derived(cleaned, "application/pdf", "PyMuPDF", _pymupdf_version(), parameters)
