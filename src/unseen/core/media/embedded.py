"""What a file claims about itself: `read(path, file_type) -> dict`, JSON-safe.

Claims, not facts: a camera's clock may be wrong, GPS tags can be written by anyone, a PDF's
author is whatever the software that made it was told. The record page shows them as such.

- images: size, frames, EXIF (camera make and model, software, DateTimeOriginal and its offset,
  artist, copyright, serial numbers) and GPS (latitude, longitude, altitude, in decimal degrees);
- PDFs: the info dictionary (title, author, subject, keywords, creator, producer, creation and
  modification dates, as ISO text where they parse), the page count, encryption;
- XMP in images and PDFs: its presence, and dc:creator, xmp:CreatorTool, xmp:CreateDate, dc:rights;
- audio and video: ffprobe's container and streams (format, duration, codecs, size, frame rate,
  sample rate, channels, tags, an ISO 6709 location as GPS), or {"ffprobe": "not installed"};
- XLSX, DOCX, ODT, ODS: the author, last editor, dates and generator of their metadata part;
- transcripts: the number of cues and where the last ends.

Strings are cut at MAX_TEXT characters and stripped of NUL; numbers that are not finite are left
out, so the result always goes into a JSON field.
"""

import math
import re
from pathlib import Path
from typing import Any

from unseen.core.media import types
from unseen.core.media.errors import MediaError
from unseen.core.media.types import FileType, Kind

MAX_TEXT = 1000
XMP_SCAN_BYTES = 4 * 1024 * 1024  # where an image's XMP packet is looked for

_EXIF_BASE = {
    0x010F: "make",
    0x0110: "model",
    0x0131: "software",
    0x0132: "modified",
    0x013B: "artist",
    0x8298: "copyright",
    0x010E: "description",
    0x0112: "orientation",
}
_EXIF_IFD = {
    0x9003: "taken",  # DateTimeOriginal
    0x9004: "digitized",
    0x9011: "taken_offset",  # OffsetTimeOriginal
    0xA430: "owner",
    0xA431: "body_serial",
    0xA434: "lens_model",
    0xA435: "lens_serial",
}
EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def read(path: Path | str, file_type: FileType) -> dict[str, Any]:
    """What the file says about itself, by type; see the module's docstring for what is read."""
    path = Path(path)
    found: dict[str, Any] = {"type": file_type.key}
    try:
        if file_type in types.PILLOW_TYPES:
            found |= _image(path)
        elif file_type == types.PDF:
            found |= _pdf(path)
        elif file_type.kind in (Kind.AUDIO, Kind.VIDEO):
            found |= _media(path)
        elif file_type in types.ZIP_TYPES:
            found |= _office(path, file_type)
        elif file_type in (types.VTT, types.SRT):
            found |= _transcript(path, file_type)
        if file_type == types.HEIC:
            found |= _xmp_in_bytes(path)
    except (OSError, ValueError, RuntimeError, SyntaxError, MediaError) as error:
        found["error"] = f"could not be read: {type(error).__name__}"
    cleaned: dict[str, Any] = safe(found)
    return cleaned


