"""What an export gives back: its result, or a refusal whose reason is for the user."""

from dataclasses import dataclass, field
from pathlib import Path


class ExportRefused(Exception):
    """The export cannot be made as asked; the reason is for the user."""


class ExportKeyError(ExportRefused):
    """The export key is missing, unsafe, or (when asked to create one) already there."""


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    files: dict[str, int]
    k: int | None = None  # smallest group of persons released (controlled levels)
    persons: int = 0  # persons eligible for release
    suppressed: int = 0  # persons left out because their group stayed smaller than k
    generalisation: dict[str, int] = field(default_factory=dict)
    overridden: bool = False
    linkable: bool = False
    earlier_releases: int = 0  # earlier linkable releases to this recipient, joined in k
    evidence_files: int = 0  # evidence files written into files/ (see exports/files.py)
    evidence_withheld: int = 0  # released files left out: no redaction confirmed by a person
    unit: str = "persons"  # what k counts: persons, or testimonies (the HTCDS export's cases)
    k_required: int | None = None  # the k applied, when the format raised the one asked for
