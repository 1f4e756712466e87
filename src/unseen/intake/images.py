"""Photos from the public: recognised by their bytes, re-encoded without any metadata.

A file is accepted only when its first bytes say JPEG, PNG or WebP (the name and the browser's
stated type are ignored) and Pillow can decode it. The stored file is a fresh encoding of the
pixels alone: EXIF (GPS, camera serial numbers, times), XMP, ICC comments and PNG text chunks are
all left behind. The result is read back before it is accepted; a file that still carries metadata
is refused rather than stored.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

# Magic bytes -> content type. Anything else (executables, archives, documents) is refused.
SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"WEBP", 8, "image/webp"),
]
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_PIXELS = 40_000_000  # larger is a decompression bomb, not a photo


class ImageRefused(Exception):
    """The file cannot be accepted; the message is for the reporter."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int


def sniff(head: bytes) -> str | None:
    """The content type the bytes announce, or None when they are not an image we take."""
    for signature, offset, content_type in SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and head[:4] != b"RIFF":
                continue
            return content_type
    return None


def max_upload_bytes() -> int:
    return int(settings.UNSEEN_INTAKE_MAX_UPLOAD_MB * 1024 * 1024)


def has_metadata(data: bytes) -> bool:
    """Whether an encoded image still carries EXIF, XMP or text metadata."""
    with Image.open(io.BytesIO(data)) as image:
        if len(image.getexif()) > 0:
            return True
        info_keys = {str(key).lower() for key in image.info}
        if info_keys & {"exif", "xmp", "comment", "icc_profile", "photoshop"}:
            return True
        text = getattr(image, "text", None)
        if text:
            return True
    return b"Exif\x00\x00" in data[:65536] or b"http://ns.adobe.com/xap" in data[:65536]


def clean(data: bytes) -> CleanImage:
    """Check and re-encode one uploaded file; raises ImageRefused with a reason for the reporter."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise ImageRefused(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; photos may be at most "
            f"{settings.UNSEEN_INTAKE_MAX_UPLOAD_MB:g} MB each."
        )
    content_type = sniff(data[:16])
    if content_type is None:
        raise ImageRefused(
            "This file is not a photo we can take: only JPEG, PNG and WebP images are accepted "
            "(the file's content is checked, not its name)."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise ImageRefused("The image is too large (too many pixels).")
                opened.load()
                # Turn the picture upright while we still know how, then forget the orientation.
                upright = ImageOps.exif_transpose(opened)
                pixels = upright.convert("RGBA" if upright.mode in {"RGBA", "LA", "P"} else "RGB")
    except ImageRefused:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise ImageRefused("The photo could not be read; it may be damaged.") from error
    if content_type == "image/jpeg" and pixels.mode != "RGB":
        pixels = pixels.convert("RGB")
    # A fresh image holds the pixels and nothing else: no info, no EXIF to carry over.
    bare = Image.new(pixels.mode, pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    save_options: dict[str, object] = {"quality": 90} if content_type != "image/png" else {}
    bare.save(out, PILLOW_FORMATS[content_type], **save_options)
    encoded = out.getvalue()
    if has_metadata(encoded):  # never expected; refuse rather than store what we promised to strip
        raise ImageRefused("The photo's metadata could not be removed, so it was not stored.")
    return CleanImage(encoded, content_type, bare.width, bare.height)
