"""The importer's columns as a user reads them, and empty templates to fill in.

Both are built from `unseen.core.schemas`, the same schemas the importer checks files against, so
the page and the templates cannot drift from what is accepted: a new column appears on its own,
and a column whose kind of value this module cannot describe fails `tests/documentation`.
docs/reference/import.md explains the same columns at more length.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unseen.core import cells, schemas
from unseen.core.dates import parse_partial_date, parse_year
from unseen.core.places import country_code, parse_host
from unseen.core.tables import Column

from .importing import KINDS, VOCABULARY

# Kinds of value by parser. Text and choices carry their limit and values (cells.Text, Choice).
VALUES: dict[Callable[..., Any], Any] = {
    cells.count: gettext_lazy("a whole number, 0 or more (1,200 allowed)"),
    cells.amount: gettext_lazy("a number, 0 or more"),
    cells.fraction: gettext_lazy("a fraction from 0 to 1 (0.9 or 90%)"),
    cells.percent: gettext_lazy("a share in per cent, from 0 to 100 (51 or 51%)"),
    cells.latitude: gettext_lazy("latitude in decimal degrees, within ±90"),
    cells.longitude: gettext_lazy("longitude in decimal degrees, within ±180"),
    parse_year: gettext_lazy("a year, four digits"),
    parse_partial_date: gettext_lazy("a date: YYYY, YYYY-MM or YYYY-MM-DD"),
    country_code: gettext_lazy("a country: ISO code or English name"),
    parse_host: gettext_lazy(
        "a country, a region (ALL, Southeast Asia, Gulf states…) or countries joined by /"
    ),
}

# What the value alone does not say (the rest is in docs/reference/import.md).
NOTES: dict[tuple[str, str], Any] = {
    ("deployments", "sector"): gettext_lazy(
        "A sector starting with “entries” or “planned” marks a proxy, left out of headcounts."
    ),
    ("deployments", "source"): gettext_lazy("Found by exact title, or created."),
    ("persons", "record_id"): gettext_lazy("Unique within the file."),
    ("persons", "nationality"): gettext_lazy("KP when blank."),
    ("organisations", "aliases"): gettext_lazy("Names separated by ;"),
    ("sites", "latitude"): gettext_lazy("Give both coordinates or neither."),
    ("sightings", "latitude"): gettext_lazy("Give both coordinates or neither."),
    ("relations", "kind"): gettext_lazy("Read as: subject, kind, object."),
    ("relations", "subject"): gettext_lazy(
        "A record already here: kind:number (organisation:12), or the exact name of an "
        "organisation or public figure."
    ),
    ("relations", "object"): gettext_lazy(
        "A record already here: kind:number (site:3), or the exact name of an organisation, "
        "site or public figure."
    ),
    ("relations", "subject_kind"): gettext_lazy("Needed when the subject is a name."),
    ("relations", "object_kind"): gettext_lazy("Needed when the object is a name."),
    ("relations", "share_percent"): gettext_lazy("Only for kind owns."),
    ("relations", "source_title"): gettext_lazy("Found by exact title, or created."),
    ("relations", "credibility"): gettext_lazy("Of the claim, 1 (confirmed) to 6; 6 when blank."),
}

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UnknownValue(LookupError):
    """A column parsed by something this guide cannot describe: add it to VALUES."""


@dataclass(frozen=True)
class ColumnGuide:
    name: str
    required: bool
    value: str
    note: str


def describe_value(parse: Callable[..., Any]) -> str:
    """What a cell of this parser takes, in the reader's language."""
    if isinstance(parse, cells.Text):
        return _("text, up to %(limit)s characters") % {"limit": f"{parse.limit:,}"}
    if isinstance(parse, cells.Choice):
        return _("one of: %(values)s") % {"values": ", ".join(parse.values)}
    if parse in VALUES:
        return str(VALUES[parse])
    raise UnknownValue(getattr(parse, "__name__", repr(parse)))


def _note(kind: str, column: Column) -> str:
    if column.name == "access_level":
        default = "confidential" if kind == "persons" else "internal"
        return _("%(level)s when blank.") % {"level": default}
    if kind == "persons" and column.name in schemas.PERSON_IDENTIFYING:
        return _("Identifying: kept only in the identity vault.")
    return str(NOTES.get((kind, column.name), ""))


def column_guide(kind: str) -> list[ColumnGuide]:
    """Every column `kind` accepts, in the order a template has them."""
    schema = schemas.SCHEMAS[kind](VOCABULARY)
    return [
        ColumnGuide(column.name, column.required, describe_value(column.parse), _note(kind, column))
        for column in schema.columns
    ]


def guide() -> list[tuple[str, list[ColumnGuide]]]:
    return [(kind, column_guide(kind)) for kind in KINDS]


def template_header(kind: str) -> list[str]:
    """The header row of `kind`'s template: exactly the names the importer takes, in order."""
    return schemas.SCHEMAS[kind](VOCABULARY).names


def template_file(kind: str, extension: str) -> bytes:
    """An empty template for `kind` (header row only) as CSV or XLSX.

    No example row: a template filled in and uploaded must import as it stands, and an example
    left in would be imported as a record.
    """
    header = template_header(kind)
    if extension == "csv":
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerow(header)
        return text.getvalue().encode("utf-8")
    if extension == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None  # a new workbook has one sheet
        sheet.title = kind
        sheet.append(header)
        sheet.freeze_panes = "A2"
        data = io.BytesIO()
        book.save(data)
        return data.getvalue()
    raise ValueError(f"no template as {extension!r}")
