"""What a file is, told from its first bytes (never from its name), and whether we take it.

`detect(head)` looks at the head of a file (HEAD_BYTES are enough) with puremagic's signatures,
then at the structure puremagic does not look into: the brands of an ISO media file (MP4, M4A,
MOV, HEIC), the codec of an Ogg stream, the doc type of a Matroska file (WebM or MKV), the first
members of a zip (XLSX, DOCX, ODT), and for text, whether it is UTF-8 at all and then a WebVTT or
SRT transcript or a CSV table. Only the types in `ALLOWED` come back; anything else raises
`Unsupported` with a message that names what we take.

The name a file arrived with is used in one place only: to choose between two of our types that
the head alone cannot tell apart (an Office Open XML package whose first members do not say
whether it is a workbook or a document; text with commas that may or may not be a table). It
never makes a file acceptable, and `checks.check` verifies the choice against the whole file.
"""

import codecs
import re
import struct
from dataclasses import dataclass
from enum import StrEnum

from unseen.core.media.errors import Unsupported, gettext_noop

HEAD_BYTES = 64 * 1024  # how much of a file `detect` wants to see


class Kind(StrEnum):
    """What a file holds, as the record page groups files."""

    DOCUMENT = "document"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    TEXT = "text"
    SPREADSHEET = "spreadsheet"


@dataclass(frozen=True)
class FileType:
    """One type we take: a short key, the content type, its kind, a label and a file extension."""

    key: str
    content_type: str
    kind: Kind
    label: str
    extension: str

    def __str__(self) -> str:
        return self.label


PDF = FileType("pdf", "application/pdf", Kind.DOCUMENT, gettext_noop("PDF document"), ".pdf")
JPEG = FileType("jpeg", "image/jpeg", Kind.IMAGE, gettext_noop("JPEG image"), ".jpg")
PNG = FileType("png", "image/png", Kind.IMAGE, gettext_noop("PNG image"), ".png")
WEBP = FileType("webp", "image/webp", Kind.IMAGE, gettext_noop("WebP image"), ".webp")
TIFF = FileType("tiff", "image/tiff", Kind.IMAGE, gettext_noop("TIFF image"), ".tif")
GIF = FileType("gif", "image/gif", Kind.IMAGE, gettext_noop("GIF image"), ".gif")
HEIC = FileType("heic", "image/heic", Kind.IMAGE, gettext_noop("HEIC image"), ".heic")
MP3 = FileType("mp3", "audio/mpeg", Kind.AUDIO, gettext_noop("MP3 audio"), ".mp3")
M4A = FileType("m4a", "audio/mp4", Kind.AUDIO, gettext_noop("M4A audio"), ".m4a")
WAV = FileType("wav", "audio/wav", Kind.AUDIO, gettext_noop("WAV audio"), ".wav")
OGG = FileType("ogg", "audio/ogg", Kind.AUDIO, gettext_noop("Ogg audio (Vorbis, Opus)"), ".ogg")
FLAC = FileType("flac", "audio/flac", Kind.AUDIO, gettext_noop("FLAC audio"), ".flac")
MP4 = FileType("mp4", "video/mp4", Kind.VIDEO, gettext_noop("MP4 video"), ".mp4")
MOV = FileType("mov", "video/quicktime", Kind.VIDEO, gettext_noop("QuickTime video"), ".mov")
THREE_GP = FileType("3gp", "video/3gpp", Kind.VIDEO, gettext_noop("3GP video"), ".3gp")
OGV = FileType("ogv", "video/ogg", Kind.VIDEO, gettext_noop("Ogg video"), ".ogv")
WEBM = FileType("webm", "video/webm", Kind.VIDEO, gettext_noop("WebM video"), ".webm")
MKV = FileType("mkv", "video/x-matroska", Kind.VIDEO, gettext_noop("Matroska video"), ".mkv")
TEXT = FileType("text", "text/plain", Kind.TEXT, gettext_noop("plain text"), ".txt")
VTT = FileType("vtt", "text/vtt", Kind.TEXT, gettext_noop("WebVTT transcript"), ".vtt")
SRT = FileType("srt", "application/x-subrip", Kind.TEXT, gettext_noop("SRT transcript"), ".srt")
CSV = FileType("csv", "text/csv", Kind.SPREADSHEET, gettext_noop("CSV table"), ".csv")
XLSX = FileType(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Kind.SPREADSHEET,
    gettext_noop("Excel workbook (XLSX)"),
    ".xlsx",
)
ODS = FileType(
    "ods",
    "application/vnd.oasis.opendocument.spreadsheet",
    Kind.SPREADSHEET,
    gettext_noop("OpenDocument spreadsheet (ODS)"),
    ".ods",
)
DOCX = FileType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Kind.DOCUMENT,
    gettext_noop("Word document (DOCX)"),
    ".docx",
)
ODT = FileType(
    "odt",
    "application/vnd.oasis.opendocument.text",
    Kind.DOCUMENT,
    gettext_noop("OpenDocument text (ODT)"),
    ".odt",
)

