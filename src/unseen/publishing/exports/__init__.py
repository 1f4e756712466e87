"""Writing records to files, at three levels of disclosure (docs/reference/export.md).

- `full`: every record of every kind with its real ids, pseudonymous fields only (identities stay
  in the vault: a full export is never a vault export). Needs an administrator's approval.
- `pseudonymised`: public and internal records, never confidential ones.
- `public`: public records only.

The two controlled levels generalise (dates to the month, coordinates to a grid of cells at least
10 km across), replace every id with a keyed pseudonym (HMAC-SHA256 under a key per recipient,
or the public release's own, with a fresh salt per export unless an administrator makes the
export linkable; linkable releases must meet k on their join, see ReleaseLedger), write rows in
the order of their pseudonyms (never of creation), leave blank every reference to a record they
do not release, drop free text and anything else that may identify, and make the persons
k-anonymous on everything a recipient joins to a person's pseudonym.

The modules, each importing only those below it (the layers contract in pyproject.toml):

- api.py: `export`, which checks the request, has the tables made, writes and audits;
- disclosure.py: k-anonymity on the join, the release ledger, the rows that describe a person;
- selection.py: which records each level releases and how each field goes out;
- keys.py: the export key (`init_export_key` creates it, once; an export never does) and the
  pseudonyms of one export;
- files.py: the evidence files beside the tables, in `files/` with `files/manifest.csv`:
  originals at `full`; below it only the copy a person's redaction decision made, for files
  that stand behind released records (each file read is a FILE_EXPORT custody event);
- cases.py: the tables of the HTCDS format (journeys), k-anonymous per testimony below full,
  k = max(k, 11) at public (CTDC's practice);
- csv.py, ftm.py, geojson.py, htcds.py: one `Writer` per format, which sees only the finished tables (CSV
  cells that a spreadsheet would run as a formula are neutralised; GeoJSON and FtM keep the raw
  values);
- tables.py: `Table` and the `Writer` interface; results.py: `ExportResult`, `ExportRefused`.

This package's own names below are its public face: callers use them, not the modules.
"""

from .api import DEFAULT_K, FORMATS, LEVELS, export, steps
from .keys import export_secret, init_export_key
from .results import ExportKeyError, ExportRefused, ExportResult

__all__ = [
    "DEFAULT_K",
    "FORMATS",
    "LEVELS",
    "ExportKeyError",
    "ExportRefused",
    "ExportResult",
    "export",
    "export_secret",
    "init_export_key",
    "steps",
]
