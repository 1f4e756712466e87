"""Spreadsheets built for tests and benchmarks: a zip bomb shaped like an XLSX, a big honest one."""

import io
import zipfile
from pathlib import Path

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
# Fifty short inline strings a row: many small cells are what make openpyxl slow, as in the
# issue's 123 KB file that took a worker 78 s.
BOMB_ROW = b"<row>" + b'<c t="inlineStr"><is><t>AAAAAAAAAAAA</t></is></c>' * 50 + b"</row>"


def _with_sheet(path: Path, write_sheet) -> Path:
    """A valid workbook from openpyxl whose first sheet is replaced by what `write_sheet` writes."""
    book = openpyxl.Workbook()
    book.active.append(["name"])
    packed = io.BytesIO()
    book.save(packed)
    source = zipfile.ZipFile(packed)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name in source.namelist():
            if name != SHEET:
                out.writestr(name, source.read(name))
        with out.open(SHEET, "w") as sheet:
            write_sheet(sheet)
    return path


def bomb(path: Path, unpacked_mb: float = 51) -> Path:
    """An XLSX of under 200 KB whose first sheet unpacks to `unpacked_mb` MB of short strings."""
    rows = int(unpacked_mb * 1024 * 1024) // len(BOMB_ROW) + 1

    def write_sheet(sheet) -> None:
        sheet.write(SHEET_HEAD + b"<sheetData>")
        for _ in range(rows // 100):
            sheet.write(BOMB_ROW * 100)
        sheet.write(BOMB_ROW * (rows % 100) + b"</sheetData></worksheet>")

    return _with_sheet(path, write_sheet)


def declaring_rows(path: Path, declared: int, written: int = 1) -> Path:
    """An XLSX whose first sheet declares `declared` rows (its dimension) and holds `written`."""

    def write_sheet(sheet) -> None:
        sheet.write(SHEET_HEAD + f'<dimension ref="A1:A{declared}"/><sheetData>'.encode())
        for number in range(1, written + 1):
            cell = f'<c r="A{number}" t="inlineStr"><is><t>r{number}</t></is></c>'
            sheet.write(f'<row r="{number}">{cell}</row>'.encode())
        sheet.write(b"</sheetData></worksheet>")

    return _with_sheet(path, write_sheet)
