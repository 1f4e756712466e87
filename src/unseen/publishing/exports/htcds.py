"""HTCDS: journeys in the fields of IOM's Human Trafficking Case Data Standard (docs/reference/htcds.md).

Three CSV files: the cases (one per testimony, with the victim context mapped from its events and
codings), the historic trafficking events (HTCDS's hte_ fields and the perpetrator's role, then
our own columns, so that nothing is lost on the way back) and the indicators found at each event
(with their passages at the full level only: below it the tables hold none). Like every writer it
sees only the finished tables: what leaves was decided by cases.py.
"""

import csv
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from unseen.core import htcds
from unseen.core.cells import neutralise

from .tables import Progress, Table, Writer


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = htcds.SEPARATOR.join(str(v) for v in value)
    if isinstance(value, str):
        return neutralise(value)
    return value


def _write(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> int:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
    return len(rows)


class HtcdsWriter(Writer):
    format = "htcds"
    suffix = ".csv"
    reads = ("htcds_cases", "htcds_events", "htcds_indicators")
    # Journeys only: the evidence files belong to the full record exports.
    with_files = False

    def write(
        self, tables: Mapping[str, Table], out: Path, progress: Progress | None = None
    ) -> dict[str, int]:
        out.mkdir(parents=True, exist_ok=True)
        events = tables["htcds_events"].rows
        by_case: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for event in events:
            by_case[event["case_id"]].append(event)
        cases = []
        for case in tables["htcds_cases"].rows:
            journey = by_case.get(case["case_id"], [])
            cases.append(
                {
                    "case_id": case["case_id"],
                    "is_synthetic": case.get("is_synthetic"),
                    **htcds.victim_context(journey, htcds.split(case.get("codings"))),
                    "events": len(journey),
                }
            )
        files = {"cases": _write(out / htcds.CASES_FILE, htcds.CASE_COLUMNS, cases)}
        if progress:
            progress(1)
        files["historic_trafficking_events"] = _write(
            out / htcds.EVENTS_FILE, htcds.EVENT_COLUMNS, [htcds.event_row(e) for e in events]
        )
        if progress:
            progress(1)
        files["indicators"] = _write(
            out / htcds.INDICATORS_FILE,
            htcds.INDICATOR_COLUMNS,
            tables["htcds_indicators"].rows,
        )
        if progress:
            progress(1)
        return files
