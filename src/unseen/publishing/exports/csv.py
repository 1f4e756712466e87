"""CSV: one file per table, many-to-many values `;`-joined, formula cells neutralised."""

import csv
from collections.abc import Mapping
from pathlib import Path

from unseen.core.cells import neutralise

from .tables import Progress, Table, Writer


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    if isinstance(value, str):
        # Anything typed by a person, the public included, may reach a cell; JSON and FtM
        # keep the raw value, as they are read by programs, not spreadsheets.
        return neutralise(value)
    return value


class CsvWriter(Writer):
    format = "csv"
    suffix = ".csv"

    def write(
        self, tables: Mapping[str, Table], out: Path, progress: Progress | None = None
    ) -> dict[str, int]:
        out.mkdir(parents=True, exist_ok=True)
        files: dict[str, int] = {}
        for name, table in tables.items():
            with (out / f"{name}{self.suffix}").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(table.columns)
                for row in table.rows:
                    writer.writerow([_cell(row.get(column)) for column in table.columns])
            files[name] = len(table.rows)
            if progress:
                progress(1)
        return files
