"""Real files for the media tests, made here: Pillow images, PyMuPDF PDFs, ffmpeg recordings.

Nothing is shipped or downloaded. Korean text is drawn with PyMuPDF's built-in CJK font
("korea"), so no system font is needed.
"""

import io
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw

KOREAN_FONT = "korea"
needs_ffmpeg = shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None

# Where the photo says it was taken: 37°33'59.0"S 126°58'40.0"W (signs tested on purpose).
GPS_SOUTH_WEST = {1: "S", 2: (37.0, 33.0, 59.0), 3: "W", 4: (126.0, 58.0, 40.0)}


def exif(
    *,
    make: str = "Canon",
    model: str = "SecretCam 5D",
    taken: str = "2024:03:15 10:22:01",
    gps: dict | None = None,
    orientation: int | None = None,
) -> Image.Exif:
    tags = Image.Exif()
    tags[0x010F] = make
    tags[0x0110] = model
    if orientation:
        tags[0x0112] = orientation
    tags.get_ifd(0x8769)[0x9003] = taken
    tags.get_ifd(0x8769)[0x9011] = "+09:00"
    for key, value in (GPS_SOUTH_WEST if gps is None else gps).items():
        tags.get_ifd(0x8825)[key] = value
    return tags


XMP = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="PhotoTool 3">'
    b"<dc:creator><rdf:Seq><rdf:li>Kim Photographer</rdf:li></rdf:Seq></dc:creator>"
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
    b'<?xpacket end="w"?>'
)


def picture(size: tuple[int, int] = (200, 100)) -> Image.Image:
    """A picture with something in it (a blue field, a red box), so re-encodings can be compared."""
    image = Image.new("RGB", size, (30, 60, 200))
    ImageDraw.Draw(image).rectangle((10, 10, size[0] // 2, size[1] // 2), fill=(220, 20, 20))
    return image


def jpeg(*, with_exif: bool = True, xmp: bool = False, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    options: dict = {"quality": 90}
    if with_exif:
        options["exif"] = exif(orientation=orientation)
    if xmp:
        options["xmp"] = XMP
    picture().save(out, "JPEG", **options)
    return out.getvalue()


def image_bytes(image_format: str, **options) -> bytes:
    out = io.BytesIO()
    picture().save(out, image_format, **options)
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Kim Secret")
    info.add_text("Comment", "taken at the camp gate")
    return image_bytes("PNG", pnginfo=info, exif=exif())


def frames(image_format: str, count: int, size: tuple[int, int] = (100, 100)) -> bytes:
    shots = [Image.new("RGB", size, (i * 40 % 256, 80, 120)) for i in range(count)]
    out = io.BytesIO()
    shots[0].save(out, image_format, save_all=True, append_images=shots[1:])
    return out.getvalue()


def pdf(
    pages: list[str] | None = None,
    *,
    author: str = "Kim Secret",
    xmp: bool = True,
    fontsize: float = 14,
) -> bytes:
    """A PDF with a text layer (Korean drawn with the built-in CJK font) and an author."""
    document = pymupdf.open()
    font = pymupdf.Font(KOREAN_FONT)
    for text in pages or ["근로계약서 벌목장 contract"]:
        page = document.new_page(width=595, height=842)
        writer = pymupdf.TextWriter(page.rect)
        for number, line in enumerate(text.splitlines()):
            writer.append((60, 90 + number * fontsize * 1.8), line, font=font, fontsize=fontsize)
        writer.write_text(page)
    document.set_metadata(
        {
            "author": author,
            "creator": "Roster Maker 2",
            "producer": "Secret Producer 1.0",
            "title": "Roster",
            "creationDate": "D:20240315102201+09'00'",
            "modDate": "D:20240316000000Z",
        }
    )
    if xmp:
        document.set_xml_metadata(XMP.decode())
    return document.tobytes()


def text_image(lines: list[str], *, fontsize: float = 14, dpi: int = 300) -> Image.Image:
    """Lines of text drawn black on white, as a scanner would see a printed page (greyscale)."""
    document = pymupdf.open()
    height = 60 + len(lines) * fontsize * 1.9
    page = document.new_page(width=420, height=height)
    writer = pymupdf.TextWriter(page.rect)
    font = pymupdf.Font(KOREAN_FONT)
    for number, line in enumerate(lines):
        writer.append(
            (30, 40 + fontsize + number * fontsize * 1.8), line, font=font, fontsize=fontsize
        )
    writer.write_text(page)
    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)


def scanned_pdf(images: list[Image.Image], *, text_pages: dict[int, str] | None = None) -> bytes:
    """A PDF whose pages are pictures only (a scan); pages in text_pages get a text layer instead."""
    document = pymupdf.open()
    for number, image in enumerate(images):
        page = document.new_page(width=595, height=842)
        if text_pages and number in text_pages:
            page.insert_text((60, 90), text_pages[number], fontname=KOREAN_FONT, fontsize=14)
            continue
        out = io.BytesIO()
        image.save(out, "PNG")
        page.insert_image(page.rect, stream=out.getvalue(), keep_proportion=True)
    return document.tobytes()


def xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["name", "site"])
    sheet.append(["Worker 1", "벌목장"])
    workbook.properties.creator = "Kim Secret"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def docx(*, with_document: bool = True) -> bytes:
    """A minimal Word document (as Word orders its parts), with an author in docProps/core.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        if with_document:
            archive.writestr(
                "word/document.xml", "<w:document><w:body>근로계약서</w:body></w:document>"
            )
        archive.writestr(
            "docProps/core.xml",
            '<cp:coreProperties xmlns:dc="http://purl.org/dc/elements/1.1/">'
            "<dc:creator>Kim Secret</dc:creator><cp:lastModifiedBy>Lee Editor</cp:lastModifiedBy>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-15T10:22:01Z</dcterms:created>'
            "</cp:coreProperties>",
        )
    return out.getvalue()


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr(
            "meta.xml",
            "<office:document-meta><office:meta><meta:initial-creator>Park Writer"
            "</meta:initial-creator><meta:generator>LibreOffice/7.4</meta:generator>"
            "</office:meta></office:document-meta>",
        )
    return out.getvalue()


def with_zero_member(archive_bytes: bytes, size: int) -> bytes:
    """The zip with one more member: `size` zero bytes, deflated to almost nothing."""
    out = io.BytesIO(archive_bytes)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", bytes(size))
    return out.getvalue()


def declaring_size(archive_bytes: bytes, size: int) -> bytes:
    """The zip with its first central-directory entry claiming `size` bytes unpacked."""
    data = bytearray(archive_bytes)
    at = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, at + 24, size)
    return bytes(data)


def ffmpeg(tmp_path: Path, name: str, *arguments: str) -> Path:
    """A short recording made by ffmpeg from its test sources (lavfi)."""
    path = tmp_path / name
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *arguments, str(path)],
        check=True,
        timeout=120,
    )
    return path


def tone(tmp_path: Path, name: str, *codec: str) -> Path:
    return ffmpeg(tmp_path, name, "-f", "lavfi", "-i", "sine=frequency=440:duration=1", *codec)


def video(tmp_path: Path, name: str, *codec: str) -> Path:
    source = "testsrc=duration=1:size=160x120:rate=10"
    return ffmpeg(tmp_path, name, "-f", "lavfi", "-i", source, "-pix_fmt", "yuv420p", *codec)