ALLOWED: tuple[FileType, ...] = (
    PDF,
    JPEG,
    PNG,
    WEBP,
    TIFF,
    GIF,
    HEIC,
    MP3,
    M4A,
    WAV,
    OGG,
    FLAC,
    MP4,
    MOV,
    THREE_GP,
    OGV,
    WEBM,
    MKV,
    TEXT,
    VTT,
    SRT,
    CSV,
    XLSX,
    ODS,
    DOCX,
    ODT,
)
BY_CONTENT_TYPE = {file_type.content_type: file_type for file_type in ALLOWED}
BY_KEY = {file_type.key: file_type for file_type in ALLOWED}
# Types Pillow decodes (HEIC needs a plug-in we do not ship: it is kept, but not decoded).
PILLOW_TYPES = frozenset({JPEG, PNG, WEBP, TIFF, GIF})
ZIP_TYPES = frozenset({XLSX, ODS, DOCX, ODT})
TRANSCRIPT_TYPES = frozenset({TEXT, VTT, SRT})

ACCEPTED = gettext_noop(
    "We take PDF documents; JPEG, PNG, WebP, TIFF, GIF and HEIC images; MP3, M4A, WAV, Ogg and "
    "FLAC audio; MP4, MOV, 3GP, WebM and MKV video; plain text, WebVTT and SRT transcripts "
    "(UTF-8); CSV, XLSX and ODS tables; DOCX and ODT documents."
)
UNSUPPORTED = gettext_noop(
    "This file is not of a type we take (its content was checked, not its name). %(accepted)s"
)
UNSUPPORTED_NAMED = gettext_noop(
    "This file looks like %(found)s, which is not a type we take (its content was checked, not "
    "its name). %(accepted)s"
)
EMPTY = gettext_noop("The file is empty.")


def from_content_type(content_type: str) -> FileType:
    """The allowed type with this content type (as stored with a file).

    Raises:
        Unsupported: for a content type that is not one of ALLOWED.
    """
    try:
        return BY_CONTENT_TYPE[content_type]
    except KeyError:
        raise Unsupported(UNSUPPORTED, reason="unsupported", accepted=ACCEPTED) from None


def detect(head: bytes, *, name: str = "") -> FileType:
    """The type of a file from its first bytes (pass at least HEAD_BYTES of a longer file).

    Args:
        head: the start of the file (or all of it).
        name: the name it arrived with; only breaks a tie between two allowed types.

    Raises:
        Unsupported: for an empty file or one whose content is not of a type we take; the
            message names the types we take.
    """
    if not head:
        raise Unsupported(EMPTY, reason="empty")
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    candidates = _puremagic(head)
    found = _binary(head, candidates, suffix)
    if found is None and not candidates & _BINARY_ONLY:
        found = _text(head, suffix)
    if found is not None:
        return found
    label = _puremagic_label(head)
    if label:
        raise Unsupported(UNSUPPORTED_NAMED, reason="unsupported", found=label, accepted=ACCEPTED)
    raise Unsupported(UNSUPPORTED, reason="unsupported", accepted=ACCEPTED)


# Signatures that say "binary" for sure: a file with one of these is never read as text.
_BINARY_ONLY = frozenset({".exe", ".dll", ".zip", ".gz", ".7z", ".rar", ".elf", ".class"})


def _puremagic(head: bytes) -> set[str]:
    import puremagic

    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return set()
    return {match.extension.lower() for match in matches if match.extension}


def _puremagic_label(head: bytes) -> str:
    import puremagic

    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return ""
    # The likeliest match with a content type names a common format (a Windows executable),
    # where the likeliest of all may name a rare one that shares its first bytes.
    named = [match for match in matches if match.mime_type] or matches
    return named[0].name.strip() if named else ""