def safe(value: Any) -> Any:
    """A JSON-safe copy: text cut and without NUL, bytes as text, no NaN, keys as strings."""
    if isinstance(value, dict):
        cleaned = {str(key): safe(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item is not None}
    if isinstance(value, list | tuple):
        return [item for item in (safe(item) for item in value) if item is not None]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        text = value.replace("\x00", "").strip()
        return text[:MAX_TEXT] if text else None
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return str(value)[:MAX_TEXT]
    return round(number, 6) if math.isfinite(number) else None


# Images --------------------------------------------------------------------------------------


def _image(path: Path) -> dict[str, Any]:
    from PIL import Image

    found: dict[str, Any] = {}
    with Image.open(path) as image:
        found["image"] = {
            "format": image.format,
            "width": image.width,
            "height": image.height,
            "mode": image.mode,
            "frames": getattr(image, "n_frames", 1),
        }
        exif = image.getexif()
        claims = {name: exif.get(tag) for tag, name in _EXIF_BASE.items()}
        try:
            claims |= {name: exif.get_ifd(EXIF_IFD).get(tag) for tag, name in _EXIF_IFD.items()}
            gps = _gps(exif.get_ifd(GPS_IFD))
        except (KeyError, ValueError, TypeError, ZeroDivisionError):
            gps = {}
        claims = {name: value for name, value in claims.items() if value not in (None, "", b"")}
        if claims:
            found["exif"] = claims
        if gps:
            found["gps"] = gps
        packet = _xmp_packet_from_info(image)
    if packet is None:
        return found | _xmp_in_bytes(path)
    return found | {"xmp": _xmp_fields(packet)}


def _rational(value: Any) -> float:
    return float(value)


def _degrees(parts: Any, reference: Any) -> float | None:
    try:
        degrees, minutes, seconds = (_rational(part) for part in parts)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(value):
        return None
    ref = reference.decode() if isinstance(reference, bytes) else str(reference or "")
    return round(-value if ref.strip().upper() in ("S", "W") else value, 7)


def _gps(gps: Any) -> dict[str, Any]:
    if not gps:
        return {}
    found: dict[str, Any] = {}
    latitude = _degrees(gps.get(2), gps.get(1)) if 2 in gps else None
    longitude = _degrees(gps.get(4), gps.get(3)) if 4 in gps else None
    if latitude is not None and longitude is not None:
        found["latitude"], found["longitude"] = latitude, longitude
    if 6 in gps:
        try:
            altitude = _rational(gps[6])
            below = gps.get(5) in (1, b"\x01")
            found["altitude"] = -altitude if below else altitude
        except (TypeError, ValueError, ZeroDivisionError):
            pass
    if 29 in gps:
        found["date"] = gps[29]
    return found


def _xmp_packet_from_info(image: Any) -> str | None:
    for key in ("xmp", "XML:com.adobe.xmp"):
        value = image.info.get(key)
        if value:
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    tags = getattr(image, "tag_v2", None)  # TIFF keeps XMP in tag 700
    if tags is not None and 700 in tags:
        value = tags[700]
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return None


_XMP_PACKET = re.compile(rb"<x:xmpmeta[\s>].*?</x:xmpmeta>", re.DOTALL)


def _xmp_in_bytes(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        head = handle.read(XMP_SCAN_BYTES)
    match = _XMP_PACKET.search(head)
    if match is None:
        return {}
    return {"xmp": _xmp_fields(match.group(0).decode("utf-8", "replace"))}


_XMP_NAMES = {
    "dc:creator": "creator",
    "dc:rights": "rights",
    "dc:title": "title",
    "xmp:CreatorTool": "creator_tool",
    "xmp:CreateDate": "created",
    "xmp:ModifyDate": "modified",
    "photoshop:DateCreated": "date_created",
    "photoshop:City": "city",
    "photoshop:Country": "country",
    "pdf:Producer": "producer",
}


def _xmp_fields(packet: str) -> dict[str, Any]:
    """The fields of an XMP packet we show, read with patterns (no XML parser sees the file)."""
    found: dict[str, Any] = {"present": True}
    for tag, name in _XMP_NAMES.items():
        escaped = re.escape(tag)
        element = re.search(rf"<{escaped}(?:\s[^>]*)?>(.*?)</{escaped}>", packet, re.DOTALL)
        if element:
            items = re.findall(r"<rdf:li(?:\s[^>]*)?>(.*?)</rdf:li>", element.group(1), re.DOTALL)
            values = [_unescape(item) for item in items] or [_unescape(element.group(1))]
            values = [value for value in values if value]
            if values:
                found[name] = values if tag == "dc:creator" else values[0]
            continue
        attribute = re.search(rf'\s{escaped}\s*=\s*"([^"]*)"', packet)
        if attribute and attribute.group(1).strip():
            value = _unescape(attribute.group(1))
            found[name] = [value] if tag == "dc:creator" else value
    return found


def _unescape(text: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]*>", "", text)).strip()


# PDF -----------------------------------------------------------------------------------------

_PDF_DATE = re.compile(
    r"^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:(Z)|([+-])(\d{2})'?(\d{2})?'?)?"
)


def pdf_date(text: str) -> str:
    """A PDF date (D:20240315102201+09'00') as ISO 8601 text; the text itself if it won't parse."""
    match = _PDF_DATE.match(text.strip())
    if match is None:
        return text
    year, month, day, hour, minute, second, zulu, sign, zone_hours, zone_minutes = match.groups()
    iso = year + (f"-{month}" if month else "") + (f"-{day}" if month and day else "")
    if day and hour:
        iso += f"T{hour}:{minute or '00'}:{second or '00'}"
        if zulu:
            iso += "Z"
        elif sign:
            iso += f"{sign}{zone_hours}:{zone_minutes or '00'}"
    return iso


def _pdf(path: Path) -> dict[str, Any]:
    import pymupdf

    with pymupdf.open(path, filetype="pdf") as document:
        info = {
            key: value
            for key, value in (document.metadata or {}).items()
            if value not in ("", None)
        }
        for key in ("creationDate", "modDate"):
            if key in info:
                info[key] = pdf_date(str(info[key]))
        found: dict[str, Any] = {
            "pdf": {
                **{_PDF_KEYS.get(key, key): value for key, value in info.items()},
                "pages": document.page_count,
                "encrypted": bool(document.is_encrypted),
            }
        }
        if document.page_count:
            rect = document[0].rect
            found["pdf"]["page_size_points"] = [round(rect.width, 1), round(rect.height, 1)]
        packet = document.get_xml_metadata()
    if packet and packet.strip():
        found["xmp"] = _xmp_fields(packet)
    return found


_PDF_KEYS = {"creationDate": "created", "modDate": "modified"}


# Audio and video -----------------------------------------------------------------------------

_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?")
_STREAM_KEYS = (
    "index",
    "codec_type",
    "codec_name",
    "profile",
    "width",
    "height",
    "pix_fmt",
    "r_frame_rate",
    "sample_rate",
    "channels",
    "channel_layout",
    "duration",
    "bit_rate",
)


def _number(value: Any) -> Any:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() and "." not in str(value) else number


def _media(path: Path) -> dict[str, Any]:
    from unseen.core.media.checks import probe

    probed = probe(path)
    if probed is None:
        return {"ffprobe": "not installed"}
    container = probed.get("format", {})
    found: dict[str, Any] = {
        "media": {
            "format": container.get("format_name"),
            "format_name": container.get("format_long_name"),
            "duration": _number(container.get("duration")),
            "bit_rate": _number(container.get("bit_rate")),
            "tags": container.get("tags", {}),
        },
        "streams": [
            {key: _number(stream[key]) for key in _STREAM_KEYS if key in stream}
            | ({"tags": stream["tags"]} if stream.get("tags") else {})
            for stream in probed.get("streams", [])
        ],
    }
    tags = {key.lower(): value for key, value in container.get("tags", {}).items()}
    location = tags.get("com.apple.quicktime.location.iso6709") or tags.get("location")
    if location and (match := _ISO6709.match(str(location))):
        found["gps"] = {"latitude": float(match.group(1)), "longitude": float(match.group(2))}
        if match.group(3):
            found["gps"]["altitude"] = float(match.group(3))
    return found


# Office files --------------------------------------------------------------------------------

_OFFICE_PARTS = {
    "docProps/core.xml": {
        "dc:creator": "creator",
        "cp:lastModifiedBy": "last_modified_by",
        "dcterms:created": "created",
        "dcterms:modified": "modified",
        "dc:title": "title",
    },
    "docProps/app.xml": {"Application": "application", "Company": "company"},
    "meta.xml": {
        "meta:initial-creator": "creator",
        "dc:creator": "last_modified_by",
        "meta:creation-date": "created",
        "dc:date": "modified",
        "dc:title": "title",
        "meta:generator": "application",
    },
}
MAX_PART_BYTES = 1024 * 1024


def _office(path: Path, file_type: FileType) -> dict[str, Any]:
    import zipfile

    found: dict[str, Any] = {}
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for part, fields in _OFFICE_PARTS.items():
            if part not in names or archive.getinfo(part).file_size > MAX_PART_BYTES:
                continue
            text = archive.read(part).decode("utf-8", "replace")
            for tag, name in fields.items():
                escaped = re.escape(tag)
                match = re.search(rf"<{escaped}(?:\s[^>]*)?>(.*?)</{escaped}>", text, re.DOTALL)
                if match and (value := _unescape(match.group(1))):
                    found.setdefault(name, value)
    return {"office": found} if found else {}


# Transcripts ---------------------------------------------------------------------------------


def _transcript(path: Path, file_type: FileType) -> dict[str, Any]:
    from unseen.core.media.text import transcript

    segments = transcript(path.read_bytes(), file_type)
    ends = [segment.end for segment in segments if segment.end is not None]
    return {"transcript": {"cues": len(segments), "ends_at_seconds": max(ends, default=None)}}