def _binary(head: bytes, candidates: set[str], suffix: str) -> FileType | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WEBP": WEBP, b"WAVE": WAV}.get(head[8:12])
    if head.find(b"%PDF-", 0, 1024) >= 0:
        return PDF
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    if head.startswith(b"OggS"):
        return OGV if b"\x80theora" in head[:4096] else OGG
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        doc_type = head[:64]
        if b"webm" in doc_type:
            return WEBM
        return MKV if b"matroska" in doc_type else None
    if head.startswith(b"fLaC"):
        return FLAC
    if head.startswith(b"PK\x03\x04"):
        return _zip(head, suffix)
    if ".mp3" in candidates and not _looks_like_text(head):
        return MP3
    return None


_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P "}


def _iso_media(head: bytes) -> FileType | None:
    """MP4, M4A, MOV, 3GP or HEIC, from the brands of the `ftyp` box."""
    (size,) = struct.unpack(">I", head[:4])
    major = head[8:12]
    brands = [major] + [head[i : i + 4] for i in range(16, min(size, len(head), 128) - 3, 4)]
    if major in _HEIC_BRANDS:
        return HEIC
    if b"avif" in brands or b"avis" in brands:
        return None  # AVIF is a still image Pillow may not read here: not taken
    if major in _M4A_BRANDS:
        return M4A
    if major == b"qt  ":
        return MOV
    if major.startswith(b"3g"):
        return THREE_GP
    return MP4


_ZIP_LOCAL = struct.Struct("<4sHHHHHIIIHH")


def _zip_members(head: bytes) -> list[tuple[str, bytes]]:
    """(name, stored data or b"") of the zip members whose local headers lie in the head."""
    members: list[tuple[str, bytes]] = []
    at = 0
    while at + _ZIP_LOCAL.size <= len(head) and head[at : at + 4] == b"PK\x03\x04":
        fields = _ZIP_LOCAL.unpack_from(head, at)
        flags, method, compressed, name_length, extra_length = (
            fields[2],
            fields[3],
            fields[7],
            fields[9],
            fields[10],
        )
        name = head[at + 30 : at + 30 + name_length].decode("utf-8", "replace")
        data_at = at + 30 + name_length + extra_length
        data = head[data_at : data_at + compressed] if method == 0 else b""
        members.append((name, data))
        if flags & 0x08 and compressed == 0:
            break  # sizes follow the data (streamed zip): the next header cannot be found here
        at = data_at + compressed
    return members


def _zip(head: bytes, suffix: str) -> FileType | None:
    """XLSX, DOCX, ODT or ODS, from the zip's first members; other zips are not taken."""
    members = _zip_members(head)
    names = [name for name, _data in members]
    if members and members[0][0] == "mimetype":
        mimetype = members[0][1].decode("ascii", "replace").strip()
        return {ODT.content_type: ODT, ODS.content_type: ODS}.get(mimetype)
    if any(name.startswith("xl/") for name in names):
        return XLSX
    if any(name.startswith("word/") for name in names):
        return DOCX
    if "[Content_Types].xml" in names or any(name.startswith("docProps/") for name in names):
        # An Office Open XML package whose first members do not say which: the name decides
        # between the two we take, and checks.check verifies it against the zip's directory.
        return {"xlsx": XLSX, "docx": DOCX}.get(suffix)
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SRT_TIME = re.compile(r"^\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d")
_SEPARATORS = (",", ";", "\t")


def _decoded(head: bytes) -> str | None:
    """The head as UTF-8 text (a character cut at the end forgiven), or None if it is not."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text):
        return None
    return text


def _looks_like_text(head: bytes) -> bool:
    return _decoded(head[:4096]) is not None


def _text(head: bytes, suffix: str) -> FileType | None:
    text = _decoded(head)
    if text is None or not text.strip():
        return None
    stripped = text.lstrip()
    if re.match(r"WEBVTT(?:[ \t\r\n]|$)", stripped):
        return VTT
    if _SRT_TIME.match(text.lstrip("\r\n")):
        return SRT
    if _is_table(text, strict=suffix not in ("csv", "tsv")):
        return CSV
    return TEXT


def _is_table(text: str, *, strict: bool) -> bool:
    """Whether the lines share a separator, the same number of times on each line.

    Strict (the name does not say .csv): at least three lines, each with the same count. With a
    .csv name, two lines with the same count are enough.
    """
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(text) >= HEAD_BYTES - 4 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut short by the end of the head
    if len(lines) < (3 if strict else 2):
        return False
    for separator in _SEPARATORS:
        counts = {_count_outside_quotes(line, separator) for line in lines}
        if len(counts) == 1 and counts.pop() > 0:
            return True
    return False


def _count_outside_quotes(line: str, separator: str) -> int:
    count, quoted = 0, False
    for character in line:
        if character == '"':
            quoted = not quoted
        elif character == separator and not quoted:
            count += 1
    return count
